package store

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/participation-graph/participation-graph/domain"
)

// Documents is a collection of administrative documents that are not records of the
// domain (webhooks). The package that owns them reads and writes them through it, under
// the store's timeouts, record locks and error translation, and commits administrators'
// writes through the one commit path: an intent first, so each is audited exactly once
// however the process dies, and nothing in the change feed. The store itself never reads
// them.
type Documents struct {
	s      *Store
	entity domain.Entity
	c      *mongo.Collection
}

// Documents returns the collection name, whose documents belong to entity e (the name the
// audit trail gives them).
func (s *Store) Documents(name string, e domain.Entity) *Documents {
	s.documentsMu.Lock()
	defer s.documentsMu.Unlock()
	s.documents[e] = name
	return &Documents{s: s, entity: e, c: s.db.Collection(name)}
}

// documentCollection returns the collection of entity e's administrative documents, the
// one the sweeper reads to learn whether an interrupted write happened.
func (s *Store) documentCollection(e domain.Entity) (*mongo.Collection, bool) {
	s.documentsMu.Lock()
	defer s.documentsMu.Unlock()
	name, ok := s.documents[e]
	if !ok {
		return nil, false
	}
	return s.db.Collection(name), true
}

// EnsureIndex creates, unless it exists, the index on the given fields, in order.
func (d *Documents) EnsureIndex(ctx context.Context, fields ...string) error {
	return d.s.ensure(ctx, d.c, []mongo.IndexModel{{Keys: keys(fields...)}})
}

// AdminWrite is an administrator's write of one document.
type AdminWrite struct {
	Op domain.Op
	ID string
	// Version is the document's version after the write; Prev the one it was made from (0
	// for a create). A deletion is recorded at version 0.
	Version, Prev int
	// Operation names the mutation in the audit trail when the request does not; Fields are
	// the names of the fields the write set.
	Operation string
	Fields    []string
	// Store makes the write. It returns ErrStale, domain.ErrConflict or domain.ErrNotFound
	// when the write surely did not happen.
	Store func(ctx context.Context) error
}

// Commit makes w through the commit path and audits it.
func (d *Documents) Commit(ctx context.Context, w AdminWrite) error {
	m := &domain.Meta{ID: w.ID, Version: w.Version, UpdatedAt: d.s.clock()}
	return d.s.commit(ctx, write{entity: d.entity, op: w.Op, meta: m, prev: w.Prev, adminOnly: true, store: w.Store,
		operation: w.Operation, fields: w.Fields})
}

// Now is the time the store gives a write made now.
func (d *Documents) Now() time.Time { return d.s.clock() }

// Lock holds the lock of document id on databases whose writes are not atomic (see
// ferretdb.go) until the returned function is called; elsewhere it does nothing.
func (d *Documents) Lock(ctx context.Context, id string) (func(), error) {
	return d.s.lockRecord(ctx, id)
}

// Insert stores a new document.
func (d *Documents) Insert(ctx context.Context, doc any) error {
	ctx, cancel := d.s.opCtx(ctx)
	defer cancel()
	_, err := d.c.InsertOne(ctx, doc)
	return translate(err)
}

// FindOne decodes the document that filter matches into dst; none is domain.ErrNotFound.
func (d *Documents) FindOne(ctx context.Context, filter bson.D, dst any) error {
	ctx, cancel := d.s.opCtx(ctx)
	defer cancel()
	return translate(d.c.FindOne(ctx, filter).Decode(dst))
}

// Find decodes every document filter matches, in sort order and without the fields
// omit names, into dst, a pointer to a slice.
func (d *Documents) Find(ctx context.Context, filter, sort bson.D, dst any, omit ...string) error {
	ctx, cancel := d.s.opCtx(ctx)
	defer cancel()
	o := options.Find().SetSort(sort)
	if len(omit) > 0 {
		var p bson.D
		for _, f := range omit {
			p = append(p, bson.E{Key: f, Value: 0})
		}
		o.SetProjection(p)
	}
	cur, err := d.c.Find(ctx, filter, o)
	if err != nil {
		return translate(err)
	}
	return translate(cur.All(ctx, dst))
}

// Update applies update to the document filter matches and decodes the result into dst.
// No match is domain.ErrNotFound.
func (d *Documents) Update(ctx context.Context, filter, update bson.D, dst any) error {
	ctx, cancel := d.s.opCtx(ctx)
	defer cancel()
	err := d.c.FindOneAndUpdate(ctx, filter, update, options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(dst)
	return translate(err)
}

// Delete removes the document filter matches. None is domain.ErrNotFound.
func (d *Documents) Delete(ctx context.Context, filter bson.D) error {
	ctx, cancel := d.s.opCtx(ctx)
	defer cancel()
	res, err := d.c.DeleteOne(ctx, filter)
	if err != nil {
		return translate(err)
	}
	if res.DeletedCount == 0 {
		return fmt.Errorf("%w", domain.ErrNotFound)
	}
	return nil
}
