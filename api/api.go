// Package api assembles the HTTP surface of Participation Graph: the GraphQL endpoint
// (POST, and GET for queries), the GraphiQL playground with example queries, the
// partnership network explorer, health and readiness checks, Prometheus metrics, the
// schema in SDL, the network and CSV exports, and CORS. It owns no business rules; it
// wires the GraphQL layer to the store.
package api

import (
	"context"
	"fmt"

	"embed"
	"encoding/json"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/coder/websocket"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/cors"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/participation-graph/participation-graph/auth"
	"github.com/participation-graph/participation-graph/changefeed"
	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/graph"
	"github.com/participation-graph/participation-graph/graph/generated"
	"github.com/participation-graph/participation-graph/internal/buildinfo"
	"github.com/participation-graph/participation-graph/loader"
	"github.com/participation-graph/participation-graph/metrics"
	"github.com/participation-graph/participation-graph/network"
	"github.com/participation-graph/participation-graph/store"
	"github.com/participation-graph/participation-graph/telemetry"
	"github.com/participation-graph/participation-graph/webhook"
)

// MaxBodyBytes bounds the size of a GraphQL request body.
const MaxBodyBytes = 1 << 20

// Options configure the HTTP surface.
type Options struct {
	Store *store.Store
	// Feed delivers changes to subscriptions; without it, subscriptions are refused.
	Feed *changefeed.Broker
	// Metrics registers the API's metrics and is served at /metrics (a registry of its own
	// when nil).
	Metrics *prometheus.Registry
	Logger  *slog.Logger
	// CORSOrigins are the browser origins allowed to call the API ("*" for any; none when
	// empty, so only same-origin pages such as the playground can call it).
	CORSOrigins []string
	// Playground serves GraphiQL at /.
	Playground bool
	// Explore serves the partnership network explorer at /explore.
	Explore bool
	// Introspection lets clients read the schema.
	Introspection bool
	// Limits bound each operation's depth, aliases, root fields and cost.
	Limits Limits
	// RequestTimeout bounds each query and mutation (default 30s); subscriptions run on.
	RequestTimeout time.Duration
	// AdminToken, when set, is a bearer token with the ADMIN role.
	AdminToken string
	// Revocations ends the requests and subscriptions of revoked keys (one is made when nil).
	Revocations *auth.Revocations
	// RateLimit is how many requests per second each API key, or each address without
	// one, may send on average (no limit when 0); RateBurst how many at once.
	RateLimit float64
	RateBurst int
	// TrustedProxies are the reverse proxies in front of the server: a request from one
	// is charged to the client address it names in X-Forwarded-For.
	TrustedProxies []netip.Prefix
	// FieldSuggestions lets validation errors suggest field names ("Did you mean …?").
	FieldSuggestions bool
	// Persisted, when set, lists the registered operations (see PersistedOperations).
	Persisted *PersistedOperations
	// Hooks serves the webhook mutations; without it they are refused.
	Hooks *webhook.Dispatcher
	// Network is the partnership network behind the network queries and exports.
	Network *network.Projection
	// Tracer makes a span of each GraphQL operation (none when nil).
	Tracer trace.Tracer
	// PrivateMetrics leaves /metrics out of the public handler, for Operations to serve
	// on another address.
	PrivateMetrics bool
}

//go:embed assets playground.html
var static embed.FS

