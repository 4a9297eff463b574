package store

import (
	"context"
	"time"
)

// DieAfterRecordWrite writes a new version of a museum the way commit does but stops
// after the record write, as a process killed at that moment would: the intent stays and
// no change is appended. With writeRecord false it dies before the record write.
func (s *Store) DieAfterRecordWrite(ctx context.Context, id, newName string, writeRecord bool, at time.Time) error {
	m, err := s.Museums.Get(ctx, id)
	if err != nil {
		return err
	}
	prev := m.Version
	m.Name, m.Version, m.UpdatedAt = newName, prev+1, at
	w := write{entity: EntityMuseum, op: OpUpdated, meta: &m.Meta, prev: prev, doc: m}
	if err := s.putIntent(ctx, intentDoc{ID: intentKey(id, m.Version), Op: OpUpdated, Entity: EntityMuseum,
		EntityID: id, Version: m.Version, At: at}); err != nil {
		return err
	}
	if !writeRecord {
		return nil
	}
	return s.writeRecord(ctx, w)
}

// OrderFields returns the orders the collection's lists offer.
func (c *Collection[T, F]) OrderFields() []OrderField {
	out := make([]OrderField, 0, len(c.orders))
	for f := range c.orders {
		out = append(out, f)
	}
	return out
}

// Parents returns the fields the collection's nested lists group by.
func (c *Collection[T, F]) Parents() []Parent {
	out := make([]Parent, 0, len(c.parentOf))
	for p := range c.parentOf {
		if p != byParticipant {
			out = append(out, p)
		}
	}
	return out
}
