// Package gqlexec holds the steps of gqlgen's executor that this server takes its own way.
// The generated executor calls them in place of gqlgen's own (internal/cmd/gqlgen
// rewrites the calls after generating):
//
//   - MarshalSlice, for graphql.MarshalSliceConcurrently, marshals a list's elements one
//     after another, instead of on one goroutine each;
//   - NewDeferredGroup, for graphql.NewDeferredGroup, works out an object's path for
//     @defer only when one of its fields is deferred, instead of for every object;
//   - ResolveField, for graphql.ResolveField on plain fields, marshals a value that
//     cannot fail at once, without a field context, middleware or panic guard;
//   - Object, for the field set an object's marshaller returns, writes its fields
//     without copying each to the heap.
//
// They cost the most on long pages: a page of 500 decision events with their museums and
// communities is 500 goroutines and 1,500 paths, and a network of 2,500 edges tens of
// thousands of fields (see bench/README.md).
package gqlexec

import (
	"context"
	"io"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/participation-graph/participation-graph/loader"
)

// MarshalSlice marshals the n elements of list. gqlgen gives each element its own
// goroutine, so that references the elements load reach a dataloader together and cost
// one batch. This server's loaders batch by the records read together instead (see
// package loader), so they never wait for a sibling to ask, and a goroutine per element
// would buy only its start, its stack's growth and its hand-off. The elements are marshalled
// in order on the caller's goroutine, each in its own field context as gqlgen gives them,
// and a panic in one becomes that element's error as it does in gqlgen. The elements are
// registered as each other's siblings (loader.Siblings), for records that were not read
// together with others. A request without loaders is marshalled as gqlgen does.
func MarshalSlice[E any](ctx context.Context, n int, workerLimit int64, omitPanicHandler bool,
	marshal func(ctx context.Context, i int) graphql.Marshaler, list []E) graphql.Array {
	if n < 2 || !serial(ctx) {
		return graphql.MarshalSliceConcurrently(ctx, n, workerLimit, omitPanicHandler, marshal)
	}
	loader.Siblings(ctx, list)
	ret := make(graphql.Array, n)
	for i := range n {
		ctx := graphql.WithFieldContext(ctx, &graphql.FieldContext{Index: &i})
		if omitPanicHandler {
			ret[i] = marshal(ctx, i)
			continue
		}
		ret[i] = marshalRecovering(ctx, i, marshal)
	}
	return ret
}

// serial says whether a request's lists are marshalled in order.
var serial = loader.Serial

func marshalRecovering(ctx context.Context, i int, marshal func(ctx context.Context, i int) graphql.Marshaler) (m graphql.Marshaler) {
	defer func() {
		if r := recover(); r != nil {
			graphql.AddError(ctx, graphql.Recover(ctx, r))
			m = graphql.Null
		}
	}()
	return marshal(ctx, i)
}

// NewDeferredGroup returns the group that collects an object's deferred fields. gqlgen
// builds one for every object it marshals, with the object's path, which walks up every
// field context to the root and allocates; the path is needed only to deliver deferred
// fields, so an object with none gets an empty group, which the generated code never
// touches (it reads Defers, nil and so empty, and schedules nothing on it).
func NewDeferredGroup(ctx context.Context, fields []graphql.CollectedField) graphql.DeferredGroup {
	for i := range fields {
		if fields[i].IsDeferred() {
			return graphql.NewDeferredGroup(ctx)
		}
	}
	return graphql.DeferredGroup{Context: ctx}
}

// ResolveField resolves a plain field (internal/cmd/gqlgen picks them): read from its
// object's struct or from a method that takes no context and returns no error, with no
// resolver, argument or directive, of a built-in scalar or an enum held by value, or of a
// nullable pointer to a scalar or enum. Such a field cannot fail and reads nothing from
// its context (a nil pointer is null, which a nullable field may be), so its value is
// marshalled at once. gqlgen gives every field a field context, a context holding it,
// the resolver middleware and a panic guard: on a network of 2,500 edges those were the
// most of the request's allocations, for fields that need none of them. gqlgen's own
// path is taken whenever the field is not as expected (a field middleware, an error, a
// value of another type), so any report is made as gqlgen makes it. The server runs no
// field interceptors (api checks it), so no middleware is skipped.
func ResolveField[T any](ctx context.Context, oc *graphql.OperationContext, field graphql.CollectedField,
	initializeFieldContext func(ctx context.Context, field graphql.CollectedField) (*graphql.FieldContext, error),
	fieldResolver func(ctx context.Context) (any, error),
	middlewareChain func(ctx context.Context, next graphql.Resolver) graphql.Resolver,
	marshal func(ctx context.Context, sel ast.SelectionSet, v T) graphql.Marshaler,
	recoverFromPanic bool, nonNull bool) graphql.Marshaler {
	if middlewareChain == nil {
		if res, err := fieldResolver(ctx); err == nil {
			if v, ok := res.(T); ok {
				return marshal(ctx, field.Selections, v)
			}
		}
	}
	return graphql.ResolveField(ctx, oc, field, initializeFieldContext, fieldResolver, middlewareChain, marshal, recoverFromPanic, nonNull)
}

// Object is the marshaller of an object's fields, in place of the field set itself:
// gqlgen's FieldSet.MarshalGQL copies each collected field to the heap to hand it to an
// iterator and builds a map per object to skip a response name written twice, though
// CollectFields has already merged the fields of one name. fields are the object's
// collected fields and values their marshalled values, in the same order.
func Object(fields []graphql.CollectedField, values []graphql.Marshaler) graphql.Marshaler {
	return object{fields, values}
}

type object struct {
	fields []graphql.CollectedField
	values []graphql.Marshaler
}

var (
	openBrace  = []byte{'{'}
	closeBrace = []byte{'}'}
	comma      = []byte{','}
	quoteColon = []byte{'"', ':'}
	quote      = []byte{'"'}
)

// MarshalGQL writes the fields in order. A response name is a GraphQL name, which needs no
// escaping; one already written is skipped, as gqlgen does.
func (o object) MarshalGQL(w io.Writer) {
	_, _ = w.Write(openBrace)
	for i := range o.fields {
		name := o.fields[i].Alias
		if written(o.fields[:i], name) {
			continue
		}
		if i > 0 {
			_, _ = w.Write(comma)
		}
		_, _ = w.Write(quote)
		_, _ = io.WriteString(w, name)
		_, _ = w.Write(quoteColon)
		o.values[i].MarshalGQL(w)
	}
	_, _ = w.Write(closeBrace)
}

// written reports whether one of fields has the response name.
func written(fields []graphql.CollectedField, name string) bool {
	for i := range fields {
		if fields[i].Alias == name {
			return true
		}
	}
	return false
}
