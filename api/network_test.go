package api_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/participation-graph/participation-graph/api"
	"github.com/participation-graph/participation-graph/changefeed"
	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/internal/dbtest"
	"github.com/participation-graph/participation-graph/internal/gqltest"
	"github.com/participation-graph/participation-graph/network"
	"github.com/participation-graph/participation-graph/seed"
)

// networkEnv serves the API with its partnership network over a fresh database holding
// the Our Museum data and 300 sample decision events.
func networkEnv(t *testing.T) *env {
	t.Helper()
	s, c := dbtest.Open(t)
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := seed.OurMuseum(ctx, s); err != nil {
		t.Fatal(err)
	}
	if _, err := seed.Sample(ctx, s, 300); err != nil {
		t.Fatal(err)
	}
	feed := changefeed.New(s, 50*time.Millisecond)
	graphs := network.New(s, nil)
	done := make(chan struct{}, 3)
	go func() { _ = feed.Run(ctx); done <- struct{}{} }()
	go func() { s.Model().Run(ctx, feed.Follow, nil); done <- struct{}{} }()
	go func() { graphs.Run(ctx); done <- struct{}{} }()
	srv := httptest.NewServer(api.New(api.Options{Store: s, Feed: feed, Network: graphs,
		AdminToken: adminToken}))
	t.Cleanup(func() { cancel(); <-done; <-done; <-done; srv.Close() })
	anon := gqltest.Client{URL: srv.URL + "/graphql"}
	return &env{gql: anon, anon: anon, base: srv.URL, store: s, commands: c}
}

const queryNetwork = `query($f: NetworkFilter) {
  partnershipNetwork(filter: $f) {
    nodes { id kind label degree weightedDegree betweenness component }
    edges { id source target weight startDate endDate maxLevel title status partnership { id museum { id } community { id } } }
    stats { nodeCount edgeCount componentCount density }
  }
}`

type apiNetwork struct {
	Nodes []struct {
		ID, Kind, Label                   string
		Degree, WeightedDegree, Component int
		Betweenness                       float64
	}
	Edges []struct {
		ID, Source, Target, Title, Status string
		Weight                            int
		StartDate, EndDate, MaxLevel      *string
		Partnership                       struct {
			ID                string
			Museum, Community struct{ ID string }
		}
	}
	Stats struct {
		NodeCount, EdgeCount, ComponentCount int
		Density                              float64
	}
}

func sampleNetwork(t *testing.T, e *env) apiNetwork {
	t.Helper()
	var got struct{ PartnershipNetwork apiNetwork }
	e.gql.Must(t, queryNetwork, map[string]any{"f": map[string]any{"sample": true}}, &got)
	return got.PartnershipNetwork
}

