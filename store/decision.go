package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"go.mongodb.org/mongo-driver/v2/bson"
)

func (e *DecisionEvent) museum() string { return e.MuseumID }

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

func (s *Store) eventQuery(ctx context.Context, f *DecisionEventFilter) (bson.D, error) {
	b := common(f.Sample, f.IncludeArchived)
	eq(b, "museumId", f.MuseumID)
	eq(b, "communityIds", f.CommunityID)
	eq(b, "partnershipId", f.PartnershipID)
	in(b, "kind", f.Kinds)
	in(b, "participationLevel", f.Levels)
	if f.MinLevel != nil {
		b.add("levelRank", bson.D{{Key: "$gte", Value: f.MinLevel.Rank()}})
	}
	in(b, "assessedRung", f.Rungs)
	cmpOp(b, "occurredAt", "$gt", f.OccurredAfter)
	cmpOp(b, "occurredAt", "$lt", f.OccurredBefore)
	eq(b, "empowermentGap", f.EmpowermentGap)
	if f.Assessed != nil {
		if *f.Assessed {
			b.add("rungRank", bson.D{{Key: "$gt", Value: 0}})
		} else {
			b.add("rungRank", 0)
		}
	}
	eq(b, "visibility", f.Visibility)
	b.search(f.Search, "title", "description")
	if err := s.outcomeFilter(ctx, b, f.OutcomeCodes); err != nil {
		return nil, err
	}
	return b.build(), nil
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

func participantsOf(in []ParticipantInput) []Participant {
	out := make([]Participant, len(in))
	for i, p := range in {
		out[i] = Participant(p)
	}
	return out
}

func decisionsOf(in []DecisionInput) []Decision {
	out := make([]Decision, len(in))
	for i, d := range in {
		out[i] = Decision(d)
	}
	return out
}

func evidenceOf(in []EvidenceInput) []Evidence {
	out := make([]Evidence, len(in))
	for i, e := range in {
		out[i] = Evidence(e)
	}
	return out
}

func (e *DecisionEvent) check(v *validator) {
	now := v.s.clock()
	v.name("title", &e.Title)
	v.text("description", &e.Description)
	enumField(v, "kind", DecisionEventKinds, e.Kind)
	switch {
	case e.OccurredAt.IsZero():
		v.add("occurredAt", "is required")
	case e.OccurredAt.After(now.Add(24 * time.Hour)):
		v.add("occurredAt", "must not be in the future: record events once they have happened")
	case e.OccurredAt.Year() < 1900:
		v.add("occurredAt", "must be after 1900")
	}
	e.OccurredAt = e.OccurredAt.UTC().Truncate(time.Millisecond)
	v.ref("museumId", EntityMuseum, e.MuseumID)
	v.optRef("partnershipId", EntityPartner, e.PartnershipID)
	v.sameMuseum("partnershipId", EntityPartner, e.PartnershipID, e.MuseumID)
	if e.CommunityIDs == nil {
		e.CommunityIDs = []string{}
	}
	v.refList("communityIds", EntityCommunity, &e.CommunityIDs)
	enumField(v, "participationLevel", ParticipationLevels, e.ParticipationLevel)
	optEnum(v, "assessedRung", ArnsteinRungs, e.AssessedRung)
	v.count("anonymousCommunityParticipants", &e.AnonymousCommunityParticipants)
	v.count("anonymousStaffParticipants", &e.AnonymousStaffParticipants)
	if len(e.Participants) > 1000 {
		v.add("participants", "must have at most 1000 entries; count the rest with anonymousCommunityParticipants")
	}
	if e.Participants == nil {
		e.Participants = []Participant{}
	}
	for i, p := range e.Participants {
		field := fmt.Sprintf("participants[%d]", i)
		enumField(v, field+".role", ParticipantRoles, p.Role)
		v.optRef(field+".communityId", EntityCommunity, p.CommunityID)
		if p.CommunityID != nil && !slices.Contains(e.CommunityIDs, *p.CommunityID) {
			v.add(field+".communityId", "must be one of the event's communityIds")
		}
		v.optRef(field+".personId", EntityPerson, p.PersonID)
		if p.PersonID == nil && p.CommunityID == nil && p.Role.Community() {
			v.add(field, "give a personId or a communityId, or count unnamed people in anonymousCommunityParticipants")
		}
	}
	v.consentToRecord(e.Participants)
	if e.Decisions == nil {
		e.Decisions = []Decision{}
	}
	for i := range e.Decisions {
		d := &e.Decisions[i]
		field := fmt.Sprintf("decisions[%d]", i)
		v.requiredText(field+".text", &d.Text)
		enumField(v, field+".decidedBy", DecidedByValues, d.DecidedBy)
		enumField(v, field+".result", DecisionResults, d.Result)
		if d.Implemented != nil && *d.Implemented && (d.Result == "REJECTED" || d.Result == "DEFERRED") {
			v.add(field+".implemented", "a %s decision cannot have been implemented", d.Result)
		}
		v.text(field+".implementationNote", &d.ImplementationNote)
	}
	if e.Evidence == nil {
		e.Evidence = []Evidence{}
	}
	for i := range e.Evidence {
		ev := &e.Evidence[i]
		field := fmt.Sprintf("evidence[%d]", i)
		enumField(v, field+".kind", EvidenceKinds, ev.Kind)
		v.name(field+".title", &ev.Title)
		v.url(field+".url", &ev.URL)
		v.text(field+".note", &ev.Note)
	}
	if e.OutcomeIDs == nil {
		e.OutcomeIDs = []string{}
	}
	v.refList("outcomeIds", EntityOutcome, &e.OutcomeIDs)
	enumField(v, "visibility", Visibilities, e.Visibility)
	e.derive()
}

// consentToRecord checks, once references resolve, that every newly named person agreed to
// have their participation recorded and was not erased. People the event already named
// stay: withdrawal and erasure do not rewrite history, and the event stays editable.
func (v *validator) consentToRecord(ps []Participant) {
	var ids []string
	idx := map[string][]int{}
	for i, p := range ps {
		if p.PersonID != nil && !v.kept[*p.PersonID] {
			ids = append(ids, *p.PersonID)
			idx[*p.PersonID] = append(idx[*p.PersonID], i)
		}
	}
	if len(ids) == 0 {
		return
	}
	v.after(func(ctx context.Context) error {
		people, errs := v.s.People.GetMany(ctx, uniq(ids))
		for j, p := range people {
			if errs[j] != nil {
				return errs[j]
			}
			if p.Consent.RecordParticipation && !p.Erased {
				continue
			}
			for _, i := range idx[p.ID] {
				v.add(fmt.Sprintf("participants[%d].personId", i),
					"this person has not consented to their participation being recorded: record their consent first, or count them in anonymousCommunityParticipants")
			}
		}
		return nil
	})
}

// eventDefaults fills the communities from the partnership when none are given.
func (s *Store) eventDefaults(ctx context.Context, e *DecisionEvent) error {
	if len(e.CommunityIDs) > 0 || e.PartnershipID == nil {
		return nil
	}
	p, err := s.Partnerships.Get(ctx, *e.PartnershipID)
	if err != nil {
		if IsNotFound(err) {
			return nil // reported by validation
		}
		return err
	}
	e.CommunityIDs = []string{p.CommunityID}
	return nil
}

// RecordDecisionEvent validates and stores a new decision event. When no communities are
// given and the event belongs to a partnership, the partnership's community is used.
func (s *Store) RecordDecisionEvent(ctx context.Context, in RecordDecisionEventInput) (*DecisionEvent, error) {
	e := &DecisionEvent{Title: in.Title, Description: in.Description, Kind: in.Kind, OccurredAt: in.OccurredAt,
		MuseumID: in.MuseumID, PartnershipID: in.PartnershipID, CommunityIDs: in.CommunityIDs,
		ParticipationLevel: in.ParticipationLevel, AssessedRung: in.AssessedRung,
		Participants: participantsOf(in.Participants), Decisions: decisionsOf(in.Decisions),
		OutcomeIDs: in.OutcomeIDs, Evidence: evidenceOf(in.Evidence), Visibility: VisibilityPublic}
	if in.AnonymousCommunityParticipants != nil {
		e.AnonymousCommunityParticipants = *in.AnonymousCommunityParticipants
	}
	if in.AnonymousStaffParticipants != nil {
		e.AnonymousStaffParticipants = *in.AnonymousStaffParticipants
	}
	if in.Visibility != nil {
		e.Visibility = *in.Visibility
	}
	if err := s.eventDefaults(ctx, e); err != nil {
		return nil, err
	}
	return create(ctx, s.Events, e, e.check)
}

// UpdateDecisionEvent changes a decision event.
func (s *Store) UpdateDecisionEvent(ctx context.Context, in UpdateDecisionEventInput) (*DecisionEvent, error) {
	return update(ctx, s.Events, OpUpdated, in.ID, in.ExpectedVersion, func(e *DecisionEvent, v *validator) {
		patchValue(&e.Title, in.Title)
		patch(&e.Description, in.Description)
		patchValue(&e.Kind, in.Kind)
		patchValue(&e.OccurredAt, in.OccurredAt)
		patch(&e.PartnershipID, in.PartnershipID)
		patch(&e.CommunityIDs, in.CommunityIDs)
		patchValue(&e.ParticipationLevel, in.ParticipationLevel)
		patch(&e.AssessedRung, in.AssessedRung)
		if ps, ok := in.Participants.ValueOK(); ok {
			e.Participants = participantsOf(ps)
		}
		patchValue(&e.AnonymousCommunityParticipants, in.AnonymousCommunityParticipants)
		patchValue(&e.AnonymousStaffParticipants, in.AnonymousStaffParticipants)
		if ds, ok := in.Decisions.ValueOK(); ok {
			e.Decisions = decisionsOf(ds)
		}
		patch(&e.OutcomeIDs, in.OutcomeIDs)
		if es, ok := in.Evidence.ValueOK(); ok {
			e.Evidence = evidenceOf(es)
		}
		patchValue(&e.Visibility, in.Visibility)
		e.check(v)
	})
}

// ArchiveDecisionEvent archives a decision event.
func (s *Store) ArchiveDecisionEvent(ctx context.Context, in ArchiveInput) (*DecisionEvent, error) {
	return archive(ctx, s.Events, in)
}

// EventMatcher returns a function that says whether an event passes f, as a list with
// that filter would select it (DecisionEventFilter.Match), for filtering live
// subscriptions on the server. Outcome codes are resolved once, here.
func (s *Store) EventMatcher(ctx context.Context, f *DecisionEventFilter) (func(*DecisionEvent) bool, error) {
	if f == nil {
		f = &DecisionEventFilter{}
	}
	var r Refs
	if len(f.OutcomeCodes) > 0 {
		ids, err := s.OutcomeIDsByCode(ctx, f.OutcomeCodes)
		if err != nil {
			return nil, err
		}
		r.Outcomes = map[string]bool{}
		for _, id := range ids {
			r.Outcomes[id] = true
		}
	}
	return f.Match(r), nil
}
