package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/participation-graph/participation-graph/api"
	"github.com/participation-graph/participation-graph/internal/gqltest"
)

// post sends a raw GraphQL POST and returns the status, the headers and the body.
func post(t *testing.T, url string, body any, headers map[string]string) (int, http.Header, string) {
	t.Helper()
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func TestRateLimit(t *testing.T) {
	e := serveEnvWith(t, false, func(o *api.Options) { o.RateLimit, o.RateBurst = 0.5, 3 })
	q := map[string]any{"query": "{ viewer { role } }"}
	for i := range 3 {
		if code, _, body := post(t, e.gql.URL, q, nil); code != 200 {
			t.Fatalf("request %d within the burst: %d %s", i+1, code, body)
		}
	}
	code, h, body := post(t, e.gql.URL, q, nil)
	if code != http.StatusTooManyRequests || h.Get("Retry-After") == "" || !strings.Contains(body, `"RATE_LIMITED"`) || !strings.Contains(body, `"retryAfter"`) {
		t.Errorf("request over the limit: %d Retry-After=%q %s, want 429 RATE_LIMITED with a retry hint", code, h.Get("Retry-After"), body)
	}
	// A key has its own allowance.
	if code, _, body := post(t, e.gql.URL, q, map[string]string{"Authorization": "Bearer " + adminToken}); code != 200 {
		t.Errorf("the admin token's own allowance: %d %s", code, body)
	}
}

// TestGraphQLOverHTTPStatusCodes follows the GraphQL-over-HTTP specification's statuses
// and bodies for requests that fail before execution, by the media type the client accepts.
func TestGraphQLOverHTTPStatusCodes(t *testing.T) {
	e := newQuietEnv(t)
	const (
		plain    = "application/json"
		response = "application/graphql-response+json"
	)
	for _, c := range []struct {
		name, accept string
		body         any
		status       int
		data         bool // whether the body has a data entry
	}{
		{"OK", response, map[string]any{"query": "{ viewer { role } }"}, 200, true},
		{"OKPlain", plain, map[string]any{"query": "{ viewer { role } }"}, 200, true},
		{"ParseFailure", response, map[string]any{"query": "{"}, 400, false},
		{"ParseFailurePlain", plain, map[string]any{"query": "{"}, 200, false},
		{"ValidationFailure", response, map[string]any{"query": "{ museums { nope } }"}, 400, false},
		{"ValidationFailurePlain", plain, map[string]any{"query": "{ museums { nope } }"}, 200, false},
		{"CoercionFailure", response, map[string]any{"query": "query Q($id: ID!) { node(id: $id) { id } }", "variables": map[string]any{"id": nil}}, 400, false},
		{"CoercionFailurePlain", plain, map[string]any{"query": "query Q($id: ID!) { node(id: $id) { id } }", "variables": map[string]any{"id": nil}}, 200, false},
		{"NoQuery", response, map[string]any{"qeury": "{ viewer { role } }"}, 400, false},
		{"NoQueryPlain", plain, map[string]any{"qeury": "{ viewer { role } }"}, 400, false},
		{"BodyNotGraphQLPlain", plain, map[string]any{"query": 7}, 400, false},
		{"UnknownPersistedHashPlain", plain, map[string]any{"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hashOf("{ x }")}}}, 200, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, h, body := post(t, e.gql.URL, c.body, map[string]string{"Accept": c.accept})
			var got map[string]json.RawMessage
			if err := json.Unmarshal([]byte(body), &got); err != nil {
				t.Fatalf("body %s: %v", body, err)
			}
			_, data := got["data"]
			if code != c.status || data != c.data || !strings.HasPrefix(h.Get("Content-Type"), c.accept) {
				t.Errorf("got %d %q, data entry %v: %s; want %d %s, data entry %v", code, h.Get("Content-Type"), data, body, c.status, c.accept, c.data)
			}
			if code != 200 || !c.data {
				if !strings.Contains(body, `"BAD_USER_INPUT"`) {
					t.Errorf("body %s, want BAD_USER_INPUT", body)
				}
			}
		})
	}
}

// TestProductionMode: no playground, no introspection, no field suggestions.
func TestProductionMode(t *testing.T) {
	e := serveEnvWith(t, false, func(o *api.Options) { o.Playground, o.Introspection, o.FieldSuggestions = false, false, false })
	if err := e.anon.Fail(t, `{ __schema { types { name } } }`, nil); err.Code() != "FORBIDDEN" {
		t.Errorf("introspection: %s %s, want it refused", err.Code(), err.Message)
	}
	if err := e.anon.Fail(t, `{ museums { nodes { nam } } }`, nil); strings.Contains(err.Message, "Did you mean") {
		t.Errorf("a misspelt field got a suggestion: %s", err.Message)
	}
	resp, err := http.Get(e.base + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("playground: %d, want 404", resp.StatusCode)
	}
	// Development, for comparison, suggests.
	dev := newQuietEnv(t)
	if err := dev.anon.Fail(t, `{ museums { nodes { nam } } }`, nil); !strings.Contains(err.Message, "Did you mean") {
		t.Errorf("development mode: %s, want a suggestion", err.Message)
	}
}

func TestPersistedOperations(t *testing.T) {
	const listed = `{ museums { totalCount } }`
	sum := hashOf(listed)
	ops := mustLoad(t, map[string]string{sum: listed})
	e := serveEnvWith(t, false, func(o *api.Options) { o.Persisted = ops })
	byHash := map[string]any{"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": sum}}}
	if code, _, body := post(t, e.gql.URL, byHash, nil); code != 200 || !strings.Contains(body, `"totalCount":9`) {
		t.Errorf("a registered operation by hash: %d %s", code, body)
	}
	if _, _, body := post(t, e.gql.URL, map[string]any{"query": listed}, nil); !strings.Contains(body, `"totalCount":9`) {
		t.Errorf("a registered operation by text: %s", body)
	}
	if err := e.anon.Fail(t, `{ communities { totalCount } }`, nil); err.Code() != "FORBIDDEN" {
		t.Errorf("an unregistered operation: %s %s, want FORBIDDEN", err.Code(), err.Message)
	}
	var ok struct{ Communities struct{ TotalCount int } }
	e.gql.Must(t, `{ communities { totalCount } }`, nil, &ok) // administrators may run any

	if _, err := writeAndLoad(t, `{"0000": "{ museums { totalCount } }"}`, false); err == nil {
		t.Error("a file whose hash does not match its operation was accepted")
	}
}

