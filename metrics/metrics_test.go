package metrics_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/trace"

	"github.com/participation-graph/participation-graph/internal/buildinfo"
	"github.com/participation-graph/participation-graph/metrics"
)

func scrape(t *testing.T, h http.Handler, accept string) (contentType, body string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	b, _ := io.ReadAll(rec.Body)
	return rec.Header().Get("Content-Type"), string(b)
}

// TestRegistry: a new registry exposes the runtime's and the process's metrics and the
// build, in the Prometheus text format unless OpenMetrics is asked for.
func TestRegistry(t *testing.T) {
	reg := metrics.New(buildinfo.Info{Version: "v1.2.3", Revision: "abc", GoVersion: "go1.26.0"})
	ct, text := scrape(t, metrics.Handler(reg), "")
	if !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("Content-Type %q, want the Prometheus text format", ct)
	}
	for _, want := range []string{
		"\ngo_goroutines ",
		"\nprocess_resident_memory_bytes ",
		"\n" + `participation_build_info{goversion="go1.26.0",revision="abc",version="v1.2.3"} 1` + "\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	ct, text = scrape(t, metrics.Handler(reg), "application/openmetrics-text; version=1.0.0")
	if !strings.HasPrefix(ct, "application/openmetrics-text") || !strings.HasSuffix(text, "# EOF\n") {
		t.Errorf("asked for OpenMetrics, got %q ending %q", ct, text[max(0, len(text)-20):])
	}
}

// TestObserveExemplar: an observation made under a sampled span carries its trace id as
// exemplar; one under an unsampled span carries none.
func TestObserveExemplar(t *testing.T) {
	reg := prometheus.NewRegistry()
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "d_seconds", Help: "Durations.",
		Buckets: []float64{1}}, []string{"op"})
	reg.MustRegister(h)
	traceID := trace.TraceID{0x4b, 0xf9, 0x2f, 0x35, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	span := func(flags trace.TraceFlags) context.Context {
		return trace.ContextWithSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
			TraceID: traceID, SpanID: trace.SpanID{1}, TraceFlags: flags}))
	}
	metrics.Observe(span(trace.FlagsSampled), h.WithLabelValues("sampled"), 0.5)
	metrics.Observe(span(0), h.WithLabelValues("unsampled"), 0.5)
	metrics.Observe(context.Background(), h.WithLabelValues("untraced"), 2)

	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, m := range mfs[0].Metric {
		ex := ""
		for _, b := range m.Histogram.Bucket {
			if e := b.Exemplar; e != nil {
				ex = e.Label[0].GetName() + "=" + e.Label[0].GetValue()
			}
		}
		got[m.Label[0].GetValue()] = ex
		if m.Histogram.GetSampleCount() != 1 {
			t.Errorf("%s: %d observations, want 1", m.Label[0].GetValue(), m.Histogram.GetSampleCount())
		}
	}
	want := map[string]string{"sampled": "trace_id=" + traceID.String(), "unsampled": "", "untraced": ""}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("exemplar of %s = %q, want %q", k, got[k], v)
		}
	}
	_, text := scrape(t, metrics.Handler(reg), "application/openmetrics-text; version=1.0.0")
	if !strings.Contains(text, `# {trace_id="`+traceID.String()+`"} 0.5`) {
		t.Errorf("OpenMetrics lacks the exemplar:\n%s", text)
	}
}
