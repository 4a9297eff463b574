// Package telemetry makes the server observable: structured logs that carry each
// request's id, the request-id and access-log middleware, and OpenTelemetry traces sent
// over OTLP/HTTP when an endpoint is configured (one span per GraphQL operation, one per
// database command). Without an endpoint, tracing costs nothing: spans are no-ops.
package telemetry

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/participation-graph/participation-graph/metrics"
)

// Config configures tracing.
type Config struct {
	// OTLPEndpoint is the base URL of an OTLP/HTTP collector, as in
	// OTEL_EXPORTER_OTLP_ENDPOINT (e.g. http://collector:4318); traces go to its
	// /v1/traces. Empty turns tracing off.
	OTLPEndpoint string
	// ServiceName names the service in traces (default participation-graph).
	ServiceName string
	// Version is the server's version, recorded in traces.
	Version string
}

// Telemetry holds the tracer the server's layers share.
type Telemetry struct {
	provider *sdktrace.TracerProvider // nil when tracing is off
	tracer   trace.Tracer
}

// Start sets up tracing as cfg says. It fails when the endpoint is not a URL.
func Start(ctx context.Context, cfg Config) (*Telemetry, error) {
	if cfg.OTLPEndpoint == "" {
		return &Telemetry{tracer: noop.NewTracerProvider().Tracer("")}, nil
	}
	if !strings.HasPrefix(cfg.OTLPEndpoint, "http://") && !strings.HasPrefix(cfg.OTLPEndpoint, "https://") {
		return nil, fmt.Errorf("telemetry: OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL, not %q", cfg.OTLPEndpoint)
	}
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(strings.TrimRight(cfg.OTLPEndpoint, "/")+"/v1/traces"))
	if err != nil {
		return nil, fmt.Errorf("telemetry: %w", err)
	}
	if cfg.ServiceName == "" {
		cfg.ServiceName = "participation-graph"
	}
	res := resource.NewSchemaless(attribute.String("service.name", cfg.ServiceName),
		attribute.String("service.version", cfg.Version))
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	return &Telemetry{provider: tp, tracer: tp.Tracer("github.com/participation-graph/participation-graph")}, nil
}

// Tracer returns the tracer spans are made with (a no-op one when tracing is off).
func (t *Telemetry) Tracer() trace.Tracer { return t.tracer }

// Shutdown sends the spans not sent yet and stops tracing.
func (t *Telemetry) Shutdown(ctx context.Context) error {
	if t.provider == nil {
		return nil
	}
	return t.provider.Shutdown(ctx)
}

// CommandObserver returns the store's command observer: it records each database
// command's duration in latency (labelled by command name) and, when tracing, makes a
// client span for it under the span of the operation that sent it.
func (t *Telemetry) CommandObserver(latency *prometheus.HistogramVec) func(ctx context.Context, database, command string) func(time.Duration, bool) {
	return func(ctx context.Context, database, command string) func(time.Duration, bool) {
		var span trace.Span
		spanCtx := ctx
		if t.provider != nil && trace.SpanContextFromContext(ctx).IsValid() {
			// Only commands of a traced operation get a span: background work (the
			// change-feed poll, the sweeper) would flood the trace store otherwise.
			spanCtx, span = t.tracer.Start(ctx, command, trace.WithSpanKind(trace.SpanKindClient),
				trace.WithAttributes(attribute.String("db.system", "mongodb"),
					attribute.String("db.namespace", database), attribute.String("db.operation.name", command)))
		}
		return func(took time.Duration, failed bool) {
			metrics.Observe(spanCtx, latency.WithLabelValues(command), took.Seconds())
			if span != nil {
				if failed {
					span.SetStatus(codes.Error, "command failed")
				}
				span.End()
			}
		}
	}
}
