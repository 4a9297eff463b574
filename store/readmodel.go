package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/bits"
	"slices"
	"sort"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/internal/progress"
)

// The read model holds every record of every collection the API reads (the records
// collections, not API keys, the audit trail or webhooks) in memory, so that lookups by
// id, every list and nested list with its filter, order, cursors and totals, and the
// network and summaries are answered without the database. It is one structure: a table
// per collection with the records by id, each order a list offers kept sorted, and the
// records grouped by each field nested lists group by.
//
// The database stays the store of record. The model is read from it at start, one
// command per batch of each collection; a write through this Store is applied before the
// write returns (a client always reads its own writes), and the change feed brings the
// writes of other instances: each changed record is read again by id. A record is
// replaced only by a newer version, so the three may arrive in any order. Until the model
// has loaded, and while it cannot follow the feed, every read goes to the database.
//
// Records in the model are shared by every reader and never changed in place: a write
// puts a new copy (decoded from the BSON the database stores, so it is exactly what a
// read from the database gives), and updates read their record from the database.
//
// Why it exists: the embedded database (FerretDB v1 on SQLite) evaluates every condition
// but _id equality by decoding every document of the collection, so a filtered list or a
// $in of ids costs about a millisecond per record in the collection. On MongoDB the
// indexes answer lists; there the model is still loaded for the network (see
// ReadModelAuto) but lists and lookups go to the database unless ReadModelOn.

// ReadModelMode says whether a Store answers reads from its read model.
type ReadModelMode string

// The read model modes.
const (
	// ReadModelAuto answers reads from memory on a database that scans for every filter
	// (FerretDB v1), and from the database's indexes on MongoDB.
	ReadModelAuto ReadModelMode = "auto"
	// ReadModelOn always answers reads from memory once the model has loaded.
	ReadModelOn ReadModelMode = "on"
	// ReadModelOff answers every list and lookup from the database. The model still
	// loads, for the partnership network.
	ReadModelOff ReadModelMode = "off"
)

// Follower delivers the change feed's changes of the given entities after a position, as
// changefeed.Broker.Follow does: a closed channel or a change with Err set ends a
// delivery, and ErrCursorExpired means the position is no longer kept.
type Follower func(ctx context.Context, after int64, types []domain.Entity) (<-chan *domain.Change, error)

// ReadModel is the in-memory copy of the records. It is safe for concurrent use.
type ReadModel struct {
	s        *Store
	serve    bool            // answer lists and lookups once loaded
	snapshot string          // the snapshot file, or "" for none (see snapshot.go)
	entities []domain.Entity // the collections held, in load order

	loaded chan struct{}
	once   sync.Once

	mu        sync.RWMutex
	following bool  // loaded and following the feed
	after     int64 // the feed position the tables hold every change up to
	closed    bool  // the Store is closed: nothing is answered from memory
	hasLoaded bool  // loaded at least once
	loading   bool  // a load is reading the database
	pending   []any // this Store's writes made while loading, applied after it
	version   uint64
	tables    map[domain.Entity]modelTable
	progress  LoadProgress
	observers []func(recs []any)
}

// LoadProgress says how far the model's load has come.
type LoadProgress struct {
	Collection string // being read now
	Done       int    // records read so far, all collections
	Total      int    // records in all collections, as estimated at the start
}

// modelTable is one collection's table, whatever its record type.
type modelTable interface {
	entity() domain.Entity
	fresh() modelTable
	putAny(rec any, sorted bool) bool
	sortAll()
	size() int
	each(fn func(rec any))
	scan(ctx context.Context, fn func(rec any)) error
	readAgain(ctx context.Context, ids []string) ([]any, error)
	copyOf(rec any) (any, error)
	decode(raw []byte) (any, error)
	versionOf(rec any) (id string, version int)
}

// modelEntities are the collections the model holds, in the order it loads them (small
// ones first, so the network's nodes are there before its events).
var modelEntities = []domain.Entity{domain.EntityProgramme, domain.EntityOutcome, domain.EntityMembership, domain.EntityMuseum, domain.EntityCommunity,
	domain.EntityPartner, domain.EntityPublic, domain.EntityPerson, domain.EntityActivity, domain.EntityReflection, domain.EntityEvent}

