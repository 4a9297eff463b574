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

	"github.com/participation-graph/participation-graph/changefeed"
	"github.com/participation-graph/participation-graph/domain"
)

// The error codes of the API contract, in extensions.code.
const (
	CodeBadUserInput = "BAD_USER_INPUT"
	CodeNotFound     = "NOT_FOUND"
	CodeConflict     = "CONFLICT"
	CodeUnavailable  = "UNAVAILABLE"
	CodeExpired      = "CURSOR_EXPIRED"
	CodeTooComplex   = "QUERY_TOO_COMPLEX"
	CodeUnauth       = "UNAUTHENTICATED"
	CodeForbidden    = "FORBIDDEN"
	CodeRateLimited  = "RATE_LIMITED"
	CodeInternal     = "INTERNAL"
)

// ErrorPresenter maps every error a request produces to the contract's codes; it is the
// only place that does. Validation problems list their fields; unknown errors are logged
// with their detail and shown to the client only as INTERNAL, so driver messages and stack
// traces never reach a client. onError, when set, is told each code (for metrics).
func ErrorPresenter(log *slog.Logger, onError func(code string)) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gerr := graphql.DefaultErrorPresenter(ctx, err)
		code, message, fields, extra := classify(err, gerr)
		if (code == CodeInternal || code == CodeUnavailable) && !errors.Is(err, context.Canceled) {
			log.ErrorContext(ctx, "request failed", "code", code, "path", gerr.Path.String(), "err", err)
		}
		if onError != nil {
			onError(code)
		}
		out := &gqlerror.Error{Message: message, Path: gerr.Path, Locations: gerr.Locations,
			Extensions: map[string]any{}}
		for k, v := range extra {
			out.Extensions[k] = v
		}
		out.Extensions["code"] = code
		if len(fields) > 0 {
			out.Extensions["fields"] = fields
		}
		return out
	}
}

func classify(err error, gerr *gqlerror.Error) (code, message string, fields []domain.FieldError, extra map[string]any) {
	var ve *domain.ValidationError
	var ie *domain.InputError
	var ee *changefeed.EndError
	switch {
	case errors.As(err, &ee):
		return CodeUnavailable, ee.Error(), nil, map[string]any{"resumeAfter": ee.Resume}
	case errors.As(err, &ve):
		return CodeBadUserInput, ve.Error(), ve.Fields, nil
	case errors.As(err, &ie):
		field := inputField(gerr.Path)
		return CodeBadUserInput, fmt.Sprintf("invalid input: %s: %s", field, ie.Message), []domain.FieldError{{Field: field, Message: ie.Message}}, nil
	case errors.Is(err, domain.ErrUnauthenticated):
		return CodeUnauth, err.Error(), nil, nil
	case errors.Is(err, domain.ErrForbidden):
		return CodeForbidden, err.Error(), nil, nil
	case errors.Is(err, domain.ErrNotFound):
		return CodeNotFound, err.Error(), nil, nil
	case errors.Is(err, domain.ErrConflict):
		return CodeConflict, err.Error(), nil, nil
	case errors.Is(err, domain.ErrCursorExpired):
		return CodeExpired, err.Error() + "; read everything again, then follow the feed from the new endCursor", nil, nil
	case errors.Is(err, context.Canceled):
		return CodeUnavailable, "the request was cancelled", nil, nil
	case gerr.Err != nil && gerr.Err.Error() == "introspection disabled": // gqlgen's own, unexported error
		return CodeForbidden, "schema introspection is turned off on this server", nil, nil
	case errors.Is(err, domain.ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		return CodeUnavailable, "the database is unavailable or too slow right now; try again shortly", nil, nil
	}
	// Errors gqlgen raises itself while reading the request, before any resolver runs: the
	// body was not JSON, the query did not parse or validate, the variables did not fit
	// their types. They carry no path and wrap no error of ours. A message about the body
	// may quote the body, which can hold personal data, so it is replaced.
	switch c, _ := gerr.Extensions["code"].(string); {
	case c == CodeForbidden:
		return CodeForbidden, gerr.Message, nil, nil
	case c == CodeTooComplex:
		// The limit's name and values are in the other extensions; the caller sets code.
		return CodeTooComplex, gerr.Message, nil, gerr.Extensions
	case strings.HasPrefix(c, "GRAPHQL_") || gerr.Rule != "":
		return CodeBadUserInput, gerr.Message, nil, nil
	}
	if gerr.Err == nil && len(gerr.Path) == 0 {
		if strings.Contains(strings.ToLower(gerr.Message), "body") {
			return CodeBadUserInput, `the request body is not a GraphQL request: send JSON such as {"query": "{ museums { nodes { name } } }", "variables": {}}`, nil, nil
		}
		return CodeBadUserInput, gerr.Message, nil, nil
	}
	return CodeInternal, "internal error", nil, nil
}

// inputField names the field of an argument path as the contract does: the path of
// createMuseum(input: {kind: …}) is createMuseum.input.kind and names kind; the path of
// decisionEvents(filter: {occurredAfter: …}) names filter.occurredAfter.
func inputField(p interface{ String() string }) string {
	s := p.String()
	if _, rest, ok := strings.Cut(s, ".input."); ok {
		return rest
	}
	if _, rest, ok := strings.Cut(s, "."); ok && !strings.HasPrefix(s, "variable.") {
		return rest
	}
	return s
}

// Recover turns a panic in a resolver into an INTERNAL error, logging the stack.
func Recover(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		log.ErrorContext(ctx, "panic in resolver", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		return errors.New("internal error")
	}
}
