package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

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

// TestOperationMetrics: operations are counted and timed by name, unnamed ones as
// anonymous, and names past the cap share one series.
func TestOperationMetrics(t *testing.T) {
	e := newQuietEnv(t)
	var out struct {
		Typename string `json:"__typename"`
	}
	e.gql.Must(t, `query MuseumList { museums(first: 1) { nodes { id } } }`, nil, &struct{}{})
	e.gql.Must(t, `query MuseumList { museums(first: 1) { nodes { id } } }`, nil, &struct{}{})
	e.gql.Must(t, `{ __typename }`, nil, &out)
	// MuseumList and Op0 to Op98 fill the 100 names; Op99 to Op119 are other.
	for i := 0; i < 120; i++ {
		e.gql.Must(t, fmt.Sprintf(`query Op%d { __typename }`, i), nil, &out)
	}
	var b bytes.Buffer
	e.metrics.Write(&b)
	text := b.String()
	for _, want := range []string{
		`participation_graphql_requests_total{operation="MuseumList"} 2`,
		`participation_graphql_requests_total{operation="anonymous"} 1`,
		`participation_graphql_request_duration_seconds_count{operation="MuseumList"} 2`,
		`participation_graphql_request_duration_seconds_bucket{operation="MuseumList",le="+Inf"} 2`,
		`participation_graphql_requests_total{operation="other"} 21`,
	} {
		if !strings.Contains(text, want+"\n") {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if n := strings.Count(text, "participation_graphql_requests_total{"); n > 102 {
		t.Errorf("%d operation series, want at most 100 names plus anonymous and other", n)
	}
}
