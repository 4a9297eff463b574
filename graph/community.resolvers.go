package graph

import (
	"context"

	"github.com/participation-graph/participation-graph/graph/generated"
	"github.com/participation-graph/participation-graph/graph/model"
	"github.com/participation-graph/participation-graph/loader"
	"github.com/participation-graph/participation-graph/store"
)

func (r *communityResolver) Partnerships(ctx context.Context, obj *store.Community, first *int, after *string, last *int, before *string, filter *store.PartnershipFilter, orderBy *store.Order) (*store.Page[store.Partnership], error) {
	return loader.Children(ctx, r.Store.Partnerships, store.ByCommunity, obj.ID, filter, orderBy, pageArgs(first, after, last, before))
}

func (r *communityResolver) DecisionEvents(ctx context.Context, obj *store.Community, first *int, after *string, last *int, before *string, filter *store.DecisionEventFilter, orderBy *store.Order) (*store.Page[store.DecisionEvent], error) {
	return loader.Children(ctx, r.Store.Events, store.ByCommunities, obj.ID, filter, orderBy, pageArgs(first, after, last, before))
}

func (r *communityResolver) People(ctx context.Context, obj *store.Community, first *int, after *string, last *int, before *string, filter *store.PersonFilter, orderBy *store.Order) (*store.Page[store.Person], error) {
	return loader.Children(ctx, r.Store.People, store.ByCommunity, obj.ID, filter, orderBy, pageArgs(first, after, last, before))
}

func (r *mutationResolver) CreateCommunity(ctx context.Context, input store.CreateCommunityInput) (*model.CommunityPayload, error) {
	rec, err := r.Store.CreateCommunity(ctx, input)
	return payload(rec, err, func(c *store.Community) *model.CommunityPayload { return &model.CommunityPayload{Community: c} })
}

func (r *mutationResolver) UpdateCommunity(ctx context.Context, input store.UpdateCommunityInput) (*model.CommunityPayload, error) {
	rec, err := r.Store.UpdateCommunity(ctx, input)
	return payload(rec, err, func(c *store.Community) *model.CommunityPayload { return &model.CommunityPayload{Community: c} })
}

func (r *mutationResolver) ArchiveCommunity(ctx context.Context, input store.ArchiveInput) (*model.CommunityPayload, error) {
	rec, err := r.Store.ArchiveCommunity(ctx, input)
	return payload(rec, err, func(c *store.Community) *model.CommunityPayload { return &model.CommunityPayload{Community: c} })
}

func (r *queryResolver) Community(ctx context.Context, id string) (*store.Community, error) {
	return orNull(loader.Get(ctx, loaders(ctx).Community, &id))
}

func (r *queryResolver) Communities(ctx context.Context, first *int, after *string, last *int, before *string, filter *store.CommunityFilter, orderBy *store.Order) (*store.Page[store.Community], error) {
	return loader.List(ctx, r.Store.Communities, filter, orderBy, pageArgs(first, after, last, before))
}

func (r *Resolver) Community() generated.CommunityResolver { return &communityResolver{r} }

type communityResolver struct{ *Resolver }
