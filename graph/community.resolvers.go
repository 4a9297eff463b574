package graph

import (
	"context"

	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/graph/generated"
	"github.com/participation-graph/participation-graph/graph/model"
	"github.com/participation-graph/participation-graph/loader"
	"github.com/participation-graph/participation-graph/store"
)

func (r *communityResolver) Partnerships(ctx context.Context, obj *domain.Community, first *int, after *string, last *int, before *string, filter *domain.PartnershipFilter, orderBy *store.Order) (*store.Page[domain.Partnership], error) {
	return loader.Children(ctx, r.Store.Partnerships, store.ByCommunity, obj, filter, orderBy, pageArgs(first, after, last, before),
		nodeFields(ctx, "Partnership")...)
}

func (r *communityResolver) DecisionEvents(ctx context.Context, obj *domain.Community, first *int, after *string, last *int, before *string, filter *domain.DecisionEventFilter, orderBy *store.Order) (*store.Page[domain.DecisionEvent], error) {
	return loader.Children(ctx, r.Store.Events, store.ByCommunities, obj, filter, orderBy, pageArgs(first, after, last, before),
		nodeFields(ctx, "DecisionEvent")...)
}

func (r *communityResolver) People(ctx context.Context, obj *domain.Community, first *int, after *string, last *int, before *string, filter *domain.PersonFilter, orderBy *store.Order) (*store.Page[domain.Person], error) {
	return loader.Children(ctx, r.Store.People, store.ByCommunity, obj, filter, orderBy, pageArgs(first, after, last, before))
}

func (r *mutationResolver) CreateCommunity(ctx context.Context, input domain.CreateCommunityInput) (*model.CommunityPayload, error) {
	rec, err := r.Store.CreateCommunity(ctx, input)
	return payload(rec, err, func(c *domain.Community) *model.CommunityPayload { return &model.CommunityPayload{Community: c} })
}

func (r *mutationResolver) UpdateCommunity(ctx context.Context, input domain.UpdateCommunityInput) (*model.CommunityPayload, error) {
	rec, err := r.Store.UpdateCommunity(ctx, input)
	return payload(rec, err, func(c *domain.Community) *model.CommunityPayload { return &model.CommunityPayload{Community: c} })
}

func (r *mutationResolver) ArchiveCommunity(ctx context.Context, input domain.ArchiveInput) (*model.CommunityPayload, error) {
	rec, err := r.Store.ArchiveCommunity(ctx, input)
	return payload(rec, err, func(c *domain.Community) *model.CommunityPayload { return &model.CommunityPayload{Community: c} })
}

func (r *queryResolver) Community(ctx context.Context, id string) (*domain.Community, error) {
	return orNull(loader.Get(ctx, loaders(ctx).Community, &id))
}

func (r *queryResolver) Communities(ctx context.Context, first *int, after *string, last *int, before *string, filter *domain.CommunityFilter, orderBy *store.Order) (*store.Page[domain.Community], error) {
	return loader.List(ctx, r.Store.Communities, filter, orderBy, pageArgs(first, after, last, before))
}

func (r *Resolver) Community() generated.CommunityResolver { return &communityResolver{r} }

type communityResolver struct{ *Resolver }
