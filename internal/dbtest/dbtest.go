// Package dbtest gives each test its own database on a real server: the embedded FerretDB
// (one per test binary, in a temporary directory) or, when MONGODB_URI is set, that
// server. Each database is dropped when its test ends. It also counts the commands each
// test's store sends, so tests can catch N+1 queries.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/participation-graph/participation-graph/embedded"
	"github.com/participation-graph/participation-graph/store"
)

var (
	once     sync.Once
	uri      string
	embedder *embedded.DB // nil when MONGODB_URI is set
	onceErr  error
)

// URI returns the server tests use, starting the embedded database on first use.
func URI(tb testing.TB) string {
	tb.Helper()
	once.Do(func() {
		if u := os.Getenv("MONGODB_URI"); u != "" {
			uri = u
			return
		}
		dir, err := os.MkdirTemp("", "participation-test-*")
		if err != nil {
			onceErr = err
			return
		}
		// The database lives as long as the test binary; its files go with the temp dir.
		db, err := embedded.Start(context.Background(), embedded.Config{Dir: dir})
		if err != nil {
			onceErr = err
			return
		}
		uri, embedder = db.URI(), db
	})
	if onceErr != nil {
		tb.Fatalf("starting the test database: %v", onceErr)
	}
	return uri
}

// Counter counts database commands by name.
type Counter struct {
	mu     sync.Mutex
	byName map[string]int
	total  atomic.Int64
}

func (c *Counter) add(_, name string) {
	c.mu.Lock()
	c.byName[name]++
	c.mu.Unlock()
	c.total.Add(1)
}

// Total returns how many commands were sent so far.
func (c *Counter) Total() int { return int(c.total.Load()) }

// ByName returns a copy of the counts by command name.
func (c *Counter) ByName() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.byName))
	for k, v := range c.byName {
		out[k] = v
	}
	return out
}

// NewName returns a fresh database name for a test.
func NewName() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return "test_" + hex.EncodeToString(b)
}

// Open returns a store on a fresh database with its indexes, and the counter of the
// commands it sends. The database is dropped when the test ends.
func Open(tb testing.TB) (*store.Store, *Counter) {
	tb.Helper()
	c := &Counter{byName: map[string]int{}}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name := NewName()
	s, err := store.Open(ctx, store.Options{URI: URI(tb), Database: name, OnCommand: c.add})
	if err != nil {
		tb.Fatalf("opening the store: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_ = s.Close(ctx)
		// A fresh connection drops the database, so tests may close their store.
		d, err := store.Open(ctx, store.Options{URI: URI(tb), Database: name})
		if err != nil {
			tb.Errorf("dropping the test database: %v", err)
			return
		}
		defer d.Close(ctx)
		if err := d.DropDatabase(ctx); err != nil {
			tb.Errorf("dropping the test database: %v", err)
		}
	})
	if err := s.EnsureIndexes(ctx); err != nil {
		tb.Fatalf("creating indexes: %v", err)
	}
	if embedder != nil {
		// As the server does on the embedded database.
		if err := embedder.IndexIDLookups(ctx, name); err != nil {
			tb.Fatalf("indexing id lookups: %v", err)
		}
	}
	return s, c
}
