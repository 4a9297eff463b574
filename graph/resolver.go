// Package graph is the GraphQL layer: gqlgen's generated executor (in generated/), the
// resolvers, and the one place where domain errors become GraphQL error codes. Resolvers
// translate: they read arguments, make one call into the store or a loader, and return.
package graph

import (
	"context"
	"errors"

	"github.com/participation-graph/participation-graph/auth"
	"github.com/participation-graph/participation-graph/changefeed"
	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/loader"
	"github.com/participation-graph/participation-graph/network"
	"github.com/participation-graph/participation-graph/store"
	"github.com/participation-graph/participation-graph/webhook"
)

// Resolver is the root of the resolvers; it holds what every resolver needs.
type Resolver struct {
	Store *store.Store
	Feed  *changefeed.Broker
	// Revocations ends the work of keys revoked through this server.
	Revocations *auth.Revocations
	// Hooks registers webhooks and delivers the change feed to them.
	Hooks *webhook.Dispatcher
	// Network is the in-memory partnership network behind the network queries and the
	// participation summary.
	Network *network.Projection
}

func pageArgs(first *int, after *string, last *int, before *string) store.PageArgs {
	return store.PageArgs{First: first, After: after, Last: last, Before: before}
}

// orNull turns "not found" into null, the answer of a lookup by id that matches nothing.
func orNull[V any](rec V, err error) (V, error) {
	if errors.Is(err, domain.ErrNotFound) {
		var none V
		return none, nil
	}
	return rec, err
}

// payload wraps a written record in its mutation payload.
func payload[T, P any](rec *T, err error, wrap func(*T) *P) (*P, error) {
	if err != nil {
		return nil, err
	}
	return wrap(rec), nil
}

func loaders(ctx context.Context) *loader.Loaders { return loader.For(ctx) }