func TestNetworkQueries(t *testing.T) {
	e := networkEnv(t)
	n := sampleNetwork(t, e)
	if n.Stats.NodeCount != len(n.Nodes) || n.Stats.EdgeCount != len(n.Edges) || len(n.Edges) < 30 || n.Stats.ComponentCount < 1 {
		t.Fatalf("stats = %+v for %d nodes and %d edges", n.Stats, len(n.Nodes), len(n.Edges))
	}
	kinds := map[string]string{}
	degree := map[string]int{}
	for _, x := range n.Nodes {
		kinds[x.ID] = x.Kind
		degree[x.ID] = x.Degree
	}
	for _, ed := range n.Edges {
		if ed.Partnership.ID != ed.ID || ed.Partnership.Museum.ID != ed.Source || ed.Partnership.Community.ID != ed.Target {
			t.Errorf("edge %s joins %s and %s, but its partnership is %+v", ed.ID, ed.Source, ed.Target, ed.Partnership)
		}
		if kinds[ed.Source] != "MUSEUM" || kinds[ed.Target] != "COMMUNITY" {
			t.Errorf("edge %s joins a %q to a %q, want a MUSEUM to a COMMUNITY", ed.ID, kinds[ed.Source], kinds[ed.Target])
		}
		degree[ed.Source]--
		degree[ed.Target]--
	}
	for id, d := range degree {
		if d != 0 {
			t.Errorf("node %s: degree off by %d from its edges", id, d)
		}
	}

	// The busiest museum's neighbourhood, and a path from one of its communities to a
	// community of another museum.
	hub := n.Nodes[0]
	for _, x := range n.Nodes {
		if x.Kind == "MUSEUM" && x.Degree > hub.Degree {
			hub = x
		}
	}
	var nb struct{ Neighbourhood apiNetwork }
	e.gql.Must(t, `query($id: ID!) { neighbourhood(id: $id, filter: {sample: true}) { nodes { id degree } edges { id } stats { nodeCount edgeCount } } }`,
		map[string]any{"id": hub.ID}, &nb)
	if len(nb.Neighbourhood.Nodes) != hub.Degree+1 || len(nb.Neighbourhood.Edges) != hub.Degree {
		t.Errorf("neighbourhood of a museum with %d partnerships: %d nodes, %d edges", hub.Degree, len(nb.Neighbourhood.Nodes), len(nb.Neighbourhood.Edges))
	}
	var from, to string
	for _, ed := range n.Edges {
		if ed.Source == hub.ID && from == "" {
			from = ed.Target
		}
		if ed.Source != hub.ID && to == "" && kinds[ed.Target] == "COMMUNITY" {
			to = ed.Target
		}
	}
	var path struct {
		ShortestPath []struct{ ID, Kind string }
	}
	e.gql.Must(t, `query($a: ID!, $b: ID!) { shortestPath(from: $a, to: $b, filter: {sample: true}) { id kind } }`,
		map[string]any{"a": from, "b": to}, &path)
	if p := path.ShortestPath; len(p) < 2 || p[0].ID != from || p[len(p)-1].ID != to {
		t.Errorf("path from %s to %s = %+v", from, to, p)
	}
	// Our Museum's members have no partnerships: no path between them.
	var none struct{ ShortestPath []any }
	e.gql.Must(t, `query($a: ID!, $b: ID!) { shortestPath(from: $a, to: $b) { id } }`,
		map[string]any{"a": domain.StableID(domain.EntityMuseum, "hackney-museum"), "b": domain.StableID(domain.EntityMuseum, "glasgow-museums")}, &none)
	if none.ShortestPath != nil {
		t.Errorf("path between unconnected museums = %v, want null", none.ShortestPath)
	}

	errorCases := []struct {
		name, query string
		vars        map[string]any
		code        string
		field       string
	}{
		{"DepthTooLarge", `query($id: ID!) { neighbourhood(id: $id, depth: 6) { stats { nodeCount } } }`, map[string]any{"id": hub.ID}, "BAD_USER_INPUT", "depth"},
		{"UnknownNode", `{ neighbourhood(id: "mus_000000000000000000000000") { stats { nodeCount } } }`, nil, "NOT_FOUND", ""},
		{"UnknownPathEnd", `query($id: ID!) { shortestPath(from: $id, to: "com_000000000000000000000000") { id } }`, map[string]any{"id": hub.ID}, "NOT_FOUND", ""},
		{"ToBeforeFrom", `{ partnershipNetwork(filter: {from: "2015-01-02", to: "2015-01-01"}) { stats { nodeCount } } }`, nil, "BAD_USER_INPUT", "filter.to"},
		{"BadDate", `{ partnershipNetwork(filter: {activeOn: "2015-02-30"}) { stats { nodeCount } } }`, nil, "BAD_USER_INPUT", ""},
	}
	for _, c := range errorCases {
		t.Run(c.name, func(t *testing.T) {
			err := e.gql.Fail(t, c.query, c.vars)
			if err.Code() != c.code || c.field != "" && !slices.Contains(err.Fields(), c.field) {
				t.Errorf("error = %s %v (%s), want %s on %q", err.Code(), err.Fields(), err.Message, c.code, c.field)
			}
		})
	}
}

// summaryBucket is a SummaryBucket as a test reads it.
type summaryBucket struct {
	Key, Label                                     string
	EventCount, DecisionCount, EmpowermentGapCount int
	ImplementedCount, CommunityParticipants        int
	AgencyShare                                    float64
	Levels                                         []struct {
		Level string
		Count int
	}
}

