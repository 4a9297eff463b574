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

// TestMarshalSlice marshals a list whose second element panics, in order on the caller's
// goroutine and concurrently as gqlgen does (a request without loaders):
// both give each element its index in the path, and make the panic that element's error.
func TestMarshalSlice(t *testing.T) {
	for _, at := range []bool{true, false} {
		t.Run(fmt.Sprintf("serial=%v", at), func(t *testing.T) {
			serial = func(context.Context) bool { return at }
			t.Cleanup(func() { serial = func(context.Context) bool { return false } })
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
			}, []int{0, 1, 2})
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

// TestResolveField resolves a plain field at once, and takes gqlgen's path, which gives
// the field its context and reports failures at its path, whenever the field is not as a
// plain field must be.
func TestResolveField(t *testing.T) {
	ctx := request()
	oc := &graphql.OperationContext{ResolverMiddleware: func(ctx context.Context, next graphql.Resolver) (any, error) { return next(ctx) }}
	field := graphql.CollectedField{Field: &ast.Field{Alias: "count", Name: "count"}}
	contexts := 0
	fieldContext := func(ctx context.Context, field graphql.CollectedField) (*graphql.FieldContext, error) {
		contexts++
		return graphql.NewScalarFieldContext("Thing", field, false, false, "Int")
	}
	var paths []string
	marshal := func(ctx context.Context, _ ast.SelectionSet, v int) graphql.Marshaler {
		paths = append(paths, graphql.GetPath(ctx).String())
		return graphql.MarshalInt(v)
	}
	resolve := func(res any, err error) string {
		var out bytes.Buffer
		ResolveField(ctx, oc, field, fieldContext, func(context.Context) (any, error) { return res, err }, nil, marshal, true, true).MarshalGQL(&out)
		return out.String()
	}
	if got := resolve(7, nil); got != "7" || contexts != 0 || fmt.Sprint(paths) != "[items]" {
		t.Errorf("plain field = %s with %d field contexts, marshalled at %v; want 7 at once, in its object's context", got, contexts, paths)
	}
	paths = nil
	if got := resolve(int64(7), nil); got != "null" || contexts != 1 {
		t.Errorf("field of another type = %s with %d field contexts, want gqlgen's null and error", got, contexts)
	}
	if got := resolve(nil, errors.New("broken")); got != "null" || contexts != 2 {
		t.Errorf("failing field = %s with %d field contexts, want gqlgen's null", got, contexts)
	}
	errs := graphql.GetErrors(ctx)
	if len(errs) != 2 || errs[1].Message != "broken" || errs[1].Path.String() != "items.count" {
		t.Errorf("errors = %v, want the failing field's at items.count", errs)
	}
}

// TestObject writes an object's fields in order, each response name once, as gqlgen's
// field set does.
func TestObject(t *testing.T) {
	fields := []graphql.CollectedField{{Field: &ast.Field{Alias: "id"}}, {Field: &ast.Field{Alias: "count"}}, {Field: &ast.Field{Alias: "id"}}}
	values := []graphql.Marshaler{graphql.MarshalString(`a"b`), graphql.MarshalInt(2), graphql.MarshalString("again")}
	var out bytes.Buffer
	Object(fields, values).MarshalGQL(&out)
	if want := `{"id":"a\"b","count":2}`; out.String() != want {
		t.Errorf("object = %s, want %s", out.String(), want)
	}
	fs := graphql.NewFieldSet(fields)
	copy(fs.Values, values)
	var theirs bytes.Buffer
	fs.MarshalGQL(&theirs)
	if theirs.String() != out.String() {
		t.Errorf("object = %s, gqlgen's field set %s", out.String(), theirs.String())
	}
}
