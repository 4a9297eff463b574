package store

import (
	"context"

	"github.com/participation-graph/participation-graph/domain"
)

// Validator returns a validator of a write made now, which looks referenced records up in
// the store.
func (s *Store) Validator() *domain.Validator {
	return &domain.Validator{Records: s, Now: s.clock()}
}

// Records returns the records of entity e with the given ids, for validation.
func (s *Store) Records(ctx context.Context, e domain.Entity, ids []string) ([]any, []error) {
	return s.byEntity[e].getAny(ctx, ids)
}