// networkEntities are the collections the network and the summary read: all a model
// that answers no lists holds, so that it keeps no personal data it does not need.
var networkEntities = []domain.Entity{domain.EntityOutcome, domain.EntityMuseum, domain.EntityCommunity, domain.EntityPartner, domain.EntityEvent}

func newReadModel(s *Store, serve bool) *ReadModel {
	m := &ReadModel{s: s, serve: serve, loaded: make(chan struct{}), tables: map[domain.Entity]modelTable{}, entities: modelEntities}
	if !serve {
		m.entities = networkEntities
	}
	for _, e := range m.entities {
		m.tables[e] = s.tableOf(e)
	}
	return m
}

// tableOf returns an empty table for entity e's collection.
func (s *Store) tableOf(e domain.Entity) modelTable {
	switch e {
	case domain.EntityProgramme:
		return newTable(s.Programmes)
	case domain.EntityOutcome:
		return newTable(s.Outcomes)
	case domain.EntityMembership:
		return newTable(s.Memberships)
	case domain.EntityMuseum:
		return newTable(s.Museums)
	case domain.EntityCommunity:
		return newTable(s.Communities)
	case domain.EntityPerson:
		return newTable(s.People)
	case domain.EntityPartner:
		return newTable(s.Partnerships)
	case domain.EntityEvent:
		return newTable(s.Events)
	case domain.EntityActivity:
		return newTable(s.Activities)
	case domain.EntityReflection:
		return newTable(s.Reflections)
	case domain.EntityPublic:
		return newTable(s.Publications)
	}
	panic("store: no read-model table for " + string(e))
}

// Model returns the store's read model.
func (s *Store) Model() *ReadModel { return s.model }

// Ready reports whether the model has loaded and follows the change feed; when it has
// not, the reason says why, for a readiness probe.
func (m *ReadModel) Ready() (bool, string) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	switch {
	case m.following:
		return true, ""
	case m.loading:
		return false, fmt.Sprintf("loading the read model: %s, %d of about %d records", m.progress.Collection, m.progress.Done, m.progress.Total)
	case m.hasLoaded:
		return false, "the read model is catching up with the change feed"
	}
	return false, "the read model has not loaded yet"
}

// Serves reports whether the model answers lists and lookups once loaded (see
// ReadModelMode).
func (m *ReadModel) Serves() bool { return m.serve }

