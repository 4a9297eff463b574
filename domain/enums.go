package domain

import (
	"io"
	"slices"
	"strconv"
)

// EnumValues lists an enum's values in their declared order; the position is the rank used
// for comparisons such as "at this level or higher". The lists are the schema's; treat them
// as read-only.
type EnumValues[E ~string] []E

// Rank returns the 1-based position of v, or 0 when v is not a value of the enum.
func (vs EnumValues[E]) Rank(v E) int {
	return slices.Index(vs, v) + 1
}

// Valid reports whether v is one of the enum's values.
func (vs EnumValues[E]) Valid(v E) bool { return vs.Rank(v) > 0 }

// Unmarshal reads a GraphQL enum value into dst, refusing values the enum does not have.
func (vs EnumValues[E]) Unmarshal(v any, dst *E, name string) error {
	s, ok := v.(string)
	if !ok {
		return InputErr("must be a %s value", name)
	}
	if !vs.Valid(E(s)) {
		return InputErr("%q is not a valid %s; use one of %v", s, name, []E(vs))
	}
	*dst = E(s)
	return nil
}

func WriteEnum(w io.Writer, s string) { _, _ = io.WriteString(w, strconv.Quote(s)) }

// ParticipationLevel is the IAP2 spectrum level declared by whoever recorded an event.
type ParticipationLevel string

// The IAP2 levels, in order.
const (
	LevelInform      ParticipationLevel = "INFORM"
	LevelConsult     ParticipationLevel = "CONSULT"
	LevelInvolve     ParticipationLevel = "INVOLVE"
	LevelCollaborate ParticipationLevel = "COLLABORATE"
	LevelEmpower     ParticipationLevel = "EMPOWER"
)

// ParticipationLevels lists the IAP2 levels from least to most shared power.
var ParticipationLevels = EnumValues[ParticipationLevel]{LevelInform, LevelConsult, LevelInvolve, LevelCollaborate, LevelEmpower}

// Rank returns the level's position on the spectrum, 1 (INFORM) to 5 (EMPOWER), or 0 if unknown.
func (e ParticipationLevel) Rank() int { return ParticipationLevels.Rank(e) }

// Shared reports whether the level claims shared decision-making (COLLABORATE or EMPOWER).
func (e ParticipationLevel) Shared() bool { return e.Rank() >= LevelCollaborate.Rank() }

// MarshalGQL writes the level as a GraphQL enum value.
func (e ParticipationLevel) MarshalGQL(w io.Writer) { WriteEnum(w, string(e)) }

// UnmarshalGQL reads a level, failing on unknown values.
func (e *ParticipationLevel) UnmarshalGQL(v any) error {
	return ParticipationLevels.Unmarshal(v, e, "ParticipationLevel")
}

// ArnsteinRung is a rung of Arnstein's ladder, as assessed by an evaluator.
type ArnsteinRung string

// Arnstein's rungs, from the bottom of the ladder.
const (
	RungManipulation   ArnsteinRung = "MANIPULATION"
	RungTherapy        ArnsteinRung = "THERAPY"
	RungInforming      ArnsteinRung = "INFORMING"
	RungConsultation   ArnsteinRung = "CONSULTATION"
	RungPlacation      ArnsteinRung = "PLACATION"
	RungPartnership    ArnsteinRung = "PARTNERSHIP"
	RungDelegatedPower ArnsteinRung = "DELEGATED_POWER"
	RungCitizenControl ArnsteinRung = "CITIZEN_CONTROL"
)

// ArnsteinRungs lists the rungs from the bottom of the ladder to the top.
var ArnsteinRungs = EnumValues[ArnsteinRung]{RungManipulation, RungTherapy, RungInforming, RungConsultation, RungPlacation, RungPartnership, RungDelegatedPower, RungCitizenControl}

