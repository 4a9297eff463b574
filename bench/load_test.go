package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/participation-graph/participation-graph/api"
	"github.com/participation-graph/participation-graph/changefeed"
	"github.com/participation-graph/participation-graph/internal/dbtest"
	"github.com/participation-graph/participation-graph/internal/gctune"
	"github.com/participation-graph/participation-graph/network"
	"github.com/participation-graph/participation-graph/seed"
	"github.com/participation-graph/participation-graph/webhook"
)

// loadAdmin is the ADMIN_TOKEN of the load generator's server, for its mutations.
const loadAdmin = "load-generator-admin-token-0123456789"

// loadOp is one kind of request of the mix, with its share of the requests.
type loadOp struct {
	name   string
	weight int
	admin  bool
	make   func(r *rand.Rand, ids loadIDs) (string, map[string]any)
}

// loadIDs are ids the mix picks from.
type loadIDs struct {
	events, museums, communities, partnerships []string
}

// loadMix is a realistic mix of what the API's clients do: researchers filter and page
// lists and read details, web clients draw the network and summaries, editors record
// events, integrators follow subscriptions (opened beside the mix).
func loadMix() []loadOp {
	levels := []string{"INFORM", "CONSULT", "INVOLVE", "COLLABORATE", "EMPOWER"}
	kinds := []string{"ADVISORY_PANEL", "CO_CURATION", "GOVERNANCE_MEETING", "CONSULTATION", "WORKSHOP", "VOTE"}
	pick := func(r *rand.Rand, s []string) string { return s[r.IntN(len(s))] }
	return []loadOp{
		{"FilteredList", 30, false, func(r *rand.Rand, ids loadIDs) (string, map[string]any) {
			f := map[string]any{"minLevel": pick(r, levels)}
			switch r.IntN(3) {
			case 0:
				f["museumId"] = pick(r, ids.museums)
			case 1:
				f["kinds"] = []string{pick(r, kinds)}
			default:
				f["empowermentGap"] = true
			}
			return `query($f: DecisionEventFilter) { decisionEvents(first: 20, filter: $f) { totalCount nodes { id title occurredAt participationLevel museum { name } } pageInfo { endCursor hasNextPage } } }`,
				map[string]any{"f": f}
		}},
		{"NestedPage", 10, false, func(*rand.Rand, loadIDs) (string, map[string]any) { return queryNested, nil }},
		{"Detail", 20, false, func(r *rand.Rand, ids loadIDs) (string, map[string]any) {
			return `query($id: ID!) { decisionEvent(id: $id) { title description occurredAt participationLevel assessedRung empowermentGap
  museum { name city } partnership { title status community { name } } communities { name kind }
  participants { role community { name } } decisions { text decidedBy result implemented } outcomes { code title } evidence { kind title } } }`,
				map[string]any{"id": pick(r, ids.events)}
		}},
		{"Network", 10, false, func(r *rand.Rand, _ loadIDs) (string, map[string]any) {
			return `query($l: ParticipationLevel) { partnershipNetwork(filter: {minLevel: $l}) { stats { nodeCount edgeCount density } nodes { id degree betweenness } edges { id weight } } }`,
				map[string]any{"l": pick(r, levels)}
		}},
		{"Summary", 10, false, func(r *rand.Rand, _ loadIDs) (string, map[string]any) {
			return `query($g: SummaryDimension!) { participationSummary(groupBy: $g) { key label eventCount implementedCount agencyShare empowermentGapCount } }`,
				map[string]any{"g": pick(r, []string{"MUSEUM", "YEAR", "LEVEL", "KIND"})}
		}},
		{"Mutation", 20, true, func(r *rand.Rand, ids loadIDs) (string, map[string]any) {
			i := r.IntN(len(ids.partnerships))
			return `mutation($in: RecordDecisionEventInput!) { recordDecisionEvent(input: $in) { decisionEvent { id version } } }`,
				map[string]any{"in": map[string]any{"title": "Load " + strconv.Itoa(r.IntN(1e9)), "kind": pick(r, kinds),
					"occurredAt": "2015-06-01T10:00:00Z", "museumId": ids.museums[i], "partnershipId": ids.partnerships[i],
					"participationLevel": pick(r, levels), "anonymousCommunityParticipants": r.IntN(20)}}
		}},
	}
}

