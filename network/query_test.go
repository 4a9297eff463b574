package network

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/participation-graph/participation-graph/domain"
)

func id(e domain.Entity, key string) string { return domain.StableID(e, key) }

func ptr[T any](v T) *T { return &v }

func date(s string) *domain.Date { d := domain.Date(s); return &d }

var (
	m1, m2     = id(domain.EntityMuseum, "m1"), id(domain.EntityMuseum, "m2")
	c1, c2, c3 = id(domain.EntityCommunity, "c1"), id(domain.EntityCommunity, "c2"), id(domain.EntityCommunity, "c3")
	o1, o2, o3 = id(domain.EntityOutcome, "o1"), id(domain.EntityOutcome, "o2"), id(domain.EntityOutcome, "o3")
	pX, pY     = id(domain.EntityProgramme, "x"), id(domain.EntityProgramme, "y")
	p1, p2, p3 = id(domain.EntityPartner, "p1"), id(domain.EntityPartner, "p2"), id(domain.EntityPartner, "p3")
)

func meta(id string) domain.Meta { return domain.Meta{ID: id} }

func partnership(key, museum, community string, programme *string, start, end *domain.Date, outcomes ...string) *domain.Partnership {
	return &domain.Partnership{Meta: meta(id(domain.EntityPartner, key)), Title: key, MuseumID: museum, CommunityID: community,
		Status: domain.StatusActive, ProgrammeID: programme, StartDate: start, EndDate: end, OutcomeIDs: outcomes}
}

func event(key, partnershipID, museum, at string, level domain.ParticipationLevel, vis domain.Visibility) *domain.DecisionEvent {
	t, _ := time.Parse(time.RFC3339, at)
	return &domain.DecisionEvent{Meta: meta(id(domain.EntityEvent, key)), MuseumID: museum, PartnershipID: &partnershipID,
		OccurredAt: t, ParticipationLevel: level, Visibility: vis}
}

// world is a small network: the path C1–M1–C2–M2–C3, plus an archived partnership M2–C1.
//
//	P1 M1–C1 programme X 2012–2013, COMMUNITY_AGENCY: E1 COLLABORATE, E2 EMPOWER (restricted)
//	P2 M1–C2 programme X 2014–,     REFLECTION:       E3 CONSULT
//	P3 M2–C2 programme Y 2013-06–,  COMMUNITY_AGENCY: E4 EMPOWER (restricted), E5 INFORM (archived), E6 INVOLVE
//	P4 M2–C3 not started,           an archived outcome
//	P5 M2–C1 archived
func world() *Projection {
	archivedP5 := partnership("p5", m2, c1, nil, date("2012-01-01"), nil)
	archivedP5.Archived = true
	archivedO3 := &domain.Outcome{Meta: meta(o3), Code: "CAPABILITY_BUILDING", Title: "Capability-building"}
	archivedO3.Archived = true
	e5 := event("e5", p3, m2, "2015-01-01T10:00:00Z", domain.LevelInform, domain.VisibilityPublic)
	e5.Archived = true
	return fromRecords(
		&domain.Museum{Meta: meta(m1), Name: "Museum One"}, &domain.Museum{Meta: meta(m2), Name: "Museum Two"},
		&domain.Community{Meta: meta(c1), Name: "Community One"}, &domain.Community{Meta: meta(c2), Name: "Community Two"},
		&domain.Community{Meta: meta(c3), Name: "Community Three"},
		&domain.Outcome{Meta: meta(o1), Code: "COMMUNITY_AGENCY", Title: "Community agency"},
		&domain.Outcome{Meta: meta(o2), Code: "REFLECTION", Title: "Reflection"}, archivedO3,
		// Events may arrive before their partnership.
		event("e1", p1, m1, "2012-05-01T10:00:00Z", domain.LevelCollaborate, domain.VisibilityPublic),
		event("e2", p1, m1, "2013-02-01T10:00:00Z", domain.LevelEmpower, domain.VisibilityRestricted),
		partnership("p1", m1, c1, &pX, date("2012-01-01"), date("2013-12-31"), o1),
		partnership("p2", m1, c2, &pX, date("2014-01-01"), nil, o2),
		partnership("p3", m2, c2, &pY, date("2013-06-01"), nil, o1),
		partnership("p4", m2, c3, nil, nil, nil, o3),
		archivedP5,
		event("e3", p2, m1, "2014-03-01T10:00:00Z", domain.LevelConsult, domain.VisibilityPublic),
		event("e4", p3, m2, "2014-04-01T10:00:00Z", domain.LevelEmpower, domain.VisibilityRestricted),
		e5,
		event("e6", p3, m2, "2015-02-01T10:00:00Z", domain.LevelInvolve, domain.VisibilityPublic),
	)
}

