package store

import (
	"context"
	"fmt"
)

// checker is a record that validates and derives its own fields.
type checker interface{ check(v *validator) }

// bulkBatch is how many records one insert command carries.
const bulkBatch = 1000

// Insert stores many new records at once, for loading seed and sample data. Each record
// is validated field by field and gets its derived fields, exactly as in a create, but
// references are not looked up, so the caller must build them consistently. Records with
// an id keep it (see StableID). It sends one command per 1,000 records.
func Insert[T, F any](ctx context.Context, c *Collection[T, F], recs []*T) error {
	now := c.s.clock()
	docs := make([]any, 0, bulkBatch)
	flush := func() error {
		if len(docs) == 0 {
			return nil
		}
		ctx, cancel := c.s.opCtx(ctx)
		defer cancel()
		_, err := c.c.InsertMany(ctx, docs)
		docs = docs[:0]
		return translate(err)
	}
	for i, rec := range recs {
		v := c.s.validator()
		if ch, ok := any(rec).(checker); ok {
			ch.check(v)
		}
		v.afters = nil
		if len(v.fields) > 0 {
			return fmt.Errorf("%s %d: %w", c.entity.label(), i, &ValidationError{Fields: v.fields})
		}
		m := c.meta(rec)
		if m.ID == "" {
			m.ID = newID(c.entity)
		}
		m.Version = 1
		if m.CreatedAt.IsZero() {
			m.CreatedAt = now
		}
		m.UpdatedAt = m.CreatedAt
		docs = append(docs, rec)
		if len(docs) == bulkBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// Count returns how many records of the collection exist, archived ones included.
func (c *Collection[T, F]) Count(ctx context.Context) (int, error) {
	ctx, cancel := c.s.opCtx(ctx)
	defer cancel()
	n, err := c.c.EstimatedDocumentCount(ctx)
	return int(n), translate(err)
}
