package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/participation-graph/participation-graph/domain"
)

// Parent names the reference field a nested list is grouped by: a museum's partnerships
// are the partnerships whose museumId is the museum's id.
type Parent string

// The reference fields nested lists are grouped by.
const (
	ByMuseum        Parent = "museumId"
	ByMuseums       Parent = "museumIds"
	ByCommunity     Parent = "communityId"
	ByCommunities   Parent = "communityIds"
	ByPartnership   Parent = "partnershipId"
	ByProgramme     Parent = "programmeId"
	ByDecisionEvent Parent = "decisionEventId"
)

// orderKey is how a list sorts by one OrderField.
type orderKey[T any] struct {
	field string // the document field
	kind  valueKind
	value func(*T) any
}

// Collection gives read access to one collection of records of type T, filtered by F. All
// its methods return the store's errors.
type Collection[T any, F any] struct {
	s            *Store
	entity       domain.Entity
	c            *mongo.Collection
	meta         func(*T) *domain.Meta
	orders       map[domain.OrderField]orderKey[T]
	defaultOrder Order
	filter       func(ctx context.Context, f *F) (bson.D, error)
	// match is the filter's meaning as a test on records (see match.go), for the read
	// model; refsOf names the outcome codes and programme a filter refers to.
	match  func(f *F, r domain.Refs) func(*T) bool
	refsOf func(f *F) (outcomeCodes []string, programme *string)
	// parentOf reads, for each field nested lists may group this collection by, the
	// parent ids a record holds.
	parentOf map[Parent]func(*T) []string
	// access is who may read and write the records (see access.go).
	access access[T]
}

// model returns the collection's read-model table when the model may answer a read,
// under the model's read lock, which the caller releases with done.
func (c *Collection[T, F]) model() (t *table[T, F], done func(), ok bool) {
	mt, ok := c.s.model.reading(c.entity)
	if !ok {
		return nil, nil, false
	}
	return mt.(*table[T, F]), c.s.model.mu.RUnlock, true
}

// Get returns the record with the given id, archived or not, or ErrNotFound.
func (c *Collection[T, F]) Get(ctx context.Context, id string) (*T, error) {
	if err := c.permitRead(ctx); err != nil {
		return nil, err
	}
	if t, done, ok := c.model(); ok {
		defer done()
		if r, ok := t.get(ctx, []string{id})[id]; ok {
			return r, nil
		}
		return nil, domain.NotFound(c.entity, id)
	}
	return c.stored(ctx, id)
}

// stored reads the record with the given id from the database, archived or not, or
// ErrNotFound. Writes read their record this way: the database is the record of truth,
// and the records the read model shares must never be changed in place.
func (c *Collection[T, F]) stored(ctx context.Context, id string) (*T, error) {
	ctx, cancel := c.s.opCtx(ctx)
	defer cancel()
	var rec T
	err := c.c.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&rec)
	if err != nil {
		err = translate(err)
		if domain.IsNotFound(err) {
			return nil, domain.NotFound(c.entity, id)
		}
		return nil, err
	}
	if c.hidden(ctx, &rec) {
		return nil, domain.NotFound(c.entity, id)
	}
	return &rec, nil
}

// GetMany returns the records with the given ids in one database command, in the order of
// ids, with ErrNotFound in errs for each id that has no record. Its signature is a
// loader's fetch function (package loader).
func (c *Collection[T, F]) GetMany(ctx context.Context, ids []string) ([]*T, []error) {
	out, errs := make([]*T, len(ids)), make([]error, len(ids))
	if err := c.permitRead(ctx); err != nil {
		for i := range errs {
			errs[i] = err
		}
		return out, errs
	}
	var byID map[string]*T
	if t, done, ok := c.model(); ok {
		byID = t.get(ctx, ids)
		done()
	} else {
		recs, err := c.find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: domain.Unique(ids)}}}}, nil, 0, nil)
		if err != nil {
			for i := range errs {
				errs[i] = err
			}
			return out, errs
		}
		byID = make(map[string]*T, len(recs))
		for _, r := range recs {
			byID[c.meta(r).ID] = r
		}
	}
	for i, id := range ids {
		if r, ok := byID[id]; ok && !c.hidden(ctx, r) {
			out[i] = r
		} else {
			errs[i] = domain.NotFound(c.entity, id)
		}
	}
	return out, errs
}

