package graph

import (
	"context"

	"github.com/participation-graph/participation-graph/graph/generated"
	"github.com/participation-graph/participation-graph/graph/model"
	"github.com/participation-graph/participation-graph/loader"
	"github.com/participation-graph/participation-graph/store"
)

func (r *museumResolver) Parent(ctx context.Context, obj *store.Museum) (*store.Museum, error) {
	return loader.Get(ctx, loaders(ctx).Museum, obj.ParentID)
}

func (r *museumResolver) Memberships(ctx context.Context, obj *store.Museum) ([]*store.ProgrammeMembership, error) {
	return loaders(ctx).MuseumMemberships.Load(ctx, obj.ID)
}

func (r *museumResolver) Partnerships(ctx context.Context, obj *store.Museum, first *int, after *string, last *int, before *string, filter *store.PartnershipFilter, orderBy *store.Order) (*store.Page[store.Partnership], error) {
	return loader.Children(ctx, r.Store.Partnerships, store.ByMuseum, obj.ID, filter, orderBy, pageArgs(first, after, last, before))
}

func (r *museumResolver) DecisionEvents(ctx context.Context, obj *store.Museum, first *int, after *string, last *int, before *string, filter *store.DecisionEventFilter, orderBy *store.Order) (*store.Page[store.DecisionEvent], error) {
	return loader.Children(ctx, r.Store.Events, store.ByMuseum, obj.ID, filter, orderBy, pageArgs(first, after, last, before))
}

func (r *museumResolver) Activities(ctx context.Context, obj *store.Museum, first *int, after *string, last *int, before *string, filter *store.ActivityFilter, orderBy *store.Order) (*store.Page[store.Activity], error) {
	return loader.Children(ctx, r.Store.Activities, store.ByMuseum, obj.ID, filter, orderBy, pageArgs(first, after, last, before))
}

func (r *museumResolver) Reflections(ctx context.Context, obj *store.Museum, first *int, after *string, last *int, before *string, filter *store.ReflectionFilter, orderBy *store.Order) (*store.Page[store.Reflection], error) {
	return loader.Children(ctx, r.Store.Reflections, store.ByMuseum, obj.ID, filter, orderBy, pageArgs(first, after, last, before))
}

func (r *mutationResolver) CreateMuseum(ctx context.Context, input store.CreateMuseumInput) (*model.MuseumPayload, error) {
	rec, err := r.Store.CreateMuseum(ctx, input)
	return payload(rec, err, func(m *store.Museum) *model.MuseumPayload { return &model.MuseumPayload{Museum: m} })
}

func (r *mutationResolver) UpdateMuseum(ctx context.Context, input store.UpdateMuseumInput) (*model.MuseumPayload, error) {
	rec, err := r.Store.UpdateMuseum(ctx, input)
	return payload(rec, err, func(m *store.Museum) *model.MuseumPayload { return &model.MuseumPayload{Museum: m} })
}

func (r *mutationResolver) ArchiveMuseum(ctx context.Context, input store.ArchiveInput) (*model.MuseumPayload, error) {
	rec, err := r.Store.ArchiveMuseum(ctx, input)
	return payload(rec, err, func(m *store.Museum) *model.MuseumPayload { return &model.MuseumPayload{Museum: m} })
}

func (r *queryResolver) Museum(ctx context.Context, id string) (*store.Museum, error) {
	return orNull(loader.Get(ctx, loaders(ctx).Museum, &id))
}

func (r *queryResolver) Museums(ctx context.Context, first *int, after *string, last *int, before *string, filter *store.MuseumFilter, orderBy *store.Order) (*store.Page[store.Museum], error) {
	return loader.List(ctx, r.Store.Museums, filter, orderBy, pageArgs(first, after, last, before))
}

func (r *Resolver) Museum() generated.MuseumResolver { return &museumResolver{r} }

type museumResolver struct{ *Resolver }
