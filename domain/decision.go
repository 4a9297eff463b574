package domain

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/99designs/gqlgen/graphql"
)

func (e *DecisionEvent) OwnerMuseum() string { return e.MuseumID }

// DecisionEventFilter selects decision events.
type DecisionEventFilter struct {
	MuseumID        *string
	CommunityID     *string
	PartnershipID   *string
	Kinds           []DecisionEventKind
	Levels          []ParticipationLevel
	MinLevel        *ParticipationLevel
	Rungs           []ArnsteinRung
	OccurredAfter   *time.Time
	OccurredBefore  *time.Time
	OutcomeCodes    []string
	EmpowermentGap  *bool
	Assessed        *bool
	Visibility      *Visibility
	Search          *string
	Sample          *bool
	IncludeArchived *bool
}

// ParticipantInput names someone who took part.
type ParticipantInput struct {
	PersonID    *string
	CommunityID *string
	Role        ParticipantRole
}

// DecisionInput is one decision taken.
type DecisionInput struct {
	Text               string
	DecidedBy          DecidedBy
	Result             DecisionResult
	Implemented        *bool
	ImplementationNote *string
}

// EvidenceInput is one piece of evidence.
type EvidenceInput struct {
	Kind  EvidenceKind
	Title string
	URL   *string
	Note  *string
}

// RecordDecisionEventInput is the input of recordDecisionEvent.
type RecordDecisionEventInput struct {
	Title                          string
	Description                    *string
	Kind                           DecisionEventKind
	OccurredAt                     time.Time
	MuseumID                       string
	PartnershipID                  *string
	CommunityIDs                   []string
	ParticipationLevel             ParticipationLevel
	AssessedRung                   *ArnsteinRung
	Participants                   []ParticipantInput
	AnonymousCommunityParticipants *int
	AnonymousStaffParticipants     *int
	Decisions                      []DecisionInput
	OutcomeIDs                     []string
	Evidence                       []EvidenceInput
	Visibility                     *Visibility
}

// UpdateDecisionEventInput is the input of updateDecisionEvent. An event stays with its
// museum.
type UpdateDecisionEventInput struct {
	ID                             string
	ExpectedVersion                *int
	Title                          graphql.Omittable[*string]
	Description                    graphql.Omittable[*string]
	Kind                           graphql.Omittable[*DecisionEventKind]
	OccurredAt                     graphql.Omittable[*time.Time]
	PartnershipID                  graphql.Omittable[*string]
	CommunityIDs                   graphql.Omittable[[]string]
	ParticipationLevel             graphql.Omittable[*ParticipationLevel]
	AssessedRung                   graphql.Omittable[*ArnsteinRung]
	Participants                   graphql.Omittable[[]ParticipantInput]
	AnonymousCommunityParticipants graphql.Omittable[*int]
	AnonymousStaffParticipants     graphql.Omittable[*int]
	Decisions                      graphql.Omittable[[]DecisionInput]
	OutcomeIDs                     graphql.Omittable[[]string]
	Evidence                       graphql.Omittable[[]EvidenceInput]
	Visibility                     graphql.Omittable[*Visibility]
}

func ParticipantsOf(in []ParticipantInput) []Participant {
	out := make([]Participant, len(in))
	for i, p := range in {
		out[i] = Participant(p)
	}
	return out
}

func DecisionsOf(in []DecisionInput) []Decision {
	out := make([]Decision, len(in))
	for i, d := range in {
		out[i] = Decision(d)
	}
	return out
}

func EvidenceOf(in []EvidenceInput) []Evidence {
	out := make([]Evidence, len(in))
	for i, e := range in {
		out[i] = Evidence(e)
	}
	return out
}

