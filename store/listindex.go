package store

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/participation-graph/participation-graph/auth"
)

// The list index answers decision-event lists from memory. The embedded database
// (FerretDB v1 on SQLite) evaluates every condition but _id equality by decoding every
// document of the collection, so a filtered list costs seconds at ten thousand events and
// half a minute at a hundred thousand. The index keeps, for every event, the fields lists
// filter and sort on (no personal data, no participants, decisions or evidence), with the
// events sorted in each order a list offers. A list then walks one order from the cursor,
// keeps the first rows that match, counts all matches when totalCount is asked for, and
// reads only the page's records from the database, each by _id, which the database looks
// up by key.
//
// It stays current three ways: a write through this Store is applied to it before the
// write returns (so a client always sees its own writes), bulk loads likewise, and the
// change feed brings the writes of other instances (within the feed's poll). Updates are
// applied only when they carry a newer version than the index holds, so the three may
// arrive in any order. Until the index has loaded, and while it cannot follow the feed,
// lists are answered by the database.

// ListIndexMode says whether a Store keeps the in-memory list index.
type ListIndexMode string

// The list index modes.
const (
	// ListIndexAuto keeps the index when the database scans for every filter (FerretDB),
	// and not on MongoDB, whose indexes answer the same lists.
	ListIndexAuto ListIndexMode = "auto"
	// ListIndexOn always keeps the index.
	ListIndexOn ListIndexMode = "on"
	// ListIndexOff never keeps it: every list is a database query.
	ListIndexOff ListIndexMode = "off"
)

// Follower delivers the change feed's changes of the given entities after a position, as
// changefeed.Broker.Follow does: a closed channel or a change with Err set ends a
// delivery, and ErrCursorExpired means the position is no longer kept.
type Follower func(ctx context.Context, after int64, types []Entity) (<-chan *Change, error)

// memPage is a page a list index selected: the positions in the order's direction, the
// page flags, and the number of matches, computed when asked.
type memPage struct {
	rows             []pos
	hasNext, hasPrev bool
	count            func() int
}

// memLister answers a collection's lists from memory. ok is false when it cannot (not
// loaded yet, or an order it does not keep); the database answers then.
type memLister[F any] interface {
	list(ctx context.Context, f *F, field OrderField, p plan) (page *memPage, ok bool, err error)
	children(ctx context.Context, parent Parent, ids []string, f *F, field OrderField, p plan) (pages map[string]*memPage, ok bool, err error)
}

// ListIndexEnabled reports whether the store keeps the in-memory list index (see
// Options.ListIndex); RunListIndex loads and follows it.
func (s *Store) ListIndexEnabled() bool { return s.events != nil }

// RunListIndex loads the list index, then keeps it current from the change feed, until
// ctx ends. Lists use it once it has loaded. Failures are logged and retried; a feed
// position that expired makes it load again. It returns at once when the index is not
// enabled.
func (s *Store) RunListIndex(ctx context.Context, follow Follower, log *slog.Logger) {
	if s.events == nil {
		return
	}
	if log == nil {
		log = slog.Default()
	}
	s.events.run(ctx, follow, log)
}

