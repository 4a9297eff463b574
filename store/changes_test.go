package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/internal/dbtest"
	"github.com/participation-graph/participation-graph/store"
)

// checkFeed reads the whole feed and checks seqs run 1..n without gap and each
// (record, version) appears once.
func checkFeed(t *testing.T, s *store.Store) []domain.Change {
	t.Helper()
	all, err := s.ChangesAfter(context.Background(), 0, 100000, nil)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for i, c := range all {
		if c.Seq != int64(i+1) {
			t.Fatalf("change %d has seq %d, want %d (a gap or a reordering)", i, c.Seq, i+1)
		}
		key := fmt.Sprintf("%s@%d", c.EntityID, c.Version)
		if seen[key] {
			t.Fatalf("%s appears twice in the feed", key)
		}
		seen[key] = true
	}
	return all
}

func TestFeedHasEveryWriteOnceInOrder(t *testing.T) {
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	m := must[*domain.Museum](t)(s.CreateMuseum(ctx, domain.CreateMuseumInput{Name: "M", Kind: "MUSEUM"}))
	name := "M2"
	must[*domain.Museum](t)(s.UpdateMuseum(ctx, domain.UpdateMuseumInput{ID: m.ID, Name: graphql.OmittableOf(&name)}))
	c := must[*domain.Community](t)(s.CreateCommunity(ctx, domain.CreateCommunityInput{Name: "C", Kind: "OTHER"}))
	must[*domain.Museum](t)(s.ArchiveMuseum(ctx, domain.ArchiveInput{ID: m.ID}))
	p := must[*domain.Person](t)(s.CreatePerson(ctx, domain.CreatePersonInput{Pseudonym: "P"}))
	must[*domain.Person](t)(s.ErasePerson(ctx, domain.ErasePersonInput{ID: p.ID}))
	// A rejected write leaves no trace.
	if _, err := s.CreateMuseum(ctx, domain.CreateMuseumInput{Name: "", Kind: "MUSEUM"}); err == nil {
		t.Fatal("a museum without a name was accepted")
	}
	got := checkFeed(t, s)
	want := []struct {
		op      domain.Op
		id      string
		version int
	}{{domain.OpCreated, m.ID, 1}, {domain.OpUpdated, m.ID, 2}, {domain.OpCreated, c.ID, 1}, {domain.OpArchived, m.ID, 3},
		{domain.OpCreated, p.ID, 1}, {domain.OpErased, p.ID, 2}}
	if len(got) != len(want) {
		t.Fatalf("feed has %d changes, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].Op != w.op || got[i].EntityID != w.id || got[i].Version != w.version {
			t.Errorf("change %d = %+v, want %v %s v%d", i, got[i], w.op, w.id, w.version)
		}
	}
	only, err := s.ChangesAfter(ctx, 2, 10, []domain.Entity{domain.EntityMuseum})
	if err != nil || len(only) != 1 || only[0].Seq != 4 {
		t.Errorf("museum changes after 2 = %+v, %v; want seq 4 only", only, err)
	}
}