func (c *Collection[T, F]) getAny(ctx context.Context, ids []string) ([]any, []error) {
	recs, errs := c.GetMany(ctx, ids)
	out := make([]any, len(recs))
	for i, r := range recs {
		if r != nil {
			out[i] = r
		}
	}
	return out, errs
}

// List returns one page of the records matching f, in order o (the list's default order
// when nil). Its TotalCount costs one more command, only when asked for.
func (c *Collection[T, F]) List(ctx context.Context, f *F, o *Order, args PageArgs) (*Page[T], error) {
	key, p, err := c.plan(o, args)
	if err != nil {
		return nil, err
	}
	if err := c.permitRead(ctx); err != nil {
		return nil, err
	}
	if t, done, ok := c.model(); ok {
		defer done()
		return t.list(ctx, c.s.model, f, p), nil
	}
	q, err := c.query(ctx, f)
	if err != nil {
		return nil, err
	}
	cond := q
	if p.cursor != nil {
		cond = and(q, keyset(key.field, p.readDesc(), *p.cursor))
	}
	recs, err := c.find(ctx, cond, c.sort(key, p.readDesc()), int64(p.n+1), nil)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*T, len(recs))
	rows := make([]pos, len(recs))
	for i, r := range recs {
		id := c.meta(r).ID
		byID[id] = r
		rows[i] = pos{key.value(r), id}
	}
	selected, hasNext, hasPrev := p.finish(rows)
	page := c.page(p, selected, byID, hasNext, hasPrev)
	page.count = func(ctx context.Context) (int, error) {
		ctx, cancel := c.s.opCtx(ctx)
		defer cancel()
		n, err := c.c.CountDocuments(ctx, q)
		return int(n), translate(err)
	}
	return page, nil
}

// Children returns, for each parent id, one page of the records whose parent field holds
// that id and that match f, in order o. It costs two database commands whatever the number
// of parents: one reads only the ids and sort keys of all matching records, the second
// fetches the records on the pages. TotalCount of each page is free.
//
// fields, when given, are the stored fields the caller will read of the records: the
// database then sends only those (with the record's bookkeeping, its parent, sort key and
// what access needs), and the records on the pages are partial. Records from the read
// model are always whole.
func (c *Collection[T, F]) Children(ctx context.Context, parent Parent, ids []string, f *F, o *Order, args PageArgs, fields ...string) (map[string]*Page[T], error) {
	if c.parentOf[parent] == nil {
		return nil, fmt.Errorf("store: %s cannot be grouped by %s", c.entity.Label(), parent)
	}
	key, p, err := c.plan(o, args)
	if err != nil {
		return nil, err
	}
	if err := c.permitRead(ctx); err != nil {
		return nil, err
	}
	if t, done, ok := c.model(); ok {
		defer done()
		return t.children(ctx, c.s.model, parent, ids, f, p), nil
	}
	q, err := c.query(ctx, f)
	if err != nil {
		return nil, err
	}
	q = and(q, bson.D{{Key: string(parent), Value: bson.D{{Key: "$in", Value: domain.Unique(ids)}}}})
	var only bson.D
	if len(fields) > 0 {
		only = projection(append(fields, string(parent), key.field, "visibility", "museumId"))
	}
	ctx2, cancel := c.s.opCtx(ctx)
	defer cancel()
	opts := options.Find().SetSort(c.sort(key, p.desc)).SetBatchSize(c.s.batchSize(0))
	// Where every read scans its collection (FerretDB v1), the records come with their
	// ranking, in one scan; elsewhere the ranking reads three fields a child from an index
	// and the records on the pages follow in a second read.
	var raw map[string]bson.Raw
	if c.s.scans {
		raw = map[string]bson.Raw{}
		if only != nil {
			opts.SetProjection(only)
		}
	} else {
		opts.SetProjection(bson.D{{Key: "_id", Value: 1}, {Key: string(parent), Value: 1}, {Key: key.field, Value: 1}})
	}
	cur, err := c.c.Find(ctx2, q, opts)
	if err != nil {
		return nil, translate(err)
	}
	defer cur.Close(ctx2)
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	grouped := map[string][]pos{}
	for cur.Next(ctx2) {
		id, _ := cur.Current.Lookup("_id").StringValueOK()
		r := pos{id: id, v: rawValue(cur.Current.Lookup(key.field), key.kind)}
		if raw != nil {
			raw[id] = slices.Clone(cur.Current)
		}
		for _, pid := range rawStrings(cur.Current.Lookup(string(parent))) {
			if want[pid] {
				grouped[pid] = append(grouped[pid], r)
			}
		}
	}
	if err := cur.Err(); err != nil {
		return nil, translate(err)
	}
	type window struct {
		rows             []pos
		total            int
		hasNext, hasPrev bool
	}
	windows := make(map[string]window, len(grouped))
	var fetch []string
	for pid, rows := range grouped {
		sel, hn, hp := p.window(rows)
		windows[pid] = window{sel, len(rows), hn, hp}
		for _, r := range sel {
			fetch = append(fetch, r.id)
		}
	}
	byID, err := c.records(ctx, fetch, raw, only)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*Page[T], len(ids))
	for _, pid := range ids {
		w := windows[pid]
		page := c.page(p, w.rows, byID, w.hasNext, w.hasPrev)
		total := w.total
		page.count = func(context.Context) (int, error) { return total, nil }
		out[pid] = page
	}
	return out, nil
}