// TestPersistedOnlyIgnoresAutomaticPersistedQueries: an operation an administrator runs
// with its hash enters the automatic persisted queries' cache, but that must not let
// others run it by hash when only registered operations may run.
func TestPersistedOnlyIgnoresAutomaticPersistedQueries(t *testing.T) {
	const listed, unlisted = `{ museums { totalCount } }`, `{ communities { totalCount } }`
	ops := mustLoad(t, []string{listed})
	e := serveEnvWith(t, false, func(o *api.Options) { o.Persisted = ops })
	ext := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hashOf(unlisted)}}
	admin := map[string]string{"Authorization": "Bearer " + adminToken}
	if code, _, body := post(t, e.gql.URL, map[string]any{"query": unlisted, "extensions": ext}, admin); code != 200 || !strings.Contains(body, `"totalCount"`) {
		t.Fatalf("the administrator's unregistered operation with its hash: %d %s, want it run", code, body)
	}
	if _, _, body := post(t, e.gql.URL, map[string]any{"extensions": ext}, admin); !strings.Contains(body, `"totalCount"`) {
		t.Errorf("the administrator by hash alone: %s, want it run", body)
	}
	code, _, body := post(t, e.gql.URL, map[string]any{"extensions": ext}, nil)
	if !strings.Contains(body, `"FORBIDDEN"`) || strings.Contains(body, `"totalCount"`) {
		t.Errorf("an anonymous caller by the cached hash: %d %s, want FORBIDDEN and no data", code, body)
	}
	if _, _, body := post(t, e.gql.URL, map[string]any{"query": unlisted, "extensions": ext}, nil); !strings.Contains(body, `"FORBIDDEN"`) {
		t.Errorf("an anonymous caller with the text and hash: %s, want FORBIDDEN", body)
	}
	listedExt := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hashOf(listed)}}
	if _, _, body := post(t, e.gql.URL, map[string]any{"extensions": listedExt}, nil); !strings.Contains(body, `"totalCount":9`) {
		t.Errorf("an anonymous caller by a registered hash: %s, want it run", body)
	}
}

