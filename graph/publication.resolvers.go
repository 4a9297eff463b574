package graph

import (
	"context"

	"github.com/participation-graph/participation-graph/graph/generated"
	"github.com/participation-graph/participation-graph/graph/model"
	"github.com/participation-graph/participation-graph/loader"
	"github.com/participation-graph/participation-graph/store"
)

func (r *mutationResolver) CreatePublication(ctx context.Context, input store.CreatePublicationInput) (*model.PublicationPayload, error) {
	rec, err := r.Store.CreatePublication(ctx, input)
	return payload(rec, err, publicationPayload)
}

func (r *mutationResolver) UpdatePublication(ctx context.Context, input store.UpdatePublicationInput) (*model.PublicationPayload, error) {
	rec, err := r.Store.UpdatePublication(ctx, input)
	return payload(rec, err, publicationPayload)
}

func (r *mutationResolver) ArchivePublication(ctx context.Context, input store.ArchiveInput) (*model.PublicationPayload, error) {
	rec, err := r.Store.ArchivePublication(ctx, input)
	return payload(rec, err, publicationPayload)
}

func (r *publicationResolver) Programme(ctx context.Context, obj *store.Publication) (*store.Programme, error) {
	return loader.Get(ctx, loaders(ctx).Programme, obj.ProgrammeID)
}

func (r *publicationResolver) Museums(ctx context.Context, obj *store.Publication) ([]*store.Museum, error) {
	return loader.GetAll(ctx, loaders(ctx).Museum, obj.MuseumIDs)
}

func (r *queryResolver) Publication(ctx context.Context, id string) (*store.Publication, error) {
	return orNull(r.Store.Publications.Get(ctx, id))
}

func (r *queryResolver) Publications(ctx context.Context, first *int, after *string, last *int, before *string, filter *store.PublicationFilter, orderBy *store.Order) (*store.Page[store.Publication], error) {
	return loader.List(ctx, r.Store.Publications, filter, orderBy, pageArgs(first, after, last, before))
}

func (r *Resolver) Publication() generated.PublicationResolver { return &publicationResolver{r} }

type publicationResolver struct{ *Resolver }