// WaitListIndex returns once the list index has loaded, or ctx's error. It returns nil at
// once when the index is not enabled.
func (s *Store) WaitListIndex(ctx context.Context) error {
	if s.events == nil {
		return nil
	}
	select {
	case <-s.events.loaded:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// indexed tells the list index of records this Store has just written.
func (s *Store) indexed(e Entity, recs ...any) {
	if s.events == nil || e != EntityEvent {
		return
	}
	evs := make([]*DecisionEvent, 0, len(recs))
	for _, r := range recs {
		if ev, ok := r.(*DecisionEvent); ok {
			evs = append(evs, ev)
		}
	}
	s.events.put(evs)
}

// eventIndex is the decision events' list index.
type eventIndex struct {
	s      *Store
	loaded chan struct{}
	once   sync.Once

	mu        sync.RWMutex
	d         *eventRows
	serving   bool             // loaded and following the feed
	hasLoaded bool             // loaded at least once
	loading   bool             // a load is reading the collection
	pending   []*DecisionEvent // local writes made while loading, applied after it
}

func newEventIndex(s *Store) *eventIndex {
	return &eventIndex{s: s, loaded: make(chan struct{}), d: newEventRows()}
}

// put applies records this Store wrote. While a load reads the collection they are kept
// and applied after it too, since the load may have read them before the write.
func (x *eventIndex) put(evs []*DecisionEvent) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.loading {
		x.pending = append(x.pending, evs...)
	}
	if !x.hasLoaded {
		return // the first load reads them
	}
	// Keeping the orders sorted costs a move of each order per event; a large batch (a
	// bulk load) is cheaper sorted again whole.
	bulk := len(evs) > 64
	for _, e := range evs {
		x.d.put(e, !bulk)
	}
	if bulk {
		x.d.sortAll()
	}
}

// eventFields are the fields the index reads of each event.
var eventFields = []string{"version", "createdAt", "updatedAt", "archived", "sample", "title", "description", "kind", "occurredAt",
	"museumId", "partnershipId", "communityIds", "outcomeIds", "levelRank", "rungRank", "visibility", "empowermentGap"}

// load reads every event and replaces the index's contents. It returns the feed position
// the contents include every change up to.
func (x *eventIndex) load(ctx context.Context) (int64, error) {
	x.mu.Lock()
	x.loading, x.pending = true, nil
	x.mu.Unlock()
	defer func() {
		x.mu.Lock()
		x.loading, x.pending = false, nil
		x.mu.Unlock()
	}()
	seq, err := x.s.LastSeq(ctx)
	if err != nil {
		return 0, err
	}
	fresh := newEventRows()
	if err := x.s.Events.Scan(ctx, eventFields, func(e *DecisionEvent) error {
		fresh.put(e, false)
		return nil
	}); err != nil {
		return 0, err
	}
	fresh.sortAll()
	x.mu.Lock()
	for _, e := range x.pending {
		fresh.put(e, true)
	}
	x.d, x.serving, x.hasLoaded = fresh, true, true
	x.mu.Unlock()
	x.once.Do(func() { close(x.loaded) })
	return seq, nil
}

// run loads the index and follows the feed until ctx ends.
func (x *eventIndex) run(ctx context.Context, follow Follower, log *slog.Logger) {
	retry := func(what string, err error) {
		x.setServing(false)
		if ctx.Err() == nil {
			log.Warn("list index: "+what+" failed; retrying", "err", err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
	for ctx.Err() == nil {
		start := time.Now()
		after, err := x.load(ctx)
		if err != nil {
			retry("loading", err)
			continue
		}
		log.Info("list index loaded", "events", x.size(), "took", time.Since(start).Round(time.Millisecond))
		for ctx.Err() == nil {
			ch, err := follow(ctx, after, []Entity{EntityEvent})
			if errors.Is(err, ErrCursorExpired) {
				break // changes were trimmed before they were read: load again
			}
			if err != nil {
				retry("following the change feed", err)
				continue
			}
			x.setServing(true)
			if after, err = x.follow(ctx, ch, after); err != nil {
				retry("applying changes", err)
			}
		}
	}
}

func (x *eventIndex) setServing(on bool) {
	x.mu.Lock()
	x.serving = on
	x.mu.Unlock()
}

func (x *eventIndex) size() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.d.rows)
}

// follow applies the changes on ch, a batch at a time, each changed event read again by
// id, until ch ends. It returns the position of the last change applied.
func (x *eventIndex) follow(ctx context.Context, ch <-chan *Change, after int64) (int64, error) {
	const batch = 200
	for {
		var c *Change
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
		ids, last := []string{c.EntityID}, c.Seq
		var end error
		closed, more := false, true
		for more && len(ids) < batch {
			select {
			case c, ok := <-ch:
				switch {
				case !ok:
					closed, more = true, false
				case c.Err != nil:
					end, more = c.Err, false
				default:
					ids, last = append(ids, c.EntityID), c.Seq
				}
			default:
				more = false
			}
		}
		recs, err := x.s.Events.byIDs(ctx, uniq(ids))
		if err != nil {
			return after, err
		}
		evs := make([]*DecisionEvent, 0, len(recs))
		for _, e := range recs {
			evs = append(evs, e)
		}
		x.put(evs)
		after = last
		if end != nil || closed {
			return after, end
		}
	}
}

// use returns the rows when the index may answer lists, under the read lock, which the
// caller releases with x.mu.RUnlock.
func (x *eventIndex) use() (*eventRows, bool) {
	x.mu.RLock()
	if !x.serving {
		x.mu.RUnlock()
		return nil, false
	}
	return x.d, true
}

// start prepares a list in order field: the order's number, the prepared filter and the
// rows, under the read lock, which the caller releases with x.mu.RUnlock when ok. Not ok
// with a nil error means the database must answer.
func (x *eventIndex) start(ctx context.Context, f *DecisionEventFilter, field OrderField) (int, *eventQuery, *eventRows, bool, error) {
	o, ok := eventOrderOf(field)
	if !ok {
		return 0, nil, nil, false, nil
	}
	q, err := x.prepare(ctx, f)
	if err != nil {
		return 0, nil, nil, false, err
	}
	d, ok := x.use()
	return o, q, d, ok, nil
}

// list implements memLister.
func (x *eventIndex) list(ctx context.Context, f *DecisionEventFilter, field OrderField, p plan) (*memPage, bool, error) {
	o, q, d, ok, err := x.start(ctx, f, field)
	if !ok {
		return nil, err != nil, err
	}
	defer x.mu.RUnlock()
	m := q.bind(d)
	rows := d.walk(o, p, m.match)
	page := &memPage{count: x.counter(q)}
	page.rows, page.hasNext, page.hasPrev = p.finish(rows)
	return page, true, nil
}

// counter returns the number of matches of q, counted when called, as the database counts
// when totalCount is asked for.
func (x *eventIndex) counter(q *eventQuery) func() int {
	return func() int {
		x.mu.RLock()
		defer x.mu.RUnlock()
		m := q.bind(x.d)
		n := 0
		for i := range x.d.rows {
			if m.match(&x.d.rows[i]) {
				n++
			}
		}
		return n
	}
}

// children implements memLister: for each parent, the page of its events in one walk of
// the order.
func (x *eventIndex) children(ctx context.Context, parent Parent, ids []string, f *DecisionEventFilter, field OrderField, p plan) (map[string]*memPage, bool, error) {
	if parent != ByMuseum && parent != ByPartnership && parent != ByCommunities {
		return nil, false, nil
	}
	o, q, d, ok, err := x.start(ctx, f, field)
	if !ok {
		return nil, err != nil, err
	}
	defer x.mu.RUnlock()
	m := q.bind(d)
	want := map[int32]string{}
	for _, id := range ids {
		if n, ok := d.syms[id]; ok {
			want[n] = id
		}
	}
	grouped := map[string][]pos{}
	add := func(sym int32, i int32) {
		if pid, ok := want[sym]; ok {
			grouped[pid] = append(grouped[pid], d.pos(o, i))
		}
	}
	sorted := d.sorted[o]
	if p.desc {
		sorted = slices.Clone(sorted)
		slices.Reverse(sorted)
	}
	for _, i := range sorted {
		r := &d.rows[i]
		if !m.match(r) {
			continue
		}
		switch parent {
		case ByMuseum:
			add(r.museum, i)
		case ByPartnership:
			add(r.partnership, i)
		case ByCommunities:
			for _, c := range d.communities(r) {
				add(c, i)
			}
		}
	}
	out := make(map[string]*memPage, len(ids))
	for _, pid := range ids {
		rows := grouped[pid]
		mp := &memPage{}
		mp.rows, mp.hasNext, mp.hasPrev = p.window(rows)
		total := len(rows)
		mp.count = func() int { return total }
		out[pid] = mp
	}
	return out, true, nil
}

// eventQuery is a filter made ready for the index: outcome codes resolved, the search
// compiled, the caller's view read.
type eventQuery struct {
	f        *DecisionEventFilter
	outcomes []string // nil: any outcome
	search   *regexp.Regexp
	caller   auth.Caller
}

func (x *eventIndex) prepare(ctx context.Context, f *DecisionEventFilter) (*eventQuery, error) {
	if f == nil {
		f = &DecisionEventFilter{}
	}
	q := &eventQuery{f: f, caller: auth.From(ctx)}
	if len(f.OutcomeCodes) > 0 {
		ids, err := x.s.OutcomeIDsByCode(ctx, f.OutcomeCodes)
		if err != nil {
			return nil, err
		}
		q.outcomes = append([]string{}, ids...)
	}
	if pattern, ok := searchPattern(f.Search); ok {
		re, err := regexp.Compile("(?i)" + pattern)
		if err != nil {
			return nil, fmt.Errorf("store: search pattern: %w", err)
		}
		q.search = re
	}
	return q, nil
}

// anySym is the bound value of a reference condition that is not set.
const anySym = -2

// eventMatch is an eventQuery bound to the index's symbols, ready to test rows.
type eventMatch struct {
	none                        bool
	archived                    bool // archived rows match too
	sample, gap, assessed, rstr int8 // -1 any, else 0 or 1
	museum, partnership, comm   int32
	kinds, levels, rungs        uint32 // bit sets, 0: any
	minLevel                    int8
	after, before               int64
	hasAfter, hasBefore         bool
	outcomes                    []int32
	filterOutcomes              bool
	search                      *regexp.Regexp
	text                        []byte
	seesAll                     bool
	museums                     []int32 // RESTRICTED rows of these museums are visible too
}

func tri(b *bool) int8 {
	switch {
	case b == nil:
		return -1
	case *b:
		return 1
	}
	return 0
}

func bit(i int) uint32 {
	if i < 0 || i > 31 {
		return 0
	}
	return 1 << i
}

// bind resolves q against d's symbols. A reference to an id no event refers to matches
// nothing.
func (q *eventQuery) bind(d *eventRows) *eventMatch {
	f := q.f
	m := &eventMatch{archived: f.IncludeArchived != nil && *f.IncludeArchived, sample: tri(f.Sample), gap: tri(f.EmpowermentGap),
		assessed: tri(f.Assessed), rstr: -1, museum: anySym, partnership: anySym, comm: anySym, search: q.search, text: d.text}
	ref := func(id *string) int32 {
		if id == nil {
			return anySym
		}
		n, ok := d.syms[*id]
		if !ok {
			m.none = true
		}
		return n
	}
	m.museum, m.partnership, m.comm = ref(f.MuseumID), ref(f.PartnershipID), ref(f.CommunityID)
	for _, k := range f.Kinds {
		m.kinds |= bit(slices.Index(DecisionEventKinds, k)) | 1<<31
	}
	for _, l := range f.Levels {
		m.levels |= bit(l.Rank()) | 1<<31
	}
	for _, r := range f.Rungs {
		m.rungs |= bit(r.Rank()) | 1<<31
	}
	if f.MinLevel != nil {
		m.minLevel = int8(f.MinLevel.Rank())
	}
	if f.OccurredAfter != nil {
		m.after, m.hasAfter = f.OccurredAfter.UnixMilli(), true
	}
	if f.OccurredBefore != nil {
		m.before, m.hasBefore = f.OccurredBefore.UnixMilli(), true
	}
	if f.Visibility != nil {
		m.rstr = 0
		if *f.Visibility == VisibilityRestricted {
			m.rstr = 1
		}
	}
	if q.outcomes != nil {
		m.filterOutcomes = true
		for _, id := range q.outcomes {
			if n, ok := d.syms[id]; ok {
				m.outcomes = append(m.outcomes, n)
			}
		}
		m.none = m.none || len(m.outcomes) == 0
	}
	m.seesAll = q.caller.ReadsAllRestricted()
	if q.caller.Role == auth.Editor {
		for _, id := range q.caller.Museums {
			if n, ok := d.syms[id]; ok {
				m.museums = append(m.museums, n)
			}
		}
	}
	return m
}

func triOK(t int8, v bool) bool { return t < 0 || (t == 1) == v }

func setOK(set uint32, i int8) bool { return set == 0 || set&bit(int(i)) != 0 }

// match reports whether the database query of the filter and the caller's visibility
// would select row r.
func (m *eventMatch) match(r *eventRow) bool {
	switch {
	case m.none,
		r.archived && !m.archived,
		!triOK(m.sample, r.sample),
		!triOK(m.gap, r.gap),
		!triOK(m.assessed, r.rung > 0),
		!triOK(m.rstr, r.restricted),
		m.museum != anySym && r.museum != m.museum,
		m.partnership != anySym && r.partnership != m.partnership,
		!setOK(m.kinds, r.kind),
		!setOK(m.levels, r.level),
		m.rungs != 0 && (r.rung == 0 || !setOK(m.rungs, r.rung)),
		r.level < m.minLevel,
		m.hasAfter && r.at <= m.after,
		m.hasBefore && r.at >= m.before,
		r.restricted && !m.seesAll && !slices.Contains(m.museums, r.museum):
		return false
	}
	if m.comm != anySym && !slices.Contains(r.pool[:r.nCom], m.comm) {
		return false
	}
	if m.filterOutcomes && !slices.ContainsFunc(r.pool[r.nCom:], func(n int32) bool { return slices.Contains(m.outcomes, n) }) {
		return false
	}
	if m.search != nil && !m.search.Match(r.title.of(m.text)) && !m.search.Match(r.desc.of(m.text)) {
		return false
	}
	return true
}

// span is a stretch of the index's text.
type span struct{ off, n int32 }

func (s span) of(text []byte) []byte { return text[s.off : s.off+s.n] }

// eventRow is what the index keeps of one event.
type eventRow struct {
	at, created, updated int64 // Unix milliseconds, the database's precision
	id, title, desc      span
	version              int32
	museum, partnership  int32   // symbols; partnership noRef when none
	pool                 []int32 // communities, then outcomes
	nCom                 int32
	kind, level, rung    int8 // kind's index, level and rung ranks (0: not assessed)
	restricted, archived bool
	sample, gap          bool
}

// noRef is the partnership symbol of an event without one.
const noRef = -1

// The orders the index keeps, by their index in eventRows.sorted.
const (
	ordOccurred = iota
	ordTitle
	ordLevel
	ordCreated
	ordUpdated
	numOrders
)

func eventOrderOf(f OrderField) (int, bool) {
	switch f {
	case "OCCURRED_AT":
		return ordOccurred, true
	case "TITLE":
		return ordTitle, true
	case "LEVEL":
		return ordLevel, true
	case "CREATED_AT":
		return ordCreated, true
	case "UPDATED_AT":
		return ordUpdated, true
	}
	return 0, false
}

// eventRows are the index's contents. Texts (ids, titles, descriptions) live in one byte
// slice, so the collector has few objects to trace however many events there are.
type eventRows struct {
	rows   []eventRow
	byID   map[string]int32
	syms   map[string]int32 // referenced ids, interned
	text   []byte
	waste  int // bytes of text no row uses any more
	sorted [numOrders][]int32
}

func newEventRows() *eventRows {
	return &eventRows{byID: map[string]int32{}, syms: map[string]int32{}}
}

func (d *eventRows) sym(id string) int32 {
	if n, ok := d.syms[id]; ok {
		return n
	}
	n := int32(len(d.syms))
	d.syms[id] = n
	return n
}

func (d *eventRows) str(s string) span {
	sp := span{int32(len(d.text)), int32(len(s))}
	d.text = append(d.text, s...)
	return sp
}

func (d *eventRows) communities(r *eventRow) []int32 { return r.pool[:r.nCom] }

// put adds or replaces an event, unless the index holds the same or a newer version of
// it. With sorted set, the orders are kept sorted; otherwise sortAll must follow.
func (d *eventRows) put(e *DecisionEvent, sorted bool) {
	i, exists := d.byID[e.ID]
	if exists && int(d.rows[i].version) >= e.Version {
		return
	}
	if exists && sorted {
		for o := range numOrders {
			at := d.find(o, i)
			d.sorted[o] = slices.Delete(d.sorted[o], at, at+1)
		}
	}
	r := eventRow{at: e.OccurredAt.UnixMilli(), created: e.CreatedAt.UnixMilli(), updated: e.UpdatedAt.UnixMilli(),
		version: int32(e.Version), museum: d.sym(e.MuseumID), partnership: noRef,
		kind: int8(slices.Index(DecisionEventKinds, e.Kind)), level: int8(e.LevelRank), rung: int8(e.RungRank),
		restricted: e.Visibility == VisibilityRestricted, archived: e.Archived, sample: e.Sample, gap: e.EmpowermentGap}
	if e.PartnershipID != nil {
		r.partnership = d.sym(*e.PartnershipID)
	}
	pool := make([]int32, 0, len(e.CommunityIDs)+len(e.OutcomeIDs))
	for _, c := range e.CommunityIDs {
		pool = append(pool, d.sym(c))
	}
	r.nCom = int32(len(pool))
	for _, o := range e.OutcomeIDs {
		pool = append(pool, d.sym(o))
	}
	r.pool = pool
	if exists {
		old := &d.rows[i]
		d.waste += int(old.title.n + old.desc.n)
		r.id = old.id
	} else {
		r.id = d.str(e.ID)
	}
	r.title = d.str(e.Title)
	if e.Description != nil {
		r.desc = d.str(*e.Description)
	}
	if exists {
		d.rows[i] = r
	} else {
		i = int32(len(d.rows))
		d.rows = append(d.rows, r)
		d.byID[e.ID] = i
	}
	if sorted {
		for o := range numOrders {
			at, _ := slices.BinarySearchFunc(d.sorted[o], i, func(a, b int32) int { return d.cmp(o, a, b) })
			d.sorted[o] = slices.Insert(d.sorted[o], at, i)
		}
	}
	if d.waste > 1<<20 && d.waste > len(d.text)/2 {
		d.compact()
	}
}

// find returns where row i is in order o.
func (d *eventRows) find(o int, i int32) int {
	at, found := slices.BinarySearchFunc(d.sorted[o], i, func(a, b int32) int { return d.cmp(o, a, b) })
	if !found {
		panic("store: list index out of order")
	}
	return at
}

// sortAll sorts every order from scratch, after a load.
func (d *eventRows) sortAll() {
	for o := range numOrders {
		s := make([]int32, len(d.rows))
		for i := range s {
			s[i] = int32(i)
		}
		slices.SortFunc(s, func(a, b int32) int { return d.cmp(o, a, b) })
		d.sorted[o] = s
	}
}

// compact drops the text replaced rows left behind.
func (d *eventRows) compact() {
	text := make([]byte, 0, len(d.text)-d.waste)
	move := func(s span) span {
		out := span{int32(len(text)), s.n}
		text = append(text, s.of(d.text)...)
		return out
	}
	for i := range d.rows {
		r := &d.rows[i]
		r.id, r.title, r.desc = move(r.id), move(r.title), move(r.desc)
	}
	d.text, d.waste = text, 0
}

// cmp orders rows a and b by order o's key, then by id, as the database sorts them.
func (d *eventRows) cmp(o int, a, b int32) int {
	ra, rb := &d.rows[a], &d.rows[b]
	var c int
	switch o {
	case ordOccurred:
		c = cmp.Compare(ra.at, rb.at)
	case ordTitle:
		c = bytes.Compare(ra.title.of(d.text), rb.title.of(d.text))
	case ordLevel:
		c = cmp.Compare(ra.level, rb.level)
	case ordCreated:
		c = cmp.Compare(ra.created, rb.created)
	case ordUpdated:
		c = cmp.Compare(ra.updated, rb.updated)
	}
	if c != 0 {
		return c
	}
	return bytes.Compare(ra.id.of(d.text), rb.id.of(d.text))
}

// cmpPos orders row i against a cursor position in order o.
func (d *eventRows) cmpPos(o int, i int32, p pos) int {
	r := &d.rows[i]
	var c int
	switch v := p.v.(type) {
	case time.Time:
		k := r.at
		switch o {
		case ordCreated:
			k = r.created
		case ordUpdated:
			k = r.updated
		}
		c = cmp.Compare(k, v.UnixMilli())
	case string:
		c = bytes.Compare(r.title.of(d.text), []byte(v))
	case int:
		c = cmp.Compare(int(r.level), v)
	}
	if c != 0 {
		return c
	}
	return bytes.Compare(r.id.of(d.text), []byte(p.id))
}

// pos returns row i's position in order o, as a cursor holds it.
func (d *eventRows) pos(o int, i int32) pos {
	r := &d.rows[i]
	p := pos{id: string(r.id.of(d.text))}
	switch o {
	case ordOccurred:
		p.v = time.UnixMilli(r.at).UTC()
	case ordTitle:
		p.v = string(r.title.of(d.text))
	case ordLevel:
		p.v = int(r.level)
	case ordCreated:
		p.v = time.UnixMilli(r.created).UTC()
	case ordUpdated:
		p.v = time.UnixMilli(r.updated).UTC()
	}
	return p
}

// walk returns up to p.n+1 positions of matching rows after p's cursor, in p's read
// direction, as the database's keyset query with a limit reads them.
func (d *eventRows) walk(o int, p plan, match func(*eventRow) bool) []pos {
	s := d.sorted[o]
	var out []pos
	visit := func(i int32) bool {
		if match(&d.rows[i]) {
			out = append(out, d.pos(o, i))
		}
		return len(out) <= p.n
	}
	if !p.readDesc() {
		start := 0
		if p.cursor != nil {
			start = sort.Search(len(s), func(k int) bool { return d.cmpPos(o, s[k], *p.cursor) > 0 })
		}
		for k := start; k < len(s) && visit(s[k]); k++ {
		}
		return out
	}
	end := len(s)
	if p.cursor != nil {
		end = sort.Search(len(s), func(k int) bool { return d.cmpPos(o, s[k], *p.cursor) >= 0 })
	}
	for k := end - 1; k >= 0 && visit(s[k]); k-- {
	}
	return out
}