// New returns the server's HTTP handler.
func New(o Options) http.Handler {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Metrics == nil {
		o.Metrics = metrics.New(buildinfo.Read())
	}
	if o.Revocations == nil {
		o.Revocations = auth.NewRevocations()
	}
	authn := &authenticator{store: o.Store, adminToken: o.AdminToken, revocations: o.Revocations,
		limits: newRateLimiter(o.RateLimit, o.RateBurst, o.TrustedProxies)}
	mux := http.NewServeMux()
	gql := guard(authn.middleware(loader.Middleware(o.Store, limitBody(newGraphQL(o, authn)))))
	if len(o.CORSOrigins) > 0 {
		// Without configured origins there is no CORS handler at all: browsers then allow
		// only same-origin calls (rs/cors would treat an empty list as "any origin").
		gql = cors.New(cors.Options{
			AllowedOrigins: o.CORSOrigins,
			AllowedMethods: []string{http.MethodGet, http.MethodPost},
			// Browsers send traceparent and tracestate when tracing is on, and X-Request-Id to
			// name the request in our logs; they let scripts read only the exposed headers.
			AllowedHeaders: []string{"Authorization", "Content-Type", "Accept", "traceparent", "tracestate", "X-Request-Id"},
			ExposedHeaders: []string{"Retry-After", "X-Request-Id", "WWW-Authenticate"},
			MaxAge:         600,
		}).Handler(gql)
	}
	mux.Handle("/graphql", gql)
	handleProbes(mux, o.Store)
	if !o.PrivateMetrics {
		mux.Handle("GET /metrics", metrics.Handler(o.Metrics))
	}
	mux.Handle("GET /schema.graphql", schemaSDL(o.Introspection))
	// Exports answer as the caller may see the records, within the request time limit
	// (the decision-event export, of any length, within it for each page).
	for _, format := range exportFormats {
		mux.Handle("GET /export/"+format.name, authn.middleware(withDeadline(o.RequestTimeout, exportNetwork(resolver(o), format, o.Logger))))
	}
	mux.Handle("GET /export/summary.csv", authn.middleware(withDeadline(o.RequestTimeout, exportSummary(resolver(o), o.Logger))))
	mux.Handle("GET /export/decision-events.csv", authn.middleware(exportEvents(o.Store, requestLimit(o.RequestTimeout), o.Logger)))
	if o.Playground || o.Explore {
		assets, _ := fs.Sub(static, "assets")
		mux.Handle("GET /assets/", http.StripPrefix("/assets/", cacheFor(http.FileServerFS(assets), 24*time.Hour)))
	}
	if o.Explore {
		handleExplore(mux, o.Playground)
	}
	if o.Playground {
		mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Cache-Control", "no-cache")
			http.ServeFileFS(w, r, static, "playground.html")
		})
	}
	return telemetry.Middleware(o.Logger, mux)
}

// Operations returns the handler of the operations address (METRICS_LISTEN): /metrics,
// and the probes /healthz and /readyz, which the public handler serves too (load balancers
// probe the port they send traffic to). Metrics are read from o.Metrics, which the
// public handler, given the same options, writes to.
func Operations(o Options) http.Handler {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Metrics == nil {
		o.Metrics = metrics.New(buildinfo.Read())
	}
	mux := http.NewServeMux()
	handleProbes(mux, o.Store)
	mux.Handle("GET /metrics", metrics.Handler(o.Metrics))
	return telemetry.Middleware(o.Logger, mux)
}

// handleProbes serves /healthz (the process answers) and /readyz (so does the database).
func handleProbes(mux *http.ServeMux, s *store.Store) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.Ping(ctx); err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": "database unreachable"})
			return
		}
		// Until the read model has loaded, reads go to the database: the instance answers,
		// but slowly on the embedded database, so a load balancer should send it nothing yet.
		if ok, why := s.Model().Ready(); !ok && s.Model().Serves() {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "loading", "reason": why})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
}

