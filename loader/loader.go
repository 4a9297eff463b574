// Package loader holds the per-request dataloaders that batch the database reads of one
// GraphQL request: every reference (event → museum) and every nested list (museum →
// partnerships) is fetched with one command per batch instead of one per parent, so the
// cost of a page does not grow with its size.
package loader

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/vikstrous/dataloadgen"

	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/store"
)

// DefaultWait is how long a loader collects keys before it sends a batch. GraphQL resolves
// the items of a list concurrently, so their loads arrive within microseconds of each
// other; the margin covers goroutines delayed by a busy CPU.
const DefaultWait = 2 * time.Millisecond

// Loaders are one request's loaders. They cache what they load for the request's lifetime
// only, so a request never sees another request's data.
type Loaders struct {
	wait   time.Duration
	direct bool

	Programme   *Loader[string, *domain.Programme]
	Outcome     *Loader[string, *domain.Outcome]
	Museum      *Loader[string, *domain.Museum]
	Community   *Loader[string, *domain.Community]
	Person      *Loader[string, *domain.Person]
	Partnership *Loader[string, *domain.Partnership]
	Event       *Loader[string, *domain.DecisionEvent]

	// Node loads records of any type (the change feed's nodes), one command per type.
	Node *Loader[string, any]

	ProgrammeOutcomes     *Loader[string, []*domain.Outcome]
	ProgrammeMemberships  *Loader[string, []*domain.ProgrammeMembership]
	MuseumMemberships     *Loader[string, []*domain.ProgrammeMembership]
	ProgrammePublications *Loader[string, []*domain.Publication]
	// PersonMuseums loads the museums each person took part with, which decide who may
	// see their personal data.
	PersonMuseums *Loader[string, []string]

	mu       sync.Mutex
	children map[string]any
}

// Direct reports whether the loaders look up at once, the read model answering (see
// Loader).
func (l *Loaders) Direct() bool { return l.direct }

// New returns fresh loaders over s that wait up to wait (DefaultWait when 0) to batch.
func New(s *store.Store, wait time.Duration) *Loaders {
	if wait <= 0 {
		wait = DefaultWait
	}
	// While the read model answers, lookups are made at once (see Loader).
	direct := s.Model().Answering()
	return &Loaders{
		wait:                  wait,
		direct:                direct,
		Programme:             newLoader(direct, wait, s.Programmes.GetMany),
		Outcome:               newLoader(direct, wait, s.Outcomes.GetMany),
		Museum:                newLoader(direct, wait, s.Museums.GetMany),
		Community:             newLoader(direct, wait, s.Communities.GetMany),
		Person:                newLoader(direct, wait, s.People.GetMany),
		Partnership:           newLoader(direct, wait, s.Partnerships.GetMany),
		Event:                 newLoader(direct, wait, s.Events.GetMany),
		Node:                  newLoader(direct, wait, s.Node),
		ProgrammeOutcomes:     newLoader(direct, wait, s.OutcomesOf),
		ProgrammeMemberships:  newLoader(direct, wait, membershipsBy(s, store.ByProgramme)),
		MuseumMemberships:     newLoader(direct, wait, membershipsBy(s, store.ByMuseum)),
		ProgrammePublications: newLoader(direct, wait, s.PublicationsOf),
		PersonMuseums:         newLoader(direct, wait, s.PeopleMuseums),
		children:              map[string]any{},
	}
}

func membershipsBy(s *store.Store, p store.Parent) func(context.Context, []string) ([][]*domain.ProgrammeMembership, []error) {
	return func(ctx context.Context, ids []string) ([][]*domain.ProgrammeMembership, []error) {
		return s.MembershipsOf(ctx, p, ids)
	}
}

type ctxKey struct{}

// Middleware gives every request its own loaders. A WebSocket or event-stream request
// lives as long as its subscriptions, so it gets none here: each of its operations, and
// each event of a subscription, gets fresh loaders instead (see Has), so that nothing is
// cached longer than one answer.
func Middleware(s *store.Store, wait time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "" || strings.Contains(r.Header.Get("Accept"), "text/event-stream") {
			next.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r.WithContext(With(r.Context(), New(s, wait))))
	})
}

// Has reports whether ctx carries loaders.
func Has(ctx context.Context) bool {
	switch ctx.Value(ctxKey{}).(type) {
	case *Loaders, *deferred:
		return true
	}
	return false
}

// With returns ctx carrying l.
func With(ctx context.Context, l *Loaders) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// deferred are loaders made on first use.
type deferred struct {
	once sync.Once
	s    *store.Store
	wait time.Duration
	l    *Loaders
}