// Rank returns the rung's height, 1 (MANIPULATION) to 8 (CITIZEN_CONTROL), or 0 if unknown.
func (e ArnsteinRung) Rank() int { return ArnsteinRungs.Rank(e) }

// MarshalGQL writes the rung as a GraphQL enum value.
func (e ArnsteinRung) MarshalGQL(w io.Writer) { WriteEnum(w, string(e)) }

// UnmarshalGQL reads a rung, failing on unknown values.
func (e *ArnsteinRung) UnmarshalGQL(v any) error {
	return ArnsteinRungs.Unmarshal(v, e, "ArnsteinRung")
}

// EmpowermentGap reports whether an event declared at level but assessed at rung is
// "empowerment-lite": declared COLLABORATE or EMPOWER, assessed at PLACATION or below.
// An unassessed event (rung empty) has no gap.
func EmpowermentGap(level ParticipationLevel, rung ArnsteinRung) bool {
	r := rung.Rank()
	return level.Shared() && r > 0 && r <= RungPlacation.Rank()
}

// OrganisationKind says what sort of organisation a museum is.
type OrganisationKind string

// OrganisationKinds lists the valid organisation kinds.
var OrganisationKinds = EnumValues[OrganisationKind]{"MUSEUM", "GALLERY", "ARCHIVE", "MUSEUM_SERVICE", "HERITAGE_ORGANISATION"}

// MarshalGQL writes the value as a GraphQL enum value.
func (e OrganisationKind) MarshalGQL(w io.Writer) { WriteEnum(w, string(e)) }

// UnmarshalGQL reads the value, failing on unknown values.
func (e *OrganisationKind) UnmarshalGQL(v any) error {
	return OrganisationKinds.Unmarshal(v, e, "OrganisationKind")
}

// CommunityKind says what binds a community together.
type CommunityKind string

// CommunityKinds lists the valid community kinds.
var CommunityKinds = EnumValues[CommunityKind]{"NEIGHBOURHOOD", "IDENTITY", "INTEREST", "YOUTH", "OLDER_PEOPLE", "FAITH", "DISABILITY", "LANGUAGE", "REFUGEE_AND_MIGRANT", "OTHER"}

// MarshalGQL writes the value as a GraphQL enum value.
func (e CommunityKind) MarshalGQL(w io.Writer) { WriteEnum(w, string(e)) }

// UnmarshalGQL reads the value, failing on unknown values.
func (e *CommunityKind) UnmarshalGQL(v any) error {
	return CommunityKinds.Unmarshal(v, e, "CommunityKind")
}

// PartnershipStatus is where a partnership is in its life.
type PartnershipStatus string

// Partnership statuses.
const (
	StatusProposed PartnershipStatus = "PROPOSED"
	StatusActive   PartnershipStatus = "ACTIVE"
	StatusPaused   PartnershipStatus = "PAUSED"
	StatusEnded    PartnershipStatus = "ENDED"
)

// PartnershipStatuses lists the valid statuses.
var PartnershipStatuses = EnumValues[PartnershipStatus]{StatusProposed, StatusActive, StatusPaused, StatusEnded}

// MarshalGQL writes the value as a GraphQL enum value.
func (e PartnershipStatus) MarshalGQL(w io.Writer) { WriteEnum(w, string(e)) }

// UnmarshalGQL reads the value, failing on unknown values.
func (e *PartnershipStatus) UnmarshalGQL(v any) error {
	return PartnershipStatuses.Unmarshal(v, e, "PartnershipStatus")
}

// ParticipationModel is Nina Simon's model of participation for a partnership.
type ParticipationModel string

// ParticipationModels lists the valid models.
var ParticipationModels = EnumValues[ParticipationModel]{"CONTRIBUTORY", "COLLABORATIVE", "CO_CREATIVE", "HOSTED"}

// MarshalGQL writes the value as a GraphQL enum value.
func (e ParticipationModel) MarshalGQL(w io.Writer) { WriteEnum(w, string(e)) }

