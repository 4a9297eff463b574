package graph

import (
	"context"

	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/graph/generated"
	"github.com/participation-graph/participation-graph/graph/model"
	"github.com/participation-graph/participation-graph/loader"
	"github.com/participation-graph/participation-graph/store"
)

func (r *museumResolver) Parent(ctx context.Context, obj *domain.Museum) (*domain.Museum, error) {
	return loader.One(ctx, loaders(ctx).Museum, obj, func(o *domain.Museum) *string { return o.ParentID })
}

func (r *museumResolver) Memberships(ctx context.Context, obj *domain.Museum) ([]*domain.ProgrammeMembership, error) {
	return loader.One(ctx, loaders(ctx).MuseumMemberships, obj, func(o *domain.Museum) *string { return &o.ID })
}

func (r *museumResolver) Partnerships(ctx context.Context, obj *domain.Museum, first *int, after *string, last *int, before *string, filter *domain.PartnershipFilter, orderBy *store.Order) (*store.Page[domain.Partnership], error) {
	return loader.Children(ctx, r.Store.Partnerships, store.ByMuseum, obj, filter, orderBy, pageArgs(first, after, last, before),
		nodeFields(ctx, "Partnership")...)
}

func (r *museumResolver) DecisionEvents(ctx context.Context, obj *domain.Museum, first *int, after *string, last *int, before *string, filter *domain.DecisionEventFilter, orderBy *store.Order) (*store.Page[domain.DecisionEvent], error) {
	return loader.Children(ctx, r.Store.Events, store.ByMuseum, obj, filter, orderBy, pageArgs(first, after, last, before),
		nodeFields(ctx, "DecisionEvent")...)
}

func (r *museumResolver) Activities(ctx context.Context, obj *domain.Museum, first *int, after *string, last *int, before *string, filter *domain.ActivityFilter, orderBy *store.Order) (*store.Page[domain.Activity], error) {
	return loader.Children(ctx, r.Store.Activities, store.ByMuseum, obj, filter, orderBy, pageArgs(first, after, last, before))
}

func (r *museumResolver) Reflections(ctx context.Context, obj *domain.Museum, first *int, after *string, last *int, before *string, filter *domain.ReflectionFilter, orderBy *store.Order) (*store.Page[domain.Reflection], error) {
	return loader.Children(ctx, r.Store.Reflections, store.ByMuseum, obj, filter, orderBy, pageArgs(first, after, last, before))
}

func (r *mutationResolver) CreateMuseum(ctx context.Context, input domain.CreateMuseumInput) (*model.MuseumPayload, error) {
	rec, err := r.Store.CreateMuseum(ctx, input)
	return payload(rec, err, func(m *domain.Museum) *model.MuseumPayload { return &model.MuseumPayload{Museum: m} })
}

func (r *mutationResolver) UpdateMuseum(ctx context.Context, input domain.UpdateMuseumInput) (*model.MuseumPayload, error) {
	rec, err := r.Store.UpdateMuseum(ctx, input)
	return payload(rec, err, func(m *domain.Museum) *model.MuseumPayload { return &model.MuseumPayload{Museum: m} })
}

func (r *mutationResolver) ArchiveMuseum(ctx context.Context, input domain.ArchiveInput) (*model.MuseumPayload, error) {
	rec, err := r.Store.ArchiveMuseum(ctx, input)
	return payload(rec, err, func(m *domain.Museum) *model.MuseumPayload { return &model.MuseumPayload{Museum: m} })
}

func (r *queryResolver) Museum(ctx context.Context, id string) (*domain.Museum, error) {
	return orNull(loader.Get(ctx, loaders(ctx).Museum, &id))
}

func (r *queryResolver) Museums(ctx context.Context, first *int, after *string, last *int, before *string, filter *domain.MuseumFilter, orderBy *store.Order) (*store.Page[domain.Museum], error) {
	return loader.List(ctx, r.Store.Museums, filter, orderBy, pageArgs(first, after, last, before))
}

func (r *Resolver) Museum() generated.MuseumResolver { return &museumResolver{r} }

type museumResolver struct{ *Resolver }
