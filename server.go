// Command participation-graph serves the Participation Graph GraphQL API: the records of
// how museums and communities work together. With no MONGODB_URI it runs its own embedded
// database (FerretDB on SQLite, files in DATA_DIR) with the Our Museum programme loaded.
//
//	participation-graph [flags]                       serve (-help lists the flags)
//	participation-graph -version                      print the version and exit
//	participation-graph seed --sample [--scale N]     load fictional sample data and exit
//	participation-graph export --out DIR              write a backup of the database to DIR
//	participation-graph import DIR [--merge]          restore a backup into the database
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/participation-graph/participation-graph/api"
	"github.com/participation-graph/participation-graph/auth"
	"github.com/participation-graph/participation-graph/changefeed"
	"github.com/participation-graph/participation-graph/embedded"
	"github.com/participation-graph/participation-graph/internal/buildinfo"
	"github.com/participation-graph/participation-graph/internal/gctune"
	"github.com/participation-graph/participation-graph/internal/progress"
	"github.com/participation-graph/participation-graph/metrics"
	"github.com/participation-graph/participation-graph/network"
	"github.com/participation-graph/participation-graph/seed"
	"github.com/participation-graph/participation-graph/store"
	"github.com/participation-graph/participation-graph/telemetry"
	"github.com/participation-graph/participation-graph/webhook"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return // the help was asked for and printed
		}
		fmt.Fprintln(os.Stderr, "participation-graph:", err)
		os.Exit(1)
	}
}

// run starts the server, or runs a subcommand, until ctx ends. Logs go to out; help and
// the version to out as well; progress of long commands to progress, redrawn in place
// when it is a terminal.
func run(ctx context.Context, args []string, getenv func(string) string, out, progressOut *os.File) error {
	var cmd string
	var scale int
	var sample bool
	var ownFlags func(*flag.FlagSet)
	if len(args) > 0 && args[0] == "seed" {
		cmd, args = "seed", args[1:]
		ownFlags = func(fs *flag.FlagSet) {
			fs.BoolVar(&sample, "sample", false, "load the fictional sample data")
			fs.IntVar(&scale, "scale", 1000, "number of sample decision events (1 to 1,000,000)")
		}
	}
	bc, args, backupFlags, err := parseBackupCmd(args)
	if err != nil {
		return err
	}
	if bc != nil {
		cmd, ownFlags = bc.name, backupFlags
	}
	cfg, err := loadConfig(args, getenv, cmd, ownFlags)
	var help *helpError
	if errors.As(err, &help) {
		_, _ = io.WriteString(out, help.text)
		return err
	}
	if err != nil {
		return err
	}
	if cfg.ShowVersion {
		_, err := fmt.Fprintln(out, buildinfo.Read())
		return err
	}
	if cmd == "seed" && !sample {
		return errors.New("seed: say --sample to load the fictional sample data (the Our Museum data loads by itself)")
	}
	log := telemetry.NewLogger(out, cfg.AppEnv == "production", cfg.LogLevel)
	build := buildinfo.Read()
	reg := metrics.New(build)
	tel, err := telemetry.Start(ctx, telemetry.Config{OTLPEndpoint: cfg.OTLPEndpoint, ServiceName: cfg.ServiceName,
		Version: build.Version})
	if err != nil {
		return err
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := tel.Shutdown(sctx); err != nil {
			log.Warn("sending the last traces failed", "err", err)
		}
	}()
	s, closeDB, err := openStore(ctx, cfg, reg, log, tel)
	if err != nil {
		return err
	}
	defer closeDB()
	if bc != nil {
		return bc.run(ctx, s, log, progressOut)
	}
	if loaded, err := seed.OurMuseum(ctx, s); err != nil {
		return err
	} else if loaded {
		log.Info("loaded the Our Museum programme")
	}
	if cmd == "seed" {
		if err := loadSample(ctx, s, scale, log, progressOut); err != nil {
			return err
		}
		// The next start reads the model from the snapshot instead of the database.
		return s.Model().WriteSnapshot(ctx, log)
	}
	if cfg.SampleScale > 0 {
		if err := loadSample(ctx, s, cfg.SampleScale, log, progressOut); err != nil {
			return err
		}
	}
	upkeepDone := make(chan struct{})
	go func() { defer close(upkeepDone); upkeep(ctx, s, cfg.Retention, log) }()
	defer func() { <-upkeepDone }()
	// Changes this process writes reach subscribers at once; the poll brings those other
	// instances write to the same database.
	feed := changefeed.New(s, 250*time.Millisecond)
	feedDone := make(chan struct{})
	go func() { defer close(feedDone); _ = feed.Run(ctx) }()
	defer func() { <-feedDone }()
	hooks, err := webhook.New(ctx, webhook.Options{Store: s, Feed: feed, Logger: log, AllowPrivate: cfg.WebhookAllowPrivate})
	if err != nil {
		return err
	}
	hooksDone := make(chan struct{})
	go func() { defer close(hooksDone); _ = hooks.Run(ctx) }()
	defer func() { <-hooksDone }()
	// The partnership network is loaded once and kept current from the feed.
	graphs := network.New(s, log)
	networkDone := make(chan struct{})
	go func() { defer close(networkDone); graphs.Run(ctx) }()
	defer func() { <-networkDone }()
	// Reads are answered from memory once the read model has loaded (see READ_MODEL).
	modelDone := make(chan struct{})
	go func() { defer close(modelDone); s.Model().Run(ctx, feed.Follow, log) }()
	defer func() { <-modelDone }()
	observeFeed(feed, reg)
	return serve(ctx, cfg, s, feed, hooks, graphs, reg, log, tel)
}

