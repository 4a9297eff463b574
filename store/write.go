package store

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/participation-graph/participation-graph/domain"
)

// ErrStale means the record changed between reading and writing it: the write surely did
// not happen.
var ErrStale = errors.New("stale version")

// write is one change to one record. Every write in the store goes through commit, the one
// place that will also append to the change feed and check the caller.
type write struct {
	entity domain.Entity
	op     domain.Op
	meta   *domain.Meta
	prev   int // the version the change was made from (0 for a create)
	doc    any
	// museum and restricted say who may see the change (see ChangeVisible).
	museum     string
	restricted bool
	// fields are the names of the fields the write set, for the audit trail.
	fields []string
	// operation names the mutation in the audit trail when the request does not.
	operation string
	// adminOnly marks a write of API keys and webhooks, which only administrators see. Its
	// intent and audit entry are a record's, so it is audited exactly once however the
	// process dies, but it appends nothing to the change feed. Kept out of the feed, it
	// cannot reach subscribers, changes readers, webhook deliveries or backups' replays,
	// whichever way they filter, and the feed's positions stay those of records alone.
	adminOnly bool
	// store, when set, writes the record instead of writeRecord. It returns ErrStale,
	// ErrConflict or ErrNotFound when the write surely did not happen.
	store func(ctx context.Context) error
}

// commit stores one write and records it in the change feed and the audit trail (see
// changes.go): an intent first, then the record (an insert for a new record, otherwise a
// replace that succeeds only if the stored version is still the one the change was made
// from), then the change (unless the write is adminOnly), then the audit entry.
func (s *Store) commit(ctx context.Context, w write) error {
	in := intentDoc{ID: intentKey(w.meta.ID, w.meta.Version), Op: w.op, Entity: w.entity, EntityID: w.meta.ID,
		Version: w.meta.Version, At: w.meta.UpdatedAt, MuseumID: w.museum, Restricted: w.restricted,
		AdminOnly: w.adminOnly, Audit: writerOf(ctx, w.operation, w.fields)}
	if w.op != domain.OpCreated {
		// A dead writer's change of the previous version goes into the feed before this one.
		if err := s.completeIntent(ctx, w.meta.ID, w.prev); err != nil {
			return err
		}
	}
	if err := s.putIntent(ctx, in); err != nil {
		return err
	}
	store := s.writeRecord
	if w.store != nil {
		store = func(ctx context.Context, _ write) error { return w.store(ctx) }
	}
	if err := store(ctx, w); err != nil {
		// A write that surely did not happen takes its intent with it; after an ambiguous
		// failure (a timeout, a lost connection) the sweeper finds out from the record.
		if errors.Is(err, ErrStale) || errors.Is(err, domain.ErrConflict) || errors.Is(err, domain.ErrNotFound) {
			_ = s.dropIntent(ctx, in.ID)
		}
		return err
	}
	if !w.adminOnly {
		s.model.apply(w.entity, []any{w.doc})
		if err := s.appendChange(ctx, in.change()); err != nil {
			// The record is written, so the write succeeded; the intent stays and the next
			// update of the record or the sweeper appends the change.
			return nil
		}
	}
	if err := s.auditIntent(ctx, in); err != nil {
		// Likewise: the intent stays until its audit entry is stored.
		return nil
	}
	_ = s.dropIntent(ctx, in.ID)
	return nil
}

func (s *Store) writeRecord(ctx context.Context, w write) error {
	ctx, cancel := s.opCtx(ctx)
	defer cancel()
	c := s.coll(w.entity)
	if w.op == domain.OpCreated {
		_, err := c.InsertOne(ctx, w.doc)
		return translate(err)
	}
	res, err := c.ReplaceOne(ctx, bson.D{{Key: "_id", Value: w.meta.ID}, {Key: "version", Value: w.prev}}, w.doc)
	if err != nil {
		return translate(err)
	}
	if res.MatchedCount == 0 {
		return ErrStale
	}
	return nil
}

func conflict(e domain.Entity, id string, expected, actual int) error {
	return fmt.Errorf("%w: %s %q is at version %d, not the expected %d; read it again and reapply your change",
		domain.ErrConflict, e.Label(), id, actual, expected)
}

// create validates and stores a new record.
func create[T, F any](ctx context.Context, c *Collection[T, F], rec *T, check func(v *domain.Validator)) (*T, error) {
	if err := c.permit(ctx, domain.OpCreated, rec); err != nil {
		return nil, err
	}
	v := c.s.Validator()
	check(v)
	if err := v.Err(ctx); err != nil {
		return nil, err
	}
	m := c.meta(rec)
	now := c.s.clock()
	if m.ID == "" {
		m.ID = newID(c.entity)
	}
	m.Version, m.CreatedAt, m.UpdatedAt = 1, now, now
	museum, restricted := c.scope(rec)
	if err := c.s.commit(ctx, write{entity: c.entity, op: domain.OpCreated, meta: m, doc: rec, museum: museum, restricted: restricted,
		fields: changedFields(nil, rec)}); err != nil {
		return nil, err
	}
	return rec, nil
}

