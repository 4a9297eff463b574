package graph

import "github.com/participation-graph/participation-graph/store"

// Resolver is the root of the resolvers.
type Resolver struct {
	Store *store.Store
}
