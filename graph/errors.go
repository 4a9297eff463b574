package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/participation-graph/participation-graph/store"
)

// The error codes of the API contract, in extensions.code.
const (
	CodeBadUserInput = "BAD_USER_INPUT"
	CodeNotFound     = "NOT_FOUND"
	CodeConflict     = "CONFLICT"
	CodeUnavailable  = "UNAVAILABLE"
	CodeInternal     = "INTERNAL"
)

// ErrorPresenter maps every error a request produces to the contract's codes; it is the
// only place that does. Validation problems list their fields; unknown errors are logged
// with their detail and shown to the client only as INTERNAL, so driver messages and stack
// traces never reach a client. onError, when set, is told each code (for metrics).
func ErrorPresenter(log *slog.Logger, onError func(code string)) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gerr := graphql.DefaultErrorPresenter(ctx, err)
		code, message, fields := classify(err, gerr)
		if code == CodeInternal || code == CodeUnavailable {
			log.ErrorContext(ctx, "request failed", "code", code, "path", gerr.Path.String(), "err", err)
		}
		if onError != nil {
			onError(code)
		}
		out := &gqlerror.Error{Message: message, Path: gerr.Path, Locations: gerr.Locations,
			Extensions: map[string]any{"code": code}}
		if len(fields) > 0 {
			out.Extensions["fields"] = fields
		}
		return out
	}
}

func classify(err error, gerr *gqlerror.Error) (code, message string, fields []store.FieldError) {
	var ve *store.ValidationError
	var ie *store.InputError
	switch {
	case errors.As(err, &ve):
		return CodeBadUserInput, ve.Error(), ve.Fields
	case errors.As(err, &ie):
		field := inputField(gerr.Path)
		return CodeBadUserInput, fmt.Sprintf("invalid input: %s: %s", field, ie.Message), []store.FieldError{{Field: field, Message: ie.Message}}
	case errors.Is(err, store.ErrNotFound):
		return CodeNotFound, err.Error(), nil
	case errors.Is(err, store.ErrConflict):
		return CodeConflict, err.Error(), nil
	case errors.Is(err, store.ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		return CodeUnavailable, "the database is unavailable or too slow right now; try again shortly", nil
	}
	// Errors gqlgen raises itself: the query did not parse, did not validate against the
	// schema, or its variables did not fit their types. Their messages name what is wrong
	// and carry no internals.
	if c, ok := gerr.Extensions["code"].(string); ok && strings.HasPrefix(c, "GRAPHQL_") {
		return CodeBadUserInput, gerr.Message, nil
	}
	if gerr.Rule != "" || (gerr.Err == nil && gerr.Path == nil && len(gerr.Locations) > 0) {
		return CodeBadUserInput, gerr.Message, nil
	}
	return CodeInternal, "internal error", nil
}

// inputField names the input field of an argument path: the path of
// createMuseum(input: {kind: …}) is createMuseum.input.kind, and the contract names fields
// as the input object does, so the field and argument names are dropped.
func inputField(p interface{ String() string }) string {
	s := p.String()
	if _, rest, ok := strings.Cut(s, ".input."); ok {
		return rest
	}
	return strings.TrimPrefix(s, "input.")
}

// Recover turns a panic in a resolver into an INTERNAL error, logging the stack.
func Recover(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		log.ErrorContext(ctx, "panic in resolver", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		return errors.New("internal error")
	}
}
