package store

import (
	"context"
	"time"

	"github.com/participation-graph/participation-graph/domain"
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
	w := write{entity: domain.EntityMuseum, op: domain.OpUpdated, meta: &m.Meta, prev: prev, doc: m}
	if err := s.putIntent(ctx, intentDoc{ID: intentKey(id, m.Version), Op: domain.OpUpdated, Entity: domain.EntityMuseum,
		EntityID: id, Version: m.Version, At: at}); err != nil {
		return err
	}
	if !writeRecord {
		return nil
	}
	return s.writeRecord(ctx, w)
}

// OrderFields returns the orders the collection's lists offer.
func (c *Collection[T, F]) OrderFields() []domain.OrderField {
	out := make([]domain.OrderField, 0, len(c.orders))
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

// FailAuditWrites makes every audit write fail with err until it is called with nil, as a
// database that stores a record and then refuses its audit entry would.
func (s *Store) FailAuditWrites(err error) {
	if err == nil {
		s.auditFault = nil
		return
	}
	s.auditFault = func() error { return err }
}

// DieBeforeAPIKeyWrite begins creating an API key the way CreateAPIKey does but stops
// after its intent, as a process killed before the insert would. It returns the key's id.
func (s *Store) DieBeforeAPIKeyWrite(ctx context.Context, at time.Time) (string, error) {
	id := newID(domain.EntityAPIKey)
	return id, s.putIntent(ctx, intentDoc{ID: intentKey(id, 1), Op: domain.OpCreated, Entity: domain.EntityAPIKey, EntityID: id,
		Version: 1, At: at, AdminOnly: true, Audit: writerOf(ctx, "createApiKey", []string{"name", "role", "museumIds"})})
}
