package store

import (
	"context"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/participation-graph/participation-graph/domain"
)

// The audit trail records every write: who (the key and its role), when, which operation,
// which record and the names of the fields it changed — never their values, so that it
// holds no personal data. Writes of records reach it through their change-feed intent, so
// a write whose process dies after storing the record is still audited, exactly once (an
// entry's id is derived from the record's id and version).

func auditQuery(_ context.Context, f *domain.AuditFilter) (bson.D, error) {
	b := &filterBuilder{}
	eq(b, "keyId", f.KeyID)
	eq(b, "recordId", f.RecordID)
	eq(b, "entity", f.Entity)
	eq(b, "operation", f.Operation)
	cmpOp(b, "createdAt", "$gte", f.From)
	cmpOp(b, "createdAt", "$lt", f.To)
	return b.build(), nil
}

// auditInfo is what an intent keeps of its writer for the audit trail.
type auditInfo struct {
	KeyID     string      `bson:"keyId,omitempty"`
	Role      domain.Role `bson:"role"`
	Operation string      `bson:"operation,omitempty"`
	Fields    []string    `bson:"fields"`
}

// writerOf returns the caller's audit information, with the request's operation or else
// operation.
func writerOf(ctx context.Context, operation string, fields []string) auditInfo {
	c := domain.CallerOf(ctx)
	if op := domain.Operation(ctx); op != "" {
		operation = op
	}
	return auditInfo{KeyID: c.KeyID, Role: c.Role, Operation: operation, Fields: fields}
}

// auditIntent records the write an intent describes.
func (s *Store) auditIntent(ctx context.Context, in intentDoc) error {
	a := in.Audit
	return s.audit(ctx, domain.AuditEntry{KeyID: a.KeyID, Role: a.Role, Operation: a.Operation, Action: string(in.Op),
		Entity: in.Entity, RecordID: in.EntityID, RecordVersion: in.Version, Fields: a.Fields, Meta: domain.Meta{CreatedAt: in.At}})
}

// audit stores an entry; an entry already stored (the same write audited twice) is kept.
func (s *Store) audit(ctx context.Context, a domain.AuditEntry) error {
	if s.auditFault != nil {
		if err := s.auditFault(); err != nil {
			return err
		}
	}
	if a.CreatedAt.IsZero() {
		a.CreatedAt = s.clock()
	}
	a.ID = domain.StableID(domain.EntityAudit, intentKey(a.RecordID, a.RecordVersion))
	a.Version, a.UpdatedAt = 1, a.CreatedAt
	if a.Fields == nil {
		a.Fields = []string{}
	}
	ctx, cancel := s.opCtx(context.WithoutCancel(ctx))
	defer cancel()
	_, err := s.coll(domain.EntityAudit).InsertOne(ctx, a)
	if mongo.IsDuplicateKeyError(err) {
		return nil
	}
	return translate(err)
}

// bookkeeping are the stored fields every write changes, left out of an entry's fields.
var bookkeeping = []string{"_id", "version", "createdAt", "updatedAt"}

// changedFields returns the names of the top-level stored fields that differ between the
// stored document before (nil for a create, which lists every field it set) and after.
func changedFields(before bson.Raw, after any) []string {
	doc := func(raw bson.Raw) map[string]bson.RawValue {
		out := map[string]bson.RawValue{}
		elems, _ := raw.Elements()
		for _, e := range elems {
			out[e.Key()] = e.Value()
		}
		return out
	}
	afterRaw, err := bson.Marshal(after)
	if err != nil {
		return nil
	}
	b, a := doc(before), doc(afterRaw)
	var fields []string
	for k, av := range a {
		if bv, ok := b[k]; (!ok && !zeroValue(av)) || (ok && !bv.Equal(av)) {
			fields = append(fields, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			fields = append(fields, k)
		}
	}
	fields = slices.DeleteFunc(fields, func(f string) bool { return slices.Contains(bookkeeping, f) })
	slices.Sort(fields)
	return fields
}

func zeroValue(v bson.RawValue) bool {
	switch v.Type {
	case bson.TypeNull:
		return true
	case bson.TypeBoolean:
		return !v.Boolean()
	case bson.TypeString:
		return v.StringValue() == ""
	case bson.TypeArray:
		vals, _ := v.Array().Values()
		return len(vals) == 0
	}
	return false
}
