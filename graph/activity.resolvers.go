package graph

import (
	"context"

	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/graph/generated"
	"github.com/participation-graph/participation-graph/graph/model"
	"github.com/participation-graph/participation-graph/loader"
	"github.com/participation-graph/participation-graph/store"
)

func (r *activityResolver) Museum(ctx context.Context, obj *domain.Activity) (*domain.Museum, error) {
	return loader.One(ctx, loaders(ctx).Museum, obj, func(o *domain.Activity) *string { return &o.MuseumID })
}

func (r *activityResolver) Partnership(ctx context.Context, obj *domain.Activity) (*domain.Partnership, error) {
	return loader.One(ctx, loaders(ctx).Partnership, obj, func(o *domain.Activity) *string { return o.PartnershipID })
}

func (r *activityResolver) Outcomes(ctx context.Context, obj *domain.Activity) ([]*domain.Outcome, error) {
	return loader.Many(ctx, loaders(ctx).Outcome, obj, func(o *domain.Activity) []string { return o.OutcomeIDs })
}

func (r *mutationResolver) RecordActivity(ctx context.Context, input domain.RecordActivityInput) (*model.ActivityPayload, error) {
	rec, err := r.Store.RecordActivity(ctx, input)
	return payload(rec, err, activityPayload)
}

func (r *mutationResolver) CreateActivity(ctx context.Context, input domain.RecordActivityInput) (*model.ActivityPayload, error) {
	return r.RecordActivity(ctx, input)
}

func (r *mutationResolver) UpdateActivity(ctx context.Context, input domain.UpdateActivityInput) (*model.ActivityPayload, error) {
	rec, err := r.Store.UpdateActivity(ctx, input)
	return payload(rec, err, activityPayload)
}

func (r *mutationResolver) ArchiveActivity(ctx context.Context, input domain.ArchiveInput) (*model.ActivityPayload, error) {
	rec, err := r.Store.ArchiveActivity(ctx, input)
	return payload(rec, err, activityPayload)
}

func (r *queryResolver) Activity(ctx context.Context, id string) (*domain.Activity, error) {
	return orNull(r.Store.Activities.Get(ctx, id))
}

func (r *queryResolver) Activities(ctx context.Context, first *int, after *string, last *int, before *string, filter *domain.ActivityFilter, orderBy *store.Order) (*store.Page[domain.Activity], error) {
	return loader.List(ctx, r.Store.Activities, filter, orderBy, pageArgs(first, after, last, before))
}

func (r *Resolver) Activity() generated.ActivityResolver { return &activityResolver{r} }

type activityResolver struct{ *Resolver }
