package telemetry_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/participation-graph/participation-graph/telemetry"
)

// logLines decodes JSON log output.
func logLines(t *testing.T, b *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q is not JSON: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

func TestRequestIDs(t *testing.T) {
	var logs bytes.Buffer
	log := telemetry.NewLogger(&logs, true, slog.LevelInfo)
	h := telemetry.Middleware(log, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		telemetry.SetOperation(r.Context(), "Museums")
		log.InfoContext(r.Context(), "inside")
		w.WriteHeader(http.StatusTeapot)
	}))
	for name, tc := range map[string]struct {
		sent string
		kept bool
	}{
		"Honoured":     {"edge-7f3a:42", true},
		"Missing":      {"", false},
		"TooLong":      {strings.Repeat("a", 129), false},
		"NotPlainText": {`x" level=ERROR`, false},
	} {
		t.Run(name, func(t *testing.T) {
			logs.Reset()
			req := httptest.NewRequest(http.MethodGet, "/graphql?query=secret&variables=%7B%22email%22%3A%22a%40b.org%22%7D", nil)
			if tc.sent != "" {
				req.Header.Set(telemetry.RequestIDHeader, tc.sent)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			id := rec.Header().Get(telemetry.RequestIDHeader)
			switch {
			case tc.kept && id != tc.sent:
				t.Errorf("response id %q, want the request's %q", id, tc.sent)
			case !tc.kept && (id == tc.sent || len(id) != 32):
				t.Errorf("response id %q, want a new 32-character id", id)
			}
			lines := logLines(t, &logs)
			if len(lines) != 2 {
				t.Fatalf("%d log lines, want the handler's and the access line:\n%s", len(lines), logs.String())
			}
			for _, l := range lines {
				if l["request_id"] != id {
					t.Errorf("log line %v has request_id %v, want %q", l, l["request_id"], id)
				}
			}
			access := lines[1]
			if access["msg"] != "request" || access["status"] != float64(http.StatusTeapot) || access["path"] != "/graphql" || access["operation"] != "Museums" {
				t.Errorf("access line %v, want msg request, status 418, path /graphql, operation Museums", access)
			}
			if strings.Contains(logs.String(), "secret") || strings.Contains(logs.String(), "a@b.org") {
				t.Errorf("the log holds the query string:\n%s", logs.String())
			}
		})
	}
}

func TestProbesLogAtDebug(t *testing.T) {
	var logs bytes.Buffer
	h := telemetry.Middleware(telemetry.NewLogger(&logs, true, slog.LevelInfo), http.NotFoundHandler())
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if logs.Len() != 0 {
		t.Errorf("a probe was logged at info: %s", logs.String())
	}
}

func TestStartRefusesEndpointThatIsNotURL(t *testing.T) {
	if _, err := telemetry.Start(context.Background(), telemetry.Config{OTLPEndpoint: "collector:4318"}); err == nil {
		t.Error("an endpoint without a scheme was accepted")
	}
	tel, err := telemetry.Start(context.Background(), telemetry.Config{})
	if err != nil || tel.Tracer() == nil || tel.Shutdown(context.Background()) != nil {
		t.Errorf("without an endpoint: %v; want a no-op tracer", err)
	}
}
