package api

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
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
	requests *metrics.CounterVec
	latency  *metrics.HistogramVec
	names    *operationNames
}

func newOperations(reg *metrics.Registry, tracer trace.Tracer) operations {
	return operations{
		tracer: tracer,
		requests: reg.Counter("participation_graphql_requests_total",
			"GraphQL operations executed, by operation name (anonymous when unnamed, other past the first 100 names).", "operation"),
		latency: reg.Histogram("participation_graphql_request_duration_seconds",
			"Time to answer a query or mutation, by operation name.", metrics.RequestBuckets, "operation"),
		names: &operationNames{seen: map[string]bool{}},
	}
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
	o.requests.Inc(label)
	telemetry.SetOperation(ctx, label)
	ctx, span := o.tracer.Start(ctx, typ+" "+label, trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(attribute.String("graphql.operation.type", typ), attribute.String("graphql.operation.name", label),
			attribute.String("http.request.id", telemetry.RequestID(ctx))))
	start := time.Now()
	rh := next(ctx)
	var done atomic.Bool
	return func(ctx context.Context) *graphql.Response {
		resp := rh(ctx)
		if done.CompareAndSwap(false, true) {
			if typ != "subscription" {
				o.latency.Observe(time.Since(start).Seconds(), label)
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
