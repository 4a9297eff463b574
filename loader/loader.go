// Package loader holds the per-request loaders that batch the database reads of one
// GraphQL request: every reference (event → museum) and every nested list (museum →
// partnerships) is fetched with one command for all the records read together (see
// groups.go) instead of one per parent, so the cost of a page does not grow with its
// size.
package loader

import (
	"context"
	"net/http"
	"strings"
	"sync"

	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/store"
)

// Loaders are one request's loaders. They cache what they load for the request's lifetime
// only, so a request never sees another request's data.
type Loaders struct {
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

	mu     sync.Mutex
	groups map[groupKey]*group    // records read together, by the field that read them
	lists  map[groupKey]*group    // the elements of a list, by the list's field (Siblings)
	pages  map[pageKey]pageResult // nested pages read, by field and parent
}

// Direct reports whether the loaders look up at once, the read model answering (see
// Loader).
func (l *Loaders) Direct() bool { return l.direct }

// New returns fresh loaders over s.
func New(s *store.Store) *Loaders {
	// While the read model answers, lookups are made at once (see Loader).
	direct := s.Model().Answering()
	return &Loaders{
		direct:                direct,
		Programme:             newLoader(direct, s.Programmes.GetMany),
		Outcome:               newLoader(direct, s.Outcomes.GetMany),
		Museum:                newLoader(direct, s.Museums.GetMany),
		Community:             newLoader(direct, s.Communities.GetMany),
		Person:                newLoader(direct, s.People.GetMany),
		Partnership:           newLoader(direct, s.Partnerships.GetMany),
		Event:                 newLoader(direct, s.Events.GetMany),
		Node:                  newLoader(direct, s.Node),
		ProgrammeOutcomes:     newLoader(direct, s.OutcomesOf),
		ProgrammeMemberships:  newLoader(direct, membershipsBy(s, store.ByProgramme)),
		MuseumMemberships:     newLoader(direct, membershipsBy(s, store.ByMuseum)),
		ProgrammePublications: newLoader(direct, s.PublicationsOf),
		PersonMuseums:         newLoader(direct, s.PeopleMuseums),
		groups:                map[groupKey]*group{},
		lists:                 map[groupKey]*group{},
		pages:                 map[pageKey]pageResult{},
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
func Middleware(s *store.Store, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "" || strings.Contains(r.Header.Get("Accept"), "text/event-stream") {
			next.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r.WithContext(With(r.Context(), New(s))))
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
	l    *Loaders
}

// WithNew returns ctx carrying fresh loaders over s, made when first used: most events of
// a subscription are answered without any, and a subscriber waiting for its next event
// then holds none.
func WithNew(ctx context.Context, s *store.Store) context.Context {
	return context.WithValue(ctx, ctxKey{}, &deferred{s: s})
}

// Serial reports whether the lists of the request in ctx may be marshalled one element
// after another: it has loaders, which never wait for siblings to ask (see groups.go).
func Serial(ctx context.Context) bool { return Has(ctx) }

// For returns the request's loaders. It panics when the request has none, which is a
// wiring mistake, not a runtime condition.
func For(ctx context.Context) *Loaders {
	switch l := ctx.Value(ctxKey{}).(type) {
	case *Loaders:
		return l
	case *deferred:
		l.once.Do(func() { l.l = New(l.s) })
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

// List returns one page of a top-level list, priming the request's loaders with it; the
// page's records are one group (see groups.go).
func List[T, F any](ctx context.Context, c *store.Collection[T, F], f *F, o *store.Order, args store.PageArgs) (*store.Page[T], error) {
	p, err := c.List(ctx, f, o, args)
	if err != nil {
		return nil, err
	}
	l := For(ctx)
	recs := make([]any, len(p.Edges))
	for i, e := range p.Edges {
		recs[i] = e.Node
	}
	l.prime(recs...)
	l.register(ctx, recs)
	return p, nil
}
