package store

import (
	"context"
	"fmt"
	"time"

	"github.com/participation-graph/participation-graph/domain"
)

// checker is a record that validates and derives its own fields.
type checker interface{ Check(v *domain.Validator) }

// bulkBatch is how many records one insert command carries.
const bulkBatch = 1000

// Insert stores many new records at once, for loading seed and sample data. Each record
// is validated field by field and gets its derived fields, exactly as in a create, but
// references are not looked up, so the caller must build them consistently. Records with
// an id keep it (see StableID); CreatedAt is kept when set. Every record is checked before
// the first is written; it then sends one command per 1,000 records.
func Insert[T, F any](ctx context.Context, c *Collection[T, F], recs []*T) error {
	now := c.s.clock()
	// Check everything first, so that a bad record stops the load before anything is written.
	for i, rec := range recs {
		v := c.s.Validator()
		if ch, ok := any(rec).(checker); ok {
			ch.Check(v)
		}
		if err := v.FieldErrors(); err != nil {
			return fmt.Errorf("%s %d: %w", c.entity.Label(), i, err)
		}
		m := c.meta(rec)
		if m.ID == "" {
			m.ID = newID(c.entity)
		}
		m.Version = 1
		if m.CreatedAt.IsZero() {
			m.CreatedAt = now
		}
		m.CreatedAt = m.CreatedAt.UTC().Truncate(time.Millisecond)
		m.UpdatedAt = m.CreatedAt
	}
	for start := 0; start < len(recs); start += bulkBatch {
		docs := make([]any, 0, bulkBatch)
		for _, rec := range recs[start:min(start+bulkBatch, len(recs))] {
			docs = append(docs, rec)
		}
		// A batch grows slower as a collection and its indexes grow; it gets a minute,
		// not the timeout of an interactive request.
		bctx, cancel := context.WithTimeout(ctx, bulkTimeout)
		_, err := c.c.InsertMany(bctx, docs)
		cancel()
		if err != nil {
			return translate(err)
		}
		c.s.model.apply(c.entity, docs)
	}
	return nil
}

// bulkTimeout bounds one insert command of a bulk load.
const bulkTimeout = time.Minute

// Count returns how many records of the collection exist, archived ones included. On
// MongoDB it is the estimate kept in the collection's metadata, exact after a clean
// shutdown.
func (c *Collection[T, F]) Count(ctx context.Context) (int, error) {
	n, err := c.s.count(ctx, c.entity)
	return int(n), err
}

// InsertMissing is Insert for the records whose ids are not stored yet, so that a load cut
// off half-way can be run again. It costs one more command, to look the ids up.
func InsertMissing[T, F any](ctx context.Context, c *Collection[T, F], recs []*T) error {
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = c.meta(r).ID
	}
	found, errs := c.GetMany(ctx, ids)
	var missing []*T
	for i, r := range recs {
		switch {
		case errs[i] == nil && found[i] != nil:
		case errs[i] == nil || domain.IsNotFound(errs[i]):
			missing = append(missing, r)
		default:
			return errs[i]
		}
	}
	return Insert(ctx, c, missing)
}
