package graph

import (
	"context"

	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/graph/generated"
	"github.com/participation-graph/participation-graph/graph/model"
	"github.com/participation-graph/participation-graph/loader"
	"github.com/participation-graph/participation-graph/store"
)

func (r *decisionEventResolver) Museum(ctx context.Context, obj *domain.DecisionEvent) (*domain.Museum, error) {
	return loader.One(ctx, loaders(ctx).Museum, obj, func(o *domain.DecisionEvent) *string { return &o.MuseumID })
}

func (r *decisionEventResolver) Partnership(ctx context.Context, obj *domain.DecisionEvent) (*domain.Partnership, error) {
	return loader.One(ctx, loaders(ctx).Partnership, obj, func(o *domain.DecisionEvent) *string { return o.PartnershipID })
}

func (r *decisionEventResolver) Communities(ctx context.Context, obj *domain.DecisionEvent) ([]*domain.Community, error) {
	return loader.Many(ctx, loaders(ctx).Community, obj, func(o *domain.DecisionEvent) []string { return o.CommunityIDs })
}

func (r *decisionEventResolver) Participants(ctx context.Context, obj *domain.DecisionEvent) ([]*domain.Participant, error) {
	return loader.Embedded(ctx, obj, func(e *domain.DecisionEvent) []domain.Participant { return e.Participants }), nil
}

func (r *decisionEventResolver) Outcomes(ctx context.Context, obj *domain.DecisionEvent) ([]*domain.Outcome, error) {
	return loader.Many(ctx, loaders(ctx).Outcome, obj, func(o *domain.DecisionEvent) []string { return o.OutcomeIDs })
}

func (r *mutationResolver) RecordDecisionEvent(ctx context.Context, input domain.RecordDecisionEventInput) (*model.DecisionEventPayload, error) {
	rec, err := r.Store.RecordDecisionEvent(ctx, input)
	return payload(rec, err, eventPayload)
}

func (r *mutationResolver) CreateDecisionEvent(ctx context.Context, input domain.RecordDecisionEventInput) (*model.DecisionEventPayload, error) {
	return r.RecordDecisionEvent(ctx, input)
}

func (r *mutationResolver) UpdateDecisionEvent(ctx context.Context, input domain.UpdateDecisionEventInput) (*model.DecisionEventPayload, error) {
	rec, err := r.Store.UpdateDecisionEvent(ctx, input)
	return payload(rec, err, eventPayload)
}

func (r *mutationResolver) ArchiveDecisionEvent(ctx context.Context, input domain.ArchiveInput) (*model.DecisionEventPayload, error) {
	rec, err := r.Store.ArchiveDecisionEvent(ctx, input)
	return payload(rec, err, eventPayload)
}

func (r *participantResolver) Person(ctx context.Context, obj *domain.Participant) (*domain.Person, error) {
	return loader.One(ctx, loaders(ctx).Person, obj, func(o *domain.Participant) *string { return o.PersonID })
}

func (r *participantResolver) Community(ctx context.Context, obj *domain.Participant) (*domain.Community, error) {
	return loader.One(ctx, loaders(ctx).Community, obj, func(o *domain.Participant) *string { return o.CommunityID })
}

func (r *queryResolver) DecisionEvent(ctx context.Context, id string) (*domain.DecisionEvent, error) {
	return orNull(loader.Get(ctx, loaders(ctx).Event, &id))
}

func (r *queryResolver) DecisionEvents(ctx context.Context, first *int, after *string, last *int, before *string, filter *domain.DecisionEventFilter, orderBy *store.Order) (*store.Page[domain.DecisionEvent], error) {
	return loader.List(ctx, r.Store.Events, filter, orderBy, pageArgs(first, after, last, before))
}

func (r *Resolver) DecisionEvent() generated.DecisionEventResolver { return &decisionEventResolver{r} }

func (r *Resolver) Participant() generated.ParticipantResolver { return &participantResolver{r} }

type (
	decisionEventResolver struct{ *Resolver }
	participantResolver   struct{ *Resolver }
)
