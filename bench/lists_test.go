package bench

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/participation-graph/participation-graph/api"
	"github.com/participation-graph/participation-graph/changefeed"
	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/embedded"
	"github.com/participation-graph/participation-graph/internal/dbtest"
	"github.com/participation-graph/participation-graph/seed"
	"github.com/participation-graph/participation-graph/store"
)

// queryListByMuseum is a list of one museum's events matching a search, by title.
const queryListByMuseum = `query($m: ID!) {
  decisionEvents(first: 20, filter: {museumId: $m, search: "panel"}, orderBy: {field: TITLE, direction: ASC}) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { title occurredAt participationLevel }
  }
}`

// queryListLast is the last page of a list of kinds since a date, by level.
const queryListLast = `{
  decisionEvents(last: 20, filter: {kinds: [VOTE, CO_CURATION], occurredAfter: "2014-01-01T00:00:00Z", sample: true}, orderBy: {field: LEVEL, direction: DESC}) {
    totalCount
    pageInfo { hasPreviousPage startCursor }
    nodes { title kind participationLevel }
  }
}`

// listCase is one list, asked through GraphQL and straight from the store.
type listCase struct {
	name  string
	query string
	// direct gives the same answer from the store: the page, its total and, when the query
	// asks for them, the events' museums.
	direct func(ctx context.Context, s *store.Store) error
}

func listCases(museum string) []listCase {
	gap, collaborate := true, domain.LevelCollaborate
	search, after, yes, twenty := "panel", time.Date(2014, 1, 1, 0, 0, 0, 0, time.UTC), true, 20
	page := func(ctx context.Context, s *store.Store, f *domain.DecisionEventFilter, o *store.Order, args store.PageArgs, museums bool) error {
		p, err := s.Events.List(ctx, f, o, args)
		if err != nil {
			return err
		}
		if _, err := p.TotalCount(ctx); err != nil {
			return err
		}
		if len(p.Edges) == 0 {
			return errors.New("empty page")
		}
		if museums {
			var ids []string
			for _, e := range p.Edges {
				ids = append(ids, e.Node.MuseumID)
			}
			if _, errs := s.Museums.GetMany(ctx, ids); errors.Join(errs...) != nil {
				return errors.Join(errs...)
			}
		}
		return nil
	}
	return []listCase{
		{"Filtered", queryFiltered, func(ctx context.Context, s *store.Store) error {
			return page(ctx, s, &domain.DecisionEventFilter{EmpowermentGap: &gap, MinLevel: &collaborate}, nil, store.PageArgs{First: &twenty}, true)
		}},
		{"MuseumSearch", queryListByMuseum, func(ctx context.Context, s *store.Store) error {
			return page(ctx, s, &domain.DecisionEventFilter{MuseumID: &museum, Search: &search}, &store.Order{Field: "TITLE", Direction: domain.Asc},
				store.PageArgs{First: &twenty}, false)
		}},
		{"LastByLevel", queryListLast, func(ctx context.Context, s *store.Store) error {
			return page(ctx, s, &domain.DecisionEventFilter{Kinds: []domain.DecisionEventKind{"VOTE", "CO_CURATION"}, OccurredAfter: &after, Sample: &yes},
				&store.Order{Field: "LEVEL", Direction: domain.Desc}, store.PageArgs{Last: &twenty}, false)
		}},
	}
}

// commandCounter counts the commands a store sends.
type commandCounter struct{ n atomic.Int64 }

func (c *commandCounter) add(string, string) { c.n.Add(1) }

// listStore returns a store holding the Our Museum data and the sample at scale, with
// its command counter, and the server's URI. At 1,000 and 10,000 events it is a fresh test database. At
// 100,000 it is the database BENCH_DATABASE (default "bench") in the directory
// BENCH_DATA_DIR, loaded on the first run (minutes) and reused by later ones, such as a
// server's DATA_DIR after `seed --sample --scale 100000` with BENCH_DATABASE=participation;
// without BENCH_DATA_DIR that scale is skipped.
func listStore(b *testing.B, scale int) (*store.Store, *commandCounter, string) {
	ctx := context.Background()
	counter := &commandCounter{}
	var s *store.Store
	uri := dbtest.URI(b)
	if scale < 100_000 {
		s, _ = dbtest.Open(b)
		s.Close(ctx)
		// A second store on the same database, whose commands this counter sees.
		var err error
		s, err = store.Open(ctx, store.Options{URI: uri, Database: s.Name(), OnCommand: counter.add})
		if err != nil {
			b.Fatal(err)
		}
	} else {
		dir := os.Getenv("BENCH_DATA_DIR")
		if dir == "" {
			b.Skip("set BENCH_DATA_DIR to a directory to load (once) and use 100,000 events")
		}
		db, err := embedded.Start(ctx, embedded.Config{Dir: dir})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(db.Stop)
		uri = db.URI()
		name := cmp.Or(os.Getenv("BENCH_DATABASE"), "bench")
		if s, err = store.Open(ctx, store.Options{URI: uri, Database: name, OnCommand: counter.add}); err != nil {
			b.Fatal(err)
		}
		if err := s.EnsureIndexes(ctx); err != nil {
			b.Fatal(err)
		}
		if err := db.IndexIDLookups(ctx, name); err != nil {
			b.Fatal(err)
		}
	}
	b.Cleanup(func() { _ = s.Close(context.Background()) })
	if _, err := seed.OurMuseum(ctx, s); err != nil {
		b.Fatal(err)
	}
	if _, err := seed.Sample(ctx, s, scale); err != nil && !errors.Is(err, seed.ErrSampleLoaded) {
		b.Fatal(err)
	}
	return s, counter, uri
}

