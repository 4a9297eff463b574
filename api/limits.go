package api

import (
	"context"
	"fmt"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/participation-graph/participation-graph/graph"
)

// Limits bound what one operation may ask for, so that no single request can make the
// server do unbounded work. Zero fields take the defaults.
type Limits struct {
	// MaxDepth bounds how deeply fields nest (default 12).
	MaxDepth int
	// MaxAliases bounds how many aliased fields an operation has (default 30).
	MaxAliases int
	// MaxRootFields bounds the top-level fields of an operation (default 20).
	MaxRootFields int
	// MaxCost bounds the operation's cost: each field costs 1, and the fields under a
	// connection count once per item it may return: first or last, or the default page
	// size (default 25,000).
	MaxCost int
}

func (l Limits) withDefaults() Limits {
	def := func(v, d int) int {
		if v <= 0 {
			return d
		}
		return v
	}
	return Limits{MaxDepth: def(l.MaxDepth, 12), MaxAliases: def(l.MaxAliases, 30),
		MaxRootFields: def(l.MaxRootFields, 20), MaxCost: def(l.MaxCost, 25000)}
}

// limitExtension checks every operation against Limits before it runs.
type limitExtension struct{ l Limits }

var (
	_ graphql.HandlerExtension        = limitExtension{}
	_ graphql.OperationContextMutator = limitExtension{}
)

func (limitExtension) ExtensionName() string                   { return "QueryLimits" }
func (limitExtension) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext refuses an operation over a limit with QUERY_TOO_COMPLEX, naming
// the limit, its value and the operation's.
func (e limitExtension) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	w := walker{vars: oc.Variables}
	roots := w.fields(oc.Operation.SelectionSet)
	cost, depth := w.cost(oc.Operation.SelectionSet, 1)
	for _, c := range []struct {
		name          string
		actual, limit int
		hint          string
	}{
		{"depth", depth, e.l.MaxDepth, "nest fewer levels"},
		{"aliases", w.aliases, e.l.MaxAliases, "send fewer aliased fields, or several requests"},
		{"rootFields", len(roots), e.l.MaxRootFields, "ask for fewer top-level fields, or send several requests"},
		{"cost", cost, e.l.MaxCost, "ask for smaller pages (first/last) or fewer nested lists"},
	} {
		if c.actual > c.limit {
			return &gqlerror.Error{
				Message:    fmt.Sprintf("the query is too complex: its %s is %d, over the limit of %d; %s", c.name, c.actual, c.limit, c.hint),
				Extensions: map[string]any{"code": graph.CodeTooComplex, "limit": c.name, "max": c.limit, "actual": c.actual},
			}
		}
	}
	return nil
}

type walker struct {
	vars    map[string]any
	aliases int
}

// fields flattens fragments into the fields they select.
func (w *walker) fields(set ast.SelectionSet) []*ast.Field {
	var out []*ast.Field
	for _, s := range set {
		switch s := s.(type) {
		case *ast.Field:
			out = append(out, s)
		case *ast.InlineFragment:
			out = append(out, w.fields(s.SelectionSet)...)
		case *ast.FragmentSpread:
			if s.Definition != nil {
				out = append(out, w.fields(s.Definition.SelectionSet)...)
			}
		}
	}
	return out
}

// cost returns the cost of set when it is evaluated mult times, and its depth.
func (w *walker) cost(set ast.SelectionSet, mult int) (cost, depth int) {
	for _, f := range w.fields(set) {
		if f.Alias != "" && f.Alias != f.Name {
			w.aliases++
		}
		n := 1
		if f.Definition != nil && isConnection(f.Definition.Type) {
			n = w.pageSize(f)
		}
		c, d := w.cost(f.SelectionSet, mult*n)
		cost += mult + c
		depth = max(depth, d+1)
		if cost > 1<<40 {
			return cost, depth // far over any limit; stop before overflowing
		}
	}
	return cost, depth
}

// isConnection reports whether a field returns a page of items. Its edges and nodes are
// then counted once per item; plain lists (a record's outcomes, decisions, communities)
// are small and bounded by the record, and count once.
func isConnection(t *ast.Type) bool {
	return strings.HasSuffix(t.Name(), "Connection")
}

// pageSize is how many items a list field may return: first or last when given, else
// the default page.
func (w *walker) pageSize(f *ast.Field) int {
	for _, name := range []string{"first", "last"} {
		if a := f.Arguments.ForName(name); a != nil {
			if v, err := a.Value.Value(w.vars); err == nil {
				switch n := v.(type) {
				case int64:
					return max(int(n), 1)
				case int:
					return max(n, 1)
				}
			}
		}
	}
	return 20
}