// upkeep completes change-feed intents that dead writers left and trims the feed to its
// retention, until ctx ends.
func upkeep(ctx context.Context, s *store.Store, retention time.Duration, log *slog.Logger) {
	sweep := time.NewTicker(30 * time.Second)
	defer sweep.Stop()
	trim := time.NewTicker(time.Hour)
	defer trim.Stop()
	for {
		if n, err := s.SweepIntents(ctx); err != nil && ctx.Err() == nil {
			log.Warn("change feed: sweeping intents failed", "err", err)
		} else if n > 0 {
			log.Info("change feed: completed intents left by interrupted writes", "intents", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-sweep.C:
		case <-trim.C:
			if n, err := s.TrimChanges(ctx, time.Now().Add(-retention)); err != nil && ctx.Err() == nil {
				log.Warn("change feed: trimming failed", "err", err)
			} else if n > 0 {
				log.Info("change feed: trimmed old changes", "changes", n)
			}
		}
	}
}

// openStore connects to MongoDB, or starts the embedded database, and prepares indexes.
// The returned function closes everything it opened, in order.
func openStore(ctx context.Context, cfg config, reg *prometheus.Registry, log *slog.Logger, tel *telemetry.Telemetry) (*store.Store, func(), error) {
	uri := cfg.MongoURI
	var db *embedded.DB
	if uri == "" {
		var err error
		db, err = embedded.Start(ctx, embedded.Config{Dir: cfg.DataDir, Listen: cfg.EmbeddedListen})
		if err != nil {
			return nil, nil, err
		}
		uri = db.URI()
		log.Info("embedded database started", "dir", cfg.DataDir, "uri", uri)
		if cfg.EmbeddedListen != "" && !loopback(cfg.EmbeddedListen) {
			log.Warn("the embedded database is served without authentication to every host that can reach "+
				cfg.EmbeddedListen+": anyone there can read and change every record, personal data and webhook secrets included",
				"listen", cfg.EmbeddedListen)
		}
	}
	commands := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "participation_db_commands_total",
		Help: "Database commands sent, by command name."}, []string{"command"})
	latency := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "participation_db_command_duration_seconds",
		Help: "Time the database took to answer a command, by command name.", Buckets: metrics.CommandBuckets},
		[]string{"command"})
	reg.MustRegister(commands, latency)
	// On the embedded database the read model is kept in DATA_DIR between runs, since
	// reading it from FerretDB v1 takes a millisecond a record.
	snapshot := ""
	if db != nil {
		snapshot = filepath.Join(cfg.DataDir, "readmodel.snapshot")
	}
	s, err := store.Open(ctx, store.Options{URI: uri, Database: cfg.Database, OpTimeout: cfg.OpTimeout, ReadModel: cfg.ReadModel,
		ReadModelSnapshot: snapshot,
		OnCommand:         func(_, name string) { commands.WithLabelValues(name).Inc() },
		Observe:           tel.CommandObserver(latency)})
	if err != nil {
		if db != nil {
			db.Stop()
		}
		return nil, nil, err
	}
	closeAll := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = s.Close(ctx)
		if db != nil {
			db.Stop()
		}
	}
	if err := s.EnsureIndexes(ctx); err != nil {
		closeAll()
		return nil, nil, err
	}
	if db != nil {
		// Every collection exists now (EnsureIndexes created them).
		if err := db.IndexIDLookups(ctx, cfg.Database); err != nil {
			closeAll()
			return nil, nil, err
		}
	}
	return s, closeAll, nil
}