// Answering reports whether the model answers reads now: it serves, has loaded, follows
// the change feed, and the database is reachable. A read may still go to the database if
// that changes in the meantime.
func (m *ReadModel) Answering() bool {
	if m == nil || !m.serve {
		return false
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.following && !m.closed && m.s.reachable.Load()
}

// Wait returns once the model has loaded for the first time, or ctx's error.
func (m *ReadModel) Wait(ctx context.Context) error {
	select {
	case <-m.loaded:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Observe has fn called with the records the model holds once it has loaded (and again
// after any reload), then with every record it applies, under the model's write lock:
// fn must be quick and must not read the model. The network keeps its graph this way.
func (m *ReadModel) Observe(fn func(recs []any)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.observers = append(m.observers, fn)
	if m.hasLoaded {
		fn(m.all())
	}
}

// all returns every record held; the caller holds a lock.
func (m *ReadModel) all() []any {
	var out []any
	for _, e := range m.entities {
		m.tables[e].each(func(r any) { out = append(out, r) })
	}
	return out
}

// Version returns a number that grows with every change the model applies.
func (m *ReadModel) Version() uint64 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.version
}

// reading returns the table of e when the model may answer a read, under the read lock,
// which the caller releases with m.mu.RUnlock when ok.
func (m *ReadModel) reading(e domain.Entity) (modelTable, bool) {
	if m == nil || !m.serve {
		return nil, false
	}
	m.mu.RLock()
	t := m.tables[e]
	if !m.following || m.closed || t == nil || !m.s.reachable.Load() {
		m.mu.RUnlock()
		return nil, false
	}
	return t, true
}

// View calls fn with the model's tables, under the read lock, and reports whether the
// model has loaded (fn is not called when it has not). It is for readers that work on
// the whole model, such as the participation summary.
func (m *ReadModel) View(fn func(v *Snapshot)) bool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if !m.hasLoaded {
		return false
	}
	fn(&Snapshot{m: m})
	return true
}

// Snapshot is the model as one reader sees it inside View.
type Snapshot struct{ m *ReadModel }

// Events calls fn with every decision event held, archived ones included, until fn
// returns false.
func (v *Snapshot) Events(fn func(*domain.DecisionEvent) bool) {
	for _, e := range v.m.tables[domain.EntityEvent].(*table[domain.DecisionEvent, domain.DecisionEventFilter]).entries {
		if !fn(e.rec) {
			return
		}
	}
}

// Museum returns the museum with the given id, archived or not.
func (v *Snapshot) Museum(id string) (*domain.Museum, bool) {
	return held[domain.Museum, domain.MuseumFilter](v, domain.EntityMuseum, id)
}

// Community returns the community with the given id, archived or not.
func (v *Snapshot) Community(id string) (*domain.Community, bool) {
	return held[domain.Community, domain.CommunityFilter](v, domain.EntityCommunity, id)
}

// Outcome returns the outcome with the given id, archived or not.
func (v *Snapshot) Outcome(id string) (*domain.Outcome, bool) {
	return held[domain.Outcome, struct{}](v, domain.EntityOutcome, id)
}

// held returns the record of entity e with the given id.
func held[T, F any](v *Snapshot, e domain.Entity, id string) (*T, bool) {
	r, ok := v.m.tables[e].(*table[T, F]).byID[id]
	if !ok {
		return nil, false
	}
	return r.rec, true
}

// Outcomes calls fn with every outcome held, archived ones included.
func (v *Snapshot) Outcomes(fn func(*domain.Outcome)) {
	for _, e := range v.m.tables[domain.EntityOutcome].(*table[domain.Outcome, struct{}]).entries {
		fn(e.rec)
	}
}

// Refs resolves outcome codes and a programme as the database filters do, from memory.
func (v *Snapshot) Refs(codes []string, programme *string) domain.Refs {
	return v.m.refs(codes, programme)
}

// refs resolves a filter's references from the model; the caller holds a lock.
func (m *ReadModel) refs(codes []string, programme *string) domain.Refs {
	var r domain.Refs
	if len(codes) > 0 {
		r.Outcomes = map[string]bool{}
		for _, e := range m.tables[domain.EntityOutcome].(*table[domain.Outcome, struct{}]).entries {
			if !e.rec.Archived && slices.Contains(codes, e.rec.Code) {
				r.Outcomes[e.rec.ID] = true
			}
		}
	}
	if programme != nil {
		r.Museums = map[string]bool{}
		for _, e := range m.tables[domain.EntityMembership].(*table[domain.ProgrammeMembership, struct{}]).entries {
			if !e.rec.Archived && e.rec.ProgrammeID == *programme {
				r.Museums[e.rec.MuseumID] = true
			}
		}
	}
	return r
}

// apply puts records this Store has just written. While a load reads the database they
// are kept and applied after it too, since the load may have read an older version.
func (m *ReadModel) apply(e domain.Entity, recs []any) {
	if m == nil {
		return
	}
	m.mu.RLock()
	t := m.tables[e]
	m.mu.RUnlock()
	if t == nil {
		return
	}
	copies := make([]any, 0, len(recs))
	for _, r := range recs {
		if c, err := t.copyOf(r); err == nil {
			copies = append(copies, c)
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.loading {
		m.pending = append(m.pending, copies...)
	}
	if !m.hasLoaded {
		return // the first load reads them
	}
	// A load may have replaced the tables since t was read.
	m.putLocked(m.tables[e], copies)
}

// putLocked puts records into t and tells the observers; the caller holds the write lock.
func (m *ReadModel) putLocked(t modelTable, recs []any) {
	// Keeping the orders sorted moves each order once per record; a large batch (a bulk
	// load) is cheaper sorted again whole.
	bulk := len(recs) > 64
	var changed []any
	for _, r := range recs {
		if t.putAny(r, !bulk) {
			changed = append(changed, r)
		}
	}
	if bulk {
		t.sortAll()
	}
	if len(changed) > 0 {
		m.version++
		for _, fn := range m.observers {
			fn(changed)
		}
	}
}

// Run loads the model, then keeps it current from the change feed, until ctx ends.
// Failures are logged and retried; a feed position that expired makes it load again.
func (m *ReadModel) Run(ctx context.Context, follow Follower, log *slog.Logger) {
	if log == nil {
		log = slog.Default()
	}
	retry := func(what string, err error) {
		m.setFollowing(false)
		if ctx.Err() == nil {
			log.Warn("read model: "+what+" failed; retrying", "err", err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
	if m.snapshot != "" {
		// Written when the server stops, so that the next start reads the model from one
		// file instead of the database (see snapshot.go).
		defer m.save(log)
	}
	restore := m.snapshot != ""
	for ctx.Err() == nil {
		start := time.Now()
		var after int64
		var err error
		ok := false
		if restore {
			restore = false
			if after, ok, err = m.restore(ctx, log); err != nil {
				log.Warn("read model: the snapshot could not be used; reading the database", "err", err)
			}
		}
		if !ok {
			if after, err = m.load(ctx, log); err != nil {
				retry("loading", err)
				continue
			}
		}
		log.Info("read model loaded", "records", m.size(), "from", map[bool]string{true: "snapshot", false: "database"}[ok],
			"took", time.Since(start).Round(time.Millisecond))
		for ctx.Err() == nil {
			ch, err := follow(ctx, after, m.entities)
			if errors.Is(err, domain.ErrCursorExpired) {
				break // changes were trimmed before they were read: load again
			}
			if err != nil {
				retry("following the change feed", err)
				continue
			}
			m.setFollowing(true)
			if after, err = m.follow(ctx, ch, after); err != nil {
				retry("applying changes", err)
			}
		}
	}
}

func (m *ReadModel) setFollowing(on bool) {
	m.mu.Lock()
	m.following = on
	m.mu.Unlock()
}

// close stops the model answering reads, for a Store that is closing.
func (m *ReadModel) close() {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
}

func (m *ReadModel) size() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	n := 0
	for _, t := range m.tables {
		n += t.size()
	}
	return n
}

// progressEvery is how often a load logs how far it has come.
const progressEvery = 2 * time.Second

// load reads every collection into fresh tables and replaces the model's contents with
// them. It returns the feed position the contents include every change up to.
func (m *ReadModel) load(ctx context.Context, log *slog.Logger) (int64, error) {
	total := 0
	for _, e := range m.entities {
		n, err := m.s.count(ctx, e)
		if err != nil {
			return 0, err
		}
		total += int(n)
	}
	m.mu.Lock()
	m.loading, m.pending = true, nil
	m.progress = LoadProgress{Total: total}
	m.mu.Unlock()
	defer func() {
		m.mu.Lock()
		m.loading, m.pending = false, nil
		m.mu.Unlock()
	}()
	seq, err := m.s.LastSeq(ctx)
	if err != nil {
		return 0, err
	}
	fresh := map[domain.Entity]modelTable{}
	report := progress.NewLog(log, "read model: loading", int64(total), progressEvery)
	defer report.Done()
	done := 0
	for _, e := range m.entities {
		t := m.tables[e].fresh()
		name := collections[e]
		m.mu.Lock()
		m.progress.Collection = name
		m.mu.Unlock()
		if err := t.scan(ctx, func(r any) {
			t.putAny(r, false)
			report.Add(1)
			if done++; done%1000 == 0 {
				m.mu.Lock()
				m.progress.Done = done
				m.mu.Unlock()
			}
		}); err != nil {
			return 0, fmt.Errorf("read model: %s: %w", name, err)
		}
		t.sortAll()
		fresh[e] = t
	}
	m.install(fresh, seq)
	return seq, nil
}

// install replaces the model's contents with fresh tables holding every change up to
// feed position seq, then applies this Store's writes made meanwhile.
func (m *ReadModel) install(fresh map[domain.Entity]modelTable, seq int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.tables = fresh
	for _, r := range m.pending {
		m.tables[entityOfRecord(r)].putAny(r, true)
	}
	m.hasLoaded = true
	m.after = seq
	m.version++
	if len(m.observers) > 0 {
		recs := m.all()
		for _, fn := range m.observers {
			fn(recs)
		}
	}
	m.once.Do(func() { close(m.loaded) })
}

// follow applies the changes on ch, a batch at a time, each changed record read again by
// id, until ch ends. It returns the position of the last change applied.
func (m *ReadModel) follow(ctx context.Context, ch <-chan *domain.Change, after int64) (int64, error) {
	const batch = 500
	for {
		var c *domain.Change
		ok := false
		select {
		case c, ok = <-ch:
		case <-ctx.Done():
		}
		if !ok {
			return after, nil
		}
		if c.Err != nil {
			return after, c.Err
		}
		changes := []*domain.Change{c}
		var end error
		closed := false
	drain:
		for len(changes) < batch {
			select {
			case c, ok := <-ch:
				switch {
				case !ok:
					closed = true
					break drain
				case c.Err != nil:
					end = c.Err
					break drain
				default:
					changes = append(changes, c)
				}
			default:
				break drain
			}
		}
		ids := map[domain.Entity][]string{}
		for _, c := range changes {
			if !slices.Contains(ids[c.Entity], c.EntityID) {
				ids[c.Entity] = append(ids[c.Entity], c.EntityID)
			}
		}
		for e, list := range ids {
			t := m.tables[e]
			if t == nil {
				continue
			}
			recs, err := t.readAgain(ctx, list)
			if err != nil {
				return after, err
			}
			m.mu.Lock()
			m.putLocked(m.tables[e], recs)
			m.mu.Unlock()
		}
		after = changes[len(changes)-1].Seq
		m.mu.Lock()
		m.after = after
		m.mu.Unlock()
		if end != nil || closed {
			return after, end
		}
	}
}

// entityOfRecord returns the entity of a record the model holds.
func entityOfRecord(r any) domain.Entity {
	e, _ := domain.EntityOf(r.(interface{ GetID() string }).GetID())
	return e
}

// entry is a record with its position in each of its collection's orders, computed once
// when it is put, so that sorting and paging compare without reading the record again.
type entry[T any] struct {
	rec  *T
	keys []pos // by order number (table.fields)
	at   int   // index in table.entries
}

// table is one collection in the model.
type table[T, F any] struct {
	c       *Collection[T, F]
	fields  []domain.OrderField // the orders, numbered
	byID    map[string]*entry[T]
	entries []*entry[T]                       // in no particular order
	sorted  [][]*entry[T]                     // by order number, ascending (key, id)
	kids    map[Parent]map[string][]*entry[T] // parent field → parent id → children

	// totals caches the totals of lists by filter and view, until the table changes: a
	// total tests every record, and dashboards ask for the same ones again and again.
	totalsMu sync.Mutex
	totals   map[string]int

	// index is the search index of a collection whose records are domain.Searched,
	// built on the first search (see searchIndex).
	searchMu sync.Mutex
	index    *searchIndex
}

func newTable[T, F any](c *Collection[T, F]) *table[T, F] {
	t := &table[T, F]{c: c, byID: map[string]*entry[T]{}, kids: map[Parent]map[string][]*entry[T]{}}
	for f := range c.orders {
		t.fields = append(t.fields, f)
	}
	slices.Sort(t.fields)
	t.sorted = make([][]*entry[T], len(t.fields))
	for p := range c.parentOf {
		t.kids[p] = map[string][]*entry[T]{}
	}
	return t
}

func (t *table[T, F]) entity() domain.Entity { return t.c.entity }
func (t *table[T, F]) fresh() modelTable     { return newTable(t.c) }
func (t *table[T, F]) size() int             { return len(t.byID) }

func (t *table[T, F]) each(fn func(rec any)) {
	for _, e := range t.entries {
		fn(e.rec)
	}
}

func (t *table[T, F]) order(f domain.OrderField) int { return slices.Index(t.fields, f) }

// copyOf returns a copy of rec exactly as the database returns it once stored.
func (t *table[T, F]) copyOf(rec any) (any, error) {
	raw, err := bson.Marshal(rec)
	if err != nil {
		return nil, err
	}
	out := new(T)
	return out, bson.Unmarshal(raw, out)
}

func (t *table[T, F]) decode(raw []byte) (any, error) {
	out := new(T)
	return out, bson.Unmarshal(raw, out)
}

func (t *table[T, F]) versionOf(rec any) (string, int) {
	m := t.c.meta(rec.(*T))
	return m.ID, m.Version
}

// putAny adds or replaces a record, unless the table holds the same or a newer version.
// With sorted set, the orders stay sorted; otherwise sortAll must follow. It reports
// whether the record was put.
func (t *table[T, F]) putAny(r any, sorted bool) bool {
	rec, ok := r.(*T)
	if !ok {
		return false
	}
	m := t.c.meta(rec)
	old, exists := t.byID[m.ID]
	if exists && t.c.meta(old.rec).Version >= m.Version {
		return false
	}
	t.totalsMu.Lock()
	t.totals = nil
	t.totalsMu.Unlock()
	e := &entry[T]{rec: rec, keys: make([]pos, len(t.fields))}
	for i, f := range t.fields {
		e.keys[i] = pos{t.c.orders[f].value(rec), m.ID}
	}
	if exists {
		if sorted {
			for o := range t.sorted {
				at := t.find(o, old.keys[o])
				t.sorted[o] = slices.Delete(t.sorted[o], at, at+1)
			}
		}
		for p, of := range t.c.parentOf {
			for _, pid := range of(old.rec) {
				list := t.kids[p][pid]
				if i := slices.Index(list, old); i >= 0 {
					list[i] = list[len(list)-1]
					t.kids[p][pid] = list[:len(list)-1]
				}
			}
		}
		e.at = old.at
		t.entries[e.at] = e
	} else {
		e.at = len(t.entries)
		t.entries = append(t.entries, e)
	}
	t.byID[m.ID] = e
	if _, ok := any(rec).(domain.Searched); ok {
		t.indexSearched(e)
	}
	if sorted {
		for o := range t.sorted {
			at := t.search(o, e.keys[o])
			t.sorted[o] = slices.Insert(t.sorted[o], at, e)
		}
	}
	for p, of := range t.c.parentOf {
		for _, pid := range slices.Compact(slices.Sorted(slices.Values(of(rec)))) {
			t.kids[p][pid] = append(t.kids[p][pid], e)
		}
	}
	return true
}

// search returns where position k goes in order o.
func (t *table[T, F]) search(o int, k pos) int {
	s := t.sorted[o]
	return sort.Search(len(s), func(i int) bool { return s[i].keys[o].compare(k) >= 0 })
}

// find returns where the entry at position k is in order o.
func (t *table[T, F]) find(o int, k pos) int {
	at := t.search(o, k)
	if at == len(t.sorted[o]) || t.sorted[o][at].keys[o].compare(k) != 0 {
		panic("store: read model out of order")
	}
	return at
}

func (t *table[T, F]) sortAll() {
	for o := range t.sorted {
		s := slices.Clone(t.entries)
		slices.SortFunc(s, func(a, b *entry[T]) int { return a.keys[o].compare(b.keys[o]) })
		t.sorted[o] = s
	}
}

// scanTimeout bounds a whole-collection read that has no earlier deadline: reading every
// record of a large collection takes longer than an interactive request may.
const scanTimeout = 5 * time.Minute

// scanBatch is how many records one reply of a scan carries. FerretDB v1 takes time
// growing faster than the batch to build one reply: reading 100,000 decision events took
// over four minutes in one batch and 18 s in batches of 10,000.
const scanBatch = 10_000

// scan reads every record of the collection, archived ones included, in batches.
func (t *table[T, F]) scan(ctx context.Context, fn func(rec any)) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, scanTimeout)
		defer cancel()
	}
	cur, err := t.c.c.Find(ctx, bson.D{}, options.Find().SetBatchSize(scanBatch))
	if err != nil {
		return translate(err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		rec := new(T)
		if err := cur.Decode(rec); err != nil {
			return translate(err)
		}
		fn(rec)
	}
	return translate(cur.Err())
}

// readAgain reads the records with the given ids from the database, by id.
func (t *table[T, F]) readAgain(ctx context.Context, ids []string) ([]any, error) {
	byID, err := t.c.byIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]any, 0, len(byID))
	for _, r := range byID {
		out = append(out, r)
	}
	return out, nil
}

// seer returns the test of whether the caller in ctx may see a record, or nil when the
// caller sees every record of the collection.
func (c *Collection[T, F]) seer(ctx context.Context) func(*T) bool {
	if c.access.restriction == nil {
		return nil
	}
	caller := domain.CallerOf(ctx)
	if caller.ReadsAllRestricted() {
		return nil
	}
	return func(rec *T) bool {
		museum, restricted := c.access.restriction(rec)
		return !restricted || caller.SeesRestricted(museum)
	}
}

// selector returns the test of whether a record is in a list with filter f for the
// caller in ctx: the filter's Match and the caller's visibility. With indexed set, a
// search is answered from the table's search index (a top-level list tests every record;
// a nested list's few children are tested by Match). The caller holds the model's read
// lock.
func (t *table[T, F]) selector(ctx context.Context, m *ReadModel, f *F, indexed bool) func(*entry[T]) bool {
	pass, _ := t.selectorHits(ctx, m, f, indexed)
	return pass
}

// selectorHits is selector, with the records the search index found (a bit per record
// index in table.entries), nil when it was not asked.
func (t *table[T, F]) selectorHits(ctx context.Context, m *ReadModel, f *F, indexed bool) (func(*entry[T]) bool, []uint64) {
	if f == nil {
		f = new(F)
	}
	var hits []uint64
	if _, searched := any((*T)(nil)).(domain.Searched); indexed && searched {
		if q, rest := withoutSearch(f); q != nil {
			if s := domain.NewSearch(q); s.Active() {
				if key, ok := s.Key(); ok {
					hits, f = t.hits(s, key), rest
				}
			}
		}
	}
	match := t.c.match(f, m.refs(t.c.refsOf(f)))
	sees := t.c.seer(ctx)
	return func(e *entry[T]) bool {
		if hits != nil && hits[e.at>>6]&(1<<(e.at&63)) == 0 {
			return false
		}
		return (sees == nil || sees(e.rec)) && match(e.rec)
	}, hits
}

// found returns the records whose bits are set in hits.
func (t *table[T, F]) found(hits []uint64) []*entry[T] {
	var out []*entry[T]
	for i, w := range hits {
		for ; w != 0; w &= w - 1 {
			out = append(out, t.entries[i*64+bits.TrailingZeros64(w)])
		}
	}
	return out
}

// few reports whether hits holds fewer records than an eighth of n.
func few(hits []uint64, n int) bool {
	c := 0
	for _, w := range hits {
		c += bits.OnesCount64(w)
	}
	return c*8 < n
}

// list answers a top-level list: it walks the order from the cursor and keeps the first
// records that pass, and counts every record that passes when the total is asked for.
func (t *table[T, F]) list(ctx context.Context, m *ReadModel, f *F, p plan) *Page[T] {
	o := t.order(p.field)
	pass, hits := t.selectorHits(ctx, m, f, true)
	s := t.sorted[o]
	if hits != nil && few(hits, len(s)) {
		// A search that few records match: walk those alone, rather than every record.
		s = t.found(hits)
		slices.SortFunc(s, func(a, b *entry[T]) int { return a.keys[o].compare(b.keys[o]) })
	}
	var rows []pos
	visit := func(e *entry[T]) bool {
		if pass(e) {
			rows = append(rows, e.keys[o])
		}
		return len(rows) <= p.n
	}
	if !p.readDesc() {
		start := 0
		if p.cursor != nil {
			start = sort.Search(len(s), func(i int) bool { return s[i].keys[o].compare(*p.cursor) > 0 })
		}
		for i := start; i < len(s) && visit(s[i]); i++ {
		}
	} else {
		end := len(s)
		if p.cursor != nil {
			end = sort.Search(len(s), func(i int) bool { return s[i].keys[o].compare(*p.cursor) >= 0 })
		}
		for i := end - 1; i >= 0 && visit(s[i]); i-- {
		}
	}
	sel, hasNext, hasPrev := p.finish(rows)
	page := t.page(p, sel, hasNext, hasPrev)
	page.count = func(context.Context) (int, error) {
		key := totalKey(ctx, f)
		m.mu.RLock()
		defer m.mu.RUnlock()
		// The tables may have been replaced by a reload since the page was read.
		tt := m.tables[t.c.entity].(*table[T, F])
		tt.totalsMu.Lock()
		n, ok := tt.totals[key]
		tt.totalsMu.Unlock()
		if ok {
			return n, nil
		}
		count, among := pass, t.entries
		if tt != t {
			count, hits = tt.selectorHits(ctx, m, f, true)
			among = tt.entries
		}
		if hits != nil {
			among = tt.found(hits)
		}
		for _, e := range among {
			if count(e) {
				n++
			}
		}
		tt.totalsMu.Lock()
		if tt.totals == nil {
			tt.totals = map[string]int{}
		}
		tt.totals[key] = n
		tt.totalsMu.Unlock()
		return n, nil
	}
	return page
}

// totalKey names a list's total: its filter and what the caller may see of it.
func totalKey[F any](ctx context.Context, f *F) string {
	caller := domain.CallerOf(ctx)
	b, _ := json.Marshal(f)
	view := "all"
	if !caller.ReadsAllRestricted() {
		view = fmt.Sprint(caller.Role == domain.Editor, caller.Museums)
	}
	return view + "|" + string(b)
}

// children answers a nested list for each parent: its children that pass, in order.
func (t *table[T, F]) children(ctx context.Context, m *ReadModel, parent Parent, ids []string, f *F, p plan) map[string]*Page[T] {
	o := t.order(p.field)
	pass := t.selector(ctx, m, f, false)
	out := make(map[string]*Page[T], len(ids))
	for _, pid := range ids {
		if out[pid] != nil {
			continue
		}
		var rows []pos
		for _, e := range t.kids[parent][pid] {
			if pass(e) {
				rows = append(rows, e.keys[o])
			}
		}
		slices.SortFunc(rows, pos.compare)
		if p.desc {
			slices.Reverse(rows)
		}
		sel, hasNext, hasPrev := p.window(rows)
		page := t.page(p, sel, hasNext, hasPrev)
		total := len(rows)
		page.count = func(context.Context) (int, error) { return total, nil }
		out[pid] = page
	}
	return out
}

func (t *table[T, F]) page(p plan, rows []pos, hasNext, hasPrev bool) *Page[T] {
	byID := make(map[string]*T, len(rows))
	for _, r := range rows {
		byID[r.id] = t.byID[r.id].rec
	}
	return t.c.page(p, rows, byID, hasNext, hasPrev)
}

// get returns the records with the given ids that the caller may see, by id.
func (t *table[T, F]) get(ctx context.Context, ids []string) map[string]*T {
	sees := t.c.seer(ctx)
	out := make(map[string]*T, len(ids))
	for _, id := range ids {
		if e, ok := t.byID[id]; ok && (sees == nil || sees(e.rec)) {
			out[id] = e.rec
		}
	}
	return out
}
