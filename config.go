package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/participation-graph/participation-graph/store"
)

// config is the whole configuration of the server. Every field has a default, can be set
// from an environment variable, and a flag of the same name overrides the variable.
type config struct {
	Port           int
	MongoURI       string
	Database       string
	DataDir        string
	EmbeddedListen string
	// EmbeddedListenPublic lets EmbeddedListen be an address other hosts can reach.
	EmbeddedListenPublic bool
	// MetricsListen, when set, is where /metrics is served instead of the public port.
	MetricsListen string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names the client.
	TrustedProxies []netip.Prefix
	CORSOrigins    []string
	AppEnv         string
	Playground     bool
	Introspection  bool
	SampleScale    int
	OpTimeout      time.Duration
	ShutdownGrace  time.Duration
	Retention      time.Duration
	RequestTimeout time.Duration
	MaxDepth       int
	MaxAliases     int
	MaxRootFields  int
	MaxCost        int
	AdminToken     string
	RateLimit      float64
	RateBurst      int
	Suggestions    bool
	Persisted      string
	PersistedOnly  bool
	// WebhookAllowPrivate lets webhooks deliver to loopback and private addresses.
	WebhookAllowPrivate bool
	LogLevel            slog.Level
	OTLPEndpoint        string
	ServiceName         string
	// ListIndex says whether decision-event lists are answered from memory.
	ListIndex store.ListIndexMode
}

