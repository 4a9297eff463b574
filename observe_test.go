package main

import (
	"bytes"
	"compress/gzip"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	collectortrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/participation-graph/participation-graph/internal/buildinfo"
)

// fakeCollector receives OTLP/HTTP trace exports, as an OpenTelemetry collector does.
type fakeCollector struct {
	mu    sync.Mutex
	spans []*tracepb.Span
	// versions are the service.version attributes of the exported resources.
	versions []string
}

func (c *fakeCollector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/x-protobuf" {
		http.Error(w, "want a protobuf POST to /v1/traces", http.StatusBadRequest)
		return
	}
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		body = zr
	}
	b, _ := io.ReadAll(body)
	var req collectortrace.ExportTraceServiceRequest
	if err := proto.Unmarshal(b, &req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	c.mu.Lock()
	for _, rs := range req.ResourceSpans {
		for _, a := range rs.GetResource().GetAttributes() {
			if a.Key == "service.version" {
				c.versions = append(c.versions, a.Value.GetStringValue())
			}
		}
		for _, ss := range rs.ScopeSpans {
			c.spans = append(c.spans, ss.Spans...)
		}
	}
	c.mu.Unlock()
	out, _ := proto.Marshal(&collectortrace.ExportTraceServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(out)
}

// TestTracesAndMetrics serves with an OTLP endpoint: an operation sent with a W3C trace
// context becomes a span of that trace, its database commands spans under it, and the
// metrics show the operation's latency, the commands' latency and the feed's delivery.
func TestTracesAndMetrics(t *testing.T) {
	build := buildinfo.Read()
	col := &fakeCollector{}
	collector := httptest.NewServer(col)
	defer collector.Close()
	// Reads from the database, so that the query's commands show as spans under it.
	base, stop := start(t, map[string]string{"PORT": strconv.Itoa(freePort(t)), "DATA_DIR": t.TempDir(),
		"OTEL_EXPORTER_OTLP_ENDPOINT": collector.URL, "READ_MODEL": "off"})
	stopped := false
	defer func() {
		if !stopped {
			stop()
		}
	}()

	const traceID, parentID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	post := func(query string) *http.Response {
		body, _ := json.Marshal(map[string]any{"query": query})
		req, _ := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+testAdminToken)
		req.Header.Set("traceparent", "00-"+traceID+"-"+parentID+"-01")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := post(`query CommunityNames { communities(first: 5) { nodes { name } } }`); resp.Header.Get("X-Request-Id") == "" {
		t.Error("the response has no X-Request-Id")
	}
	post(`mutation AddCommunity { createCommunity(input: {name: "Traced", kind: OTHER}) { community { id } } }`)

	// The broker delivers the change within its poll; then the metrics show it.
	var text string
	for deadline := time.Now().Add(5 * time.Second); ; {
		resp, err := http.Get(base + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		text = string(b)
		if strings.Contains(text, "participation_changefeed_lag_seconds_count 1\n") || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^participation_graphql_request_duration_seconds_count\{operation="CommunityNames"\} 1$`),
		regexp.MustCompile(`(?m)^participation_graphql_requests_total\{operation="AddCommunity",type="mutation"\} 1$`),
		regexp.MustCompile(`(?m)^participation_db_command_duration_seconds_count\{command="find"\} [1-9]`),
		regexp.MustCompile(`(?m)^participation_db_command_duration_seconds_bucket\{command="insert",le="\+Inf"\} [1-9]`),
		regexp.MustCompile(`(?m)^participation_changefeed_lag_seconds_count 1$`),
		regexp.MustCompile(`(?m)^participation_changefeed_delivered_seq 1$`),
		regexp.MustCompile(`(?m)^participation_build_info\{goversion="` + regexp.QuoteMeta(build.GoVersion) +
			`",revision="` + regexp.QuoteMeta(build.Revision) + `",version="` + regexp.QuoteMeta(build.Version) + `"\} 1$`),
		regexp.MustCompile(`(?m)^go_goroutines [1-9]`),
		regexp.MustCompile(`(?m)^process_cpu_seconds_total `),
	} {
		if !want.MatchString(text) {
			t.Errorf("/metrics lacks %s", want)
		}
	}

	stop() // sends the spans not sent yet
	stopped = true
	col.mu.Lock()
	defer col.mu.Unlock()
	byName := map[string]*tracepb.Span{}
	var finds []*tracepb.Span
	for _, s := range col.spans {
		byName[s.Name] = s
		if s.Name == "find" {
			finds = append(finds, s)
		}
	}
	if len(col.versions) == 0 || col.versions[0] != build.Version {
		t.Errorf("service.version of the traces = %v, want %q", col.versions, build.Version)
	}
	op := byName["query CommunityNames"]
	if op == nil {
		t.Fatalf("the collector got no span for the query; spans: %v", names(col.spans))
	}
	if hex.EncodeToString(op.TraceId) != traceID || hex.EncodeToString(op.ParentSpanId) != parentID {
		t.Errorf("the query's span is in trace %x under %x, want the caller's %s under %s", op.TraceId, op.ParentSpanId, traceID, parentID)
	}
	if byName["mutation AddCommunity"] == nil {
		t.Errorf("no span for the mutation; spans: %v", names(col.spans))
	}
	under := false
	for _, f := range finds {
		if bytes.Equal(f.ParentSpanId, op.SpanId) && bytes.Equal(f.TraceId, op.TraceId) {
			under = true
			if f.Kind != tracepb.Span_SPAN_KIND_CLIENT || !hasAttr(f, "db.system", "mongodb") {
				t.Errorf("database span %v: want a client span with db.system mongodb", f)
			}
		}
	}
	if !under {
		t.Errorf("no find span under the query's span; spans: %v", names(col.spans))
	}
}

func names(spans []*tracepb.Span) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Name)
	}
	return out
}

func hasAttr(s *tracepb.Span, key, value string) bool {
	for _, a := range s.Attributes {
		if a.Key == key && a.Value.GetStringValue() == value {
			return true
		}
	}
	return false
}