// loadSample loads the sample data of this scale unless it is loaded, showing its
// progress on progressOut.
func loadSample(ctx context.Context, s *store.Store, scale int, log *slog.Logger, progressOut *os.File) error {
	start := time.Now()
	p := progress.New(progressOut, "loading sample data (records)", 0)
	stats, err := seed.Sample(ctx, s, scale, seed.WithProgress(p))
	if !errors.Is(err, seed.ErrSampleLoaded) {
		p.Done() // after a failure too: it shows how far the load got
	}
	if errors.Is(err, seed.ErrSampleLoaded) {
		log.Info("sample data already loaded", "scale", scale)
		return nil
	}
	if err != nil {
		return err
	}
	log.Info("loaded sample data", "scale", scale, "events", stats.Events, "museums", stats.Museums,
		"communities", stats.Communities, "partnerships", stats.Partnerships, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// serve runs the HTTP server until ctx ends, then drains it.
func serve(ctx context.Context, cfg config, s *store.Store, feed *changefeed.Broker, hooks *webhook.Dispatcher, graphs *network.Projection, reg *prometheus.Registry, log *slog.Logger, tel *telemetry.Telemetry) error {
	var persisted *api.PersistedOperations
	if cfg.Persisted != "" {
		var err error
		if persisted, err = api.LoadPersistedOperations(cfg.Persisted, cfg.PersistedOnly); err != nil {
			return fmt.Errorf("PERSISTED_QUERIES: %w", err)
		}
	}
	revocations := auth.NewRevocations()
	go revocations.Watch(ctx, s, log)
	go gctune.Run(ctx, log)
	o := api.Options{Store: s, Feed: feed, Metrics: reg, Logger: log, CORSOrigins: cfg.CORSOrigins,
		Playground: cfg.Playground, Explore: cfg.Explore, Introspection: cfg.Introspection, RequestTimeout: cfg.RequestTimeout,
		Limits:     api.Limits{MaxDepth: cfg.MaxDepth, MaxAliases: cfg.MaxAliases, MaxRootFields: cfg.MaxRootFields, MaxCost: cfg.MaxCost},
		AdminToken: cfg.AdminToken, Revocations: revocations, RateLimit: cfg.RateLimit, RateBurst: cfg.RateBurst,
		FieldSuggestions: cfg.Suggestions, Persisted: persisted, Hooks: hooks, Network: graphs, Tracer: tel.Tracer(),
		TrustedProxies: cfg.TrustedProxies, PrivateMetrics: cfg.MetricsListen != ""}
	ln, err := net.Listen("tcp", ":"+strconv.Itoa(cfg.Port))
	if err != nil {
		return err
	}
	servers := []*http.Server{{Handler: api.New(o), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute,
		IdleTimeout: 2 * time.Minute}}
	listeners := []net.Listener{ln}
	if cfg.MetricsListen != "" {
		mln, err := net.Listen("tcp", cfg.MetricsListen)
		if err != nil {
			ln.Close()
			return fmt.Errorf("METRICS_LISTEN: %w", err)
		}
		servers = append(servers, &http.Server{Handler: api.Operations(o), ReadHeaderTimeout: 10 * time.Second})
		listeners = append(listeners, mln)
		log.Info("serving metrics and probes", "url", "http://"+mln.Addr().String()+"/metrics")
	}
	errc := make(chan error, len(servers))
	for i, srv := range servers {
		go func() { errc <- srv.Serve(listeners[i]) }()
	}
	where := "http://localhost:" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port) + "/"
	if cfg.Playground {
		log.Info("Participation Graph is ready: open the playground", "url", where)
	} else {
		log.Info("Participation Graph is ready", "url", where+"graphql")
	}
	if cfg.Explore {
		log.Info("the partnership network is drawn at /explore", "url", where+"explore")
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: draining requests", "grace", cfg.ShutdownGrace)
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownGrace)
	defer cancel()
	var errs []error
	for _, srv := range servers {
		if err := srv.Shutdown(sctx); err != nil {
			errs = append(errs, fmt.Errorf("shutdown: %w", err))
		}
	}
	return errors.Join(errs...)
}
