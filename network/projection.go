package network

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"

	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/store"
)

// Projection is the graph the network queries need, kept from the store's read model:
// museums and communities as nodes, partnerships, outcomes, and for each partnership the
// few facts of its decision events that weigh its edge (time, level, visibility). It is safe for concurrent use: changes take the
// write lock briefly, queries read under the read lock and do their heavy work (such as
// betweenness) on an immutable copy of the filtered graph, outside the lock.
type Projection struct {
	s   *store.Store // nil for a projection built from records in memory
	log *slog.Logger

	ready     chan struct{}
	readyOnce sync.Once

	mu      sync.RWMutex
	version uint64
	*data

	cacheMu sync.Mutex
	cache   map[string]*entry
}

// data is what the projection holds. The events' facts hold no pointers (references are
// interned to numbers), so that the garbage collector need not trace a hundred thousand
// small objects on every cycle of a busy server.
type data struct {
	nodes        map[string]*nodeRec
	partnerships map[string]*partnershipRec
	outcomes     map[string]*outcomeRec
	syms         map[string]int32 // the ids events refer to, interned
	names        []string         // by symbol
	eventIndex   map[string]int32 // event id → index in facts
	facts        []eventFact
	edges        map[int32]*edgeEvents // by partnership symbol, whether the partnership is known yet or not
}

func newData() *data {
	return &data{nodes: map[string]*nodeRec{}, partnerships: map[string]*partnershipRec{}, outcomes: map[string]*outcomeRec{},
		syms: map[string]int32{}, eventIndex: map[string]int32{}, edges: map[int32]*edgeEvents{}}
}

// sym returns id's symbol, interning it.
func (d *data) sym(id string) int32 {
	if n, ok := d.syms[id]; ok {
		return n
	}
	n := int32(len(d.names))
	d.syms[id] = n
	d.names = append(d.names, id)
	return n
}

// lookup returns id's symbol, or noSym when no event refers to id.
func (d *data) lookup(id string) int32 {
	if n, ok := d.syms[id]; ok {
		return n
	}
	return noSym
}

// noSym stands for no reference (an event without a partnership) and for an id no event
// refers to.
const noSym = -1

type nodeRec struct {
	id, label        string
	kind             NodeKind
	archived, sample bool
}

type partnershipRec struct {
	// rec is the record itself, which an edge hands to the API as its partnership.
	rec                                           *domain.Partnership
	id, title, museumID, communityID, programmeID string
	status                                        domain.PartnershipStatus
	start, end                                    *domain.Date
	outcomeIDs                                    []string
	archived, sample                              bool
}

type outcomeRec struct {
	id, code, title string
	archived        bool
}

// eventFact is what the projection keeps of a decision event to weigh its partnership's
// edge: when, at which level, and who may count it. The event itself is the read
// model's; the summary and every list read it there.
type eventFact struct {
	at          int64 // occurredAt in Unix milliseconds, the database's precision
	partnership int32 // symbol; noSym when none
	level       int8  // level rank
	restricted  bool
	archived    bool
}

// edgeEvents are a partnership's decision events (indices in facts), with the number of
// live (not archived) ones at each level, public and restricted apart, so that the common
// filters weigh an edge without looking at its events.
type edgeEvents struct {
	events []int32
	counts [2][6]int32 // [restricted][level rank]
}

