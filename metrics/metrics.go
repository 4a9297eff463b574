// Package metrics sets up the server's Prometheus registry: the Go runtime's and the
// process's standard collectors, participation_build_info, and the /metrics handler that
// answers in the Prometheus text format or, for scrapers that ask for it, in OpenMetrics
// with exemplars that link latencies to traces. The metrics themselves are
// client_golang's, registered by the packages that update them; there is no global
// registry, so each server (and each test) has its own.
package metrics

import (
	"context"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/trace"

	"github.com/participation-graph/participation-graph/internal/buildinfo"
)

// Buckets for the usual histograms, in seconds.
var (
	// RequestBuckets suit whole requests: 5 ms to 30 s.
	RequestBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}
	// CommandBuckets suit single database commands: 0.5 ms to 10 s.
	CommandBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}
	// DelayBuckets suit delays of delivery: 10 ms to a minute.
	DelayBuckets = []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}
)

// New returns a registry holding the go_* and process_* collectors and
// participation_build_info{version,revision,goversion} 1 for build.
func New(build buildinfo.Info) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "participation_build_info",
			Help: "The running build: module version, version-control revision and Go version; always 1.",
			ConstLabels: prometheus.Labels{
				"version": build.Version, "revision": build.Revision, "goversion": build.GoVersion,
			},
		}, func() float64 { return 1 }),
	)
	return reg
}

// Handler serves the metrics of g: OpenMetrics (which carries exemplars) when the scraper's
// Accept header asks for it, the Prometheus text format otherwise.
func Handler(g prometheus.Gatherer) http.Handler {
	return promhttp.HandlerFor(g, promhttp.HandlerOpts{EnableOpenMetrics: true})
}

// Observe records v in o. When ctx carries a sampled span, the span's trace id goes with
// the observation as its exemplar, so that a slow bucket leads to a trace that is kept;
// an unsampled trace would lead nowhere.
func Observe(ctx context.Context, o prometheus.Observer, v float64) {
	if sc := trace.SpanContextFromContext(ctx); sc.IsSampled() {
		if eo, ok := o.(prometheus.ExemplarObserver); ok {
			eo.ObserveWithExemplar(v, prometheus.Labels{"trace_id": sc.TraceID().String()})
			return
		}
	}
	o.Observe(v)
}
