package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/participation-graph/participation-graph/domain"
)

// Backups: reading the whole database out and writing it back, with the change feed kept
// consistent with the records. Documents cross this boundary as BSON bytes, so the file
// format is the caller's business and driver types stay here.
//
// A dump taken while servers write is not a snapshot (FerretDB has none, and MongoDB's
// would need a transaction), so it is made consistent with the feed instead:
//   - It notes the feed's end, S, first, then reads the records, then the intents, then
//     the feed. It keeps the feed up to S only: every change up to S was appended after
//     its record was written, so before the records were read, and no kept change speaks
//     of a version newer than the record read.
//   - A record read at a version whose change is not in the kept feed was written while
//     the dump ran. Its writer's intent was still there when the intents were read, or the
//     change was already appended when the feed was read (a writer appends before it drops
//     its intent); in the second case the dump adds the intent itself. A restored database
//     thus completes those changes the way it completes a crashed writer's (the sweeper
//     appends them), and its feed holds every restored record's last version exactly once
//     with no gap. Intermediate versions written during the dump may be missing from it.
//   - Record locks are not dumped: they belong to writers of the source database.

// DumpTimeout bounds the reading of one collection by Dump and one batch written by
// Restore or Merge: long, since a collection may hold millions of documents.
const DumpTimeout = 30 * time.Minute

// Dump describes a finished dump.
type Dump struct {
	// FeedPosition is the last change-feed seq the dump holds: the feed's end when the
	// dump began.
	FeedPosition int64
	// Counts is the number of documents dumped, by collection.
	Counts map[string]int
}

// feedCollections are the change feed's own collections, dumped last and in this order.
var feedCollections = []string{intentsCollection, feedState, changesCollection}

// Dump reads every collection of the database and passes each document's BSON to emit,
// all of one collection before the next; the change feed's collections come last and
// changes in seq order. It fails with ErrUnavailable when the database cannot be read,
// with an error wrapping ErrConflict when the feed was trimmed while it ran (run it
// again), and with emit's error.
func (s *Store) Dump(ctx context.Context, emit func(collection string, doc []byte) error) (Dump, error) {
	out := Dump{Counts: map[string]int{}}
	before, err := s.feedStateCtx(ctx)
	if err != nil {
		return out, err
	}
	if out.FeedPosition, err = s.LastSeq(ctx); err != nil {
		return out, err
	}
	names, err := s.collectionNames(ctx)
	if err != nil {
		return out, err
	}
	// The version of each record read, to tell which changes the kept feed lacks.
	versions := map[string]int{}
	for _, name := range names {
		if slices.Contains(feedCollections, name) {
			continue
		}
		_, isRecord := s.recordCollection(name)
		err := s.readAll(ctx, name, nil, func(doc bson.Raw) error {
			if isRecord {
				id, _ := doc.Lookup("_id").StringValueOK()
				v, _ := doc.Lookup("version").AsInt64OK()
				versions[id] = int(v)
			}
			out.Counts[name]++
			return emit(name, doc)
		})
		if err != nil {
			return out, err
		}
	}
	var intents []bson.Raw
	if err := s.readAll(ctx, intentsCollection, nil, func(doc bson.Raw) error {
		intents = append(intents, doc)
		return nil
	}); err != nil {
		return out, err
	}
	var later []domain.Change
	next := before.TrimmedThrough + 1
	err = s.readAll(ctx, changesCollection, bson.D{{Key: "_id", Value: 1}}, func(doc bson.Raw) error {
		var c domain.Change
		if err := bson.Unmarshal(doc, &c); err != nil {
			return fmt.Errorf("store: change %v: %w", doc.Lookup("_id"), err)
		}
		if c.Seq > out.FeedPosition {
			later = append(later, c)
			return nil
		}
		if c.Seq != next {
			return fmt.Errorf("store: the change feed has no seq %d (it goes on at %d); it was trimmed while the dump ran, or damaged: %w", next, c.Seq, domain.ErrConflict)
		}
		next++
		out.Counts[changesCollection]++
		return emit(changesCollection, doc)
	})
	if err != nil {
		return out, err
	}
	after, err := s.feedStateCtx(ctx)
	if err != nil {
		return out, err
	}
	if after.TrimmedThrough != before.TrimmedThrough {
		return out, fmt.Errorf("store: the change feed was trimmed while the dump ran; run it again: %w", domain.ErrConflict)
	}
	emitValue := func(collection string, v any) error {
		doc, err := bson.Marshal(v)
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		out.Counts[collection]++
		return emit(collection, doc)
	}
	// The intents read, then those the dump adds for records written while it ran.
	have := map[string]bool{}
	for _, in := range intents {
		id, _ := in.Lookup("_id").StringValueOK()
		have[id] = true
		out.Counts[intentsCollection]++
		if err := emit(intentsCollection, in); err != nil {
			return out, err
		}
	}
	for _, c := range later {
		key := intentKey(c.EntityID, c.Version)
		if versions[c.EntityID] != c.Version || have[key] {
			continue
		}
		have[key] = true
		in := intentDoc{ID: key, Op: c.Op, Entity: c.Entity, EntityID: c.EntityID, Version: c.Version, At: c.At}
		if err := emitValue(intentsCollection, in); err != nil {
			return out, err
		}
	}
	if before.ID != "" {
		if err := emitValue(feedState, before); err != nil {
			return out, err
		}
	}
	return out, nil
}