var (
	anonymous  = View{}
	researcher = View{Restricted: true}
)

// edgeSummary is "id:weight:maxLevel" for each edge.
func edgeSummary(n *Network) []string {
	var out []string
	for _, e := range n.Edges {
		level := "-"
		if e.MaxLevel != nil {
			level = string(*e.MaxLevel)
		}
		out = append(out, e.Title+":"+itoa(e.Weight)+":"+level)
	}
	slices.Sort(out)
	return out
}

func itoa(i int) string { return string(rune('0' + i)) }

func TestNetworkFilters(t *testing.T) {
	p := world()
	ctx := context.Background()
	cases := []struct {
		name   string
		filter Filter
		view   View
		want   []string
	}{
		{"All", Filter{}, anonymous, []string{"p1:1:COLLABORATE", "p2:1:CONSULT", "p3:1:INVOLVE", "p4:0:-"}},
		{"AllRestricted", Filter{}, researcher, []string{"p1:2:EMPOWER", "p2:1:CONSULT", "p3:2:EMPOWER", "p4:0:-"}},
		{"MinLevel", Filter{MinLevel: ptr(domain.LevelCollaborate)}, anonymous, []string{"p1:1:COLLABORATE"}},
		{"MinLevelRestricted", Filter{MinLevel: ptr(domain.LevelCollaborate)}, researcher, []string{"p1:2:EMPOWER", "p3:1:EMPOWER"}},
		{"Programme", Filter{ProgrammeID: &pX}, anonymous, []string{"p1:1:COLLABORATE", "p2:1:CONSULT"}},
		{"ActiveOn", Filter{ActiveOn: date("2013-07-01")}, anonymous, []string{"p1:1:COLLABORATE", "p3:1:INVOLVE"}},
		{"ActiveOnLastDay", Filter{ActiveOn: date("2013-12-31")}, anonymous, []string{"p1:1:COLLABORATE", "p3:1:INVOLVE"}},
		{"Period", Filter{From: date("2014-01-01"), To: date("2014-12-31")}, anonymous, []string{"p2:1:CONSULT", "p3:0:-"}},
		{"PeriodRestricted", Filter{From: date("2014-01-01"), To: date("2014-12-31")}, researcher, []string{"p2:1:CONSULT", "p3:1:EMPOWER"}},
		{"PeriodLastDayCounts", Filter{From: date("2015-02-01"), To: date("2015-02-01")}, anonymous, []string{"p2:0:-", "p3:1:INVOLVE"}},
		{"PeriodAndMinLevel", Filter{From: date("2014-01-01"), MinLevel: ptr(domain.LevelInvolve)}, anonymous, []string{"p3:1:INVOLVE"}},
		{"Museums", Filter{MuseumIDs: []string{m2}}, anonymous, []string{"p3:1:INVOLVE", "p4:0:-"}},
		{"Communities", Filter{CommunityIDs: []string{c2}}, anonymous, []string{"p2:1:CONSULT", "p3:1:INVOLVE"}},
		{"MuseumsAndCommunities", Filter{MuseumIDs: []string{m2}, CommunityIDs: []string{c2, c1}}, anonymous, []string{"p3:1:INVOLVE"}},
		{"Outcomes", Filter{OutcomeCodes: []string{"COMMUNITY_AGENCY"}}, anonymous, []string{"p1:1:COLLABORATE", "p3:1:INVOLVE"}},
		{"ArchivedOutcome", Filter{OutcomeCodes: []string{"CAPABILITY_BUILDING"}}, anonymous, nil},
		{"Sample", Filter{Sample: ptr(true)}, anonymous, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n, err := p.Network(ctx, &c.filter, c.view)
			if err != nil {
				t.Fatal(err)
			}
			if got := edgeSummary(n); !slices.Equal(got, c.want) {
				t.Errorf("edges = %v, want %v", got, c.want)
			}
			if n.Stats.EdgeCount != len(n.Edges) || n.Stats.NodeCount != len(n.Nodes) {
				t.Errorf("stats = %+v for %d nodes and %d edges", n.Stats, len(n.Nodes), len(n.Edges))
			}
		})
	}
	t.Run("ToBeforeFrom", func(t *testing.T) {
		_, err := p.Network(ctx, &Filter{From: date("2014-01-02"), To: date("2014-01-01")}, anonymous)
		var ve *domain.ValidationError
		if !errors.As(err, &ve) || ve.Fields[0].Field != "filter.to" {
			t.Errorf("err = %v, want a validation error on filter.to", err)
		}
	})
}

