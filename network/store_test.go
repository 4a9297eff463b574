package network_test

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/participation-graph/participation-graph/changefeed"
	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/internal/dbtest"
	"github.com/participation-graph/participation-graph/network"
	"github.com/participation-graph/participation-graph/seed"
	"github.com/participation-graph/participation-graph/store"
)

func ptr[T any](v T) *T { return &v }

var (
	anonymous  = network.View{}
	researcher = network.View{Restricted: true}
)

// follow runs a broker, the read model and a projection over s until the test ends, as
// the server does, and returns the projection once it has loaded.
func follow(t *testing.T, s *store.Store) *network.Projection {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	feed := changefeed.New(s, 50*time.Millisecond)
	p := network.New(s, nil)
	done := make(chan struct{}, 3)
	go func() { _ = feed.Run(ctx); done <- struct{}{} }()
	go func() { s.Model().Run(ctx, feed.Follow, nil); done <- struct{}{} }()
	go func() { p.Run(ctx); done <- struct{}{} }()
	t.Cleanup(func() { cancel(); <-done; <-done; <-done })
	wctx, wcancel := context.WithTimeout(ctx, time.Minute)
	defer wcancel()
	if err := s.Model().Wait(wctx); err != nil {
		t.Fatalf("the read model did not load: %v", err)
	}
	return p
}

// eventually polls cond for up to a second, the time a write may take to reach every
// server instance (longer under the race detector).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(slowdown * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within a second", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// all lists every event matching f through the store, page by page.
func all(t *testing.T, s *store.Store, f domain.DecisionEventFilter) []*domain.DecisionEvent {
	t.Helper()
	var out []*domain.DecisionEvent
	var after *string
	for {
		page, err := s.Events.List(context.Background(), &f, nil, store.PageArgs{First: ptr(100), After: after})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page.Nodes()...)
		if !page.PageInfo().HasNextPage {
			return out
		}
		after = page.PageInfo().EndCursor
	}
}

