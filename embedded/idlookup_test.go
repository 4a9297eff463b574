package embedded_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/embedded"
	"github.com/participation-graph/participation-graph/store"
)

// startWith starts the database in dir and opens a store on database; both are closed
// when the test ends.
func startWith(t *testing.T, dir, database string) (*embedded.DB, *store.Store) {
	t.Helper()
	ctx := context.Background()
	db, err := embedded.Start(ctx, embedded.Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Stop)
	s, err := store.Open(ctx, store.Options{URI: db.URI(), Database: database})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return db, s
}

// TestIndexIDLookups checks that, once IndexIDLookups ran (twice, as at every start),
// SQLite plans the query FerretDB sends for a lookup by _id as an index search, and the
// record is still found through the MongoDB protocol.
func TestIndexIDLookups(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, s := startWith(t, dir, "participation")
	if err := s.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	c, err := s.CreateCommunity(ctx, domain.CreateCommunityInput{Name: "Lookup", Kind: "OTHER"})
	if err != nil {
		t.Fatal(err)
	}
	// Each look at the plan opens its own connection, so it reads the current schema.
	open := func() *sql.DB {
		conn, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "participation.sqlite")+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		return conn
	}
	conn := open()
	var table string
	if err := conn.QueryRow(`SELECT table_name FROM _ferretdb_collections WHERE name = 'communities'`).Scan(&table); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	plan := func() string {
		conn := open()
		defer conn.Close()
		var id, parent, unused int
		var detail string
		q := fmt.Sprintf(`EXPLAIN QUERY PLAN SELECT _ferretdb_sjson FROM %q WHERE _ferretdb_sjson->'$._id' = ?`, table)
		if err := conn.QueryRow(q, `"x"`).Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		return detail
	}
	if p := plan(); !strings.HasPrefix(p, "SCAN") {
		t.Fatalf("before: plan %q; FerretDB's own _id index is used, so IndexIDLookups is no longer needed", p)
	}
	for range 2 {
		if err := db.IndexIDLookups(ctx, "participation"); err != nil {
			t.Fatal(err)
		}
	}
	if p := plan(); !strings.Contains(p, "USING INDEX") {
		t.Fatalf("after: plan %q, want an index search", p)
	}
	got, err := s.Communities.Get(ctx, c.ID)
	if err != nil || got.Name != "Lookup" {
		t.Fatalf("got %v, %v", got, err)
	}
}