// newGraphQL builds the gqlgen handler with the error presenter, limits and metrics.
func newGraphQL(o Options, authn *authenticator) http.Handler {
	es := generated.NewExecutableSchema(generated.Config{Resolvers: resolver(o)})
	srv := handler.New(es)
	srv.AddTransport(transport.Options{})
	srv.AddTransport(overHTTP{transport.GET{}})
	if o.Feed != nil {
		// graphql-transport-ws and the legacy graphql-ws, chosen by the client's
		// subprotocol; browsers may connect from the CORS origins only.
		srv.AddTransport(transport.Websocket{
			KeepAlivePingInterval: 10 * time.Second,
			InitTimeout:           10 * time.Second,
			InitFunc:              authn.wsInit,
			Implementation: websocketAccept{transport.CoderWebsocketImplementation{
				AcceptOptions: websocket.AcceptOptions{OriginPatterns: originHosts(o.CORSOrigins)},
			}},
		})
		// Server-sent events (graphql-sse "distinct connections"); it must come before
		// POST, which would otherwise take the request.
		srv.AddTransport(transport.SSE{KeepAlivePingInterval: 10 * time.Second})
	}
	srv.AddTransport(overHTTP{transport.POST{}})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.SetDisableSuggestion(!o.FieldSuggestions)
	// Extensions are added through use alone: plain fields are resolved without field
	// middleware (gqlexec.ResolveField), so the server runs no field interceptor (and
	// never calls srv.AroundFields).
	use := func(x graphql.HandlerExtension) {
		if _, ok := x.(graphql.FieldInterceptor); ok {
			panic(fmt.Sprintf("api: extension %s intercepts fields, which plain fields skip (see internal/gqlexec)", x.ExtensionName()))
		}
		srv.Use(x)
	}
	if o.Persisted != nil {
		use(o.Persisted)
	}
	// Automatic persisted queries: a client may send a query's hash alone once it has
	// sent the query with it.
	use(extension.AutomaticPersistedQuery{Cache: lru.New[string](1000)})
	use(limitExtension{o.Limits.withDefaults()})
	if o.Introspection {
		use(extension.Introspection{})
	}
	errorsByCode := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "participation_graphql_errors_total",
		Help: "GraphQL errors sent to clients, by code."}, []string{"code"})
	o.Metrics.MustRegister(errorsByCode)
	if o.Tracer == nil {
		o.Tracer = noop.NewTracerProvider().Tracer("")
	}
	use(newOperations(o.Metrics, o.Tracer))
	srv.SetErrorPresenter(graph.ErrorPresenter(o.Logger, func(code string) { errorsByCode.WithLabelValues(code).Inc() }))
	srv.SetRecoverFunc(graph.Recover(o.Logger))
	srv.AroundRootFields(func(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
		// Writes made under a mutation are audited under its name.
		if oc := graphql.GetOperationContext(ctx); oc.Operation != nil && oc.Operation.Operation == ast.Mutation {
			ctx = domain.WithOperation(ctx, graphql.GetRootFieldContext(ctx).Field.Name)
		}
		return next(ctx)
	})
	srv.AroundOperations(timeout(o.RequestTimeout))
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		// Operations over a WebSocket or an event stream get fresh loaders per answer: per
		// event for a subscription, so that a record changed twice is read twice. Wrapping
		// the operation's response handler rather than adding a response interceptor keeps
		// gqlgen's interceptor frames off the stack a subscription's goroutine waits on
		// between events, which lets that stack shrink back from 8 KB to 4 KB.
		oc := graphql.GetOperationContext(ctx)
		if loader.Has(ctx) && (oc.Operation == nil || oc.Operation.Operation != ast.Subscription) {
			return next(ctx)
		}
		answer := next(ctx)
		return func(ctx context.Context) *graphql.Response {
			return answer(loader.WithNew(ctx, o.Store))
		}
	})
	return srv
}

func resolver(o Options) *graph.Resolver {
	return &graph.Resolver{Store: o.Store, Feed: o.Feed, Network: o.Network, Revocations: o.Revocations, Hooks: o.Hooks}
}

// originHosts turns CORS origins into the host patterns the WebSocket handshake checks.
func originHosts(origins []string) []string {
	var hosts []string
	for _, o := range origins {
		if o == "*" {
			return []string{"*"}
		}
		if u, err := url.Parse(o); err == nil && u.Host != "" {
			hosts = append(hosts, u.Host)
		}
	}
	return hosts
}

// timeout bounds the execution of a query or mutation; subscriptions run as long as their
// client stays. A request whose time is up before it starts is answered with an error
// rather than gqlgen's bare null.
func timeout(d time.Duration) graphql.OperationMiddleware {
	d = requestLimit(d)
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		if oc := graphql.GetOperationContext(ctx); oc.Operation != nil && oc.Operation.Operation == ast.Subscription {
			return next(ctx)
		}
		h := next(ctx)
		return func(ctx context.Context) *graphql.Response {
			ctx, stop := context.WithTimeout(ctx, d)
			defer stop()
			if resp := h(ctx); resp != nil || ctx.Err() == nil {
				return resp
			}
			return &graphql.Response{Errors: gqlerror.List{{
				Message:    "the request took longer than its time limit; try again, or ask for less",
				Extensions: map[string]any{"code": graph.CodeUnavailable},
			}}}
		}
	}
}

// requestLimit is the time limit of a request: d, or 30s when d is 0.
func requestLimit(d time.Duration) time.Duration {
	if d <= 0 {
		return 30 * time.Second
	}
	return d
}

// schemaSDL serves the schema in SDL when introspection is on, for client generators;
// with introspection off the schema is not published, here either.
func schemaSDL(introspection bool) http.Handler {
	if !introspection {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "the schema is not published: introspection is off (INTROSPECTION)", http.StatusNotFound)
		})
	}
	sdl := graph.SDL()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Content-Disposition", `inline; filename="schema.graphql"`)
		_, _ = w.Write(sdl)
	})
}

// withDeadline bounds a plain HTTP request by d (30s when 0).
func withDeadline(d time.Duration, next http.Handler) http.Handler {
	d = requestLimit(d)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > MaxBodyBytes {
			writeJSON(w, http.StatusRequestEntityTooLarge, errorBody("the request body is larger than 1 MiB; send a smaller request", graph.CodeBadUserInput))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
		next.ServeHTTP(w, r)
	})
}

func cacheFor(next http.Handler, d time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age="+strconv.Itoa(int(d.Seconds())))
		next.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