// BenchmarkLists times filtered decision-event lists answered from the list index, at
// 1,000, 10,000 and (with BENCH_DATA_DIR) 100,000 events: GraphQL through the HTTP
// handler, and Store, the same answer from the store without GraphQL. Nested is the page
// of BenchmarkQueries with the index on, for its command count. Each reports the median
// and 99th percentile and the database commands per request.
func BenchmarkLists(b *testing.B) {
	for _, scale := range []int{1000, 10000, 100_000} {
		b.Run(fmt.Sprintf("events=%d", scale), func(b *testing.B) {
			s, counter, uri := listStore(b, scale)
			ctx, cancel := context.WithCancel(context.Background())
			feed := quietFeed(ctx, b, s, uri)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			done := make(chan struct{}, 2)
			go func() { _ = feed.Run(ctx); done <- struct{}{} }()
			go func() { s.Model().Run(ctx, feed.Follow, nil); done <- struct{}{} }()
			b.Cleanup(func() { cancel(); <-done; <-done })
			start := time.Now()
			if err := s.Model().Wait(ctx); err != nil {
				b.Fatal(err)
			}
			took := time.Since(start).Round(time.Millisecond)
			runtime.GC()
			runtime.ReadMemStats(&after)
			b.Logf("list index of %d events loaded in %v; Go heap in use grew by %d MB (%d B per event)", scale, took,
				(int64(after.HeapAlloc)-int64(before.HeapAlloc))>>20, (int64(after.HeapAlloc)-int64(before.HeapAlloc))/int64(scale))
			h := api.New(api.Options{Store: s})
			sample := true
			ms, err := s.Museums.List(ctx, &domain.MuseumFilter{Sample: &sample}, nil, store.PageArgs{})
			if err != nil || len(ms.Edges) == 0 {
				b.Fatalf("museums: %v", err)
			}
			museum := ms.Edges[0].Node.ID
			for _, c := range listCases(museum) {
				body, _ := json.Marshal(map[string]any{"query": c.query, "variables": map[string]any{"m": museum}})
				b.Run("GraphQL/"+c.name, func(b *testing.B) {
					timed(b, counter, func() {
						if bytes.Contains(post(b, h, body), []byte(`"nodes":[]`)) {
							b.Fatal("empty page")
						}
					})
				})
				b.Run("Store/"+c.name, func(b *testing.B) {
					timed(b, counter, func() {
						if err := c.direct(ctx, s); err != nil {
							b.Fatal(err)
						}
					})
				})
			}
			if scale < 100_000 {
				body, _ := json.Marshal(map[string]any{"query": queryNested})
				b.Run("GraphQL/Nested", func(b *testing.B) { timed(b, counter, func() { _ = post(b, h, body) }) })
			}
		})
	}
}

// post sends one GraphQL request, fails on errors and returns the response body.
func post(b *testing.B, h http.Handler, body []byte) []byte {
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || bytes.Contains(rec.Body.Bytes(), []byte(`"errors"`)) {
		b.Fatalf("status %d: %.500s", rec.Code, rec.Body.String())
	}
	return rec.Body.Bytes()
}

// timed runs op once to warm up, then b.N times, and reports the median and 99th
// percentile and the commands per run.
func timed(b *testing.B, counter *commandCounter, op func()) {
	op()
	times := make([]time.Duration, 0, b.N)
	before := counter.n.Load()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		op()
		times = append(times, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(times)
	b.ReportMetric(float64(counter.n.Load()-before)/float64(len(times)), "commands/op")
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99-ms")
}

// quietFeed returns a change feed that polls s's database through a store of its own, so
// that the command counter of s sees only the requests' commands.
func quietFeed(ctx context.Context, b *testing.B, s *store.Store, uri string) *changefeed.Broker {
	fs, err := store.Open(ctx, store.Options{URI: uri, Database: s.Name(), ReadModel: store.ReadModelOff})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = fs.Close(context.Background()) })
	return changefeed.New(fs, 250*time.Millisecond)
}
