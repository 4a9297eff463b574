package loader

import (
	"context"
	"reflect"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/store"
)

// A request's lists are marshalled one element after another (internal/gqlexec), so a
// field of one record cannot wait for its siblings to ask too, as a dataloader's batch
// window does. Instead, the records read together form a group: a page, the pages of one
// nested list for all its parents, one batch of references. The first record of a group
// to load a field loads it for the whole group, in one command, and its siblings find
// their values loaded. Because a group holds the records of one read across all their
// parents (the partnerships of every museum on the page, not of one museum), a nested
// page costs one command per level whatever its size.
//
// Groups are kept by the field whose resolver read them and by record. A field resolving
// for a record finds the record's group by walking up its field contexts to the nearest
// field that read the record. A record read by a resolver that registers no group (a
// single lookup, a list built otherwise) falls back on the elements of the list it is
// marshalled in (Siblings), and else on itself alone.

type groupKey struct {
	field *ast.Field
	rec   any // a pointer to the record
}

type group struct{ recs []any }

type pageKey struct {
	field  *ast.Field
	parent string
}

type pageResult struct {
	page any // *store.Page[T]
	err  error
}

// record is what every stored record has.
type record interface{ Base() *domain.Meta }

// field returns the field being resolved in ctx, nil outside a GraphQL field.
func field(ctx context.Context) *ast.Field {
	if fc := graphql.GetFieldContext(ctx); fc != nil {
		return fc.Field.Field
	}
	return nil
}

// register makes recs, just read by the field resolving in ctx, one group.
func (l *Loaders) register(ctx context.Context, recs []any) {
	f := field(ctx)
	if f == nil || len(recs) == 0 {
		return
	}
	g := &group{recs: recs}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range recs {
		l.groups[groupKey{f, r}] = g
	}
}