// feedStateCtx reads the feed's state document with the operation timeout.
func (s *Store) feedStateCtx(ctx context.Context) (feedStateDoc, error) {
	ctx, cancel := s.opCtx(ctx)
	defer cancel()
	return s.feedState(ctx)
}

// collectionNames lists the database's collections that a backup covers, sorted: all but
// the server's own and the record locks.
func (s *Store) collectionNames(ctx context.Context) ([]string, error) {
	ctx, cancel := s.opCtx(ctx)
	defer cancel()
	names, err := s.db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return nil, translate(err)
	}
	names = slices.DeleteFunc(names, func(n string) bool {
		return n == locksCollection || strings.HasPrefix(n, "system.")
	})
	slices.Sort(names)
	return names, nil
}

// readAll passes every document of a collection to f, in the given order (none when nil).
func (s *Store) readAll(ctx context.Context, name string, sort bson.D, f func(bson.Raw) error) error {
	ctx, cancel := context.WithTimeout(ctx, DumpTimeout)
	defer cancel()
	o := options.Find()
	if sort != nil {
		o.SetSort(sort)
	}
	cur, err := s.db.Collection(name).Find(ctx, bson.D{}, o)
	if err != nil {
		return fmt.Errorf("store: reading %s: %w", name, translate(err))
	}
	defer cur.Close(context.WithoutCancel(ctx))
	for cur.Next(ctx) {
		if err := f(cur.Current); err != nil {
			return err
		}
	}
	if err := cur.Err(); err != nil {
		return fmt.Errorf("store: reading %s: %w", name, translate(err))
	}
	return nil
}

// recordCollection returns the entity whose records a collection holds: records of the
// domain, which are in the change feed (API keys and the audit trail are not).
func (s *Store) recordCollection(name string) (domain.Entity, bool) {
	for e, coll := range collections {
		if _, record := s.byEntity[e]; record && coll == name {
			return e, true
		}
	}
	return "", false
}

// NonEmpty returns the name of a collection that holds documents, or "" when the database
// is empty (record locks aside). It fails with ErrUnavailable when the database cannot be
// read.
func (s *Store) NonEmpty(ctx context.Context) (string, error) {
	names, err := s.collectionNames(ctx)
	if err != nil {
		return "", err
	}
	for _, name := range names {
		octx, cancel := s.opCtx(ctx)
		err := s.db.Collection(name).FindOne(octx, bson.D{}).Err()
		cancel()
		if err == nil {
			return name, nil
		}
		if !errors.Is(err, mongo.ErrNoDocuments) {
			return "", translate(err)
		}
	}
	return "", nil
}

