package graph

import (
	"context"

	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/graph/generated"
	"github.com/participation-graph/participation-graph/graph/model"
	"github.com/participation-graph/participation-graph/loader"
	"github.com/participation-graph/participation-graph/store"
)

func (r *mutationResolver) CreatePublication(ctx context.Context, input domain.CreatePublicationInput) (*model.PublicationPayload, error) {
	rec, err := r.Store.CreatePublication(ctx, input)
	return payload(rec, err, publicationPayload)
}

func (r *mutationResolver) UpdatePublication(ctx context.Context, input domain.UpdatePublicationInput) (*model.PublicationPayload, error) {
	rec, err := r.Store.UpdatePublication(ctx, input)
	return payload(rec, err, publicationPayload)
}

func (r *mutationResolver) ArchivePublication(ctx context.Context, input domain.ArchiveInput) (*model.PublicationPayload, error) {
	rec, err := r.Store.ArchivePublication(ctx, input)
	return payload(rec, err, publicationPayload)
}

func (r *publicationResolver) Programme(ctx context.Context, obj *domain.Publication) (*domain.Programme, error) {
	return loader.One(ctx, loaders(ctx).Programme, obj, func(o *domain.Publication) *string { return o.ProgrammeID })
}

func (r *publicationResolver) Museums(ctx context.Context, obj *domain.Publication) ([]*domain.Museum, error) {
	return loader.Many(ctx, loaders(ctx).Museum, obj, func(o *domain.Publication) []string { return o.MuseumIDs })
}

func (r *queryResolver) Publication(ctx context.Context, id string) (*domain.Publication, error) {
	return orNull(r.Store.Publications.Get(ctx, id))
}

func (r *queryResolver) Publications(ctx context.Context, first *int, after *string, last *int, before *string, filter *domain.PublicationFilter, orderBy *store.Order) (*store.Page[domain.Publication], error) {
	return loader.List(ctx, r.Store.Publications, filter, orderBy, pageArgs(first, after, last, before))
}

func (r *Resolver) Publication() generated.PublicationResolver { return &publicationResolver{r} }

type publicationResolver struct{ *Resolver }
