package graph

import (
	"context"
	"fmt"

	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/graph/generated"
	"github.com/participation-graph/participation-graph/graph/model"
	"github.com/participation-graph/participation-graph/loader"
	"github.com/participation-graph/participation-graph/store"
)

func (r *changeResolver) Cursor(ctx context.Context, obj *domain.Change) (string, error) {
	return domain.EncodeChangeCursor(obj.Seq), nil
}

func (r *changeResolver) Seq(ctx context.Context, obj *domain.Change) (int, error) {
	if obj.Err != nil {
		// The subscription ended instead of delivering a change: the client is told why
		// and where to resume.
		return 0, obj.Err
	}
	return int(obj.Seq), nil
}

func (r *changeResolver) Kind(ctx context.Context, obj *domain.Change) (model.ChangeKind, error) {
	return model.ChangeKind(obj.Op), nil
}

func (r *changeResolver) Entity(ctx context.Context, obj *domain.Change) (model.ChangeEntity, error) {
	return changeEntity(obj.Entity), nil
}

func (r *changeResolver) Node(ctx context.Context, obj *domain.Change) (model.Node, error) {
	rec, err := orNull(loader.One(ctx, loaders(ctx).Node, obj, func(o *domain.Change) *string { return &o.EntityID }))
	if n, ok := rec.(model.Node); ok {
		return n, err
	}
	return nil, err
}

func (r *queryResolver) Changes(ctx context.Context, after *string, first *int, types []model.ChangeEntity) (*model.ChangeConnection, error) {
	var from int64
	if after != nil {
		var err error
		if from, err = domain.DecodeChangeCursor(*after); err != nil {
			return nil, err
		}
	}
	n := 100
	if first != nil {
		n = *first
	}
	if n < 0 || n > domain.MaxChangesPage {
		return nil, &domain.ValidationError{Fields: []domain.FieldError{{Field: "first", Message: fmt.Sprintf("must be between 0 and %d", domain.MaxChangesPage)}}}
	}
	changes, err := r.Store.ChangesAfter(ctx, from, n+1, storeEntities(types))
	if err != nil {
		return nil, err
	}
	page := &model.ChangeConnection{Edges: []*model.ChangeEdge{}, Nodes: []*domain.Change{},
		PageInfo: &store.PageInfo{HasNextPage: len(changes) > n, HasPreviousPage: from > 0}}
	changes = changes[:min(n, len(changes))]
	for i := range changes {
		c := &changes[i]
		page.Nodes = append(page.Nodes, c)
		page.Edges = append(page.Edges, &model.ChangeEdge{Cursor: domain.EncodeChangeCursor(c.Seq), Node: c})
	}
	end := domain.EncodeChangeCursor(from)
	if len(changes) > 0 {
		start := page.Edges[0].Cursor
		page.PageInfo.StartCursor = &start
		end = page.Edges[len(page.Edges)-1].Cursor
	}
	page.PageInfo.EndCursor = &end
	return page, nil
}

func (r *subscriptionResolver) Changes(ctx context.Context, after *string, types []model.ChangeEntity) (<-chan *domain.Change, error) {
	from := int64(-1)
	if after != nil {
		seq, err := domain.DecodeChangeCursor(*after)
		if err != nil {
			return nil, err
		}
		from = seq
	}
	return r.Feed.Follow(ctx, from, storeEntities(types))
}

func (r *subscriptionResolver) DecisionEventRecorded(ctx context.Context, filter *domain.DecisionEventFilter) (<-chan *domain.DecisionEvent, error) {
	match, err := r.Store.EventMatcher(ctx, filter)
	if err != nil {
		return nil, err
	}
	feed, err := r.Feed.Follow(ctx, -1, []domain.Entity{domain.EntityEvent})
	if err != nil {
		return nil, err
	}
	return stream(ctx, feed, func(c *domain.Change) (*domain.DecisionEvent, bool) {
		if c.Err != nil || c.Op != domain.OpCreated {
			return nil, false
		}
		e, err := r.Store.Events.Get(ctx, c.EntityID)
		return e, err == nil && match(e)
	}), nil
}

func (r *subscriptionResolver) PartnershipChanged(ctx context.Context, museumID *string, communityID *string) (<-chan *model.PartnershipChange, error) {
	feed, err := r.Feed.Follow(ctx, -1, []domain.Entity{domain.EntityPartner})
	if err != nil {
		return nil, err
	}
	return stream(ctx, feed, func(c *domain.Change) (*model.PartnershipChange, bool) {
		if c.Err != nil {
			return nil, false
		}
		p, err := r.Store.Partnerships.Get(ctx, c.EntityID)
		if err != nil || (museumID != nil && p.MuseumID != *museumID) || (communityID != nil && p.CommunityID != *communityID) {
			return nil, false
		}
		return &model.PartnershipChange{Kind: model.ChangeKind(c.Op), Partnership: p, Cursor: domain.EncodeChangeCursor(c.Seq)}, true
	}), nil
}

func (r *Resolver) Change() generated.ChangeResolver { return &changeResolver{r} }

func (r *Resolver) Subscription() generated.SubscriptionResolver { return &subscriptionResolver{r} }

type (
	changeResolver       struct{ *Resolver }
	subscriptionResolver struct{ *Resolver }
)