// CheckDocument reports what makes doc unfit to be restored into collection, or nil.
// Records must decode into their type and carry an id of their kind, a version of at
// least 1 and both timestamps; changes and intents must decode as such. Documents of
// other collections need only an _id. It reads nothing from the database.
func (s *Store) CheckDocument(collection string, doc []byte) error {
	raw := bson.Raw(doc)
	if err := raw.Validate(); err != nil {
		return fmt.Errorf("not a valid document: %w", err)
	}
	idv, err := raw.LookupErr("_id")
	if err != nil {
		return errors.New("has no _id")
	}
	if e, ok := s.recordCollection(collection); ok {
		id, _ := idv.StringValueOK()
		if got, ok := domain.EntityOf(id); !ok || got != e {
			return fmt.Errorf("_id %s is not the id of a %s", idv, e.Label())
		}
		m, err := s.byEntity[e].decodeMeta(raw)
		if err != nil {
			return fmt.Errorf("is not a %s record: %w", e.Label(), err)
		}
		switch {
		case m.Version < 1:
			return fmt.Errorf("version %d is not a record version (1 or more)", m.Version)
		case m.CreatedAt.IsZero() || m.UpdatedAt.IsZero():
			return errors.New("lacks createdAt or updatedAt")
		}
		return nil
	}
	switch collection {
	case changesCollection:
		var c domain.Change
		if err := bson.Unmarshal(raw, &c); err != nil || c.Seq < 1 || c.Version < 1 || c.EntityID == "" || c.Op == "" {
			return fmt.Errorf("is not a change-feed entry (seq, op, entity, entityId, version, at): %v", err)
		}
	case intentsCollection:
		var in intentDoc
		if err := bson.Unmarshal(raw, &in); err != nil || in.ID != intentKey(in.EntityID, in.Version) {
			return fmt.Errorf("is not a change-feed intent: %v", err)
		}
	case feedState:
		var st feedStateDoc
		if err := bson.Unmarshal(raw, &st); err != nil || st.ID != "seq" || st.TrimmedThrough < 0 {
			return fmt.Errorf("is not the change feed's state: %v", err)
		}
	case locksCollection:
		return errors.New("record locks are not restored")
	}
	return nil
}

// FeedCheck checks that the change feed of a backup can be restored: entries in seq order
// from the first after the trimmed position, with no gap, and no record version twice.
// Give it every document in RestoreOrder; the zero value is ready to use.
type FeedCheck struct {
	trimmed int64
	next    int64
	seen    map[string]bool
}

// Check looks at one document of collection (documents of other collections are
// ignored) and reports what breaks the feed's order.
func (fc *FeedCheck) Check(collection string, doc []byte) error {
	switch collection {
	case feedState:
		var st feedStateDoc
		if err := bson.Unmarshal(doc, &st); err != nil {
			return err
		}
		fc.trimmed = st.TrimmedThrough
	case changesCollection:
		var c domain.Change
		if err := bson.Unmarshal(doc, &c); err != nil {
			return err
		}
		if fc.seen == nil {
			fc.seen, fc.next = map[string]bool{}, fc.trimmed+1
		}
		if c.Seq != fc.next {
			return fmt.Errorf("change seq %d where seq %d should come: the change feed must go on without a gap", c.Seq, fc.next)
		}
		fc.next++
		key := intentKey(c.EntityID, c.Version)
		if fc.seen[key] {
			return fmt.Errorf("the change of %s appears twice", key)
		}
		fc.seen[key] = true
	}
	return nil
}

// IsFeedCollection reports whether a collection belongs to the change feed (its entries,
// intents and state), which an import into an empty database restores as it was and a
// merge leaves alone.
func IsFeedCollection(name string) bool { return slices.Contains(feedCollections, name) }