// records returns the records with the given ids: decoded from raw when the ranking read
// brought them, else read in one command.
func (c *Collection[T, F]) records(ctx context.Context, ids []string, raw map[string]bson.Raw, only bson.D) (map[string]*T, error) {
	if raw == nil {
		return c.fetchIn(ctx, ids, only)
	}
	out := make(map[string]*T, len(ids))
	for _, id := range ids {
		rec := new(T)
		if err := bson.Unmarshal(raw[id], rec); err != nil {
			return nil, translate(err)
		}
		out[id] = rec
	}
	return out, nil
}

// fetchIn reads the records with the given ids in one command (none when there are no
// ids), by id; ids without a record are left out.
func (c *Collection[T, F]) fetchIn(ctx context.Context, ids []string, only bson.D) (map[string]*T, error) {
	out := map[string]*T{}
	if len(ids) == 0 {
		return out, nil
	}
	recs, err := c.find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: domain.Unique(ids)}}}}, nil, 0, only)
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		out[c.meta(r).ID] = r
	}
	return out, nil
}

// page builds a Page from selected positions and the fetched records. A record deleted
// between the two reads is left out rather than shown as null.
func (c *Collection[T, F]) page(p plan, rows []pos, byID map[string]*T, hasNext, hasPrev bool) *Page[T] {
	page := &Page[T]{Edges: make([]Edge[T], 0, len(rows)), hasNext: hasNext, hasPrev: hasPrev}
	for _, r := range rows {
		if rec, ok := byID[r.id]; ok {
			page.Edges = append(page.Edges, Edge[T]{Node: rec, field: p.field, at: r})
		}
	}
	return page
}

// plan resolves the order and checks the paging arguments.
func (c *Collection[T, F]) plan(o *Order, args PageArgs) (orderKey[T], plan, error) {
	order := c.defaultOrder
	if o != nil {
		order = *o
		if order.Field == "" {
			order.Field = c.defaultOrder.Field
		}
		if order.Direction == "" {
			order.Direction = c.defaultOrder.Direction
		}
	}
	key, ok := c.orders[order.Field]
	if !ok {
		return key, plan{}, domain.Invalid("orderBy.field", "%s cannot be ordered by %s", c.entity.Label(), order.Field)
	}
	p, err := newPlan(args, order.Field, order.Direction == domain.Desc, key.kind)
	return key, p, err
}

// query builds the database filter for f, leaving archived records out unless asked, and
// the records the caller may not see out always. Its callers have checked permitRead.
func (c *Collection[T, F]) query(ctx context.Context, f *F) (bson.D, error) {
	if c.filter == nil {
		return and(bson.D{{Key: "archived", Value: false}}, c.visibility(ctx)), nil
	}
	if f == nil {
		f = new(F)
	}
	q, err := c.filter(ctx, f)
	if err != nil {
		return nil, err
	}
	return and(q, c.visibility(ctx)), nil
}

