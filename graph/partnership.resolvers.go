package graph

import (
	"context"

	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/graph/generated"
	"github.com/participation-graph/participation-graph/graph/model"
	"github.com/participation-graph/participation-graph/loader"
	"github.com/participation-graph/participation-graph/store"
)

func (r *mutationResolver) CreatePartnership(ctx context.Context, input domain.CreatePartnershipInput) (*model.PartnershipPayload, error) {
	rec, err := r.Store.CreatePartnership(ctx, input)
	return payload(rec, err, partnershipPayload)
}

func (r *mutationResolver) UpdatePartnership(ctx context.Context, input domain.UpdatePartnershipInput) (*model.PartnershipPayload, error) {
	rec, err := r.Store.UpdatePartnership(ctx, input)
	return payload(rec, err, partnershipPayload)
}

func (r *mutationResolver) ArchivePartnership(ctx context.Context, input domain.ArchiveInput) (*model.PartnershipPayload, error) {
	rec, err := r.Store.ArchivePartnership(ctx, input)
	return payload(rec, err, partnershipPayload)
}

func (r *mutationResolver) StartPartnership(ctx context.Context, input domain.StartPartnershipInput) (*model.PartnershipPayload, error) {
	rec, err := r.Store.StartPartnership(ctx, input)
	return payload(rec, err, partnershipPayload)
}

func (r *mutationResolver) EndPartnership(ctx context.Context, input domain.EndPartnershipInput) (*model.PartnershipPayload, error) {
	rec, err := r.Store.EndPartnership(ctx, input)
	return payload(rec, err, partnershipPayload)
}

func (r *partnershipResolver) Museum(ctx context.Context, obj *domain.Partnership) (*domain.Museum, error) {
	return loader.One(ctx, loaders(ctx).Museum, obj, func(o *domain.Partnership) *string { return &o.MuseumID })
}

func (r *partnershipResolver) Community(ctx context.Context, obj *domain.Partnership) (*domain.Community, error) {
	return loader.One(ctx, loaders(ctx).Community, obj, func(o *domain.Partnership) *string { return &o.CommunityID })
}

func (r *partnershipResolver) Programme(ctx context.Context, obj *domain.Partnership) (*domain.Programme, error) {
	return loader.One(ctx, loaders(ctx).Programme, obj, func(o *domain.Partnership) *string { return o.ProgrammeID })
}

func (r *partnershipResolver) Outcomes(ctx context.Context, obj *domain.Partnership) ([]*domain.Outcome, error) {
	return loader.Many(ctx, loaders(ctx).Outcome, obj, func(o *domain.Partnership) []string { return o.OutcomeIDs })
}

func (r *partnershipResolver) DecisionEvents(ctx context.Context, obj *domain.Partnership, first *int, after *string, last *int, before *string, filter *domain.DecisionEventFilter, orderBy *store.Order) (*store.Page[domain.DecisionEvent], error) {
	return loader.Children(ctx, r.Store.Events, store.ByPartnership, obj, filter, orderBy, pageArgs(first, after, last, before),
		nodeFields(ctx, "DecisionEvent")...)
}

func (r *partnershipResolver) Activities(ctx context.Context, obj *domain.Partnership, first *int, after *string, last *int, before *string, filter *domain.ActivityFilter, orderBy *store.Order) (*store.Page[domain.Activity], error) {
	return loader.Children(ctx, r.Store.Activities, store.ByPartnership, obj, filter, orderBy, pageArgs(first, after, last, before))
}

func (r *partnershipResolver) Reflections(ctx context.Context, obj *domain.Partnership, first *int, after *string, last *int, before *string, filter *domain.ReflectionFilter, orderBy *store.Order) (*store.Page[domain.Reflection], error) {
	return loader.Children(ctx, r.Store.Reflections, store.ByPartnership, obj, filter, orderBy, pageArgs(first, after, last, before))
}

func (r *queryResolver) Partnership(ctx context.Context, id string) (*domain.Partnership, error) {
	return orNull(loader.Get(ctx, loaders(ctx).Partnership, &id))
}

func (r *queryResolver) Partnerships(ctx context.Context, first *int, after *string, last *int, before *string, filter *domain.PartnershipFilter, orderBy *store.Order) (*store.Page[domain.Partnership], error) {
	return loader.List(ctx, r.Store.Partnerships, filter, orderBy, pageArgs(first, after, last, before))
}

func (r *Resolver) Partnership() generated.PartnershipResolver { return &partnershipResolver{r} }

type partnershipResolver struct{ *Resolver }
