package api

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/participation-graph/participation-graph/metrics"
	"github.com/participation-graph/participation-graph/telemetry"
)

// maxOperationNames bounds how many operation names get a metric series of their own;
// the names clients choose are unbounded, a metrics store's memory is not.
const maxOperationNames = 100

// operations counts, times and traces each GraphQL operation, by operation name.
type operations struct {
	tracer   trace.Tracer
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	names    *operationNames
}

// newOperations registers the operation metrics with reg. One counter counts operations
// by name and by type (query, mutation, subscription): each name has one type, so the
// type label adds no series, and sums by either label answer both questions.
func newOperations(reg prometheus.Registerer, tracer trace.Tracer) operations {
	o := operations{
		tracer: tracer,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "participation_graphql_requests_total",
			Help: "GraphQL operations executed, by operation name (anonymous when unnamed, other past the first 100 names) and type."},
			[]string{"operation", "type"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "participation_graphql_request_duration_seconds",
			Help: "Time to answer a query or mutation, by operation name.", Buckets: metrics.RequestBuckets}, []string{"operation"}),
		names: &operationNames{seen: map[string]bool{}},
	}
	reg.MustRegister(o.requests, o.latency)
	return o
}

// ExtensionName names the extension for gqlgen.
func (operations) ExtensionName() string { return "Operations" }

// Validate accepts any schema.
func (operations) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptOperation counts the operation, opens its span, and records its latency and
// closes the span once its (first) response is ready. A subscription's span covers only
// its start.
func (o operations) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	typ, name := "query", ""
	if oc.Operation != nil {
		typ, name = string(oc.Operation.Operation), oc.Operation.Name
	}
	label := o.names.label(name)
	o.requests.WithLabelValues(label, typ).Inc()
	telemetry.SetOperation(ctx, label)
	ctx, span := o.tracer.Start(ctx, typ+" "+label, trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(attribute.String("graphql.operation.type", typ), attribute.String("graphql.operation.name", label),
			attribute.String("http.request.id", telemetry.RequestID(ctx))))
	start := time.Now()
	rh := next(ctx)
	// The response handler is called with the executor's context, not ours: the span
	// (whose trace id becomes the latency's exemplar) is in this one.
	spanCtx := ctx
	var done atomic.Bool
	return func(ctx context.Context) *graphql.Response {
		resp := rh(ctx)
		if done.CompareAndSwap(false, true) {
			if typ != "subscription" {
				metrics.Observe(spanCtx, o.latency.WithLabelValues(label), time.Since(start).Seconds())
			}
			if resp != nil && len(resp.Errors) > 0 {
				span.SetStatus(codes.Error, "the response has errors")
			}
			span.End()
		}
		return resp
	}
}

// operationNames turns operation names into metric labels of bounded number.
type operationNames struct {
	mu   sync.Mutex
	seen map[string]bool
}

func (n *operationNames) label(name string) string {
	switch {
	case name == "":
		return "anonymous"
	case len(name) > 64:
		return "other"
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.seen[name] {
		return name
	}
	if len(n.seen) >= maxOperationNames {
		return "other"
	}
	n.seen[name] = true
	return name
}