func TestAutomaticPersistedQueries(t *testing.T) {
	e := newQuietEnv(t)
	const q = `{ programmes { totalCount } }`
	ext := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hashOf(q)}}
	if _, _, body := post(t, e.gql.URL, map[string]any{"extensions": ext}, nil); !strings.Contains(body, "PersistedQueryNotFound") {
		t.Errorf("an unknown hash: %s, want PersistedQueryNotFound", body)
	}
	if _, _, body := post(t, e.gql.URL, map[string]any{"query": q, "extensions": ext}, nil); !strings.Contains(body, `"totalCount":1`) {
		t.Errorf("registering: %s", body)
	}
	if _, _, body := post(t, e.gql.URL, map[string]any{"extensions": ext}, nil); !strings.Contains(body, `"totalCount":1`) {
		t.Errorf("by hash after registering: %s", body)
	}
}

func writeAndLoad(t *testing.T, content string, only bool) (*api.PersistedOperations, error) {
	file := filepath.Join(t.TempDir(), "ops.json")
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return api.LoadPersistedOperations(file, only)
}

// mustLoad registers ops (either file format) as the only operations that may run.
func mustLoad(t *testing.T, ops any) *api.PersistedOperations {
	raw, _ := json.Marshal(ops)
	p, err := writeAndLoad(t, string(raw), true)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func hashOf(q string) string { return gqltest.SHA256(q) }

func TestBodySizeAndTimeoutLimits(t *testing.T) {
	e := serveEnvWith(t, false, nil)
	q := func(pad int) map[string]any {
		return map[string]any{"query": "{ viewer { role } }", "variables": map[string]any{"pad": strings.Repeat("x", pad)}}
	}
	if code, _, body := post(t, e.gql.URL, q(api.MaxBodyBytes-200), nil); code != 200 || !strings.Contains(body, "ANONYMOUS") {
		t.Errorf("a body just under 1 MiB: %d %.200s", code, body)
	}
	if code, _, body := post(t, e.gql.URL, q(api.MaxBodyBytes), nil); code != http.StatusRequestEntityTooLarge || !strings.Contains(body, "BAD_USER_INPUT") {
		t.Errorf("a body over 1 MiB: %d %.200s, want 413", code, body)
	}
	slow := serveEnvWith(t, false, func(o *api.Options) { o.RequestTimeout = time.Nanosecond })
	if err := slow.anon.Fail(t, `{ decisionEvents { totalCount } }`, nil); err.Code() != "UNAVAILABLE" {
		t.Errorf("a request over its time limit: %s %s, want UNAVAILABLE", err.Code(), err.Message)
	}
}

func TestPageSizeLimit(t *testing.T) {
	e := newQuietEnv(t)
	var ok struct{ Museums struct{ TotalCount int } }
	e.anon.Must(t, `{ museums(first: 100) { totalCount nodes { id } } }`, nil, &ok)
	if err := e.anon.Fail(t, `{ museums(first: 101) { nodes { id } } }`, nil); err.Code() != "BAD_USER_INPUT" || len(err.Fields()) != 1 || err.Fields()[0] != "first" {
		t.Errorf("first: 101 gave %s %v, want BAD_USER_INPUT on first", err.Code(), err.Fields())
	}
}

// TestCORSHeaders: browsers may send the tracing and request-id headers, and scripts may
// read the headers that tell them when to retry, how to authenticate and which request
// the logs know theirs by.
func TestCORSHeaders(t *testing.T) {
	e := newQuietEnv(t)
	const origin = "https://allowed.example"
	req, _ := http.NewRequest(http.MethodOptions, e.gql.URL, nil)
	req.Header.Set("Origin", origin)
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "authorization, content-type, traceparent, tracestate, x-request-id")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	allowed := strings.ToLower(resp.Header.Get("Access-Control-Allow-Headers"))
	for _, h := range []string{"authorization", "content-type", "traceparent", "tracestate", "x-request-id"} {
		if !strings.Contains(allowed, h) {
			t.Errorf("preflight: Access-Control-Allow-Headers %q, want it to allow %s", allowed, h)
		}
	}
	_, h, _ := post(t, e.gql.URL, map[string]any{"query": "{ viewer { role } }"}, map[string]string{"Origin": origin})
	exposed := strings.ToLower(h.Get("Access-Control-Expose-Headers"))
	for _, want := range []string{"retry-after", "x-request-id", "www-authenticate"} {
		if !strings.Contains(exposed, want) {
			t.Errorf("Access-Control-Expose-Headers %q, want it to expose %s", exposed, want)
		}
	}
}