func TestParticipationSummaryAndEmpowermentGaps(t *testing.T) {
	e := networkEnv(t)
	var got struct {
		ParticipationSummary []summaryBucket
		Gaps, NoGaps, Public struct {
			TotalCount int
			Nodes      []struct {
				EmpowermentGap     bool
				ParticipationLevel string
				AssessedRung       *string
			}
		}
	}
	e.gql.Must(t, `{
  participationSummary(groupBy: LEVEL, filter: {sample: true}) {
    key label eventCount decisionCount implementedCount communityParticipants agencyShare empowermentGapCount levels { level count }
  }
  gaps: decisionEvents(first: 100, filter: {empowermentGap: true, sample: true, visibility: PUBLIC}) {
    totalCount nodes { empowermentGap participationLevel assessedRung }
  }
  noGaps: decisionEvents(first: 100, filter: {empowermentGap: false, sample: true, visibility: PUBLIC}) {
    totalCount nodes { empowermentGap participationLevel assessedRung }
  }
  public: decisionEvents(filter: {sample: true, visibility: PUBLIC}) { totalCount }
}`, nil, &got)
	lowRungs := []string{"MANIPULATION", "THERAPY", "INFORMING", "CONSULTATION", "PLACATION"}
	isGap := func(level string, rung *string) bool {
		return (level == "COLLABORATE" || level == "EMPOWER") && rung != nil && slices.Contains(lowRungs, *rung)
	}
	for _, list := range []struct {
		nodes []struct {
			EmpowermentGap     bool
			ParticipationLevel string
			AssessedRung       *string
		}
		want bool
	}{{got.Gaps.Nodes, true}, {got.NoGaps.Nodes, false}} {
		for _, n := range list.nodes {
			if n.EmpowermentGap != list.want || isGap(n.ParticipationLevel, n.AssessedRung) != list.want {
				t.Errorf("empowermentGap: %v lists %+v", list.want, n)
			}
		}
	}
	if got.Gaps.TotalCount == 0 || got.Gaps.TotalCount+got.NoGaps.TotalCount != got.Public.TotalCount {
		t.Errorf("%d gaps + %d others, want a few gaps and %d in all", got.Gaps.TotalCount, got.NoGaps.TotalCount, got.Public.TotalCount)
	}
	events, gaps, shared := 0, 0, 0
	var keys []string
	for _, b := range got.ParticipationSummary {
		keys = append(keys, b.Key)
		events += b.EventCount
		gaps += b.EmpowermentGapCount
		if len(b.Levels) != 5 {
			t.Errorf("bucket %s lists %d levels, want all 5", b.Key, len(b.Levels))
		}
		for _, l := range b.Levels {
			if (l.Level == b.Key) != (l.Count == b.EventCount) && l.Count != 0 {
				t.Errorf("bucket %s: levels %+v", b.Key, b.Levels)
			}
		}
		if b.Key == "COLLABORATE" || b.Key == "EMPOWER" {
			shared += b.EventCount
			if b.AgencyShare != 1 {
				t.Errorf("bucket %s: agencyShare %v, want 1", b.Key, b.AgencyShare)
			}
		} else if b.AgencyShare != 0 || b.EmpowermentGapCount != 0 {
			t.Errorf("bucket %s: agencyShare %v, %d gaps; want none", b.Key, b.AgencyShare, b.EmpowermentGapCount)
		}
	}
	if !slices.Equal(keys, []string{"INFORM", "CONSULT", "INVOLVE", "COLLABORATE", "EMPOWER"}) {
		t.Errorf("buckets %v, want the levels in order", keys)
	}
	if events != got.Public.TotalCount || gaps != got.Gaps.TotalCount || shared == 0 {
		t.Errorf("summary counts %d events and %d gaps; want the %d public events and their %d gaps", events, gaps, got.Public.TotalCount, got.Gaps.TotalCount)
	}
}

type graphMLDoc struct {
	Keys []struct {
		ID   string `xml:"id,attr"`
		For  string `xml:"for,attr"`
		Name string `xml:"attr.name,attr"`
		Type string `xml:"attr.type,attr"`
	} `xml:"key"`
	Graph struct {
		EdgeDefault string `xml:"edgedefault,attr"`
		Nodes       []struct {
			ID   string `xml:"id,attr"`
			Data []struct {
				Key   string `xml:"key,attr"`
				Value string `xml:",chardata"`
			} `xml:"data"`
		} `xml:"node"`
		Edges []struct {
			ID     string `xml:"id,attr"`
			Source string `xml:"source,attr"`
			Target string `xml:"target,attr"`
			Data   []struct {
				Key string `xml:"key,attr"`
			} `xml:"data"`
		} `xml:"edge"`
	} `xml:"graph"`
}

