package store

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/topology"

	"github.com/participation-graph/participation-graph/domain"
)

// translate turns driver errors into the store's errors, so that callers never see the
// driver's types: a missing document is ErrNotFound, a duplicate key ErrConflict, a
// network failure or timeout ErrUnavailable. Anything else is returned wrapped, for the
// caller to treat as internal.
func translate(err error) error {
	if err == nil {
		return nil
	}
	var se topology.ServerSelectionError
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return fmt.Errorf("%w", domain.ErrNotFound)
	case mongo.IsDuplicateKeyError(err):
		return fmt.Errorf("%w: duplicate value", domain.ErrConflict)
	case errors.Is(err, context.Canceled):
		return err
	case mongo.IsTimeout(err), mongo.IsNetworkError(err), errors.As(err, &se),
		errors.Is(err, context.DeadlineExceeded), errors.Is(err, mongo.ErrClientDisconnected):
		return fmt.Errorf("%w: %w", domain.ErrUnavailable, err)
	}
	return fmt.Errorf("database: %w", err)
}
