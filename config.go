package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
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
	Explore        bool
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
	// ReadModel says whether lists and lookups are answered from the in-memory read model.
	ReadModel store.ReadModelMode
	// ShowVersion asks for the version to be printed instead of anything else.
	ShowVersion bool
}

// loadConfig reads the environment, then the flags in args. For a subcommand (cmd not
// empty), extra adds the subcommand's own flags to the same set, so they mix freely with
// the server's. -help is answered with a *helpError holding the usage.
func loadConfig(args []string, getenv func(string) string, cmd string, extra func(*flag.FlagSet)) (config, error) {
	env := func(k, def string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return def
	}
	c := config{}
	var errs []error
	fs := flag.NewFlagSet("participation-graph", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	// boolSetting is an on/off setting read from its variable, then its (boolean) flag.
	boolSetting := func(name, variable, help string) *optionalBool {
		b := &optionalBool{}
		if v := getenv(variable); v != "" {
			if err := b.Set(v); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", variable, err))
			}
		}
		fs.Var(b, name, help+" ("+variable+")")
		return b
	}
	port := fs.String("port", env("PORT", "8080"), "HTTP port (PORT)")
	fs.StringVar(&c.MongoURI, "mongodb-uri", env("MONGODB_URI", ""), "MongoDB connection string; empty runs the embedded database (MONGODB_URI)")
	fs.StringVar(&c.Database, "mongodb-database", env("MONGODB_DATABASE", "participation"), "database name (MONGODB_DATABASE)")
	fs.StringVar(&c.DataDir, "data-dir", env("DATA_DIR", "./data"), "embedded database files (DATA_DIR)")
	fs.StringVar(&c.EmbeddedListen, "embedded-listen", env("EMBEDDED_LISTEN", ""), "also serve the embedded database on this TCP address, e.g. 127.0.0.1:27018 (EMBEDDED_LISTEN)")
	fs.StringVar(&c.MetricsListen, "metrics-listen", env("METRICS_LISTEN", ""), "serve /metrics (and the probes) on this address, e.g. 127.0.0.1:9090, and not on the public port (METRICS_LISTEN)")
	proxies := fs.String("trusted-proxies", env("TRUSTED_PROXIES", ""), "comma-separated CIDRs of the reverse proxies whose X-Forwarded-For names the client (TRUSTED_PROXIES)")
	origins := fs.String("cors-origins", env("CORS_ORIGINS", ""), "comma-separated browser origins allowed to call the API, or * (CORS_ORIGINS)")
	fs.StringVar(&c.AppEnv, "app-env", env("APP_ENV", "development"), "development or production (APP_ENV)")
	playground := boolSetting("playground", "PLAYGROUND", "serve the GraphiQL playground at /; default on, off in production")
	explore := boolSetting("explore", "EXPLORE", "serve the partnership network explorer at /explore; default on, off in production")
	introspection := boolSetting("introspection", "INTROSPECTION", "allow schema introspection and serve /schema.graphql; default on, off in production")
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
	suggestions := boolSetting("field-suggestions", "FIELD_SUGGESTIONS", "let validation errors suggest field names; default on, off in production")
	fs.StringVar(&c.Persisted, "persisted-queries", env("PERSISTED_QUERIES", ""), "a JSON file of registered operations: {sha256: text} or [text] (PERSISTED_QUERIES)")
	persistedOnly := boolSetting("persisted-only", "PERSISTED_ONLY", "run only the registered operations, except for administrators; default off")
	embeddedPublic := boolSetting("embedded-listen-public", "EMBEDDED_LISTEN_PUBLIC", "let EMBEDDED_LISTEN be an address other hosts can reach; the database has no authentication; default off")
	webhookPrivate := boolSetting("webhook-allow-private", "WEBHOOK_ALLOW_PRIVATE", "let webhooks deliver to loopback and private addresses; default on, off in production")
	logLevel := fs.String("log-level", env("LOG_LEVEL", "info"), "least important log lines written: debug, info, warn or error (LOG_LEVEL)")
	fs.StringVar(&c.OTLPEndpoint, "otel-exporter-otlp-endpoint", env("OTEL_EXPORTER_OTLP_ENDPOINT", ""), "send traces over OTLP/HTTP to this collector, e.g. http://localhost:4318; empty sends none (OTEL_EXPORTER_OTLP_ENDPOINT)")
	fs.StringVar(&c.ServiceName, "otel-service-name", env("OTEL_SERVICE_NAME", "participation-graph"), "the service's name in traces (OTEL_SERVICE_NAME)")
	// LIST_INDEX is the setting's earlier name, still honoured.
	readModel := fs.String("read-model", env("READ_MODEL", env("LIST_INDEX", "auto")), "answer lookups and lists from the in-memory read model kept current from the change feed: auto (on with the embedded database), on or off (READ_MODEL, formerly LIST_INDEX)")
	grace := fs.String("shutdown-grace", env("SHUTDOWN_GRACE", "20s"), "how long shutdown waits for requests to finish (SHUTDOWN_GRACE)")
	var version *bool
	if cmd == "" {
		version = fs.Bool("version", false, "print the module version, VCS revision and Go version, and exit")
	}
	if extra != nil {
		extra(fs)
	}
	helpOf := "participation-graph -help"
	if cmd != "" {
		helpOf = "participation-graph " + cmd + " -help"
	}
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		var b strings.Builder
		writeUsage(&b, fs, cmd, extra)
		return c, &helpError{b.String()}
	} else if err != nil {
		return c, fmt.Errorf("%w (%s lists the flags)", err, helpOf)
	}
	if version != nil && *version {
		return config{ShowVersion: true}, nil
	}
	if fs.NArg() > 0 {
		if cmd == "" {
			return c, fmt.Errorf("unknown command %q; the commands are seed, export and import (%s)", fs.Arg(0), helpOf)
		}
		return c, fmt.Errorf("unexpected argument %q (%s)", fs.Arg(0), helpOf)
	}
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
	switch c.ReadModel = store.ReadModelMode(*readModel); c.ReadModel {
	case store.ReadModelAuto, store.ReadModelOn, store.ReadModelOff:
	default:
		errs = append(errs, fmt.Errorf("READ_MODEL must be auto, on or off, not %q", *readModel))
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
	c.Playground = playground.or(dev)
	c.Explore = explore.or(dev)
	c.Introspection = introspection.or(dev)
	c.Suggestions = suggestions.or(dev)
	c.PersistedOnly = persistedOnly.or(false)
	if c.PersistedOnly && c.Persisted == "" {
		errs = append(errs, errors.New("PERSISTED_ONLY needs PERSISTED_QUERIES, the file of registered operations"))
	}
	c.WebhookAllowPrivate = webhookPrivate.or(dev)
	c.EmbeddedListenPublic = embeddedPublic.or(false)
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