// WithNew returns ctx carrying fresh loaders over s, made when first used: most events of
// a subscription are answered without any, and a subscriber waiting for its next event
// then holds none.
func WithNew(ctx context.Context, s *store.Store, wait time.Duration) context.Context {
	return context.WithValue(ctx, ctxKey{}, &deferred{s: s, wait: wait})
}

// Immediate reports whether ctx carries loaders that look up at once (Direct): nothing a
// request's fields load then waits for a batch, so they may be resolved one after another.
func Immediate(ctx context.Context) bool {
	return Has(ctx) && For(ctx).direct
}

// For returns the request's loaders. It panics when the request has none, which is a
// wiring mistake, not a runtime condition.
func For(ctx context.Context) *Loaders {
	switch l := ctx.Value(ctxKey{}).(type) {
	case *Loaders:
		return l
	case *deferred:
		l.once.Do(func() { l.l = New(l.s, l.wait) })
		return l.l
	}
	panic("loader: request context has no loaders")
}

// Get loads a referenced record; a nil id gives nil.
func Get[T any](ctx context.Context, l *Loader[string, *T], id *string) (*T, error) {
	if id == nil {
		return nil, nil
	}
	return l.Load(ctx, *id)
}

// GetAll loads referenced records in the order of ids.
func GetAll[T any](ctx context.Context, l *Loader[string, *T], ids []string) ([]*T, error) {
	if len(ids) == 0 {
		return []*T{}, nil
	}
	return l.LoadAll(ctx, ids)
}

// Children loads one page of a nested list: the records of collection c whose parent field
// holds parentID. Sibling parents asking with the same arguments share one batch (two
// database commands for the whole batch). fields, when given, are the stored fields the
// caller reads (see store.Collection.Children); the partial records are then not kept
// for other lookups of the request.
func Children[T, F any](ctx context.Context, c *store.Collection[T, F], parent store.Parent, parentID string,
	f *F, o *store.Order, args store.PageArgs, fields ...string) (*store.Page[T], error) {
	l := For(ctx)
	if l.direct {
		pages, err := c.Children(ctx, parent, []string{parentID}, f, o, args, fields...)
		if err != nil {
			return nil, err
		}
		return pages[parentID], nil
	}
	argKey, err := json.Marshal(struct {
		F *F
		O *store.Order
		A store.PageArgs
		S []string `json:",omitempty"`
	}{f, o, args, fields})
	if err != nil {
		return nil, fmt.Errorf("loader: arguments: %w", err)
	}
	key := fmt.Sprintf("%p|%s|%s", c, parent, argKey)
	l.mu.Lock()
	ld, ok := l.children[key].(*dataloadgen.Loader[string, *store.Page[T]])
	if !ok {
		ld = dataloadgen.NewLoader(func(ctx context.Context, ids []string) ([]*store.Page[T], []error) {
			pages, err := c.Children(ctx, parent, ids, f, o, args, fields...)
			out, errs := make([]*store.Page[T], len(ids)), make([]error, len(ids))
			for i, id := range ids {
				out[i], errs[i] = pages[id], err
				if err == nil && len(fields) == 0 {
					primePage(l, pages[id])
				}
			}
			return out, errs
		}, dataloadgen.WithWait(l.wait))
		l.children[key] = ld
	}
	l.mu.Unlock()
	return ld.Load(ctx, parentID)
}

// prime stores records just read by a list in the request's loaders, so that references to
// them later in the same request (partnership → museum) cost no command.
func (l *Loaders) prime(recs ...any) {
	for _, r := range recs {
		switch v := r.(type) {
		case *domain.Programme:
			l.Programme.Prime(v.ID, v)
		case *domain.Museum:
			l.Museum.Prime(v.ID, v)
		case *domain.Community:
			l.Community.Prime(v.ID, v)
		case *domain.Person:
			l.Person.Prime(v.ID, v)
		case *domain.Partnership:
			l.Partnership.Prime(v.ID, v)
		case *domain.DecisionEvent:
			l.Event.Prime(v.ID, v)
		}
	}
}

func primePage[T any](l *Loaders, p *store.Page[T]) {
	for _, e := range p.Edges {
		l.prime(e.Node)
	}
}

// List returns one page of a top-level list, priming the request's loaders with it.
func List[T, F any](ctx context.Context, c *store.Collection[T, F], f *F, o *store.Order, args store.PageArgs) (*store.Page[T], error) {
	p, err := c.List(ctx, f, o, args)
	if err != nil {
		return nil, err
	}
	primePage(For(ctx), p)
	return p, nil
}