// loadConfig reads the environment, then the flags in args. extra, when set, adds a
// subcommand's own flags to the same set, so they mix freely with the server's.
func loadConfig(args []string, getenv func(string) string, extra func(*flag.FlagSet)) (config, error) {
	env := func(k, def string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return def
	}
	c := config{}
	fs := flag.NewFlagSet("participation-graph", flag.ContinueOnError)
	port := fs.String("port", env("PORT", "8080"), "HTTP port (PORT)")
	fs.StringVar(&c.MongoURI, "mongodb-uri", env("MONGODB_URI", ""), "MongoDB connection string; empty runs the embedded database (MONGODB_URI)")
	fs.StringVar(&c.Database, "mongodb-database", env("MONGODB_DATABASE", "participation"), "database name (MONGODB_DATABASE)")
	fs.StringVar(&c.DataDir, "data-dir", env("DATA_DIR", "./data"), "embedded database files (DATA_DIR)")
	fs.StringVar(&c.EmbeddedListen, "embedded-listen", env("EMBEDDED_LISTEN", ""), "also serve the embedded database on this TCP address, e.g. 127.0.0.1:27018 (EMBEDDED_LISTEN)")
	embeddedPublic := fs.String("embedded-listen-public", env("EMBEDDED_LISTEN_PUBLIC", "false"), "let EMBEDDED_LISTEN be an address other hosts can reach; the database has no authentication (EMBEDDED_LISTEN_PUBLIC)")
	fs.StringVar(&c.MetricsListen, "metrics-listen", env("METRICS_LISTEN", ""), "serve /metrics (and the probes) on this address, e.g. 127.0.0.1:9090, and not on the public port (METRICS_LISTEN)")
	proxies := fs.String("trusted-proxies", env("TRUSTED_PROXIES", ""), "comma-separated CIDRs of the reverse proxies whose X-Forwarded-For names the client (TRUSTED_PROXIES)")
	origins := fs.String("cors-origins", env("CORS_ORIGINS", ""), "comma-separated browser origins allowed to call the API, or * (CORS_ORIGINS)")
	fs.StringVar(&c.AppEnv, "app-env", env("APP_ENV", "development"), "development or production (APP_ENV)")
	playground := fs.String("playground", env("PLAYGROUND", ""), "serve the GraphiQL playground at / (PLAYGROUND; default on, off in production)")
	introspection := fs.String("introspection", env("INTROSPECTION", ""), "allow schema introspection (INTROSPECTION; default on, off in production)")
	sample := fs.String("sample-scale", env("SAMPLE_SCALE", "0"), "load fictional sample data with this many decision events at start-up, if absent (SAMPLE_SCALE)")
	opTimeout := fs.String("db-timeout", env("DB_TIMEOUT", "10s"), "time limit of each database operation (DB_TIMEOUT)")
	retention := fs.String("change-retention", env("CHANGE_RETENTION", "720h"), "how long the change feed keeps changes (CHANGE_RETENTION)")
	reqTimeout := fs.String("request-timeout", env("REQUEST_TIMEOUT", "30s"), "time limit of each query and mutation (REQUEST_TIMEOUT)")
	limits := map[string]*string{}
	for _, l := range []struct{ flag, env, def, help string }{
		{"max-query-depth", "MAX_QUERY_DEPTH", "12", "how deeply an operation's fields may nest"},
		{"max-query-aliases", "MAX_QUERY_ALIASES", "30", "how many aliased fields an operation may have"},
		{"max-query-root-fields", "MAX_QUERY_ROOT_FIELDS", "20", "how many top-level fields an operation may have"},
		{"max-query-cost", "MAX_QUERY_COST", "25000", "an operation's largest cost: fields, times the page size of each connection above them"},
	} {
		limits[l.env] = fs.String(l.flag, env(l.env, l.def), l.help+" ("+l.env+")")
	}
	fs.StringVar(&c.AdminToken, "admin-token", env("ADMIN_TOKEN", ""), "a bearer token with the ADMIN role, for bootstrapping and automation; at least 24 characters (ADMIN_TOKEN)")
	rate := fs.String("rate-limit", env("RATE_LIMIT", "50"), "requests per second each API key, or each client address without one, may send on average; 0 for no limit (RATE_LIMIT)")
	burst := fs.String("rate-burst", env("RATE_BURST", "100"), "requests each key or address may send at once (RATE_BURST)")
	suggestions := fs.String("field-suggestions", env("FIELD_SUGGESTIONS", ""), "let validation errors suggest field names (FIELD_SUGGESTIONS; default on, off in production)")
	fs.StringVar(&c.Persisted, "persisted-queries", env("PERSISTED_QUERIES", ""), "a JSON file of registered operations: {sha256: text} or [text] (PERSISTED_QUERIES)")
	persistedOnly := fs.String("persisted-only", env("PERSISTED_ONLY", "false"), "run only the registered operations, except for administrators (PERSISTED_ONLY)")
	webhookPrivate := fs.String("webhook-allow-private", env("WEBHOOK_ALLOW_PRIVATE", ""), "let webhooks deliver to loopback and private addresses (WEBHOOK_ALLOW_PRIVATE; default on, off in production)")
	logLevel := fs.String("log-level", env("LOG_LEVEL", "info"), "least important log lines written: debug, info, warn or error (LOG_LEVEL)")
	fs.StringVar(&c.OTLPEndpoint, "otel-exporter-otlp-endpoint", env("OTEL_EXPORTER_OTLP_ENDPOINT", ""), "send traces over OTLP/HTTP to this collector, e.g. http://localhost:4318; empty sends none (OTEL_EXPORTER_OTLP_ENDPOINT)")
	fs.StringVar(&c.ServiceName, "otel-service-name", env("OTEL_SERVICE_NAME", "participation-graph"), "the service's name in traces (OTEL_SERVICE_NAME)")
	listIndex := fs.String("list-index", env("LIST_INDEX", "auto"), "answer decision-event lists from an in-memory index kept current from the change feed: auto (on with the embedded database), on or off (LIST_INDEX)")
	grace := fs.String("shutdown-grace", env("SHUTDOWN_GRACE", "20s"), "how long shutdown waits for requests to finish (SHUTDOWN_GRACE)")
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	var errs []error
	var err error
	if c.Port, err = strconv.Atoi(*port); err != nil || c.Port < 0 || c.Port > 65535 {
		errs = append(errs, fmt.Errorf("PORT must be a port number, not %q", *port))
	}
	if c.SampleScale, err = strconv.Atoi(*sample); err != nil || c.SampleScale < 0 {
		errs = append(errs, fmt.Errorf("SAMPLE_SCALE must be a number of events, not %q", *sample))
	}
	if c.OpTimeout, err = time.ParseDuration(*opTimeout); err != nil || c.OpTimeout <= 0 {
		errs = append(errs, fmt.Errorf("DB_TIMEOUT must be a duration such as 10s, not %q", *opTimeout))
	}
	if c.ShutdownGrace, err = time.ParseDuration(*grace); err != nil || c.ShutdownGrace <= 0 {
		errs = append(errs, fmt.Errorf("SHUTDOWN_GRACE must be a duration such as 20s, not %q", *grace))
	}
	if c.Retention, err = time.ParseDuration(*retention); err != nil || c.Retention < time.Hour {
		errs = append(errs, fmt.Errorf("CHANGE_RETENTION must be a duration of at least 1h such as 720h, not %q", *retention))
	}
	if c.RequestTimeout, err = time.ParseDuration(*reqTimeout); err != nil || c.RequestTimeout <= 0 {
		errs = append(errs, fmt.Errorf("REQUEST_TIMEOUT must be a duration such as 30s, not %q", *reqTimeout))
	}
	for name, dst := range map[string]*int{"MAX_QUERY_DEPTH": &c.MaxDepth, "MAX_QUERY_ALIASES": &c.MaxAliases,
		"MAX_QUERY_ROOT_FIELDS": &c.MaxRootFields, "MAX_QUERY_COST": &c.MaxCost} {
		if *dst, err = strconv.Atoi(*limits[name]); err != nil || *dst <= 0 {
			errs = append(errs, fmt.Errorf("%s must be a positive number, not %q", name, *limits[name]))
		}
	}
	if c.AdminToken != "" && len(c.AdminToken) < 24 {
		errs = append(errs, errors.New("ADMIN_TOKEN must be at least 24 characters (use e.g. `openssl rand -hex 32`)"))
	}
	if c.RateLimit, err = strconv.ParseFloat(*rate, 64); err != nil || c.RateLimit < 0 || math.IsInf(c.RateLimit, 0) || math.IsNaN(c.RateLimit) {
		errs = append(errs, fmt.Errorf("RATE_LIMIT must be a number of requests per second (0 for none), not %q", *rate))
	}
	if c.RateBurst, err = strconv.Atoi(*burst); err != nil || c.RateBurst < 1 {
		errs = append(errs, fmt.Errorf("RATE_BURST must be a positive number, not %q", *burst))
	}
	switch c.ListIndex = store.ListIndexMode(*listIndex); c.ListIndex {
	case store.ListIndexAuto, store.ListIndexOn, store.ListIndexOff:
	default:
		errs = append(errs, fmt.Errorf("LIST_INDEX must be auto, on or off, not %q", *listIndex))
	}
	if err := c.LogLevel.UnmarshalText([]byte(*logLevel)); err != nil {
		errs = append(errs, fmt.Errorf("LOG_LEVEL must be debug, info, warn or error, not %q", *logLevel))
	}
	switch c.AppEnv {
	case "development", "production":
	default:
		errs = append(errs, fmt.Errorf("APP_ENV must be development or production, not %q", c.AppEnv))
	}
	dev := c.AppEnv != "production"
	if c.Playground, err = boolOr(*playground, dev); err != nil {
		errs = append(errs, fmt.Errorf("PLAYGROUND: %w", err))
	}
	if c.Introspection, err = boolOr(*introspection, dev); err != nil {
		errs = append(errs, fmt.Errorf("INTROSPECTION: %w", err))
	}
	if c.Suggestions, err = boolOr(*suggestions, dev); err != nil {
		errs = append(errs, fmt.Errorf("FIELD_SUGGESTIONS: %w", err))
	}
	if c.PersistedOnly, err = boolOr(*persistedOnly, false); err != nil {
		errs = append(errs, fmt.Errorf("PERSISTED_ONLY: %w", err))
	}
	if c.PersistedOnly && c.Persisted == "" {
		errs = append(errs, errors.New("PERSISTED_ONLY needs PERSISTED_QUERIES, the file of registered operations"))
	}
	if c.WebhookAllowPrivate, err = boolOr(*webhookPrivate, dev); err != nil {
		errs = append(errs, fmt.Errorf("WEBHOOK_ALLOW_PRIVATE: %w", err))
	}
	if c.EmbeddedListenPublic, err = boolOr(*embeddedPublic, false); err != nil {
		errs = append(errs, fmt.Errorf("EMBEDDED_LISTEN_PUBLIC: %w", err))
	}
	if c.EmbeddedListen != "" && !c.EmbeddedListenPublic && !loopback(c.EmbeddedListen) {
		errs = append(errs, fmt.Errorf("EMBEDDED_LISTEN=%s would serve the embedded database, which has no authentication, "+
			"to every host that can reach this one: use a loopback address such as 127.0.0.1:27018 "+
			"(and an SSH tunnel from other hosts), or set EMBEDDED_LISTEN_PUBLIC=true if the network is yours alone", c.EmbeddedListen))
	}
	for _, p := range strings.Split(*proxies, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		prefix, err := netip.ParsePrefix(p)
		if err != nil {
			addr, aerr := netip.ParseAddr(p)
			if aerr != nil {
				errs = append(errs, fmt.Errorf("TRUSTED_PROXIES must be comma-separated CIDRs such as 10.0.0.0/8, not %q", p))
				continue
			}
			prefix = netip.PrefixFrom(addr, addr.BitLen())
		}
		c.TrustedProxies = append(c.TrustedProxies, prefix.Masked())
	}
	for _, o := range strings.Split(*origins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			c.CORSOrigins = append(c.CORSOrigins, o)
		}
	}
	return c, errors.Join(errs...)
}

// loopback reports whether a listening address (host:port) can be reached from this
// machine only: a loopback IP, or localhost. An empty host listens on every interface, and
// another name may resolve to any of them.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

func boolOr(s string, def bool) (bool, error) {
	if s == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, fmt.Errorf("must be true or false, not %q", s)
	}
	return b, nil
}