// UnmarshalGQL reads the value, failing on unknown values.
func (e *ParticipationModel) UnmarshalGQL(v any) error {
	return ParticipationModels.Unmarshal(v, e, "ParticipationModel")
}

// DecisionEventKind says what sort of occasion a decision event was.
type DecisionEventKind string

// DecisionEventKinds lists the valid kinds.
var DecisionEventKinds = EnumValues[DecisionEventKind]{"ADVISORY_PANEL", "CO_CURATION", "GOVERNANCE_MEETING", "CONSULTATION", "WORKSHOP", "VOTE", "OTHER"}

// MarshalGQL writes the value as a GraphQL enum value.
func (e DecisionEventKind) MarshalGQL(w io.Writer) { WriteEnum(w, string(e)) }

// UnmarshalGQL reads the value, failing on unknown values.
func (e *DecisionEventKind) UnmarshalGQL(v any) error {
	return DecisionEventKinds.Unmarshal(v, e, "DecisionEventKind")
}

// ParticipantRole is the part someone played at a decision event.
type ParticipantRole string

// ParticipantRoles lists the valid roles.
var ParticipantRoles = EnumValues[ParticipantRole]{"COMMUNITY_MEMBER", "COMMUNITY_REPRESENTATIVE", "STAFF", "TRUSTEE", "FACILITATOR", "CRITICAL_FRIEND"}

// Community reports whether the role speaks for the community rather than the museum.
func (e ParticipantRole) Community() bool {
	return e == "COMMUNITY_MEMBER" || e == "COMMUNITY_REPRESENTATIVE"
}

// MarshalGQL writes the value as a GraphQL enum value.
func (e ParticipantRole) MarshalGQL(w io.Writer) { WriteEnum(w, string(e)) }

// UnmarshalGQL reads the value, failing on unknown values.
func (e *ParticipantRole) UnmarshalGQL(v any) error {
	return ParticipantRoles.Unmarshal(v, e, "ParticipantRole")
}

// DecidedBy says who took a decision.
type DecidedBy string

// DecidedByValues lists the valid values.
var DecidedByValues = EnumValues[DecidedBy]{"COMMUNITY", "MUSEUM", "JOINT"}

// MarshalGQL writes the value as a GraphQL enum value.
func (e DecidedBy) MarshalGQL(w io.Writer) { WriteEnum(w, string(e)) }

// UnmarshalGQL reads the value, failing on unknown values.
func (e *DecidedBy) UnmarshalGQL(v any) error { return DecidedByValues.Unmarshal(v, e, "DecidedBy") }

// DecisionResult says what became of a proposal.
type DecisionResult string

// DecisionResults lists the valid results.
var DecisionResults = EnumValues[DecisionResult]{"ADOPTED", "AMENDED", "REJECTED", "DEFERRED"}

// MarshalGQL writes the value as a GraphQL enum value.
func (e DecisionResult) MarshalGQL(w io.Writer) { WriteEnum(w, string(e)) }

// UnmarshalGQL reads the value, failing on unknown values.
func (e *DecisionResult) UnmarshalGQL(v any) error {
	return DecisionResults.Unmarshal(v, e, "DecisionResult")
}

// EvidenceKind says what sort of evidence supports an event's record.
type EvidenceKind string

// EvidenceKinds lists the valid kinds.
var EvidenceKinds = EnumValues[EvidenceKind]{"MINUTES", "SURVEY", "QUOTE", "MEDIA", "REPORT", "OTHER"}

// MarshalGQL writes the value as a GraphQL enum value.
func (e EvidenceKind) MarshalGQL(w io.Writer) { WriteEnum(w, string(e)) }

// UnmarshalGQL reads the value, failing on unknown values.
func (e *EvidenceKind) UnmarshalGQL(v any) error {
	return EvidenceKinds.Unmarshal(v, e, "EvidenceKind")
}

// Visibility says who may see a record.
type Visibility string

