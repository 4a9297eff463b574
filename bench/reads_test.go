package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"testing"
	"time"

	"github.com/participation-graph/participation-graph/api"
	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/internal/gctune"
	"github.com/participation-graph/participation-graph/network"
	"github.com/participation-graph/participation-graph/store"
)

// readCase is one everyday read, as a GraphQL request.
type readCase struct {
	name      string
	query     string
	variables map[string]any
}

// playgroundTabs returns the playground's example queries (its tabs), read from the page
// itself so that the benchmark follows it; mutations and subscriptions are left out.
func playgroundTabs(b *testing.B, vars map[string]any) []readCase {
	page, err := os.ReadFile("../api/playground.html")
	if err != nil {
		b.Fatal(err)
	}
	var out []readCase
	for _, m := range regexp.MustCompile("(?s)query: `(.*?)`").FindAllStringSubmatch(string(page), -1) {
		q := m[1]
		name := regexp.MustCompile(`(?m)^(query|mutation|subscription) (\w+)`).FindStringSubmatch(q)
		switch {
		case name == nil:
			out = append(out, readCase{"Tab/Viewer", q, nil})
		case name[1] == "query":
			out = append(out, readCase{"Tab/" + name[2], q, vars})
		}
	}
	return out
}

// everydayReads are the pages clients and researchers read most, besides the tabs.
func everydayReads(vars map[string]any) []readCase {
	return []readCase{
		{"NestedPage", `{ museums(first: 10, filter: {sample: true}) { totalCount nodes { name
			partnerships(first: 5) { totalCount nodes { title community { name }
				decisionEvents(first: 5) { totalCount nodes { title occurredAt communities { name } } } } } } } }`, nil},
		{"MuseumPage", `query($museum: ID!) { museum(id: $museum) { name city
			partnerships(first: 10) { totalCount nodes { title community { name } } }
			decisionEvents(first: 20) { totalCount nodes { title occurredAt participationLevel } }
			activities(first: 10) { totalCount nodes { title } }
			reflections(first: 10) { totalCount nodes { writtenOn } } } }`, vars},
		{"CommunityPage", `query($community: ID!) { community(id: $community) { name
			partnerships(first: 10) { totalCount nodes { title museum { name } } }
			decisionEvents(first: 20) { totalCount nodes { title museum { name } } } } }`, vars},
		{"PartnershipPage", `query($partnership: ID!) { partnership(id: $partnership) { title museum { name } community { name }
			decisionEvents(first: 20) { totalCount nodes { title communities { name } } }
			activities(first: 10) { totalCount nodes { title } }
			reflections(first: 10) { totalCount nodes { writtenOn } } } }`, vars},
		{"List/Programmes", `{ programmes(filter: {search: "museum"}) { totalCount nodes { name } } }`, nil},
		{"List/Museums", `{ museums(filter: {search: "museum"}) { totalCount nodes { name } } }`, nil},
		{"List/Communities", `{ communities(filter: {kinds: [YOUTH, NEIGHBOURHOOD]}) { totalCount nodes { name } } }`, nil},
		{"List/People", `{ people(filter: {search: "a"}) { totalCount nodes { pseudonym } } }`, nil},
		{"List/Partnerships", `{ partnerships(filter: {statuses: [ACTIVE, ENDED]}) { totalCount nodes { title museum { name } } } }`, nil},
		{"List/DecisionEvents", `{ decisionEvents(filter: {minLevel: COLLABORATE, search: "panel"}) { totalCount nodes { title museum { name } } } }`, nil},
		// A search that matches no event tests every event's title and description.
		{"List/DecisionEventsSearchNone", `{ decisionEvents(filter: {search: "Newcomer"}) { totalCount nodes { title } } }`, nil},
		{"List/Activities", `{ activities(filter: {kinds: [TRAINING, VOLUNTEERING]}) { totalCount nodes { title } } }`, nil},
		{"List/Reflections", `{ reflections(filter: {authors: [STAFF]}) { totalCount nodes { writtenOn } } }`, nil},
		{"List/Publications", `{ publications(filter: {yearFrom: 2012}) { totalCount nodes { title } } }`, nil},
		{"Nodes", `query($museum: ID!, $community: ID!, $partnership: ID!, $event: ID!) {
			nodes(ids: [$museum, $community, $partnership, $event]) { id ... on Museum { name } ... on Community { name }
				... on Partnership { title museum { name } } ... on DecisionEvent { title museum { name } } } }`, vars},
		{"Network", `{ partnershipNetwork(filter: {sample: true}) { stats { nodeCount edgeCount } nodes { id betweenness } edges { id weight } } }`, nil},
		{"Neighbourhood", `query($museum: ID!) { neighbourhood(id: $museum, depth: 2) { nodes { id } edges { id } } }`, vars},
		{"ShortestPath", `query($from: ID!, $to: ID!) { shortestPath(from: $from, to: $to) { id } }`, vars},
		{"Summary", `{ participationSummary(groupBy: COMMUNITY, filter: {sample: true, empowermentGap: true}) { key eventCount } }`, nil},
	}
}

