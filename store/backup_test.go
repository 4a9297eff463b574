package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/internal/dbtest"
	"github.com/participation-graph/participation-graph/store"
)

// TestDumpWhileWritingRestoresConsistentFeed takes a dump while writes land in the middle
// of it (a museum updated and a community created after the feed's end was noted but
// before their collections were read, an activity updated after its collection was read)
// and beside a crashed writer's intent; restored into an empty database and swept, every
// record's version is in the feed exactly once, with no gap.
func TestDumpWhileWritingRestoresConsistentFeed(t *testing.T) {
	ctx := context.Background()
	src, _ := dbtest.Open(t)
	m := must[*domain.Museum](t)(src.CreateMuseum(ctx, domain.CreateMuseumInput{Name: "Dumped", Kind: "MUSEUM"}))
	a := must[*domain.Activity](t)(src.RecordActivity(ctx, domain.RecordActivityInput{Kind: "TRAINING", Title: "Before", MuseumID: m.ID, StartDate: domain.DateOf(time.Now())}))
	crashed := must[*domain.Museum](t)(src.CreateMuseum(ctx, domain.CreateMuseumInput{Name: "Crashed", Kind: "MUSEUM"}))
	if err := src.DieAfterRecordWrite(ctx, crashed.ID, "Crashed, renamed", true, time.Now().UTC().Truncate(time.Millisecond)); err != nil {
		t.Fatal(err)
	}

	docs := map[string][][]byte{}
	var newCommunity string
	wrote := false
	_, err := src.Dump(ctx, func(collection string, doc []byte) error {
		if collection == "activities" && !wrote {
			wrote = true
			name, title := "Dumped, renamed", "After"
			must[*domain.Museum](t)(src.UpdateMuseum(ctx, domain.UpdateMuseumInput{ID: m.ID, Name: graphql.OmittableOf(&name)}))
			newCommunity = must[*domain.Community](t)(src.CreateCommunity(ctx, domain.CreateCommunityInput{Name: "Mid-dump", Kind: "OTHER"})).ID
			must[*domain.Activity](t)(src.UpdateActivity(ctx, domain.UpdateActivityInput{ID: a.ID, Title: graphql.OmittableOf(&title)}))
		}
		docs[collection] = append(docs[collection], doc)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !wrote {
		t.Fatal("the dump read no activity; the test wrote nothing during it")
	}

	dst, _ := dbtest.Open(t)
	var names []string
	for name := range docs {
		names = append(names, name)
	}
	for _, name := range store.RestoreOrder(names) {
		if err := dst.Restore(ctx, name, docs[name]); err != nil {
			t.Fatal(err)
		}
	}
	// A later clock makes the sweeper treat every restored intent as a dead writer's.
	later, err := store.Open(ctx, store.Options{URI: dbtest.URI(t), Database: dst.Name(),
		Now: func() time.Time { return time.Now().Add(2 * time.Minute) }})
	if err != nil {
		t.Fatal(err)
	}
	defer later.Close(ctx)
	if _, err := later.SweepIntents(ctx); err != nil {
		t.Fatal(err)
	}

	feed := checkFeed(t, dst)
	inFeed := map[string]int{}
	for _, c := range feed {
		inFeed[fmt.Sprintf("%s@%d", c.EntityID, c.Version)]++
	}
	records := 0
	if _, err := dst.Dump(ctx, func(collection string, doc []byte) error {
		if collection != "museums" && collection != "communities" && collection != "activities" {
			return nil
		}
		records++
		id := bson.Raw(doc).Lookup("_id").StringValue()
		key := fmt.Sprintf("%s@%d", id, bson.Raw(doc).Lookup("version").AsInt64())
		if inFeed[key] != 1 {
			t.Errorf("restored record %s is in the feed %d times, want once", key, inFeed[key])
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if records != 4 {
		t.Errorf("restored %d museums, communities and activities, want 4", records)
	}
	got := must[*domain.Museum](t)(dst.Museums.Get(ctx, m.ID))
	if got.Name != "Dumped, renamed" || got.Version != 2 {
		t.Errorf("museum written during the dump restored as %q v%d, want the version read, v2", got.Name, got.Version)
	}
	if _, err := dst.Communities.Get(ctx, newCommunity); err != nil {
		t.Errorf("community created during the dump: %v", err)
	}
}

// TestFeedCheck: a restored feed must run on from the trimmed position without a gap and
// hold each record version once.
func TestFeedCheck(t *testing.T) {
	doc := func(v any) []byte {
		b, err := bson.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	type entry struct {
		collection string
		doc        []byte
	}
	state := entry{"change_feed_state", doc(bson.D{{Key: "_id", Value: "seq"}, {Key: "trimmedThrough", Value: int64(4)}})}
	change := func(seq int64, id string, version int) entry {
		return entry{"changes", doc(domain.Change{Seq: seq, Op: domain.OpCreated, Entity: domain.EntityMuseum, EntityID: id, Version: version, At: time.Now()})}
	}
	for name, tc := range map[string]struct {
		docs []entry
		ok   bool
	}{
		"OK":            {[]entry{state, change(5, "a", 1), change(6, "a", 2)}, true},
		"ErrGap":        {[]entry{state, change(5, "a", 1), change(7, "a", 2)}, false},
		"ErrBeforeTrim": {[]entry{state, change(4, "a", 1)}, false},
		"ErrTwice":      {[]entry{change(1, "a", 1), change(2, "a", 1)}, false},
	} {
		t.Run(name, func(t *testing.T) {
			var fc store.FeedCheck
			var err error
			for _, e := range tc.docs {
				if err = fc.Check(e.collection, e.doc); err != nil {
					break
				}
			}
			if (err == nil) != tc.ok {
				t.Errorf("got %v, want ok=%v", err, tc.ok)
			}
		})
	}
}