func (e *DecisionEvent) Check(v *Validator) {
	now := v.Now
	v.Name("title", &e.Title)
	v.Text("description", &e.Description)
	EnumField(v, "kind", DecisionEventKinds, e.Kind)
	switch {
	case e.OccurredAt.IsZero():
		v.Add("occurredAt", "is required")
	case e.OccurredAt.After(now.Add(24 * time.Hour)):
		v.Add("occurredAt", "must not be in the future: record events once they have happened")
	case e.OccurredAt.Year() < 1900:
		v.Add("occurredAt", "must be after 1900")
	}
	e.OccurredAt = e.OccurredAt.UTC().Truncate(time.Millisecond)
	v.Ref("museumId", EntityMuseum, e.MuseumID)
	v.OptRef("partnershipId", EntityPartner, e.PartnershipID)
	v.SameMuseum("partnershipId", EntityPartner, e.PartnershipID, e.MuseumID)
	if e.CommunityIDs == nil {
		e.CommunityIDs = []string{}
	}
	v.RefList("communityIds", EntityCommunity, &e.CommunityIDs)
	EnumField(v, "participationLevel", ParticipationLevels, e.ParticipationLevel)
	OptEnum(v, "assessedRung", ArnsteinRungs, e.AssessedRung)
	v.Count("anonymousCommunityParticipants", &e.AnonymousCommunityParticipants)
	v.Count("anonymousStaffParticipants", &e.AnonymousStaffParticipants)
	if len(e.Participants) > 1000 {
		v.Add("participants", "must have at most 1000 entries; count the rest with anonymousCommunityParticipants")
	}
	if e.Participants == nil {
		e.Participants = []Participant{}
	}
	for i, p := range e.Participants {
		field := fmt.Sprintf("participants[%d]", i)
		EnumField(v, field+".role", ParticipantRoles, p.Role)
		v.OptRef(field+".communityId", EntityCommunity, p.CommunityID)
		if p.CommunityID != nil && !slices.Contains(e.CommunityIDs, *p.CommunityID) {
			v.Add(field+".communityId", "must be one of the event's communityIds")
		}
		v.OptRef(field+".personId", EntityPerson, p.PersonID)
		if p.PersonID == nil && p.CommunityID == nil && p.Role.Community() {
			v.Add(field, "give a personId or a communityId, or count unnamed people in anonymousCommunityParticipants")
		}
	}
	v.ConsentToRecord(e.Participants)
	if e.Decisions == nil {
		e.Decisions = []Decision{}
	}
	for i := range e.Decisions {
		d := &e.Decisions[i]
		field := fmt.Sprintf("decisions[%d]", i)
		v.RequiredText(field+".text", &d.Text)
		EnumField(v, field+".decidedBy", DecidedByValues, d.DecidedBy)
		EnumField(v, field+".result", DecisionResults, d.Result)
		if d.Implemented != nil && *d.Implemented && (d.Result == "REJECTED" || d.Result == "DEFERRED") {
			v.Add(field+".implemented", "a %s decision cannot have been implemented", d.Result)
		}
		v.Text(field+".implementationNote", &d.ImplementationNote)
	}
	if e.Evidence == nil {
		e.Evidence = []Evidence{}
	}
	for i := range e.Evidence {
		ev := &e.Evidence[i]
		field := fmt.Sprintf("evidence[%d]", i)
		EnumField(v, field+".kind", EvidenceKinds, ev.Kind)
		v.Name(field+".title", &ev.Title)
		v.URL(field+".url", &ev.URL)
		v.Text(field+".note", &ev.Note)
	}
	if e.OutcomeIDs == nil {
		e.OutcomeIDs = []string{}
	}
	v.RefList("outcomeIds", EntityOutcome, &e.OutcomeIDs)
	EnumField(v, "visibility", Visibilities, e.Visibility)
	e.derive()
}

// ConsentToRecord checks, once references resolve, that every newly named person agreed to
// have their participation recorded and was not erased. People the event already named
// stay: withdrawal and erasure do not rewrite history, and the event stays editable.
func (v *Validator) ConsentToRecord(ps []Participant) {
	var ids []string
	idx := map[string][]int{}
	for i, p := range ps {
		if p.PersonID != nil && !v.Kept[*p.PersonID] {
			ids = append(ids, *p.PersonID)
			idx[*p.PersonID] = append(idx[*p.PersonID], i)
		}
	}
	if len(ids) == 0 {
		return
	}
	v.After(func(ctx context.Context) error {
		people, errs := v.Records.Records(ctx, EntityPerson, Unique(ids))
		for j, rec := range people {
			if errs[j] != nil {
				return errs[j]
			}
			p := rec.(*Person)
			if p.Consent.RecordParticipation && !p.Erased {
				continue
			}
			for _, i := range idx[p.ID] {
				v.Add(fmt.Sprintf("participants[%d].personId", i),
					"this person has not consented to their participation being recorded: record their consent first, or count them in anonymousCommunityParticipants")
			}
		}
		return nil
	})
}
