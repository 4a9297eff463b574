package graph

import (
	"context"

	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/graph/generated"
	"github.com/participation-graph/participation-graph/graph/model"
	"github.com/participation-graph/participation-graph/loader"
	"github.com/participation-graph/participation-graph/store"
)

func (r *mutationResolver) AddReflection(ctx context.Context, input domain.AddReflectionInput) (*model.ReflectionPayload, error) {
	rec, err := r.Store.AddReflection(ctx, input)
	return payload(rec, err, reflectionPayload)
}

func (r *mutationResolver) CreateReflection(ctx context.Context, input domain.AddReflectionInput) (*model.ReflectionPayload, error) {
	return r.AddReflection(ctx, input)
}

func (r *mutationResolver) UpdateReflection(ctx context.Context, input domain.UpdateReflectionInput) (*model.ReflectionPayload, error) {
	rec, err := r.Store.UpdateReflection(ctx, input)
	return payload(rec, err, reflectionPayload)
}

func (r *mutationResolver) ArchiveReflection(ctx context.Context, input domain.ArchiveInput) (*model.ReflectionPayload, error) {
	rec, err := r.Store.ArchiveReflection(ctx, input)
	return payload(rec, err, reflectionPayload)
}

func (r *queryResolver) Reflection(ctx context.Context, id string) (*domain.Reflection, error) {
	return orNull(r.Store.Reflections.Get(ctx, id))
}

func (r *queryResolver) Reflections(ctx context.Context, first *int, after *string, last *int, before *string, filter *domain.ReflectionFilter, orderBy *store.Order) (*store.Page[domain.Reflection], error) {
	return loader.List(ctx, r.Store.Reflections, filter, orderBy, pageArgs(first, after, last, before))
}

func (r *reflectionResolver) Museum(ctx context.Context, obj *domain.Reflection) (*domain.Museum, error) {
	return loader.One(ctx, loaders(ctx).Museum, obj, func(o *domain.Reflection) *string { return &o.MuseumID })
}

func (r *reflectionResolver) Partnership(ctx context.Context, obj *domain.Reflection) (*domain.Partnership, error) {
	return loader.One(ctx, loaders(ctx).Partnership, obj, func(o *domain.Reflection) *string { return o.PartnershipID })
}

func (r *reflectionResolver) DecisionEvent(ctx context.Context, obj *domain.Reflection) (*domain.DecisionEvent, error) {
	return loader.One(ctx, loaders(ctx).Event, obj, func(o *domain.Reflection) *string { return o.DecisionEventID })
}

func (r *Resolver) Reflection() generated.ReflectionResolver { return &reflectionResolver{r} }

type reflectionResolver struct{ *Resolver }
