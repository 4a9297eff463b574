package graph

import (
	"context"
	"errors"

	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/graph/generated"
	"github.com/participation-graph/participation-graph/graph/model"
)

func (r *queryResolver) Node(ctx context.Context, id string) (model.Node, error) {
	nodes, err := r.Nodes(ctx, []string{id})
	if err != nil {
		return nil, err
	}
	return nodes[0], nil
}

func (r *queryResolver) Nodes(ctx context.Context, ids []string) ([]model.Node, error) {
	if len(ids) > maxNodes {
		return nil, &domain.ValidationError{Fields: []domain.FieldError{{Field: "ids", Message: "ask for at most 100 ids at once"}}}
	}
	recs, errs := r.Store.Node(ctx, ids)
	out := make([]model.Node, len(ids))
	for i, rec := range recs {
		if errs[i] != nil && !errors.Is(errs[i], domain.ErrNotFound) {
			return nil, errs[i]
		}
		if n, ok := rec.(model.Node); ok {
			out[i] = n
		}
	}
	return out, nil
}

func (r *Resolver) Mutation() generated.MutationResolver { return &mutationResolver{r} }

func (r *Resolver) Query() generated.QueryResolver { return &queryResolver{r} }

type (
	mutationResolver struct{ *Resolver }
	queryResolver    struct{ *Resolver }
)