// TestTrustedProxies: behind a trusted proxy each client has its own allowance, named by
// the right-most X-Forwarded-For address that is not a trusted proxy; from anywhere else
// X-Forwarded-For is ignored, so a client cannot pick its own bucket.
func TestTrustedProxies(t *testing.T) {
	q := map[string]any{"query": "{ viewer { role } }"}
	send := func(e *env, xff string) int {
		code, _, _ := post(t, e.gql.URL, q, map[string]string{"X-Forwarded-For": xff})
		return code
	}
	// The test server's peer is 127.0.0.1, here one of the proxies.
	proxied := serveEnvWith(t, false, func(o *api.Options) {
		o.RateLimit, o.RateBurst = 0.001, 1
		o.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("10.0.0.0/8")}
	})
	for _, c := range []struct {
		name, xff string
		want      int
	}{
		{"FirstClient", "203.0.113.7", 200},
		{"FirstClientAgain", "203.0.113.7", 429},
		{"SecondClient", "203.0.113.8", 200},
		{"SpoofedLeftEntryIgnored", "203.0.113.8, 203.0.113.9", 200},
		{"SpoofedLeftEntryIgnoredAgain", "203.0.113.7, 203.0.113.9", 429},
		{"ThroughTwoTrustedProxies", "203.0.113.10, 10.1.2.3", 200},
		{"ThroughTwoTrustedProxiesAgain", "203.0.113.10, 10.9.9.9", 429},
		{"IPv6Client", "2001:db8::1", 200},
	} {
		if got := send(proxied, c.xff); got != c.want {
			t.Errorf("%s: X-Forwarded-For %q answered %d, want %d", c.name, c.xff, got, c.want)
		}
	}
	direct := serveEnvWith(t, false, func(o *api.Options) { o.RateLimit, o.RateBurst = 0.001, 1 })
	if got := send(direct, "203.0.113.7"); got != 200 {
		t.Errorf("without trusted proxies, the first request: %d, want 200", got)
	}
	if got := send(direct, "203.0.113.8"); got != 429 {
		t.Errorf("without trusted proxies, X-Forwarded-For chose a new allowance: %d, want 429", got)
	}
}

// TestPrivateMetrics: with metrics on an operations address, the public handler has no
// /metrics, and the operations handler has them (counting the public handler's requests)
// with the probes.
func TestPrivateMetrics(t *testing.T) {
	var opts api.Options
	e := serveEnvWith(t, true, func(o *api.Options) { o.PrivateMetrics = true; opts = *o })
	ops := httptest.NewServer(api.Operations(opts))
	defer ops.Close()
	var ok struct{ Viewer struct{ Role string } }
	e.anon.Must(t, `{ viewer { role } }`, nil, &ok)
	if code, _, _ := get(t, e.base+"/metrics"); code != http.StatusNotFound {
		t.Errorf("public /metrics: %d, want 404", code)
	}
	if code, _, body := get(t, ops.URL+"/metrics"); code != 200 || !strings.Contains(body, `participation_graphql_requests_total{operation="anonymous",type="query"}`) {
		t.Errorf("operations /metrics: %d %.300s, want the public handler's counters", code, body)
	}
	for _, probe := range []string{"/healthz", "/readyz"} {
		if code, _, _ := get(t, ops.URL+probe); code != 200 {
			t.Errorf("operations %s: %d, want 200", probe, code)
		}
		if code, _, _ := get(t, e.base+probe); code != 200 {
			t.Errorf("public %s: %d, want 200", probe, code)
		}
	}
	if code, _, _ := get(t, ops.URL+"/graphql"); code != http.StatusNotFound {
		t.Errorf("operations /graphql: %d, want 404", code)
	}
}