func (ee *edgeEvents) count(e *eventFact, d int32) {
	if !e.archived {
		ee.counts[b2i(e.restricted)][e.level] += d
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// New returns an empty projection over s. Run loads and follows it; queries wait until
// it has loaded. Over no store (s nil) there is nothing to load: the projection is ready
// at once and holds what Put gives it (a summary with a search, which needs the database,
// fails on it).
func New(s *store.Store, log *slog.Logger) *Projection {
	if log == nil {
		log = slog.Default()
	}
	p := &Projection{s: s, log: log, ready: make(chan struct{}), cache: map[string]*entry{}, data: newData()}
	if s == nil {
		p.markReady()
	}
	return p
}

func (p *Projection) markReady() { p.readyOnce.Do(func() { close(p.ready) }) }

// wait returns once the projection has loaded, or ctx's error; a server without a
// projection is unavailable.
func (p *Projection) wait(ctx context.Context) error {
	if p == nil {
		return fmt.Errorf("%w: this server has no partnership network", domain.ErrUnavailable)
	}
	select {
	case <-p.ready:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("the partnership network is still loading: %w", ctx.Err())
	}
}

// Version returns the projection's version, which grows with every change applied.
func (p *Projection) Version() uint64 {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.version
}

// Put adds or replaces records: *store.Museum, *store.Community, *store.Partnership,
// *store.DecisionEvent and *store.Outcome (other values are ignored). It is how changes
// are applied: each changed record is read again by id and put.
func (p *Projection) Put(recs ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, r := range recs {
		p.put(r)
	}
	p.version++
}

func (p *Projection) put(r any) {
	switch r := r.(type) {
	case *domain.Museum:
		p.nodes[r.ID] = &nodeRec{id: r.ID, label: r.Name, kind: KindMuseum, archived: r.Archived, sample: r.Sample}
	case *domain.Community:
		p.nodes[r.ID] = &nodeRec{id: r.ID, label: r.Name, kind: KindCommunity, archived: r.Archived, sample: r.Sample}
	case *domain.Outcome:
		p.outcomes[r.ID] = &outcomeRec{id: r.ID, code: r.Code, title: r.Title, archived: r.Archived}
	case *domain.Partnership:
		rec := &partnershipRec{rec: r, id: r.ID, title: r.Title, museumID: r.MuseumID, communityID: r.CommunityID, status: r.Status,
			start: r.StartDate, end: r.EndDate, outcomeIDs: r.OutcomeIDs, archived: r.Archived, sample: r.Sample}
		if r.ProgrammeID != nil {
			rec.programmeID = *r.ProgrammeID
		}
		p.partnerships[r.ID] = rec
	case *domain.DecisionEvent:
		p.putEvent(r)
	}
}

// putEvent adds or replaces an event's facts; the caller holds the write lock.
func (d *data) putEvent(e *domain.DecisionEvent) {
	f := eventFact{partnership: noSym, at: e.OccurredAt.UnixMilli(), level: int8(e.ParticipationLevel.Rank()),
		restricted: domain.IsRestricted(e), archived: e.Archived}
	if e.PartnershipID != nil {
		f.partnership = d.sym(*e.PartnershipID)
	}
	i, ok := d.eventIndex[e.ID]
	if ok {
		old := &d.facts[i]
		if ee := d.edges[old.partnership]; old.partnership != noSym {
			ee.count(old, -1)
			k := slices.Index(ee.events, i)
			ee.events[k] = ee.events[len(ee.events)-1]
			ee.events = ee.events[:len(ee.events)-1]
		}
		d.facts[i] = f
	} else {
		i = int32(len(d.facts))
		d.eventIndex[e.ID] = i
		d.facts = append(d.facts, f)
	}
	if f.partnership != noSym {
		ee := d.edges[f.partnership]
		if ee == nil {
			ee = &edgeEvents{}
			d.edges[f.partnership] = ee
		}
		ee.events = append(ee.events, i)
		ee.count(&f, 1)
	}
}

// Run keeps the projection as the store's read model holds the records, until ctx ends:
// it takes every record once the model has loaded, then every record the model applies
// (this Store's writes at once, other instances' from the change feed), and after each
// change computes the whole network ahead of the next request. The read model must be
// running (store.ReadModel.Run).
func (p *Projection) Run(ctx context.Context) {
	changed := make(chan struct{}, 1)
	p.s.Model().Observe(func(recs []any) {
		p.Put(recs...)
		p.markReady()
		select {
		case changed <- struct{}{}:
		default:
		}
	})
	for {
		select {
		case <-ctx.Done():
			return
		case <-changed:
			p.warm()
		}
	}
}

// warm computes the whole network for both views ahead of the next request, so that the
// most common query stays fast after a write. Changes that arrive meanwhile wait and are
// applied together, so a burst of writes costs one computation, not one each.
func (p *Projection) warm() {
	for _, v := range []View{{}, {Restricted: true}} {
		_, _ = p.Network(context.Background(), nil, v)
	}
}