// RestoreOrder returns the order an import writes collections in: records and other
// collections first, then the feed's intents and state, then the feed itself, so that a
// reader that sees a change finds its record.
func RestoreOrder(names []string) []string {
	out := slices.Clone(names)
	rank := func(n string) int {
		if i := slices.Index(feedCollections, n); i >= 0 {
			return i + 1
		}
		return 0
	}
	slices.SortStableFunc(out, func(a, b string) int {
		if d := rank(a) - rank(b); d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	return out
}

// Restore inserts documents into collection exactly as they are, in order, for an import
// into an empty database. A document whose _id exists fails the batch with ErrConflict.
func (s *Store) Restore(ctx context.Context, collection string, docs [][]byte) error {
	if len(docs) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, DumpTimeout)
	defer cancel()
	batch := make([]any, len(docs))
	for i, d := range docs {
		batch[i] = bson.Raw(d)
	}
	if _, err := s.db.Collection(collection).InsertMany(ctx, batch); err != nil {
		return fmt.Errorf("store: restoring %s: %w", collection, translate(err))
	}
	return nil
}

// DropCollections removes the named collections, to undo an import into an empty
// database that could not finish.
func (s *Store) DropCollections(ctx context.Context, names []string) error {
	var errs []error
	for _, n := range names {
		octx, cancel := s.opCtx(ctx)
		errs = append(errs, translate(s.db.Collection(n).Drop(octx)))
		cancel()
	}
	return errors.Join(errs...)
}

// Merge adds those of docs whose _id collection lacks and leaves the others as they are;
// it returns how many it added. Records added keep their id, version and timestamps and
// are announced at the end of the change feed as CREATED, through the same intents as
// every write, so servers running on the database deliver them to subscribers and a crash
// half-way loses no announcement. Feed collections are refused: a merge continues the
// database's own feed.
func (s *Store) Merge(ctx context.Context, collection string, docs [][]byte) (int, error) {
	if IsFeedCollection(collection) || collection == locksCollection {
		return 0, fmt.Errorf("store: %s is not merged", collection)
	}
	if len(docs) == 0 {
		return 0, nil
	}
	ctx, cancel := context.WithTimeout(ctx, DumpTimeout)
	defer cancel()
	c := s.db.Collection(collection)
	ids := make([]any, len(docs))
	for i, d := range docs {
		ids[i] = bson.Raw(d).Lookup("_id")
	}
	cur, err := c.Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return 0, fmt.Errorf("store: merging %s: %w", collection, translate(err))
	}
	var found []struct {
		ID bson.RawValue `bson:"_id"`
	}
	if err := cur.All(ctx, &found); err != nil {
		return 0, fmt.Errorf("store: merging %s: %w", collection, translate(err))
	}
	exists := map[string]bool{}
	for _, f := range found {
		exists[rawKey(f.ID)] = true
	}
	var add []bson.Raw
	for i, d := range docs {
		if k := rawKey(ids[i].(bson.RawValue)); !exists[k] {
			exists[k] = true // a backup that lists an id twice adds it once
			add = append(add, bson.Raw(d))
		}
	}
	if len(add) == 0 {
		return 0, nil
	}
	entity, isRecord := s.recordCollection(collection)
	if !isRecord {
		batch := make([]any, len(add))
		for i, d := range add {
			batch[i] = d
		}
		if _, err := c.InsertMany(ctx, batch); err != nil {
			return 0, fmt.Errorf("store: merging %s: %w", collection, translate(err))
		}
		return len(add), nil
	}
	now := s.clock()
	intents := make([]any, len(add))
	keys := make([]string, len(add))
	for i, d := range add {
		m, err := s.byEntity[entity].decodeMeta(d)
		if err != nil {
			return 0, fmt.Errorf("store: merging %s: %w", collection, err)
		}
		museum, restricted, err := s.byEntity[entity].scopeOf(d)
		if err != nil {
			return 0, fmt.Errorf("store: merging %s: %w", collection, err)
		}
		keys[i] = intentKey(m.ID, m.Version)
		intents[i] = intentDoc{ID: keys[i], Op: domain.OpCreated, Entity: entity, EntityID: m.ID, Version: m.Version, At: now,
			MuseumID: museum, Restricted: restricted}
	}
	if _, err := s.db.Collection(intentsCollection).InsertMany(ctx, intents); err != nil {
		return 0, fmt.Errorf("store: merging %s: %w", collection, translate(err))
	}
	batch := make([]any, len(add))
	for i, d := range add {
		batch[i] = d
	}
	if _, err := c.InsertMany(ctx, batch); err != nil {
		// The intents stay: the sweeper appends the changes of the records that were
		// inserted and drops the others.
		return 0, fmt.Errorf("store: merging %s: %w", collection, translate(err))
	}
	for _, in := range intents {
		if err := s.appendChange(ctx, in.(intentDoc).change()); err != nil {
			return 0, err
		}
	}
	if _, err := s.db.Collection(intentsCollection).DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: keys}}}}); err != nil {
		return 0, fmt.Errorf("store: merging %s: %w", collection, translate(err))
	}
	return len(add), nil
}

// decodeMeta reads a record of the collection's type from BSON and returns its Meta.
func (c *Collection[T, F]) decodeMeta(raw bson.Raw) (*domain.Meta, error) {
	var rec T
	if err := bson.Unmarshal(raw, &rec); err != nil {
		return nil, err
	}
	return c.meta(&rec), nil
}

// scopeOf reads a record of the collection's type from BSON and returns who may see its
// changes (see Collection.scope).
func (c *Collection[T, F]) scopeOf(raw bson.Raw) (string, bool, error) {
	var rec T
	if err := bson.Unmarshal(raw, &rec); err != nil {
		return "", false, err
	}
	museum, restricted := c.scope(&rec)
	return museum, restricted, nil
}

// rawKey identifies a BSON value by its type and bytes.
func rawKey(v bson.RawValue) string { return string(rune(v.Type)) + string(v.Value) }
