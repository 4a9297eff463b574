package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/participation-graph/participation-graph/api"
	"github.com/participation-graph/participation-graph/internal/dbtest"
	"github.com/participation-graph/participation-graph/telemetry"
)

// TestFailureLogsCarryRequestIDNotData: every line a failing request logs names its
// request id, and none holds its variables.
func TestFailureLogsCarryRequestIDNotData(t *testing.T) {
	s, _ := dbtest.Open(t)
	var logs bytes.Buffer
	srv := httptest.NewServer(api.New(api.Options{Store: s, Logger: telemetry.NewLogger(&logs, true, slog.LevelInfo)}))
	defer srv.Close()
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	const secret = "private.person@example.org"
	body, _ := json.Marshal(map[string]any{
		"query":     `query FindPeople($q: String) { people(filter: {search: $q}) { nodes { id } } }`,
		"variables": map[string]any{"q": secret},
	})
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(telemetry.RequestIDHeader, "trace-me-1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get(telemetry.RequestIDHeader); got != "trace-me-1" {
		t.Errorf("response X-Request-Id %q, want the request's", got)
	}
	var failed, access bool
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q is not JSON", line)
		}
		if m["request_id"] != "trace-me-1" {
			t.Errorf("log line without the request's id: %s", line)
		}
		failed = failed || m["msg"] == "request failed"
		access = access || (m["msg"] == "request" && m["operation"] == "FindPeople")
	}
	if !failed || !access {
		t.Errorf("logs lack the failure or the access line (operation FindPeople):\n%s", logs.String())
	}
	if strings.Contains(logs.String(), secret) {
		t.Errorf("the logs hold a variable's value:\n%s", logs.String())
	}
}

// scrape returns the text of e's /metrics, in OpenMetrics when openMetrics is set.
func scrape(t *testing.T, e *env, openMetrics bool) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.base+"/metrics", nil)
	if openMetrics {
		req.Header.Set("Accept", "application/openmetrics-text; version=1.0.0")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics = %d %s", resp.StatusCode, b)
	}
	return string(b)
}

// TestOperationMetrics: operations are counted by name and type and timed by name,
// unnamed ones as anonymous, and names past the cap share one series.
func TestOperationMetrics(t *testing.T) {
	e := newQuietEnv(t)
	var out struct {
		Typename string `json:"__typename"`
	}
	e.gql.Must(t, `query MuseumList { museums(first: 1) { nodes { id } } }`, nil, &struct{}{})
	e.gql.Must(t, `query MuseumList { museums(first: 1) { nodes { id } } }`, nil, &struct{}{})
	e.gql.Must(t, `{ __typename }`, nil, &out)
	e.gql.Must(t, `mutation AddOne { createCommunity(input: {name: "Counted", kind: OTHER}) { community { id } } }`, nil, &struct{}{})
	// MuseumList, AddOne and Op0 to Op97 fill the 100 names; Op98 to Op119 are other.
	for i := 0; i < 120; i++ {
		e.gql.Must(t, fmt.Sprintf(`query Op%d { __typename }`, i), nil, &out)
	}
	text := scrape(t, e, false)
	for _, want := range []string{
		`participation_graphql_requests_total{operation="MuseumList",type="query"} 2`,
		`participation_graphql_requests_total{operation="AddOne",type="mutation"} 1`,
		`participation_graphql_requests_total{operation="anonymous",type="query"} 1`,
		`participation_graphql_request_duration_seconds_count{operation="MuseumList"} 2`,
		`participation_graphql_request_duration_seconds_bucket{operation="MuseumList",le="+Inf"} 2`,
		`participation_graphql_requests_total{operation="other",type="query"} 22`,
	} {
		if !strings.Contains(text, want+"\n") {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if n := strings.Count(text, "participation_graphql_requests_total{"); n > 102 {
		t.Errorf("%d operation series, want at most 100 names plus anonymous and other", n)
	}
	if strings.Contains(text, "participation_graphql_operations_total") {
		t.Error("/metrics still has participation_graphql_operations_total, which requests_total{type} replaces")
	}
}

// TestLatencyExemplars: in OpenMetrics, an operation traced with a sampled span leaves
// its trace id as the exemplar of its latency bucket.
func TestLatencyExemplars(t *testing.T) {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	e := serveEnvWith(t, false, func(o *api.Options) { o.Tracer = tp.Tracer("test") })
	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	body, _ := json.Marshal(map[string]any{"query": `query Traced { __typename }`})
	req, _ := http.NewRequest(http.MethodPost, e.base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("traceparent", "00-"+traceID+"-00f067aa0ba902b7-01")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	text := scrape(t, e, true)
	want := regexp.MustCompile(`(?m)^participation_graphql_request_duration_seconds_bucket\{operation="Traced",le="[^"]+"\} 1 # \{trace_id="` + traceID + `"\} `)
	if !want.MatchString(text) {
		t.Errorf("OpenMetrics lacks the exemplar %s:\n%s", want, grep(text, "Traced"))
	}
	if !strings.HasSuffix(text, "# EOF\n") {
		t.Error("the OpenMetrics answer does not end with # EOF")
	}
}

func grep(text, s string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, s) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
