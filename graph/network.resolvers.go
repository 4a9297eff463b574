package graph

import (
	"context"

	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/network"
)

func (r *queryResolver) PartnershipNetwork(ctx context.Context, filter *network.Filter) (*network.Network, error) {
	return r.Network.Network(ctx, filter, callerView(ctx))
}

func (r *queryResolver) Neighbourhood(ctx context.Context, id string, depth *int, filter *network.Filter) (*network.Network, error) {
	d := 1
	if depth != nil {
		d = *depth
	}
	return r.Network.Neighbourhood(ctx, id, d, filter, callerView(ctx))
}

func (r *queryResolver) ShortestPath(ctx context.Context, from string, to string, filter *network.Filter) ([]*network.Node, error) {
	return r.Network.ShortestPath(ctx, from, to, filter, callerView(ctx))
}

func (r *queryResolver) ParticipationSummary(ctx context.Context, filter *domain.DecisionEventFilter, groupBy network.Dimension) ([]*network.Bucket, error) {
	return r.Network.Summary(ctx, filter, groupBy, callerView(ctx))
}