func TestFeedUnderConcurrentWritersAndTwoProcesses(t *testing.T) {
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	// A second store on the same database stands for a second server instance.
	other, err := store.Open(ctx, store.Options{URI: dbtest.URI(t), Database: s.Name()})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(ctx)
	m := must[*domain.Museum](t)(s.CreateMuseum(ctx, domain.CreateMuseumInput{Name: "Shared", Kind: "MUSEUM"}))
	var wg sync.WaitGroup
	writes := 1
	var mu sync.Mutex
	for w := 0; w < 6; w++ {
		st := []*store.Store{s, other}[w%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 8; i++ {
				var err error
				// A writer kept waiting too long for the contended museum is told to try
				// again (ErrConflict), as a client would be; it does.
				for try := 0; try == 0 || errors.Is(err, domain.ErrConflict) && try < 5; try++ {
					if i%2 == 0 {
						_, err = st.CreateCommunity(ctx, domain.CreateCommunityInput{Name: fmt.Sprintf("C%d-%d", w, i), Kind: "OTHER"})
					} else {
						city := fmt.Sprintf("City %d-%d", w, i)
						_, err = st.UpdateMuseum(ctx, domain.UpdateMuseumInput{ID: m.ID, City: graphql.OmittableOf(&city)})
					}
				}
				if err != nil {
					t.Errorf("write: %v", err)
					return
				}
				mu.Lock()
				writes++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	got := checkFeed(t, s)
	if len(got) != writes {
		t.Errorf("feed has %d changes for %d writes", len(got), writes)
	}
	// Per record, versions appear in order.
	last := 0
	for _, c := range got {
		if c.EntityID == m.ID {
			if c.Version != last+1 {
				t.Errorf("museum versions out of order: %d after %d", c.Version, last)
			}
			last = c.Version
		}
	}
}

func TestFeedRecoversFromADeadWriter(t *testing.T) {
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	m := must[*domain.Museum](t)(s.CreateMuseum(ctx, domain.CreateMuseumInput{Name: "M", Kind: "MUSEUM"}))

	// Died after writing version 2: the next update puts version 2 in the feed before 3.
	if err := s.DieAfterRecordWrite(ctx, m.ID, "Written by the dead", true, time.Now()); err != nil {
		t.Fatal(err)
	}
	city := "Leeds"
	must[*domain.Museum](t)(s.UpdateMuseum(ctx, domain.UpdateMuseumInput{ID: m.ID, City: graphql.OmittableOf(&city)}))
	got := checkFeed(t, s)
	if len(got) != 3 || got[1].Version != 2 || got[2].Version != 3 {
		t.Fatalf("feed = %+v, want versions 1, 2, 3", got)
	}

	// Died after writing version 4, with nobody updating since: the sweeper appends it
	// once the intent is old enough. Died before writing version 5: nothing appended.
	if err := s.DieAfterRecordWrite(ctx, m.ID, "Again", true, time.Now().Add(-2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if n, err := s.SweepIntents(ctx); err != nil || n != 1 {
		t.Fatalf("sweep = %d, %v; want 1 intent handled", n, err)
	}
	if err := s.DieAfterRecordWrite(ctx, m.ID, "Never written", false, time.Now().Add(-2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if n, err := s.SweepIntents(ctx); err != nil || n != 1 {
		t.Fatalf("sweep = %d, %v; want 1 intent handled", n, err)
	}
	got = checkFeed(t, s)
	if len(got) != 4 || got[3].Version != 4 {
		t.Errorf("feed = %+v, want versions 1 to 4 and nothing for the write that never happened", got)
	}
	if rec := must[*domain.Museum](t)(s.Museums.Get(ctx, m.ID)); rec.Version != 4 {
		t.Errorf("museum at version %d, want 4", rec.Version)
	}
	// The record stays writable after the dropped intent.
	must[*domain.Museum](t)(s.UpdateMuseum(ctx, domain.UpdateMuseumInput{ID: m.ID, City: graphql.OmittableOf(&city)}))
	checkFeed(t, s)
}

func TestFeedRetention(t *testing.T) {
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		must[*domain.Community](t)(s.CreateCommunity(ctx, domain.CreateCommunityInput{Name: fmt.Sprint(i), Kind: "OTHER"}))
	}
	if n, err := s.TrimChanges(ctx, time.Now().Add(time.Minute)); err != nil || n != 3 {
		t.Fatalf("trim = %d, %v; want 3", n, err)
	}
	if _, err := s.ChangesAfter(ctx, 1, 10, nil); !errors.Is(err, domain.ErrCursorExpired) {
		t.Errorf("reading after a trimmed position: %v, want ErrCursorExpired", err)
	}
	// Numbering continues after the trimmed changes, also for a store that starts afresh.
	fresh, err := store.Open(ctx, store.Options{URI: dbtest.URI(t), Database: s.Name()})
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close(ctx)
	must[*domain.Community](t)(fresh.CreateCommunity(ctx, domain.CreateCommunityInput{Name: "after", Kind: "OTHER"}))
	got, err := s.ChangesAfter(ctx, 3, 10, nil)
	if err != nil || len(got) != 1 || got[0].Seq != 4 {
		t.Errorf("after trimming: %+v, %v; want seq 4", got, err)
	}
}
