package gqlexec

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// request returns the context of a request's list field, as gqlgen's executor gives it.
func request() context.Context {
	ctx := graphql.WithResponseContext(context.Background(), graphql.DefaultErrorPresenter,
		func(_ context.Context, r any) error { return fmt.Errorf("panic: %v", r) })
	return graphql.WithFieldContext(ctx, &graphql.FieldContext{Field: graphql.CollectedField{Field: &ast.Field{Alias: "items"}}})
}

// TestMarshalSlice marshals a list whose second element panics, with loads made at once
// (in order, on the caller's goroutine) and batched (gqlgen's concurrent marshalling):
// both give each element its index in the path, and make the panic that element's error.
func TestMarshalSlice(t *testing.T) {
	for _, at := range []bool{true, false} {
		t.Run(fmt.Sprintf("immediate=%v", at), func(t *testing.T) {
			immediate = func(context.Context) bool { return at }
			t.Cleanup(func() { immediate = func(context.Context) bool { return false } })
			ctx := request()
			caller := goid()
			var order []int
			ret := MarshalSlice(ctx, 3, 0, false, func(ctx context.Context, i int) graphql.Marshaler {
				if got := graphql.GetPath(ctx); got.String() != fmt.Sprintf("items[%d]", i) {
					t.Errorf("element %d has path %s", i, got)
				}
				if at {
					order = append(order, i)
					if g := goid(); g != caller {
						t.Errorf("element %d marshalled on goroutine %d, want the caller's (%d)", i, g, caller)
					}
				}
				if i == 1 {
					panic("broken element")
				}
				return graphql.MarshalInt(i)
			})
			var out bytes.Buffer
			ret.MarshalGQL(&out)
			if out.String() != "[0,null,2]" {
				t.Errorf("list = %s, want [0,null,2]", out.String())
			}
			if at && fmt.Sprint(order) != "[0 1 2]" {
				t.Errorf("elements marshalled in order %v, want [0 1 2]", order)
			}
			errs := graphql.GetErrors(ctx)
			if len(errs) != 1 || errs[0].Path.String() != "items[1]" {
				t.Fatalf("errors = %v, want one at items[1]", errs)
			}
			var gerr *gqlerror.Error
			if !errors.As(errs[0], &gerr) || gerr.Message != "panic: broken element" {
				t.Errorf("error = %v, want the recovered panic", errs[0])
			}
		})
	}
}

func TestNewDeferredGroup(t *testing.T) {
	ctx := request()
	plain := []graphql.CollectedField{{Field: &ast.Field{Name: "a"}}}
	if g := NewDeferredGroup(ctx, plain); g.Path != nil || g.Defers != nil || g.FieldSet != nil || g.Context != ctx {
		t.Errorf("group of an object with no deferred field = %+v, want only its context", g)
	}
	deferredFields := append(plain, graphql.CollectedField{Field: &ast.Field{Name: "b"}, Deferrables: []*graphql.Deferrable{{Label: "later"}}})
	g := NewDeferredGroup(ctx, deferredFields)
	if g.Path.String() != "items" || g.Defers == nil || g.FieldSet == nil {
		t.Errorf("group of an object with a deferred field = %+v, want gqlgen's, with its path", g)
	}
}

// goid is the current goroutine's id, read from its stack trace's header.
func goid() int {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	var id int
	_, _ = fmt.Sscanf(string(buf), "goroutine %d ", &id)
	return id
}
