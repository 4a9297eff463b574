package graph

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"

	"github.com/participation-graph/participation-graph/domain"
)

func TestErrorPresenter(t *testing.T) {
	var logs bytes.Buffer
	var codes []string
	present := ErrorPresenter(slog.New(slog.NewTextHandler(&logs, nil)), func(c string) { codes = append(codes, c) })
	ctx := graphql.WithResponseContext(context.Background(), graphql.DefaultErrorPresenter, nil)
	driverDetail := "connection(127.0.0.1:27017) socket was unexpectedly closed: secret-host"
	for name, tc := range map[string]struct {
		err          error
		code         string
		hidden       string // must not reach the client
		fields       int
		mustBeLogged bool
	}{
		"Validation": {&domain.ValidationError{Fields: []domain.FieldError{{Field: "museumId", Message: "no museum"}}}, "BAD_USER_INPUT", "", 1, false},
		"NotFound":   {fmt.Errorf("museum %q: %w", "x", domain.ErrNotFound), "NOT_FOUND", "", 0, false},
		"Conflict":   {fmt.Errorf("%w: stale", domain.ErrConflict), "CONFLICT", "", 0, false},
		"Down":       {fmt.Errorf("%w: %s", domain.ErrUnavailable, driverDetail), "UNAVAILABLE", "secret-host", 0, true},
		"Unknown":    {errors.New(driverDetail), "INTERNAL", "secret-host", 0, true},
		"Panic":      {Recover(slog.New(slog.NewTextHandler(&logs, nil)))(ctx, "boom: secret-host"), "INTERNAL", "secret-host", 0, true},
	} {
		t.Run(name, func(t *testing.T) {
			logs.Reset()
			got := present(ctx, tc.err)
			if got.Extensions["code"] != tc.code {
				t.Errorf("code = %v, want %s", got.Extensions["code"], tc.code)
			}
			if tc.hidden != "" && strings.Contains(got.Message, tc.hidden) {
				t.Errorf("message %q leaks %q", got.Message, tc.hidden)
			}
			if f, _ := got.Extensions["fields"].([]domain.FieldError); len(f) != tc.fields {
				t.Errorf("fields = %v, want %d", got.Extensions["fields"], tc.fields)
			}
			if tc.mustBeLogged && !strings.Contains(logs.String(), "secret-host") && name != "Panic" {
				t.Errorf("the detail was not logged: %q", logs.String())
			}
		})
	}
	if len(codes) != 6 {
		t.Errorf("onError saw %d codes, want 6", len(codes))
	}
}