type gexfDoc struct {
	XMLName xml.Name
	Version string `xml:"version,attr"`
	Graph   struct {
		DefaultEdgeType string `xml:"defaultedgetype,attr"`
		Attributes      []struct {
			Class string `xml:"class,attr"`
			Attrs []struct {
				ID   string `xml:"id,attr"`
				Type string `xml:"type,attr"`
			} `xml:"attribute"`
		} `xml:"attributes"`
		Nodes []struct {
			ID     string `xml:"id,attr"`
			Label  string `xml:"label,attr"`
			Values []struct {
				For string `xml:"for,attr"`
			} `xml:"attvalues>attvalue"`
		} `xml:"nodes>node"`
		Edges []struct {
			ID     string `xml:"id,attr"`
			Source string `xml:"source,attr"`
			Target string `xml:"target,attr"`
			Weight string `xml:"weight,attr"`
		} `xml:"edges>edge"`
	} `xml:"graph"`
}

type nodeLinkDoc struct {
	Directed   bool             `json:"directed"`
	Multigraph bool             `json:"multigraph"`
	Nodes      []map[string]any `json:"nodes"`
	Edges      []map[string]any `json:"edges"`
}

func get(t *testing.T, url string) (int, string, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
}

func TestNetworkExports(t *testing.T) {
	e := networkEnv(t)
	n := sampleNetwork(t, e)
	var nodeIDs, edgeIDs []string
	for _, x := range n.Nodes {
		nodeIDs = append(nodeIDs, x.ID)
	}
	for _, x := range n.Edges {
		edgeIDs = append(edgeIDs, x.ID)
	}
	sameIDs := func(format, what string, got, want []string) {
		t.Helper()
		slices.Sort(got)
		w := slices.Sorted(slices.Values(want))
		if !slices.Equal(got, w) {
			t.Errorf("%s: %d %s ids, want the API's %d", format, len(got), what, len(w))
		}
	}
	nodeAttrs := []string{"kind", "label", "degree", "weightedDegree", "betweenness", "component"}
	// export fetches an export of the sample network, decodes it into doc and returns its
	// content type.
	export := func(t *testing.T, ext string, unmarshal func([]byte, any) error, doc any) string {
		t.Helper()
		status, ctype, body := get(t, e.base+"/export/network."+ext+"?sample=true")
		if status != http.StatusOK {
			t.Fatalf("status %d: %s", status, body)
		}
		if err := unmarshal([]byte(body), doc); err != nil {
			t.Fatal(err)
		}
		return ctype
	}

	t.Run("GraphML", func(t *testing.T) {
		var doc graphMLDoc
		if ctype := export(t, "graphml", xml.Unmarshal, &doc); !strings.Contains(ctype, "graphml") {
			t.Errorf("content type %s", ctype)
		}
		declared := map[string]string{}
		for _, k := range doc.Keys {
			declared[k.ID] = k.For + ":" + k.Name
		}
		for _, a := range nodeAttrs {
			if declared["n_"+a] != "node:"+a {
				t.Errorf("node attribute %s is not declared: %v", a, declared)
			}
		}
		var got, gotEdges []string
		for _, x := range doc.Graph.Nodes {
			got = append(got, x.ID)
			if len(x.Data) != len(nodeAttrs) {
				t.Errorf("node %s has %d attributes, want %d", x.ID, len(x.Data), len(nodeAttrs))
			}
			for _, d := range x.Data {
				if !strings.HasPrefix(declared[d.Key], "node:") {
					t.Errorf("node %s uses undeclared key %s", x.ID, d.Key)
				}
			}
		}
		for _, x := range doc.Graph.Edges {
			gotEdges = append(gotEdges, x.ID)
			for _, d := range x.Data {
				if !strings.HasPrefix(declared[d.Key], "edge:") {
					t.Errorf("edge %s uses undeclared key %s", x.ID, d.Key)
				}
			}
		}
		if doc.Graph.EdgeDefault != "undirected" {
			t.Errorf("edgedefault = %q", doc.Graph.EdgeDefault)
		}
		sameIDs("GraphML", "node", got, nodeIDs)
		sameIDs("GraphML", "edge", gotEdges, edgeIDs)
	})
	t.Run("GEXF", func(t *testing.T) {
		var doc gexfDoc
		export(t, "gexf", xml.Unmarshal, &doc)
		if doc.XMLName.Space != "http://gexf.net/1.3" || doc.Version != "1.3" || doc.Graph.DefaultEdgeType != "undirected" {
			t.Errorf("gexf %s version %s, %s edges; want 1.3, undirected", doc.XMLName.Space, doc.Version, doc.Graph.DefaultEdgeType)
		}
		declared := map[string]bool{}
		for _, a := range doc.Graph.Attributes {
			for _, x := range a.Attrs {
				declared[a.Class+":"+x.ID] = true
			}
		}
		var got, gotEdges []string
		for _, x := range doc.Graph.Nodes {
			got = append(got, x.ID)
			if x.Label == "" || len(x.Values) != len(nodeAttrs)-1 {
				t.Errorf("node %s: label %q and %d attribute values", x.ID, x.Label, len(x.Values))
			}
			for _, v := range x.Values {
				if !declared["node:"+v.For] {
					t.Errorf("node %s: undeclared attribute %s", x.ID, v.For)
				}
			}
		}
		for _, x := range doc.Graph.Edges {
			gotEdges = append(gotEdges, x.ID)
		}
		sameIDs("GEXF", "node", got, nodeIDs)
		sameIDs("GEXF", "edge", gotEdges, edgeIDs)
	})
	t.Run("JSON", func(t *testing.T) {
		var doc nodeLinkDoc
		export(t, "json", json.Unmarshal, &doc)
		if doc.Directed || doc.Multigraph {
			t.Errorf("directed %v, multigraph %v; want an undirected simple graph", doc.Directed, doc.Multigraph)
		}
		var got, gotEdges []string
		for _, x := range doc.Nodes {
			got = append(got, x["id"].(string))
			for _, a := range nodeAttrs {
				if _, ok := x[a]; !ok {
					t.Errorf("node %v has no %s", x["id"], a)
				}
			}
		}
		for _, x := range doc.Edges {
			gotEdges = append(gotEdges, x["id"].(string))
			if !slices.Contains(nodeIDs, x["source"].(string)) || !slices.Contains(nodeIDs, x["target"].(string)) {
				t.Errorf("edge %v joins unknown nodes", x["id"])
			}
		}
		sameIDs("JSON", "node", got, nodeIDs)
		sameIDs("JSON", "edge", gotEdges, edgeIDs)
	})
	t.Run("Filtered", func(t *testing.T) {
		var filtered struct{ PartnershipNetwork apiNetwork }
		e.gql.Must(t, queryNetwork, map[string]any{"f": map[string]any{"sample": true, "minLevel": "EMPOWER", "from": "2014-01-01", "to": "2016-12-31"}}, &filtered)
		_, _, body := get(t, e.base+"/export/network.json?sample=true&minLevel=EMPOWER&from=2014-01-01&to=2016-12-31")
		var doc nodeLinkDoc
		if err := json.Unmarshal([]byte(body), &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.Edges) != filtered.PartnershipNetwork.Stats.EdgeCount || len(doc.Edges) >= len(edgeIDs) {
			t.Errorf("filtered export has %d edges, the API %d (of %d)", len(doc.Edges), filtered.PartnershipNetwork.Stats.EdgeCount, len(edgeIDs))
		}
	})
	for _, c := range []struct{ name, query, says string }{
		{"BadLevel", "minLevel=HIGH", "minLevel"},
		{"BadDate", "from=2014-13-01", "from"},
		{"Unknown", "museum=1", `unknown parameter "museum"`},
		{"Backwards", "from=2015-01-02&to=2015-01-01", "before from"},
		{"BadSample", "sample=maybe", "sample"},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, _, body := get(t, e.base+"/export/network.graphml?"+c.query)
			if status != http.StatusBadRequest || !strings.Contains(body, c.says) {
				t.Errorf("status %d: %s; want 400 mentioning %s", status, body, c.says)
			}
		})
	}
}