func TestNetworkMetrics(t *testing.T) {
	n, err := world().Network(context.Background(), nil, anonymous)
	if err != nil {
		t.Fatal(err)
	}
	// The path C1–M1–C2–M2–C3, museums listed first, then by label.
	type metrics struct {
		label                  string
		degree, weighted, comp int
		betweenness            float64
	}
	want := []metrics{
		{"Museum One", 2, 2, 0, 0.5}, {"Museum Two", 2, 1, 0, 0.5},
		{"Community One", 1, 1, 0, 0}, {"Community Three", 1, 0, 0, 0}, {"Community Two", 2, 2, 0, 4.0 / 6},
	}
	if len(n.Nodes) != len(want) {
		t.Fatalf("got %d nodes, want %d", len(n.Nodes), len(want))
	}
	for i, x := range n.Nodes {
		got := metrics{x.Label, x.Degree, x.WeightedDegree, x.Component, x.Betweenness}
		if got.label != want[i].label || got.degree != want[i].degree || got.weighted != want[i].weighted ||
			got.comp != want[i].comp || !near(got.betweenness, want[i].betweenness) {
			t.Errorf("node %d = %+v, want %+v", i, got, want[i])
		}
	}
	if s := n.Stats; s.NodeCount != 5 || s.EdgeCount != 4 || s.ComponentCount != 1 || !near(s.Density, 0.4) {
		t.Errorf("stats = %+v, want 5 nodes, 4 edges, 1 component, density 0.4", s)
	}
	// Programme X alone, then with a partnership added: two components, the larger first.
	p := world()
	p.Put(partnership("p6", m2, c3, &pX, date("2012-01-01"), nil))
	n, _ = p.Network(context.Background(), &Filter{ProgrammeID: &pX}, anonymous)
	comps := map[string]int{}
	for _, x := range n.Nodes {
		comps[x.Label] = x.Component
	}
	if n.Stats.ComponentCount != 2 || comps["Museum One"] != 0 || comps["Community Two"] != 0 || comps["Museum Two"] != 1 {
		t.Errorf("components = %v (%d), want M1, C1, C2 in 0 and M2, C3 in 1", comps, n.Stats.ComponentCount)
	}
}

func labels(nodes []*Node) []string {
	out := []string{}
	for _, n := range nodes {
		out = append(out, n.Label)
	}
	return out
}

func TestNeighbourhood(t *testing.T) {
	p := world()
	ctx := context.Background()
	n, err := p.Neighbourhood(ctx, m1, 1, nil, anonymous)
	if err != nil {
		t.Fatal(err)
	}
	if got := labels(n.Nodes); !slices.Equal(got, []string{"Museum One", "Community One", "Community Two"}) {
		t.Errorf("depth 1 nodes = %v", got)
	}
	if len(n.Edges) != 2 || n.Stats.NodeCount != 3 || n.Stats.EdgeCount != 2 || !near(n.Stats.Density, 2.0/3) {
		t.Errorf("depth 1: %d edges, stats %+v; want 2 edges among 3 nodes", len(n.Edges), n.Stats)
	}
	// Metrics are the whole network's.
	if n.Nodes[0].Betweenness != 0.5 || n.Nodes[2].Degree != 2 {
		t.Errorf("metrics = %+v, %+v; want the whole network's", n.Nodes[0], n.Nodes[2])
	}
	n, _ = p.Neighbourhood(ctx, m1, 0, nil, anonymous)
	if got := labels(n.Nodes); !slices.Equal(got, []string{"Museum One"}) || len(n.Edges) != 0 {
		t.Errorf("depth 0 = %v and %d edges, want the node alone", got, len(n.Edges))
	}
	n, _ = p.Neighbourhood(ctx, c1, 5, nil, anonymous)
	if len(n.Nodes) != 5 || len(n.Edges) != 4 {
		t.Errorf("depth 5 = %d nodes, %d edges; want the whole path", len(n.Nodes), len(n.Edges))
	}
	n, _ = p.Neighbourhood(ctx, c3, 2, &Filter{ProgrammeID: &pX}, anonymous)
	if len(n.Nodes) != 0 || n.Stats.NodeCount != 0 {
		t.Errorf("outside the network: %d nodes, want none", len(n.Nodes))
	}
	var ve *domain.ValidationError
	if _, err := p.Neighbourhood(ctx, m1, 6, nil, anonymous); !errors.As(err, &ve) || ve.Fields[0].Field != "depth" {
		t.Errorf("depth 6: err = %v, want a validation error on depth", err)
	}
	if _, err := p.Neighbourhood(ctx, m1, -1, nil, anonymous); !errors.As(err, &ve) {
		t.Errorf("depth -1: err = %v, want a validation error", err)
	}
	if _, err := p.Neighbourhood(ctx, id(domain.EntityMuseum, "nowhere"), 1, nil, anonymous); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("unknown id: err = %v, want ErrNotFound", err)
	}
}

