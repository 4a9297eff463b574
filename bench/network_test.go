package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/participation-graph/participation-graph/api"
	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/internal/dbtest"
	"github.com/participation-graph/participation-graph/network"
	"github.com/participation-graph/participation-graph/seed"
)

// queryNetwork is the whole sample network with every node's and edge's metrics.
const queryNetwork = `query($f: NetworkFilter) {
  partnershipNetwork(filter: $f) {
    stats { nodeCount edgeCount componentCount density }
    nodes { id kind label degree weightedDegree betweenness component }
    edges { id source target weight startDate endDate maxLevel }
  }
}`

// BenchmarkPartnershipNetwork times partnershipNetwork through the HTTP handler over the
// network of the sample data at 100,000 decision events, generated in memory
// (seed.SampleNetwork) rather than loaded, which would take minutes. Cached repeats the
// same request; AfterWrite applies a change before each request, so every one filters
// the projection and computes betweenness again; Period adds an event window and a
// minimum level, which look at every event of every partnership. It reports the median
// and 99th percentile.
func BenchmarkPartnershipNetwork(b *testing.B) {
	const scale = 100_000
	recs, err := seed.SampleNetwork(scale)
	if err != nil {
		b.Fatal(err)
	}
	graphs := network.New(nil, nil)
	graphs.Put(recs...)
	s, _ := dbtest.Open(b) // the handler's loaders need a store; these queries never use it
	h := api.New(api.Options{Store: s, Network: graphs})
	var museum *domain.Museum
	for _, r := range recs {
		if m, ok := r.(*domain.Museum); ok {
			museum = m
			break
		}
	}
	for _, c := range []struct {
		name   string
		filter map[string]any
		write  bool
	}{
		{"Cached", map[string]any{"sample": true}, false},
		{"AfterWrite", map[string]any{"sample": true}, true},
		{"Period", map[string]any{"sample": true, "from": "2014-01-01", "to": "2016-12-31", "minLevel": "INVOLVE"}, true},
	} {
		b.Run(fmt.Sprintf("%s/events=%d", c.name, scale), func(b *testing.B) {
			body, _ := json.Marshal(map[string]any{"query": queryNetwork, "variables": map[string]any{"f": c.filter}})
			var times []time.Duration
			run := func() {
				req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				rec := httptest.NewRecorder()
				start := time.Now()
				h.ServeHTTP(rec, req)
				times = append(times, time.Since(start))
				if rec.Code != http.StatusOK || bytes.Contains(rec.Body.Bytes(), []byte(`"errors"`)) {
					b.Fatalf("status %d: %.500s", rec.Code, rec.Body.String())
				}
			}
			run()
			times = times[:0]
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if c.write {
					b.StopTimer()
					museum.Name += "."
					graphs.Put(museum)
					b.StartTimer()
				}
				run()
			}
			b.StopTimer()
			slices.Sort(times)
			b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}
