package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/participation-graph/participation-graph/api"
	"github.com/participation-graph/participation-graph/graph"
)

// TestSchemaSDL: /schema.graphql serves the schema while introspection is on, and
// nothing while it is off, as introspection itself then answers nothing.
func TestSchemaSDL(t *testing.T) {
	t.Run("IntrospectionOn", func(t *testing.T) {
		e := newQuietEnv(t)
		status, ctype, body := get(t, e.base+"/schema.graphql")
		if status != http.StatusOK || !strings.HasPrefix(ctype, "text/plain") || body != string(graph.SDL()) {
			t.Errorf("/schema.graphql = %d %s (%d bytes), want 200 and the schema (%d bytes)", status, ctype, len(body), len(graph.SDL()))
		}
		if !strings.Contains(body, "type Query {") || !strings.Contains(body, "input DecisionEventFilter {") {
			t.Errorf("the SDL lacks Query or DecisionEventFilter:\n%.300s", body)
		}
	})
	t.Run("IntrospectionOff", func(t *testing.T) {
		e := serveEnvWith(t, false, func(o *api.Options) { o.Introspection = false })
		status, _, body := get(t, e.base+"/schema.graphql")
		if status != http.StatusNotFound || strings.Contains(body, "type Query") {
			t.Errorf("/schema.graphql = %d %.100s, want 404 without the schema", status, body)
		}
		if resp := e.anon.Do(t, `{ __schema { queryType { name } } }`, nil); len(resp.Errors) == 0 {
			t.Errorf("introspection answered with introspection off: %s", resp.Data)
		}
	})
}