func TestShortestPathInNetwork(t *testing.T) {
	p := world()
	ctx := context.Background()
	path, err := p.ShortestPath(ctx, c1, c3, nil, anonymous)
	if err != nil {
		t.Fatal(err)
	}
	if got := labels(path); !slices.Equal(got, []string{"Community One", "Museum One", "Community Two", "Museum Two", "Community Three"}) {
		t.Errorf("path = %v", got)
	}
	if path, err = p.ShortestPath(ctx, c1, c3, &Filter{ProgrammeID: &pX}, anonymous); err != nil || path != nil {
		t.Errorf("outside the filtered network: %v, %v; want no path", labels(path), err)
	}
	if path, err = p.ShortestPath(ctx, c1, c3, &Filter{MinLevel: ptr(domain.LevelConsult)}, anonymous); err != nil || path != nil {
		t.Errorf("disconnected: %v, %v; want no path", labels(path), err)
	}
	if _, err = p.ShortestPath(ctx, c1, id(domain.EntityCommunity, "nowhere"), nil, anonymous); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("unknown id: err = %v, want ErrNotFound", err)
	}
	// An archived partnership is no shortcut; once restored it is one.
	p.Put(partnership("p5", m2, c1, nil, date("2012-01-01"), nil))
	path, _ = p.ShortestPath(ctx, c1, c3, nil, anonymous)
	if got := labels(path); !slices.Equal(got, []string{"Community One", "Museum Two", "Community Three"}) {
		t.Errorf("after the change: path = %v", got)
	}
}

// A change is seen by the next query: the cache is per version.
func TestChangesInvalidateTheCache(t *testing.T) {
	p := world()
	ctx := context.Background()
	before, _ := p.Network(ctx, nil, researcher)
	again, _ := p.Network(ctx, nil, researcher)
	if before != again {
		t.Error("the same version and filter computed the network twice")
	}
	v := p.Version()
	p.Put(event("e7", p2, m1, "2014-05-01T10:00:00Z", domain.LevelEmpower, domain.VisibilityPublic))
	if p.Version() <= v {
		t.Errorf("version %d after a change, want more than %d", p.Version(), v)
	}
	after, _ := p.Network(ctx, nil, researcher)
	if got := edgeSummary(after); !slices.Contains(got, "p2:2:EMPOWER") {
		t.Errorf("after recording an event: %v, want p2 weighing 2 at EMPOWER", got)
	}
	// Moving the event to another partnership moves its weight; archiving it removes it.
	moved := event("e7", p3, m2, "2014-05-01T10:00:00Z", domain.LevelEmpower, domain.VisibilityPublic)
	p.Put(moved)
	got := edgeSummary(must(p.Network(ctx, nil, anonymous)))
	if !slices.Equal(got, []string{"p1:1:COLLABORATE", "p2:1:CONSULT", "p3:2:EMPOWER", "p4:0:-"}) {
		t.Errorf("after moving the event: %v", got)
	}
	moved.Archived = true
	p.Put(moved)
	got = edgeSummary(must(p.Network(ctx, nil, anonymous)))
	if !slices.Equal(got, []string{"p1:1:COLLABORATE", "p2:1:CONSULT", "p3:1:INVOLVE", "p4:0:-"}) {
		t.Errorf("after archiving the event: %v", got)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// A computation that panics fails its callers, not the server, and is tried again.
func TestCachedPanicIsAnError(t *testing.T) {
	p := world()
	calls := 0
	compute := func() any {
		calls++
		if calls == 1 {
			panic("broken")
		}
		return calls
	}
	if _, err := p.cached(context.Background(), "k", compute); err == nil {
		t.Error("a panicking computation gave no error")
	}
	if v, err := p.cached(context.Background(), "k", compute); err != nil || v != 2 {
		t.Errorf("second call = %v, %v; want it computed again", v, err)
	}
}

// Events rewritten many times keep one fact each; the answers stay the same.
func TestRewrittenEventsKeepOneFact(t *testing.T) {
	p := world()
	ctx := context.Background()
	e := event("e3", p2, m1, "2014-03-01T10:00:00Z", domain.LevelConsult, domain.VisibilityPublic)
	e.CommunityIDs, e.OutcomeIDs = []string{c2}, []string{o2}
	for i := range 40_000 {
		e.Title = strconv.Itoa(i)
		p.Put(e)
	}
	if len(p.facts) != 6 {
		t.Errorf("%d facts kept for 6 events, want one each", len(p.facts))
	}
	got := edgeSummary(must(p.Network(ctx, nil, anonymous)))
	if !slices.Equal(got, []string{"p1:1:COLLABORATE", "p2:1:CONSULT", "p3:1:INVOLVE", "p4:0:-"}) {
		t.Errorf("network = %v", got)
	}
}
