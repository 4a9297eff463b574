// Package embedded runs FerretDB v1 inside the process, with its SQLite backend, so that
// Participation Graph needs no database server for development, tests and small
// deployments. It speaks the MongoDB wire protocol, so the store uses the same driver code
// against it as against MongoDB.
package embedded

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// Config configures the embedded database.
type Config struct {
	// Dir holds the SQLite files, one per database.
	Dir string
	// Listen is the TCP address to serve the MongoDB wire protocol on. Empty means a free
	// port on 127.0.0.1, reachable only from this machine. The database asks for no
	// credentials (FerretDB's embeddable package cannot turn authentication on), so
	// whoever reaches Listen has the whole database.
	Listen string
	// Logger receives FerretDB's own log lines (default: errors only, on stderr).
	Logger *slog.Logger
}

// Durability is the SQLite setting the database files are opened with. FerretDB v1.24.2
// opens them in WAL mode (journal_mode(wal), with busy_timeout(10000) and
// auto_vacuum(none)) and leaves synchronous at SQLite's default; it is set here
// explicitly to FULL, so every transaction FerretDB commits, and so every write the API
// acknowledges, is synced to the WAL before the commit returns: it survives the process
// being killed (which the WAL alone assures) and a power cut or kernel crash as well
// (which NORMAL would not). The cost is one fsync per committed write.
const Durability = "_pragma=synchronous(full)"

// DB is a running embedded database.
type DB struct {
	dir    string // the SQLite files
	uri    string
	cancel context.CancelFunc
	done   chan struct{}
}

// Start starts the database and returns once it accepts connections. It fails when the
// directory cannot be created or the address is taken.
func Start(ctx context.Context, cfg Config) (*DB, error) {
	dir, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("embedded: data directory: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("embedded: data directory: %w", err)
	}
	listen := cfg.Listen
	if listen == "" {
		listen = "127.0.0.1:0"
	} else {
		// FerretDB builds its storage before it listens and does not close it when the
		// address is taken; the leaked storage then panics the process when collected. So
		// the address is checked first.
		ln, err := net.Listen("tcp", listen)
		if err != nil {
			return nil, fmt.Errorf("embedded: cannot listen on %s: %w", listen, err)
		}
		_ = ln.Close()
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	}
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: listen},
		Handler:   "sqlite",
		SQLiteURL: "file:" + dir + "/?" + Durability,
		Logger:    logger,
	})
	if err != nil {
		return nil, fmt.Errorf("embedded: %w", err)
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	db := &DB{dir: dir, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(db.done)
		_ = f.Run(runCtx)
	}()
	db.uri = f.MongoDBURI()
	if err := waitListening(ctx, db.uri); err != nil {
		db.Stop()
		return nil, err
	}
	return db, nil
}

// waitListening waits until the listener accepts TCP connections.
func waitListening(ctx context.Context, uri string) error {
	host := uri[len("mongodb://"):]
	if i := len(host) - 1; host[i] == '/' {
		host = host[:i]
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", host, time.Second)
		if err == nil {
			return c.Close()
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return errors.Join(fmt.Errorf("embedded: database did not start listening on %s", host), err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// URI returns the MongoDB connection string of the running database.
func (db *DB) URI() string { return db.uri }

// Stop stops the database and waits until its files are closed.
func (db *DB) Stop() {
	db.cancel()
	<-db.done
}