// BenchmarkReads times every everyday read (the playground's tabs, the nested page, the
// museum, community and partnership pages, each top-level list with a filter and its
// total, nodes of mixed types, the network queries and the summary) answered from the
// read model, at 10,000 and (with BENCH_DATA_DIR) 100,000 sample events, reporting the
// median and 99th percentile and the database commands per request. It logs how long
// the read model took to load and the Go heap it holds.
func BenchmarkReads(b *testing.B) {
	for _, scale := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("events=%d", scale), func(b *testing.B) {
			s, counter, uri := listStore(b, scale)
			ctx, cancel := context.WithCancel(context.Background())
			feed := quietFeed(ctx, b, s, uri)
			graphs := network.New(s, nil)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			done := make(chan struct{}, 3)
			start := time.Now()
			go func() { _ = feed.Run(ctx); done <- struct{}{} }()
			go func() { s.Model().Run(ctx, feed.Follow, nil); done <- struct{}{} }()
			go func() { graphs.Run(ctx); done <- struct{}{} }()
			b.Cleanup(func() { cancel(); <-done; <-done; <-done })
			for ok, _ := s.Model().Ready(); !ok; ok, _ = s.Model().Ready() {
				time.Sleep(time.Millisecond)
			}
			took := time.Since(start).Round(time.Millisecond)
			runtime.GC()
			runtime.ReadMemStats(&after)
			grew := int64(after.HeapAlloc) - int64(before.HeapAlloc)
			// Printed rather than logged: a benchmark with sub-benchmarks shows no log.
			fmt.Printf("read model of %d events ready in %v; Go heap grew by %d MB (%d MB per 100,000 events)\n", scale, took,
				grew>>20, grew*100_000/int64(scale)>>20)
			go gctune.Run(ctx, nil) // as the server does
			vars := readVars(ctx, b, s)
			h := api.New(api.Options{Store: s, Network: graphs})
			for _, c := range append(playgroundTabs(b, vars), everydayReads(vars)...) {
				body, _ := json.Marshal(map[string]any{"query": c.query, "variables": c.variables})
				b.Run(c.name, func(b *testing.B) {
					timed(b, counter, func() {
						if out := post(b, h, body); bytes.Contains(out, []byte(`"errors"`)) {
							b.Fatalf("%s: %s", c.name, out)
						}
					})
				})
			}
		})
	}
}

// readVars picks the records the reads ask for: two sample museums, a community, a
// partnership and an event.
func readVars(ctx context.Context, b *testing.B, s *store.Store) map[string]any {
	yes := true
	ms, err := s.Museums.List(ctx, &domain.MuseumFilter{Sample: &yes}, nil, store.PageArgs{})
	if err != nil || len(ms.Edges) < 2 {
		b.Fatalf("museums: %v", err)
	}
	ps, err := s.Partnerships.List(ctx, &domain.PartnershipFilter{MuseumID: &ms.Edges[0].Node.ID}, nil, store.PageArgs{})
	if err != nil || len(ps.Edges) == 0 {
		b.Fatalf("partnerships: %v", err)
	}
	es, err := s.Events.List(ctx, &domain.DecisionEventFilter{Sample: &yes}, nil, store.PageArgs{})
	if err != nil || len(es.Edges) == 0 {
		b.Fatalf("events: %v", err)
	}
	p := ps.Edges[0].Node
	return map[string]any{"museum": ms.Edges[0].Node.ID, "community": p.CommunityID, "partnership": p.ID,
		"event": es.Edges[0].Node.ID, "from": ms.Edges[0].Node.ID, "to": ms.Edges[1].Node.ID, "id": es.Edges[0].Node.ID}
}