func (c *Collection[T, F]) sort(key orderKey[T], desc bool) bson.D {
	dir := 1
	if desc {
		dir = -1
	}
	return bson.D{{Key: key.field, Value: dir}, {Key: "_id", Value: dir}}
}

// find runs one query and decodes every result, or only the fields of the projection
// only when it is not nil.
func (c *Collection[T, F]) find(ctx context.Context, q bson.D, sort bson.D, limit int64, only bson.D) ([]*T, error) {
	ctx, cancel := c.s.opCtx(ctx)
	defer cancel()
	opts := options.Find().SetBatchSize(c.s.batchSize(limit))
	if only != nil {
		opts.SetProjection(only)
	}
	if sort != nil {
		opts.SetSort(sort)
	}
	if limit > 0 {
		opts.SetLimit(limit)
	}
	cur, err := c.c.Find(ctx, q, opts)
	if err != nil {
		return nil, translate(err)
	}
	out, err := decodeAll[T](ctx, cur)
	return out, translate(err)
}

// decodeAll decodes every document of cur and closes it. The driver's Cursor.All and
// Cursor.Decode give each document a decoder with a fresh 4 KiB read buffer (a third of
// the bytes a nested page allocated); bson.Unmarshal decodes the document in place with
// a pooled reader.
func decodeAll[T any](ctx context.Context, cur *mongo.Cursor) ([]*T, error) {
	defer cur.Close(context.WithoutCancel(ctx))
	out := make([]*T, 0, cur.RemainingBatchLength())
	for cur.Next(ctx) {
		v := new(T)
		if err := bson.Unmarshal(cur.Current, v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, cur.Err()
}

// oneBatch asks the server for a whole result in its first reply (up to its 16 MiB message
// limit) instead of the default 101 documents, so that reading a nested list or a batch of
// ids costs one command rather than one more per hundred records. FerretDB v1 is asked
// for less (see batchSize).
const oneBatch = 1 << 20

// keyset is the condition "after position p" in an order on field, which keeps paging
// stable under inserts (unlike skip/limit).
func keyset(field string, desc bool, p pos) bson.D {
	op := "$gt"
	if desc {
		op = "$lt"
	}
	return bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: field, Value: bson.D{{Key: op, Value: p.v}}}},
		bson.D{{Key: field, Value: p.v}, {Key: "_id", Value: bson.D{{Key: op, Value: p.id}}}},
	}}}
}

// and joins conditions; an empty one is left out.
func and(qs ...bson.D) bson.D {
	var parts bson.A
	for _, q := range qs {
		if len(q) > 0 {
			parts = append(parts, q)
		}
	}
	switch len(parts) {
	case 0:
		return bson.D{}
	case 1:
		return parts[0].(bson.D)
	}
	return bson.D{{Key: "$and", Value: parts}}
}

// rawValue reads a sort key from a raw document value.
func rawValue(v bson.RawValue, kind valueKind) any {
	switch kind {
	case kindTime:
		if dt, ok := v.DateTimeOK(); ok {
			return time.UnixMilli(dt).UTC()
		}
		return time.Time{}
	case kindInt:
		if i, ok := v.AsInt64OK(); ok {
			return int(i)
		}
		return 0
	}
	s, _ := v.StringValueOK()
	return s
}

// rawStrings reads a reference field that holds one id or an array of ids.
func rawStrings(v bson.RawValue) []string {
	if s, ok := v.StringValueOK(); ok {
		return []string{s}
	}
	arr, ok := v.ArrayOK()
	if !ok {
		return nil
	}
	vals, _ := arr.Values()
	out := make([]string, 0, len(vals))
	for _, e := range vals {
		if s, ok := e.StringValueOK(); ok {
			out = append(out, s)
		}
	}
	return out
}

// RecordFields are the stored fields every record has (domain.Meta), which a partial
// record keeps too.
var RecordFields = []string{"_id", "version", "createdAt", "updatedAt", "archived", "archivedAt", "sample"}

// projection is the projection of the given stored fields and the bookkeeping.
func projection(fields []string) bson.D {
	var p bson.D
	for _, f := range domain.Unique(append(slices.Clone(RecordFields), fields...)) {
		p = append(p, bson.E{Key: f, Value: 1})
	}
	return p
}