// MaxRetries bounds how often an update without expectedVersion is retried when another
// writer changed the record between the read and the write.
const MaxRetries = 5

// update reads a record, applies a change and stores it, as one optimistic step. With
// expected set, a record at another version fails with ErrConflict and nothing changes;
// without it, a concurrent change makes the update read again and reapply, so no change is
// silently lost.
func update[T, F any](ctx context.Context, c *Collection[T, F], op domain.Op, id string, expected *int, apply func(rec *T, v *domain.Validator)) (*T, error) {
	for attempt := 0; ; attempt++ {
		rec, err := updateOnce(ctx, c, op, id, expected, apply)
		switch {
		case errors.Is(err, ErrStale) && expected == nil && attempt < MaxRetries:
			continue
		case errors.Is(err, ErrStale):
			return nil, fmt.Errorf("%w: %s %q changed while it was being updated; try again", domain.ErrConflict, c.entity.Label(), id)
		}
		return rec, err
	}
}

// updateOnce is one read-check-write of update, under the record's lock where the server
// needs one.
func updateOnce[T, F any](ctx context.Context, c *Collection[T, F], op domain.Op, id string, expected *int, apply func(rec *T, v *domain.Validator)) (*T, error) {
	unlock, err := c.s.lockRecord(ctx, id)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if c.s.needsLocks {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, lockedWork)
		defer cancel()
	}
	rec, err := c.stored(ctx, id)
	if err != nil {
		return nil, err
	}
	m := c.meta(rec)
	if expected != nil && m.Version != *expected {
		return nil, conflict(c.entity, id, *expected, m.Version)
	}
	if err := c.permit(ctx, op, rec); err != nil {
		return nil, err
	}
	prev := m.Version
	before, _ := bson.Marshal(rec)
	v := c.s.Validator()
	v.Kept = referencedIDs(rec)
	apply(rec, v)
	if c.access.owners != nil {
		// Moving a record to another museum needs the right to write there too.
		if err := c.permit(ctx, op, rec); err != nil {
			return nil, err
		}
	}
	if err := v.Err(ctx); err != nil {
		return nil, err
	}
	m.ID, m.Version, m.UpdatedAt = id, prev+1, c.s.clock()
	museum, restricted := c.scope(rec)
	if err := c.s.commit(ctx, write{entity: c.entity, op: op, meta: m, prev: prev, doc: rec, museum: museum, restricted: restricted,
		fields: changedFields(before, rec)}); err != nil {
		return nil, err
	}
	return rec, nil
}

// referencedIDs returns every id a stored record holds, at any depth (references, lists of
// references, participants).
func referencedIDs(rec any) map[string]bool {
	raw, err := bson.Marshal(rec)
	if err != nil {
		return nil
	}
	ids := map[string]bool{}
	var walk func(v bson.RawValue)
	walk = func(v bson.RawValue) {
		switch v.Type {
		case bson.TypeString:
			if s := v.StringValue(); isID(s) {
				ids[s] = true
			}
		case bson.TypeEmbeddedDocument, bson.TypeArray:
			vals, _ := bson.Raw(v.Value).Values()
			for _, e := range vals {
				walk(e)
			}
		}
	}
	walk(bson.RawValue{Type: bson.TypeEmbeddedDocument, Value: raw})
	return ids
}

func isID(s string) bool {
	_, ok := domain.EntityOf(s)
	return ok
}

// archive marks a record archived. Archiving an archived record changes nothing.
func archive[T, F any](ctx context.Context, c *Collection[T, F], in domain.ArchiveInput) (*T, error) {
	rec, err := c.Get(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	if c.meta(rec).Archived {
		if err := c.permit(ctx, domain.OpArchived, rec); err != nil {
			return nil, err
		}
		if in.ExpectedVersion != nil && *in.ExpectedVersion != c.meta(rec).Version {
			return nil, conflict(c.entity, in.ID, *in.ExpectedVersion, c.meta(rec).Version)
		}
		return rec, nil
	}
	return update(ctx, c, domain.OpArchived, in.ID, in.ExpectedVersion, func(rec *T, _ *domain.Validator) {
		m := c.meta(rec)
		now := c.s.clock()
		m.Archived, m.ArchivedAt = true, &now
	})
}