func TestProjectionLoadsAndFollowsWrites(t *testing.T) {
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	if _, err := seed.Sample(ctx, s, 300); err != nil {
		t.Fatal(err)
	}
	p := follow(t, s)
	// A second server instance on the same database, with its own feed and projection.
	other, err := store.Open(ctx, store.Options{URI: dbtest.URI(t), Database: s.Name()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = other.Close(context.Background()) })
	q := follow(t, other)

	sample := &network.Filter{Sample: ptr(true)}
	n, err := p.Network(ctx, sample, anonymous)
	if err != nil {
		t.Fatal(err)
	}
	parts, err := s.Partnerships.List(ctx, &domain.PartnershipFilter{Sample: ptr(true)}, nil, store.PageArgs{First: ptr(1)})
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := parts.TotalCount(ctx); n.Stats.EdgeCount != want {
		t.Errorf("loaded %d edges, want the %d sample partnerships", n.Stats.EdgeCount, want)
	}
	weights := func(n *network.Network) int {
		w := 0
		for _, e := range n.Edges {
			w += e.Weight
		}
		return w
	}
	public := len(all(t, s, domain.DecisionEventFilter{Sample: ptr(true), Visibility: ptr(domain.VisibilityPublic)}))
	everything := len(all(t, s, domain.DecisionEventFilter{Sample: ptr(true)}))
	if got := weights(n); got != public || public == everything {
		t.Errorf("anonymous weights sum to %d, want the %d public events (of %d)", got, public, everything)
	}
	if n, _ := p.Network(ctx, sample, researcher); weights(n) != everything {
		t.Errorf("researcher weights sum to %d, want all %d events", weights(n), everything)
	}

	// Writes through the API's store appear on both instances.
	mus, err := s.CreateMuseum(ctx, domain.CreateMuseumInput{Name: "Riverside Museum", Kind: "MUSEUM"})
	if err != nil {
		t.Fatal(err)
	}
	com, err := s.CreateCommunity(ctx, domain.CreateCommunityInput{Name: "Riverside Youth Forum", Kind: "YOUTH"})
	if err != nil {
		t.Fatal(err)
	}
	part, err := s.StartPartnership(ctx, domain.StartPartnershipInput{Title: "Youth co-curation", MuseumID: mus.ID,
		CommunityID: com.ID, StartDate: ptr(domain.Date("2024-01-10"))})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.RecordDecisionEvent(ctx, domain.RecordDecisionEventInput{Title: "Closed panel", Kind: "ADVISORY_PANEL",
		OccurredAt: time.Date(2024, 3, 5, 18, 30, 0, 0, time.UTC), MuseumID: mus.ID, PartnershipID: &part.ID,
		ParticipationLevel: domain.LevelEmpower, Visibility: ptr(domain.VisibilityRestricted)})
	if err != nil {
		t.Fatal(err)
	}
	edge := func(p *network.Projection, v network.View) *network.Edge {
		n, err := p.Network(ctx, &network.Filter{MuseumIDs: []string{mus.ID}}, v)
		if err != nil || len(n.Edges) != 1 {
			return nil
		}
		return n.Edges[0]
	}
	for name, proj := range map[string]*network.Projection{"this instance": p, "another instance": q} {
		eventually(t, "the event on "+name, func() bool { e := edge(proj, researcher); return e != nil && e.Weight == 1 })
		if e := edge(proj, anonymous); e == nil || e.Weight != 0 || e.MaxLevel != nil {
			t.Errorf("%s: anonymous edge = %+v, want the restricted event left out", name, e)
		}
		if e := edge(proj, researcher); e.Source != mus.ID || e.Target != com.ID || e.ID != part.ID || *e.MaxLevel != domain.LevelEmpower {
			t.Errorf("%s: edge = %+v", name, e)
		}
	}
	if _, err := s.ArchivePartnership(ctx, domain.ArchiveInput{ID: part.ID}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the archived partnership leaving", func() bool { return edge(q, researcher) == nil })
}

// The summary counts what decisionEvents would list, for every dimension, filter and view.
func TestSummaryMatchesTheRecords(t *testing.T) {
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	if _, err := seed.Sample(ctx, s, 300); err != nil {
		t.Fatal(err)
	}
	some := all(t, s, domain.DecisionEventFilter{})
	for _, e := range some[:3] {
		if _, err := s.ArchiveDecisionEvent(ctx, domain.ArchiveInput{ID: e.ID}); err != nil {
			t.Fatal(err)
		}
	}
	p := follow(t, s)
	code := map[string]string{}
	codes := func(ids []string) []string {
		var out []string
		for _, id := range ids {
			if code[id] == "" {
				o, err := s.Outcomes.Get(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				code[id] = o.Code
			}
			if !slices.Contains(out, code[id]) {
				out = append(out, code[id])
			}
		}
		return out
	}
	keys := func(by network.Dimension, e *domain.DecisionEvent) []string {
		switch by {
		case network.ByMuseum:
			return []string{e.MuseumID}
		case network.ByCommunity:
			return e.CommunityIDs
		case network.ByYear:
			return []string{strconv.Itoa(e.OccurredAt.UTC().Year())}
		case network.ByLevel:
			return []string{string(e.ParticipationLevel)}
		case network.ByOutcome:
			return codes(e.OutcomeIDs)
		}
		return []string{string(e.Kind)}
	}
	filters := map[string]domain.DecisionEventFilter{
		"None":            {},
		"MinLevel":        {MinLevel: ptr(domain.LevelCollaborate)},
		"Gap":             {EmpowermentGap: ptr(true)},
		"Outcome":         {OutcomeCodes: []string{"COMMUNITY_AGENCY"}},
		"Archived":        {IncludeArchived: ptr(true)},
		"KindsAndPeriod":  {Kinds: []domain.DecisionEventKind{"VOTE", "WORKSHOP"}, OccurredAfter: ptr(time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC))},
		"Restricted":      {Visibility: ptr(domain.VisibilityRestricted)},
		"LevelsAndRungs":  {Levels: []domain.ParticipationLevel{"INVOLVE", "EMPOWER"}, Rungs: []domain.ArnsteinRung{"PLACATION", "PARTNERSHIP"}},
		"Assessed":        {Assessed: ptr(false), Sample: ptr(true)},
		"Search":          {Search: ptr("vote")},
		"CommunityBefore": {CommunityID: ptr(some[10].CommunityIDs[0]), OccurredBefore: ptr(time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC))},
	}
	for name, f := range filters {
		for _, view := range []network.View{anonymous, researcher} {
			want := f
			if !view.Restricted {
				if want.Visibility != nil && *want.Visibility == domain.VisibilityRestricted {
					want.MuseumID = ptr("mus_000000000000000000000000") // nothing
				}
				want.Visibility = ptr(domain.VisibilityPublic)
			}
			records := all(t, s, want)
			for _, by := range network.Dimensions {
				t.Run(name+"/"+string(by)+"/"+strconv.FormatBool(view.Restricted), func(t *testing.T) {
					buckets, err := p.Summary(ctx, &f, by, view)
					if err != nil {
						t.Fatal(err)
					}
					expect := map[string]*network.Bucket{}
					for _, e := range records {
						ks := keys(by, e)
						if len(ks) == 0 {
							ks = []string{network.None}
						}
						for _, k := range ks {
							b := expect[k]
							if b == nil {
								b = &network.Bucket{Key: k}
								expect[k] = b
							}
							b.EventCount++
							b.DecisionCount += e.DecisionCount
							b.ImplementedCount += e.ImplementedCount
							b.CommunityParticipants += e.CommunityParticipantCount
							if e.EmpowermentGap {
								b.EmpowermentGapCount++
							}
							if e.ParticipationLevel.Shared() {
								b.AgencyShare++
							}
						}
					}
					if len(buckets) != len(expect) {
						t.Errorf("got %d buckets, want %d", len(buckets), len(expect))
					}
					for _, b := range buckets {
						w := expect[b.Key]
						if w == nil {
							t.Errorf("bucket %q has %d events, want none", b.Key, b.EventCount)
							continue
						}
						levels := 0
						for _, l := range b.Levels {
							levels += l.Count
						}
						if b.EventCount != w.EventCount || b.DecisionCount != w.DecisionCount || b.ImplementedCount != w.ImplementedCount ||
							b.CommunityParticipants != w.CommunityParticipants || b.EmpowermentGapCount != w.EmpowermentGapCount ||
							levels != b.EventCount || b.AgencyShare != w.AgencyShare/float64(w.EventCount) {
							t.Errorf("bucket %q = %+v, want %+v (agency %v of %d events)", b.Key, *b, *w, w.AgencyShare, w.EventCount)
						}
					}
				})
			}
		}
	}
}

// The in-memory sample the benchmarks use is the network of the stored sample.
func TestSampleNetworkIsTheStoredSample(t *testing.T) {
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	if _, err := seed.Sample(ctx, s, 500); err != nil {
		t.Fatal(err)
	}
	stored := follow(t, s)
	recs, err := seed.SampleNetwork(500)
	if err != nil {
		t.Fatal(err)
	}
	generated := network.New(nil, nil)
	generated.Put(recs...)
	for _, v := range []network.View{anonymous, researcher} {
		a, _ := stored.Network(ctx, nil, v)
		b, _ := generated.Network(ctx, nil, v)
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if a.Stats.EdgeCount == 0 || string(ja) != string(jb) {
			t.Errorf("view %+v: stored sample %+v, generated %+v", v, a.Stats, b.Stats)
		}
	}
}