// BenchmarkLoadMix drives the whole server — HTTP, GraphQL, loaders, the embedded
// database, the list index, the change feed, the network projection, webhooks'
// dispatcher and live subscribers — with the mix above from several concurrent clients, and reports
// throughput, latency percentiles (overall and per kind, logged), database commands per
// request and allocations per request (client and server together: they share the
// process). LOAD_SCALE sets the sample size (default 1,000 events), LOAD_CLIENTS the
// concurrent clients (8) and LOAD_SUBSCRIBERS the WebSocket subscribers (50).
func BenchmarkLoadMix(b *testing.B) {
	scale, clients, subscribers := envInt("LOAD_SCALE", 1000), envInt("LOAD_CLIENTS", 8), envInt("LOAD_SUBSCRIBERS", 50)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, counter := dbtest.Open(b)
	if _, err := seed.OurMuseum(ctx, s); err != nil {
		b.Fatal(err)
	}
	if _, err := seed.Sample(ctx, s, scale); err != nil {
		b.Fatal(err)
	}
	feed := changefeed.New(s, 250*time.Millisecond)
	graphs := network.New(s, nil)
	hooks, err := webhook.New(context.Background(), webhook.Options{Store: s, Feed: feed, AllowPrivate: true})
	if err != nil {
		b.Fatal(err)
	}
	var bg sync.WaitGroup
	for _, run := range []func(){func() { _ = feed.Run(ctx) }, func() { graphs.Run(ctx) }, func() { _ = hooks.Run(ctx) },
		func() { s.Model().Run(ctx, feed.Follow, nil) }, func() { gctune.Run(ctx, nil) }} {
		bg.Add(1)
		go func() { defer bg.Done(); run() }()
	}
	defer bg.Wait()
	defer cancel()
	if err := s.Model().Wait(ctx); err != nil { // as the server, which serves lists from it
		b.Fatal(err)
	}
	srv := httptest.NewServer(api.New(api.Options{Store: s, Feed: feed, Network: graphs, Hooks: hooks, AdminToken: loadAdmin, Logger: slog.New(slog.DiscardHandler)}))
	defer srv.Close()

	ids := loadIDs{}
	var page struct {
		Data struct {
			DecisionEvents struct {
				Nodes []struct {
					ID          string
					Museum      struct{ ID string }
					Partnership *struct {
						ID        string
						Community struct{ ID string }
					}
				}
			}
		}
	}
	if err := postJSON(srv.URL, "", `{ decisionEvents(first: 100, filter: {sample: true}) { nodes { id museum { id } partnership { id community { id } } } } }`, nil, &page); err != nil {
		b.Fatal(err)
	}
	for _, e := range page.Data.DecisionEvents.Nodes {
		ids.events = append(ids.events, e.ID)
		if e.Partnership != nil {
			ids.museums = append(ids.museums, e.Museum.ID)
			ids.partnerships = append(ids.partnerships, e.Partnership.ID)
			ids.communities = append(ids.communities, e.Partnership.Community.ID)
		}
	}

	// Integrators: live subscribers of new decision events.
	var delivered atomic.Int64
	url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/graphql"
	for i := range subscribers {
		c, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
		if err != nil {
			b.Fatalf("subscriber %d: %v", i, err)
		}
		defer c.CloseNow()
		_ = wsjson.Write(ctx, c, map[string]any{"type": "connection_init", "payload": map[string]any{}})
		_ = wsjson.Write(ctx, c, map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
			"query": `subscription { decisionEventRecorded { id title museum { name } } }`}})
		go func() {
			for {
				var m struct{ Type string }
				if wsjson.Read(ctx, c, &m) != nil {
					return
				}
				if m.Type == "next" {
					delivered.Add(1)
				}
			}
		}()
	}

	mix := loadMix()
	total := 0
	for _, op := range mix {
		total += op.weight
	}
	type sample struct {
		op string
		d  time.Duration
	}
	var (
		mu      sync.Mutex
		samples []sample
		next    atomic.Int64
		errs    atomic.Int64
		lastErr atomic.Value
	)
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	commands := counter.Total()
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(c), 7))
			for next.Add(1) <= int64(b.N) {
				k := r.IntN(total)
				op := mix[0]
				for _, o := range mix {
					if k < o.weight {
						op = o
						break
					}
					k -= o.weight
				}
				query, vars := op.make(r, ids)
				token := ""
				if op.admin {
					token = loadAdmin
				}
				began := time.Now()
				if err := postJSON(srv.URL, token, query, vars, nil); err != nil {
					// A load generator counts failures (time limits under overload,
					// typically) rather than stopping at the first.
					errs.Add(1)
					lastErr.Store(fmt.Errorf("%s: %w", op.name, err))
					continue
				}
				mu.Lock()
				samples = append(samples, sample{op.name, time.Since(began)})
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if err, _ := lastErr.Load().(error); err != nil {
		b.Logf("%d of %d requests failed; the last: %v", errs.Load(), b.N, err)
	}
	if len(samples) == 0 {
		b.Fatal("no request succeeded")
	}
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	n := float64(len(samples))
	all := make([]time.Duration, len(samples))
	byOp := map[string][]time.Duration{}
	for i, s := range samples {
		all[i] = s.d
		byOp[s.op] = append(byOp[s.op], s.d)
	}
	pct := func(d []time.Duration, p int) float64 {
		slices.Sort(d)
		return float64(d[(len(d)-1)*p/100].Microseconds()) / 1000
	}
	b.ReportMetric(n/elapsed.Seconds(), "req/s")
	b.ReportMetric(pct(all, 50), "p50-ms")
	b.ReportMetric(pct(all, 99), "p99-ms")
	b.ReportMetric(float64(counter.Total()-commands)/n, "commands/req")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/n, "allocs/req")
	b.ReportMetric(float64(delivered.Load()), "deliveries")
	b.ReportMetric(float64(errs.Load())/float64(b.N)*100, "%errors")
	for _, op := range mix {
		if d := byOp[op.name]; len(d) > 0 {
			b.Logf("%-12s %5d requests  p50 %8.1f ms  p99 %8.1f ms", op.name, len(d), pct(d, 50), pct(d, 99))
		}
	}
}

// postJSON sends one GraphQL request and decodes its answer into out (when not nil); an
// answer with errors is an error.
func postJSON(base, token, query string, vars map[string]any, out any) error {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var r struct {
		Errors []json.RawMessage `json:"errors"`
	}
	raw := new(bytes.Buffer)
	if _, err := raw.ReadFrom(resp.Body); err != nil {
		return err
	}
	if err := json.Unmarshal(raw.Bytes(), &r); err != nil || len(r.Errors) > 0 {
		return fmt.Errorf("status %d: %.300s", resp.StatusCode, raw.String())
	}
	if out != nil {
		return json.Unmarshal(raw.Bytes(), out)
	}
	return nil
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}