// Visibilities.
const (
	VisibilityPublic     Visibility = "PUBLIC"
	VisibilityRestricted Visibility = "RESTRICTED"
)

// Visibilities lists the valid visibilities.
var Visibilities = EnumValues[Visibility]{VisibilityPublic, VisibilityRestricted}

// MarshalGQL writes the value as a GraphQL enum value.
func (e Visibility) MarshalGQL(w io.Writer) { WriteEnum(w, string(e)) }

// UnmarshalGQL reads the value, failing on unknown values.
func (e *Visibility) UnmarshalGQL(v any) error { return Visibilities.Unmarshal(v, e, "Visibility") }

// ActivityKind says what sort of capability-building an activity was.
type ActivityKind string

// ActivityKinds lists the valid kinds.
var ActivityKinds = EnumValues[ActivityKind]{"VOLUNTEERING", "TRAINING", "PLACEMENT", "APPRENTICESHIP", "EMPLOYMENT_SUPPORT", "STAFF_DEVELOPMENT"}

// MarshalGQL writes the value as a GraphQL enum value.
func (e ActivityKind) MarshalGQL(w io.Writer) { WriteEnum(w, string(e)) }

// UnmarshalGQL reads the value, failing on unknown values.
func (e *ActivityKind) UnmarshalGQL(v any) error {
	return ActivityKinds.Unmarshal(v, e, "ActivityKind")
}

// ReflectionAuthor says from whose point of view a reflection was written.
type ReflectionAuthor string

// ReflectionAuthors lists the valid authors.
var ReflectionAuthors = EnumValues[ReflectionAuthor]{"STAFF", "COMMUNITY_PARTNER", "CRITICAL_FRIEND", "SECTOR_PEER"}

// MarshalGQL writes the value as a GraphQL enum value.
func (e ReflectionAuthor) MarshalGQL(w io.Writer) { WriteEnum(w, string(e)) }

// UnmarshalGQL reads the value, failing on unknown values.
func (e *ReflectionAuthor) UnmarshalGQL(v any) error {
	return ReflectionAuthors.Unmarshal(v, e, "ReflectionAuthor")
}

// PublicationKind says what sort of publication something is.
type PublicationKind string

// PublicationKinds lists the valid kinds.
var PublicationKinds = EnumValues[PublicationKind]{"EVALUATION", "LEARNING_REPORT", "RESEARCH", "CASE_STUDY", "OTHER"}

// MarshalGQL writes the value as a GraphQL enum value.
func (e PublicationKind) MarshalGQL(w io.Writer) { WriteEnum(w, string(e)) }

// UnmarshalGQL reads the value, failing on unknown values.
func (e *PublicationKind) UnmarshalGQL(v any) error {
	return PublicationKinds.Unmarshal(v, e, "PublicationKind")
}

// OrderField names the field a list is sorted by (NAME, CREATED_AT…); which values a list
// accepts is fixed by its GraphQL enum and checked again by the store.
type OrderField string

// MarshalGQL writes the value as a GraphQL enum value.
func (e OrderField) MarshalGQL(w io.Writer) { WriteEnum(w, string(e)) }

// UnmarshalGQL reads the value; the schema has already restricted it to the list's fields.
func (e *OrderField) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok {
		return InputErr("must be an order field")
	}
	*e = OrderField(s)
	return nil
}

// Direction is ASC or DESC.
type Direction string

// Sort directions.
const (
	Asc  Direction = "ASC"
	Desc Direction = "DESC"
)

// MarshalGQL writes the value as a GraphQL enum value.
func (e Direction) MarshalGQL(w io.Writer) { WriteEnum(w, string(e)) }

// UnmarshalGQL reads the value, failing on anything but ASC and DESC.
func (e *Direction) UnmarshalGQL(v any) error {
	return EnumValues[Direction]{Asc, Desc}.Unmarshal(v, e, "OrderDirection")
}
