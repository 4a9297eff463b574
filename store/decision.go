package store

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/participation-graph/participation-graph/domain"
)

func (s *Store) eventQuery(ctx context.Context, f *domain.DecisionEventFilter) (bson.D, error) {
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

// eventDefaults fills the communities from the partnership when none are given.
func (s *Store) eventDefaults(ctx context.Context, e *domain.DecisionEvent) error {
	if len(e.CommunityIDs) > 0 || e.PartnershipID == nil {
		return nil
	}
	p, err := s.Partnerships.Get(ctx, *e.PartnershipID)
	if err != nil {
		if domain.IsNotFound(err) {
			return nil // reported by validation
		}
		return err
	}
	e.CommunityIDs = []string{p.CommunityID}
	return nil
}

// RecordDecisionEvent validates and stores a new decision event. When no communities are
// given and the event belongs to a partnership, the partnership's community is used.
func (s *Store) RecordDecisionEvent(ctx context.Context, in domain.RecordDecisionEventInput) (*domain.DecisionEvent, error) {
	e := &domain.DecisionEvent{Title: in.Title, Description: in.Description, Kind: in.Kind, OccurredAt: in.OccurredAt,
		MuseumID: in.MuseumID, PartnershipID: in.PartnershipID, CommunityIDs: in.CommunityIDs,
		ParticipationLevel: in.ParticipationLevel, AssessedRung: in.AssessedRung,
		Participants: domain.ParticipantsOf(in.Participants), Decisions: domain.DecisionsOf(in.Decisions),
		OutcomeIDs: in.OutcomeIDs, Evidence: domain.EvidenceOf(in.Evidence), Visibility: domain.VisibilityPublic}
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
	return create(ctx, s.Events, e, e.Check)
}

// UpdateDecisionEvent changes a decision event.
func (s *Store) UpdateDecisionEvent(ctx context.Context, in domain.UpdateDecisionEventInput) (*domain.DecisionEvent, error) {
	return update(ctx, s.Events, domain.OpUpdated, in.ID, in.ExpectedVersion, func(e *domain.DecisionEvent, v *domain.Validator) {
		domain.PatchValue(&e.Title, in.Title)
		domain.Patch(&e.Description, in.Description)
		domain.PatchValue(&e.Kind, in.Kind)
		domain.PatchValue(&e.OccurredAt, in.OccurredAt)
		domain.Patch(&e.PartnershipID, in.PartnershipID)
		domain.Patch(&e.CommunityIDs, in.CommunityIDs)
		domain.PatchValue(&e.ParticipationLevel, in.ParticipationLevel)
		domain.Patch(&e.AssessedRung, in.AssessedRung)
		if ps, ok := in.Participants.ValueOK(); ok {
			e.Participants = domain.ParticipantsOf(ps)
		}
		domain.PatchValue(&e.AnonymousCommunityParticipants, in.AnonymousCommunityParticipants)
		domain.PatchValue(&e.AnonymousStaffParticipants, in.AnonymousStaffParticipants)
		if ds, ok := in.Decisions.ValueOK(); ok {
			e.Decisions = domain.DecisionsOf(ds)
		}
		domain.Patch(&e.OutcomeIDs, in.OutcomeIDs)
		if es, ok := in.Evidence.ValueOK(); ok {
			e.Evidence = domain.EvidenceOf(es)
		}
		domain.PatchValue(&e.Visibility, in.Visibility)
		e.Check(v)
	})
}

// ArchiveDecisionEvent archives a decision event.
func (s *Store) ArchiveDecisionEvent(ctx context.Context, in domain.ArchiveInput) (*domain.DecisionEvent, error) {
	return archive(ctx, s.Events, in)
}

// EventMatcher returns a function that says whether an event passes f, as a list with
// that filter would select it (DecisionEventFilter.Match), for filtering live
// subscriptions on the server. Outcome codes are resolved once, here.
func (s *Store) EventMatcher(ctx context.Context, f *domain.DecisionEventFilter) (func(*domain.DecisionEvent) bool, error) {
	if f == nil {
		f = &domain.DecisionEventFilter{}
	}
	var r domain.Refs
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
