package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/participation-graph/participation-graph/api"
	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/internal/dbtest"
	"github.com/participation-graph/participation-graph/internal/gctune"
	"github.com/participation-graph/participation-graph/store"
)

// queryPeerPage is the nested page of the peer comparison (../shared/peer/compare.mjs),
// asked anonymously as the comparison asks it.
const queryPeerPage = `{ museums(first: 50) { totalCount nodes { name partnerships(first: 20) { nodes { title community { name }
  decisionEvents(first: 20) { nodes { title communities { name } museum { name } } } } } } } }`

// BenchmarkPeerPage answers the peer comparison's nested page over the comparison's data
// (10 museums, 30 communities, 8 partnerships a museum, 6 decision events a partnership)
// through the HTTP handler, from the read model (model=on, as on the embedded database)
// and from the database (model=off, the MongoDB path), reporting this process's CPU time
// per request (cpu-ms/op, which on the database path includes the in-process database's)
// and the goroutines each request starts.
func BenchmarkPeerPage(b *testing.B) {
	for _, mode := range []store.ReadModelMode{store.ReadModelOn, store.ReadModelOff} {
		b.Run("model="+string(mode), func(b *testing.B) {
			ctx, cancel := context.WithCancel(context.Background())
			b.Cleanup(cancel)
			base, _ := dbtest.Open(b)
			buildPeerData(b, base)
			s, err := store.Open(ctx, store.Options{URI: dbtest.URI(b), Database: base.Name(), ReadModel: mode})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = s.Close(context.Background()) })
			if mode == store.ReadModelOn {
				feed := quietFeed(ctx, b, s, dbtest.URI(b))
				done := make(chan struct{}, 2)
				go func() { _ = feed.Run(ctx); done <- struct{}{} }()
				go func() { s.Model().Run(ctx, feed.Follow, nil); done <- struct{}{} }()
				go gctune.Run(ctx, nil) // as the server does
				b.Cleanup(func() { cancel(); <-done; <-done })
				for ok, _ := s.Model().Ready(); !ok; ok, _ = s.Model().Ready() {
					time.Sleep(time.Millisecond)
				}
			}
			h := api.New(api.Options{Store: s, Limits: api.Limits{MaxCost: 1_000_000},
				Logger: slog.New(slog.DiscardHandler)})
			body, _ := json.Marshal(map[string]string{"query": queryPeerPage})
			want := strings.Count(string(post(b, h, body)), `"title"`)
			if want != 80+480 {
				b.Fatalf("%d partnerships and events on the page, want 560", want)
			}
			created := goroutinesCreated()
			cpu0 := cpuTime()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if n := strings.Count(string(post(b, h, body)), `"title"`); n != want {
					b.Fatalf("%d titles, want %d", n, want)
				}
			}
			b.StopTimer()
			n := float64(b.N)
			b.ReportMetric(float64(cpuTime()-cpu0)/1e6/n, "cpu-ms/op")
			b.ReportMetric(float64(goroutinesCreated()-created)/n, "goroutines/op")
		})
	}
}

// buildPeerData writes the peer comparison's data through the store.
func buildPeerData(b *testing.B, s *store.Store) {
	ctx := context.Background()
	cs := make([]string, 30)
	for i := range cs {
		c, err := s.CreateCommunity(ctx, domain.CreateCommunityInput{Name: fmt.Sprintf("Community %d", i), Kind: "NEIGHBOURHOOD"})
		if err != nil {
			b.Fatal(err)
		}
		cs[i] = c.ID
	}
	city, country := "Testville", "GB"
	for m := range 10 {
		mu, err := s.CreateMuseum(ctx, domain.CreateMuseumInput{Name: fmt.Sprintf("Museum %d", m), Kind: "MUSEUM", City: &city, Country: &country})
		if err != nil {
			b.Fatal(err)
		}
		for p := range 8 {
			c := cs[(m*3+p)%len(cs)]
			pa, err := s.StartPartnership(ctx, domain.StartPartnershipInput{Title: fmt.Sprintf("P %d-%d", m, p), MuseumID: mu.ID, CommunityID: c})
			if err != nil {
				b.Fatal(err)
			}
			for e := range 6 {
				if _, err := s.RecordDecisionEvent(ctx, domain.RecordDecisionEventInput{Title: fmt.Sprintf("Panel %d-%d-%d", m, p, e), Kind: "ADVISORY_PANEL",
					OccurredAt: time.Date(2014, 5, 6, 18, 0, 0, 0, time.UTC), MuseumID: mu.ID, PartnershipID: &pa.ID,
					CommunityIDs: []string{c}, ParticipationLevel: "COLLABORATE"}); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
}
