package embedded_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/embedded"
	"github.com/participation-graph/participation-graph/store"
)

// TestRestartKeepsDataAndIndexes starts the database twice on the same files, as a server
// restart does: the second start must see the first one's record, and ensuring the
// indexes again must succeed (FerretDB v1 crashes when asked to recreate existing ones).
func TestRestartKeepsDataAndIndexes(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var id string
	for round := 0; round < 2; round++ {
		db, err := embedded.Start(ctx, embedded.Config{Dir: dir})
		if err != nil {
			t.Fatal(err)
		}
		s, err := store.Open(ctx, store.Options{URI: db.URI(), Database: "participation"})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 2; i++ {
			if err := s.EnsureIndexes(ctx); err != nil {
				t.Fatalf("round %d, ensuring indexes (time %d): %v", round, i+1, err)
			}
		}
		if round == 0 {
			c, err := s.CreateCommunity(ctx, domain.CreateCommunityInput{Name: "Kept", Kind: "OTHER"})
			if err != nil {
				t.Fatal(err)
			}
			id = c.ID
		} else if c, err := s.Communities.Get(ctx, id); err != nil || c.Name != "Kept" {
			t.Errorf("after a restart: %+v, %v; want the community named Kept", c, err)
		}
		_ = s.Close(ctx)
		db.Stop()
	}
}

func TestStartFailsOnTakenAddress(t *testing.T) {
	ctx := context.Background()
	db, err := embedded.Start(ctx, embedded.Config{Dir: t.TempDir(), Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Stop()
	addr := db.URI()[len("mongodb://") : len(db.URI())-1]
	if other, err := embedded.Start(ctx, embedded.Config{Dir: t.TempDir(), Listen: addr}); err == nil {
		other.Stop()
		t.Errorf("a second database on %s started, want an error", addr)
	}
}

// TestFilesUseWriteAheadLog: the durability of acknowledged writes rests on SQLite's
// write-ahead log (see Durability); a database file in rollback-journal mode would say so
// in its header (bytes 18 and 19 are 2 for WAL).
func TestFilesUseWriteAheadLog(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	_, s := startWith(t, dir, "walcheck")
	if _, err := s.CreateCommunity(ctx, domain.CreateCommunityInput{Name: "Logged", Kind: "OTHER"}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, "walcheck.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	header := make([]byte, 20)
	if _, err := io.ReadFull(f, header); err != nil {
		t.Fatal(err)
	}
	if string(header[:15]) != "SQLite format 3" || header[18] != 2 || header[19] != 2 {
		t.Errorf("database file header %q: read/write versions %d/%d, want 2/2 (WAL)", header[:16], header[18], header[19])
	}
}