// Siblings registers the elements of a list being marshalled in ctx as the fallback group
// of each (see above). Elements of a pointer or interface type (a list of nodes) are
// registered as the pointers they are or hold. Elements held by value (an event's
// participants) are registered by their address in the list: gqlgen hands their fields a
// copy, but sets the address as the result of the element's field context, which is how
// groupOf finds them.
func Siblings[E any](ctx context.Context, elems []E) {
	if len(elems) < 2 || !Has(ctx) {
		return
	}
	l := For(ctx)
	f := field(ctx)
	if l.direct || f == nil {
		return
	}
	byValue := reflect.TypeFor[E]().Kind() != reflect.Pointer && reflect.TypeFor[E]().Kind() != reflect.Interface
	g := &group{recs: make([]any, len(elems))}
	for i := range elems {
		if byValue {
			g.recs[i] = &elems[i]
		} else {
			g.recs[i] = elems[i]
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range g.recs {
		l.lists[groupKey{f, r}] = g
	}
}

// groupOf returns the records read together with obj, for the field resolving in ctx
// (obj alone when none were).
func (l *Loaders) groupOf(ctx context.Context, obj any) []any {
	fc := graphql.GetFieldContext(ctx)
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, groups := range []map[groupKey]*group{l.groups, l.lists} {
		var child *graphql.FieldContext // the context below p on the way up
		for p := fc; p != nil; child, p = p, p.Parent {
			if p.Field.Field == nil {
				continue
			}
			if g, ok := groups[groupKey{p.Field.Field, obj}]; ok {
				return g.recs
			}
			// An element held by value: its address in the list (see Siblings).
			if child != nil && child.Index != nil && child.Result != nil {
				if g, ok := groups[groupKey{p.Field.Field, child.Result}]; ok {
					return g.recs
				}
			}
		}
	}
	return []any{obj}
}

// Embedded returns the elements of a list that obj holds by value (an event's
// participants), by their address in obj. It registers them, with the same list of
// each of obj's siblings, as one group of the field resolving in ctx, so that the
// elements' references load together for the whole page rather than per record.
func Embedded[P, E any](ctx context.Context, obj *P, list func(*P) []E) []*E {
	own := addresses(list(obj))
	if len(own) == 0 || !Has(ctx) {
		return own
	}
	l := For(ctx)
	f := field(ctx)
	if l.direct || f == nil {
		return own
	}
	l.mu.Lock()
	_, done := l.groups[groupKey{f, own[0]}]
	l.mu.Unlock()
	if !done {
		var recs []any
		for _, s := range siblings(ctx, l, obj) {
			for _, e := range addresses(list(s)) {
				recs = append(recs, e)
			}
		}
		l.register(ctx, recs)
	}
	return own
}

func addresses[E any](es []E) []*E {
	out := make([]*E, len(es))
	for i := range es {
		out[i] = &es[i]
	}
	return out
}

// siblings returns obj's group's records of obj's own type, obj among them.
func siblings[P any](ctx context.Context, l *Loaders, obj *P) []*P {
	recs := l.groupOf(ctx, obj)
	out := make([]*P, 0, len(recs))
	for _, r := range recs {
		if p, ok := r.(*P); ok {
			out = append(out, p)
		}
	}
	return out
}

// records flattens loaded values (records, or lists of them) for register.
func records[V any](vs []V) []any {
	out := make([]any, 0, len(vs))
	for _, v := range vs {
		rv := reflect.ValueOf(v)
		switch {
		case !rv.IsValid() || (rv.Kind() == reflect.Pointer && rv.IsNil()):
		case rv.Kind() == reflect.Slice:
			for i := range rv.Len() {
				out = append(out, rv.Index(i).Interface())
			}
		default:
			out = append(out, v)
		}
	}
	return out
}

// One returns the value that obj refers to by the key ref reads from it (the zero value
// when ref gives nil), loading at the same time the values obj's siblings refer to.
func One[P, V any](ctx context.Context, ld *Loader[string, V], obj *P, ref func(*P) *string) (V, error) {
	k := ref(obj)
	if k == nil {
		var zero V
		return zero, nil
	}
	if !ld.loaded(*k) {
		l := For(ctx)
		var keys []string
		for _, s := range siblings(ctx, l, obj) {
			if sk := ref(s); sk != nil {
				keys = append(keys, *sk)
			}
		}
		l.register(ctx, records(ld.ensure(ctx, keys)))
	}
	return ld.Load(ctx, *k)
}

// Many returns the records obj refers to by the keys refs reads from it, in order,
// loading at the same time those obj's siblings refer to.
func Many[P, T any](ctx context.Context, ld *Loader[string, *T], obj *P, refs func(*P) []string) ([]*T, error) {
	ks := refs(obj)
	if len(ks) == 0 {
		return []*T{}, nil
	}
	missing := false
	for _, k := range ks {
		missing = missing || !ld.loaded(k)
	}
	if missing {
		l := For(ctx)
		var keys []string
		for _, s := range siblings(ctx, l, obj) {
			keys = append(keys, refs(s)...)
		}
		l.register(ctx, records(ld.ensure(ctx, keys)))
	}
	return ld.LoadAll(ctx, ks)
}

// Children loads one page of a nested list: the records of collection c whose parent field
// holds obj's id. The first of obj's siblings to ask loads the pages of all of them (two
// database commands for the lot). fields, when given, are the stored fields the caller
// reads (see store.Collection.Children); the partial records are then not kept for
// other lookups of the request.
func Children[T, F any](ctx context.Context, c *store.Collection[T, F], parent store.Parent, obj record,
	f *F, o *store.Order, args store.PageArgs, fields ...string) (*store.Page[T], error) {
	l := For(ctx)
	id := obj.Base().ID
	if l.direct {
		pages, err := c.Children(ctx, parent, []string{id}, f, o, args, fields...)
		if err != nil {
			return nil, err
		}
		return pages[id], nil
	}
	at := field(ctx)
	l.mu.Lock()
	r, ok := l.pages[pageKey{at, id}]
	l.mu.Unlock()
	if ok {
		page, _ := r.page.(*store.Page[T])
		return page, r.err
	}
	group := l.groupOf(ctx, obj)
	ids := make([]string, 0, len(group))
	l.mu.Lock()
	for _, s := range group {
		if rec, ok := s.(record); ok && reflect.TypeOf(s) == reflect.TypeOf(obj) {
			if _, done := l.pages[pageKey{at, rec.Base().ID}]; !done {
				ids = append(ids, rec.Base().ID)
			}
		}
	}
	l.mu.Unlock()
	pages, err := c.Children(ctx, parent, ids, f, o, args, fields...)
	var read []any
	l.mu.Lock()
	for _, pid := range ids {
		l.pages[pageKey{at, pid}] = pageResult{pages[pid], err}
		if p := pages[pid]; p != nil {
			for _, e := range p.Edges {
				read = append(read, e.Node)
			}
		}
	}
	l.mu.Unlock()
	if err != nil {
		return nil, err
	}
	l.register(ctx, read)
	if len(fields) == 0 {
		l.prime(read...)
	}
	return pages[id], nil
}
