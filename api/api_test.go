package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/participation-graph/participation-graph/api"
	"github.com/participation-graph/participation-graph/changefeed"
	"github.com/participation-graph/participation-graph/internal/buildinfo"
	"github.com/participation-graph/participation-graph/internal/dbtest"
	"github.com/participation-graph/participation-graph/internal/gqltest"
	"github.com/participation-graph/participation-graph/metrics"
	"github.com/participation-graph/participation-graph/network"
	"github.com/participation-graph/participation-graph/seed"
	"github.com/participation-graph/participation-graph/store"
	"github.com/participation-graph/participation-graph/webhook"
)

type env struct {
	// gql calls as an administrator (with adminToken), anon without credentials.
	gql      gqltest.Client
	anon     gqltest.Client
	base     string
	store    *store.Store
	commands *dbtest.Counter
	metrics  *prometheus.Registry
}

// adminToken is the ADMIN_TOKEN of the test servers.
const adminToken = "test-admin-token-0123456789abcdef"

// newEnv serves the API over a fresh database with the Our Museum data loaded, with live
// subscriptions.
func newEnv(t *testing.T) *env { return serveEnv(t, true) }

// newQuietEnv is newEnv without subscriptions, whose feed polling would add database
// commands to those a test counts.
func newQuietEnv(t *testing.T) *env { return serveEnv(t, false) }

func serveEnv(t *testing.T, live bool) *env { return serveEnvWith(t, live, nil) }

// serveEnvWith is serveEnv with options changed by configure.
func serveEnvWith(t *testing.T, live bool, configure func(*api.Options)) *env {
	t.Helper()
	s, c := dbtest.Open(t)
	if _, err := seed.OurMuseum(context.Background(), s); err != nil {
		t.Fatalf("seeding: %v", err)
	}
	reg := metrics.New(buildinfo.Read())
	var feed *changefeed.Broker
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	var hooks *webhook.Dispatcher
	var graphs *network.Projection
	if live {
		feed = changefeed.New(s, 50*time.Millisecond)
		var err error
		if hooks, err = webhook.New(context.Background(), webhook.Options{Store: s, Feed: feed, AllowPrivate: true}); err != nil {
			t.Fatal(err)
		}
		graphs = network.New(s, nil)
		var wg sync.WaitGroup
		wg.Add(4)
		go func() { defer wg.Done(); _ = feed.Run(ctx) }()
		go func() { defer wg.Done(); _ = hooks.Run(ctx) }()
		go func() { defer wg.Done(); s.Model().Run(ctx, feed.Follow, nil) }()
		go func() { defer wg.Done(); graphs.Run(ctx) }()
		go func() { wg.Wait(); close(done) }()
		// As a load balancer would, wait for /readyz: reads are then answered from memory.
		if err := s.Model().Wait(ctx); err != nil {
			t.Fatal(err)
		}
		for ok, _ := s.Model().Ready(); !ok; ok, _ = s.Model().Ready() {
			time.Sleep(time.Millisecond)
		}
	} else {
		close(done)
	}
	// Batching waits as the server does on the embedded database, which shares the CPU.
	o := api.Options{Store: s, Feed: feed, Hooks: hooks, Network: graphs, Metrics: reg, Playground: true, Introspection: true, FieldSuggestions: true,
		CORSOrigins: []string{"https://allowed.example"}, AdminToken: adminToken}
	if configure != nil {
		configure(&o)
	}
	srv := httptest.NewServer(api.New(o))
	t.Cleanup(func() { cancel(); <-done; srv.Close() })
	anon := gqltest.Client{URL: srv.URL + "/graphql"}
	return &env{gql: anon.As(adminToken), anon: anon, base: srv.URL, store: s, commands: c, metrics: reg}
}

const queryOurMuseum = `{
  programmes(filter: {search: "Our Museum"}) {
    totalCount
    nodes {
      id name funder startDate endDate
      outcomes { number code title description source }
      memberships { startDate endDate museum { name kind region country } }
    }
  }
}`

func TestOurMuseumData(t *testing.T) {
	e := newEnv(t)
	var got struct {
		Programmes struct {
			TotalCount int
			Nodes      []struct {
				ID, Name, Funder, StartDate, EndDate string
				Outcomes                             []struct {
					Number                           int
					Code, Title, Description, Source string
				}
				Memberships []struct {
					StartDate, EndDate string
					Museum             struct{ Name, Kind, Region, Country string }
				}
			}
		}
	}
	e.gql.Must(t, queryOurMuseum, nil, &got)
	if got.Programmes.TotalCount != 1 || len(got.Programmes.Nodes) != 1 {
		t.Fatalf("got %d programmes, want 1", got.Programmes.TotalCount)
	}
	p := got.Programmes.Nodes[0]
	if p.Funder != "Paul Hamlyn Foundation" || p.StartDate != "2012-01-01" || p.EndDate != "2015-12-31" {
		t.Errorf("programme = %+v, want Paul Hamlyn Foundation 2012-01-01 to 2015-12-31", p)
	}
	wantCodes := []string{"ROOTED_IN_LOCAL_NEEDS", "COMMUNITY_AGENCY", "CAPABILITY_BUILDING", "REFLECTION"}
	for i, o := range p.Outcomes {
		if o.Number != i+1 || o.Code != wantCodes[i] || o.Description == "" || o.Source == "" {
			t.Errorf("outcome %d = %+v, want number %d code %s with a quoted description and source", i, o, i+1, wantCodes[i])
		}
	}
	if len(p.Outcomes) != 4 {
		t.Errorf("got %d outcomes, want 4", len(p.Outcomes))
	}
	if len(p.Memberships) != 9 {
		t.Fatalf("got %d memberships, want 9", len(p.Memberships))
	}
	ends := map[string]string{}
	var names []string
	for _, m := range p.Memberships {
		names = append(names, m.Museum.Name)
		if m.StartDate != "2012-01-01" {
			t.Errorf("%s starts %s, want 2012-01-01", m.Museum.Name, m.StartDate)
		}
		ends[m.Museum.Name] = m.EndDate
	}
	if !slices.IsSorted(names) {
		t.Errorf("memberships are not ordered by museum name: %v", names)
	}
	for name, want := range map[string]string{"Ryedale Folk Museum": "2014-06-30", "Museum of East Anglian Life": "2015-02-28", "Hackney Museum": "2015-12-31", "Glasgow Museums": "2015-12-31"} {
		if ends[name] != want {
			t.Errorf("%s ends %q, want %q", name, ends[name], want)
		}
	}
	if loaded, err := seed.OurMuseum(context.Background(), e.store); err != nil || loaded {
		t.Errorf("second load: loaded=%v err=%v, want nothing loaded", loaded, err)
	}
}

const mutCreateMuseum = `mutation($in: CreateMuseumInput!) { createMuseum(input: $in) { museum { id name version createdAt updatedAt } } }`
const mutCreateCommunity = `mutation($in: CreateCommunityInput!) { createCommunity(input: $in) { community { id name } } }`
const mutStartPartnership = `mutation($in: StartPartnershipInput!) { startPartnership(input: $in) { partnership { id status startDate } } }`
const mutRecordEvent = `mutation($in: RecordDecisionEventInput!) { recordDecisionEvent(input: $in) {
  decisionEvent { id empowermentGap communityParticipantCount staffParticipantCount communities { id } } } }`

type ids struct{ museum, community, partnership, event string }

// record creates a museum, a community, a partnership and a decision event through the API.
func record(t *testing.T, e *env, name string) ids {
	t.Helper()
	var m struct {
		CreateMuseum struct{ Museum struct{ ID string } }
	}
	e.gql.Must(t, mutCreateMuseum, map[string]any{"in": map[string]any{"name": name + " Museum", "kind": "MUSEUM", "city": "Exampleton"}}, &m)
	var c struct {
		CreateCommunity struct{ Community struct{ ID string } }
	}
	e.gql.Must(t, mutCreateCommunity, map[string]any{"in": map[string]any{"name": name + " Forum", "kind": "YOUTH"}}, &c)
	var p struct {
		StartPartnership struct{ Partnership struct{ ID, Status string } }
	}
	e.gql.Must(t, mutStartPartnership, map[string]any{"in": map[string]any{"title": name + " partnership",
		"museumId": m.CreateMuseum.Museum.ID, "communityId": c.CreateCommunity.Community.ID, "startDate": "2024-01-10"}}, &p)
	if p.StartPartnership.Partnership.Status != "ACTIVE" {
		t.Errorf("started partnership status = %q, want ACTIVE", p.StartPartnership.Partnership.Status)
	}
	var ev struct {
		RecordDecisionEvent struct {
			DecisionEvent struct {
				ID                                               string
				EmpowermentGap                                   bool
				CommunityParticipantCount, StaffParticipantCount int
				Communities                                      []struct{ ID string }
			}
		}
	}
	e.gql.Must(t, mutRecordEvent, map[string]any{"in": map[string]any{"title": name + " panel", "kind": "ADVISORY_PANEL",
		"occurredAt": "2024-03-05T18:30:00Z", "museumId": m.CreateMuseum.Museum.ID, "partnershipId": p.StartPartnership.Partnership.ID,
		"participationLevel": "EMPOWER", "assessedRung": "CONSULTATION", "anonymousCommunityParticipants": 7, "anonymousStaffParticipants": 2,
		"decisions": []any{map[string]any{"text": "Open late on Fridays", "decidedBy": "JOINT", "result": "ADOPTED", "implemented": false}}}}, &ev)
	d := ev.RecordDecisionEvent.DecisionEvent
	if !d.EmpowermentGap || d.CommunityParticipantCount != 7 || d.StaffParticipantCount != 2 {
		t.Errorf("event = %+v, want an empowerment gap with 7 community and 2 staff participants", d)
	}
	if len(d.Communities) != 1 || d.Communities[0].ID != c.CreateCommunity.Community.ID {
		t.Errorf("event communities = %+v, want the partnership's community %s", d.Communities, c.CreateCommunity.Community.ID)
	}
	return ids{m.CreateMuseum.Museum.ID, c.CreateCommunity.Community.ID, p.StartPartnership.Partnership.ID, d.ID}
}

const queryEveryPath = `query($m: ID!, $c: ID!, $p: ID!, $e: ID!) {
  museum(id: $m) { partnerships { nodes { id } } decisionEvents { totalCount nodes { id } } }
  community(id: $c) { partnerships { nodes { id } } decisionEvents { nodes { id } } }
  partnership(id: $p) { museum { id } community { id } decisionEvents { nodes { id } } }
  decisionEvent(id: $e) { id museum { id } partnership { id } }
  museums(filter: {search: "Paths Museum"}) { nodes { id } }
  communities(filter: {kinds: [YOUTH]}) { nodes { id } }
  partnerships(filter: {statuses: [ACTIVE]}) { nodes { id } }
  decisionEvents(filter: {empowermentGap: true, museumId: $m}) { totalCount nodes { id } }
  node(id: $e) { id ... on DecisionEvent { title } }
  nodes(ids: [$m, $c, $p, "mus_000000000000000000000000"]) { id __typename }
}`

func TestRecordsReachableByEveryPath(t *testing.T) {
	e := newEnv(t)
	id := record(t, e, "Paths")
	var got struct {
		Museum struct {
			Partnerships   struct{ Nodes []struct{ ID string } }
			DecisionEvents struct {
				TotalCount int
				Nodes      []struct{ ID string }
			}
		}
		Community struct {
			Partnerships, DecisionEvents struct{ Nodes []struct{ ID string } }
		}
		Partnership struct {
			Museum, Community struct{ ID string }
			DecisionEvents    struct{ Nodes []struct{ ID string } }
		}
		DecisionEvent struct {
			ID                  string
			Museum, Partnership struct{ ID string }
		}
		Museums, Communities, Partnerships struct{ Nodes []struct{ ID string } }
		DecisionEvents                     struct {
			TotalCount int
			Nodes      []struct{ ID string }
		}
		Node  struct{ ID, Title string }
		Nodes []*struct {
			ID       string
			Typename string `json:"__typename"`
		}
	}
	e.gql.Must(t, queryEveryPath, map[string]any{"m": id.museum, "c": id.community, "p": id.partnership, "e": id.event}, &got)
	one := func(what string, nodes []struct{ ID string }, want string) {
		t.Helper()
		if len(nodes) != 1 || nodes[0].ID != want {
			t.Errorf("%s = %+v, want [%s]", what, nodes, want)
		}
	}
	one("museum.partnerships", got.Museum.Partnerships.Nodes, id.partnership)
	one("museum.decisionEvents", got.Museum.DecisionEvents.Nodes, id.event)
	one("community.partnerships", got.Community.Partnerships.Nodes, id.partnership)
	one("community.decisionEvents", got.Community.DecisionEvents.Nodes, id.event)
	one("partnership.decisionEvents", got.Partnership.DecisionEvents.Nodes, id.event)
	one("museums", got.Museums.Nodes, id.museum)
	one("communities", got.Communities.Nodes, id.community)
	one("partnerships", got.Partnerships.Nodes, id.partnership)
	one("decisionEvents", got.DecisionEvents.Nodes, id.event)
	if got.Museum.DecisionEvents.TotalCount != 1 || got.DecisionEvents.TotalCount != 1 {
		t.Errorf("totalCounts = %d, %d, want 1, 1", got.Museum.DecisionEvents.TotalCount, got.DecisionEvents.TotalCount)
	}
	if got.Partnership.Museum.ID != id.museum || got.Partnership.Community.ID != id.community {
		t.Errorf("partnership references = %+v", got.Partnership)
	}
	if got.DecisionEvent.ID != id.event || got.DecisionEvent.Museum.ID != id.museum || got.DecisionEvent.Partnership.ID != id.partnership {
		t.Errorf("decisionEvent = %+v", got.DecisionEvent)
	}
	if got.Node.ID != id.event || got.Node.Title != "Paths panel" {
		t.Errorf("node = %+v, want the event", got.Node)
	}
	wantTypes := []string{"Museum", "Community", "Partnership"}
	if len(got.Nodes) != 4 || got.Nodes[3] != nil {
		t.Fatalf("nodes = %+v, want 3 records and a null", got.Nodes)
	}
	for i, w := range wantTypes {
		if got.Nodes[i] == nil || got.Nodes[i].Typename != w {
			t.Errorf("nodes[%d] = %+v, want a %s", i, got.Nodes[i], w)
		}
	}
}

func TestBadInput(t *testing.T) {
	e := newQuietEnv(t)
	id := record(t, e, "Input")
	cases := []struct {
		name, query string
		vars        map[string]any
		code        string
		fields      []string
	}{
		{"UnknownMuseum", mutStartPartnership, map[string]any{"in": map[string]any{"title": "x", "museumId": "mus_000000000000000000000000", "communityId": id.community}}, "BAD_USER_INPUT", []string{"museumId"}},
		{"WrongKindOfID", mutStartPartnership, map[string]any{"in": map[string]any{"title": "x", "museumId": id.community, "communityId": id.community}}, "BAD_USER_INPUT", []string{"museumId"}},
		{"EndBeforeStart", `mutation($id: ID!) { endPartnership(input: {id: $id, endDate: "2023-01-01"}) { partnership { id } } }`, map[string]any{"id": id.partnership}, "BAD_USER_INPUT", []string{"endDate"}},
		{"BlankNameAndBadURL", mutCreateMuseum, map[string]any{"in": map[string]any{"name": "  ", "kind": "MUSEUM", "website": "ftp://x"}}, "BAD_USER_INPUT", []string{"name", "website"}},
		{"BadDateLiteral", `mutation { createProgramme(input: {name: "x", startDate: "2014-02-30"}) { programme { id } } }`, nil, "BAD_USER_INPUT", []string{"startDate"}},
		{"BadDateVariable", `mutation($in: CreateProgrammeInput!) { createProgramme(input: $in) { programme { id } } }`, map[string]any{"in": map[string]any{"name": "x", "startDate": "30/02/2014"}}, "BAD_USER_INPUT", nil},
		{"BadDateTimeVariable", mutRecordEvent, map[string]any{"in": map[string]any{"title": "x", "kind": "VOTE", "occurredAt": "yesterday", "museumId": id.museum, "participationLevel": "INFORM"}}, "BAD_USER_INPUT", nil},
		{"BadDateTimeLiteral", `{ decisionEvents(filter: {occurredAfter: "2014-13-45"}) { totalCount } }`, nil, "BAD_USER_INPUT", []string{"filter.occurredAfter"}},
		{"LastWithAfter", `query($c: String!) { museums(last: 2, after: $c) { nodes { id } } }`, map[string]any{"c": firstCursor(t, e)}, "BAD_USER_INPUT", []string{"after"}},
		{"BadEnumVariable", mutCreateMuseum, map[string]any{"in": map[string]any{"name": "x", "kind": "ZOO"}}, "BAD_USER_INPUT", nil},
		{"FutureEvent", mutRecordEvent, map[string]any{"in": map[string]any{"title": "x", "kind": "VOTE", "occurredAt": "2999-01-01T00:00:00Z", "museumId": id.museum, "participationLevel": "INFORM"}}, "BAD_USER_INPUT", []string{"occurredAt"}},
		{"RejectedButImplemented", mutRecordEvent, map[string]any{"in": map[string]any{"title": "x", "kind": "VOTE", "occurredAt": "2020-01-01T00:00:00Z", "museumId": id.museum, "participationLevel": "INFORM",
			"decisions": []any{map[string]any{"text": "t", "decidedBy": "MUSEUM", "result": "REJECTED", "implemented": true}}}}, "BAD_USER_INPUT", []string{"decisions[0].implemented"}},
		{"PageTooLarge", `{ museums(first: 101) { nodes { id } } }`, nil, "BAD_USER_INPUT", []string{"first"}},
		{"MalformedCursor", `{ museums(after: "not-a-cursor") { nodes { id } } }`, nil, "BAD_USER_INPUT", []string{"after"}},
		{"CursorOfAnotherOrder", `query($c: String!) { museums(after: $c, orderBy: {field: CREATED_AT}) { nodes { id } } }`, map[string]any{"c": firstCursor(t, e)}, "BAD_USER_INPUT", []string{"after"}},
		{"SyntaxError", `{ museums(first: ) { nodes { id } } }`, nil, "BAD_USER_INPUT", nil},
		{"UnknownField", `{ museums { nodes { colour } } }`, nil, "BAD_USER_INPUT", nil},
		{"UpdateUnknown", `mutation { updateMuseum(input: {id: "mus_000000000000000000000000", name: "x"}) { museum { id } } }`, nil, "NOT_FOUND", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before, replaced := records(t, e.store), e.commands.ByName()["update"]
			err := e.gql.Fail(t, tc.query, tc.vars)
			if err.Code() != tc.code {
				t.Fatalf("code = %q (%s), want %s", err.Code(), err.Message, tc.code)
			}
			if tc.fields != nil && !slices.Equal(err.Fields(), tc.fields) {
				t.Errorf("fields = %v (%s), want %v", err.Fields(), err.Message, tc.fields)
			}
			if after := records(t, e.store); after != before || e.commands.ByName()["update"] != replaced {
				t.Errorf("a rejected request wrote to the database: %d records before, %d after, %d replaced",
					before, after, e.commands.ByName()["update"]-replaced)
			}
		})
	}
}

// records counts every record of every type.
func records(t *testing.T, s *store.Store) int {
	t.Helper()
	ctx := context.Background()
	total := 0
	for _, count := range []func(context.Context) (int, error){s.Programmes.Count, s.Outcomes.Count, s.Memberships.Count,
		s.Museums.Count, s.Communities.Count, s.People.Count, s.Partnerships.Count, s.Events.Count, s.Activities.Count,
		s.Reflections.Count, s.Publications.Count} {
		n, err := count(ctx)
		if err != nil {
			t.Fatal(err)
		}
		total += n
	}
	return total
}

func firstCursor(t *testing.T, e *env) string {
	var got struct {
		Museums struct{ Edges []struct{ Cursor string } }
	}
	e.gql.Must(t, `{ museums(first: 1) { edges { cursor } } }`, nil, &got)
	return got.Museums.Edges[0].Cursor
}

func TestConflictChangesNothing(t *testing.T) {
	e := newEnv(t)
	id := record(t, e, "Versions")
	const upd = `mutation($id: ID!, $v: Int, $name: String) { updateMuseum(input: {id: $id, expectedVersion: $v, name: $name}) { museum { name version } } }`
	var ok struct {
		UpdateMuseum struct {
			Museum struct {
				Name    string
				Version int
			}
		}
	}
	e.gql.Must(t, upd, map[string]any{"id": id.museum, "v": 1, "name": "Renamed"}, &ok)
	if ok.UpdateMuseum.Museum.Version != 2 || ok.UpdateMuseum.Museum.Name != "Renamed" {
		t.Fatalf("update = %+v, want version 2 named Renamed", ok.UpdateMuseum.Museum)
	}
	err := e.gql.Fail(t, upd, map[string]any{"id": id.museum, "v": 1, "name": "Stale"})
	if err.Code() != "CONFLICT" {
		t.Fatalf("stale update code = %s (%s), want CONFLICT", err.Code(), err.Message)
	}
	m, gerr := e.store.Museums.Get(context.Background(), id.museum)
	if gerr != nil || m.Name != "Renamed" || m.Version != 2 {
		t.Errorf("after the conflict: %+v %v, want Renamed at version 2", m, gerr)
	}
	// Null clears an optional field; an omitted field stays.
	var cleared struct {
		UpdateMuseum struct {
			Museum struct {
				City *string
				Name string
			}
		}
	}
	e.gql.Must(t, `mutation($id: ID!) { updateMuseum(input: {id: $id, city: null}) { museum { city name } } }`, map[string]any{"id": id.museum}, &cleared)
	if cleared.UpdateMuseum.Museum.City != nil || cleared.UpdateMuseum.Museum.Name != "Renamed" {
		t.Errorf("after clearing city: %+v, want city null and the name kept", cleared.UpdateMuseum.Museum)
	}
}

func TestPagingIsCompleteAndStable(t *testing.T) {
	e := newEnv(t)
	const page = `query($first: Int, $after: String, $last: Int, $before: String) {
  museums(first: $first, after: $after, last: $last, before: $before) {
    totalCount edges { cursor node { name } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`
	type result struct {
		Museums struct {
			TotalCount int
			Edges      []struct {
				Cursor string
				Node   struct{ Name string }
			}
			PageInfo struct {
				HasNextPage, HasPreviousPage bool
				StartCursor, EndCursor       *string
			}
		}
	}
	var names []string
	var after any
	for i := 0; ; i++ {
		var r result
		e.gql.Must(t, page, map[string]any{"first": 4, "after": after}, &r)
		if i == 0 && r.Museums.TotalCount != 9 {
			t.Fatalf("totalCount = %d, want 9", r.Museums.TotalCount)
		}
		for _, ed := range r.Museums.Edges {
			names = append(names, ed.Node.Name)
		}
		if i == 0 {
			// A museum inserted before the cursor must not shift the next page.
			record(t, e, "AAA Inserted")
		}
		if !r.Museums.PageInfo.HasNextPage {
			break
		}
		after = *r.Museums.PageInfo.EndCursor
	}
	if len(names) != 9 || !slices.IsSorted(names) {
		t.Fatalf("paged names = %v, want the 9 Our Museum members in order with no gap or repeat", names)
	}
	// Backwards from the end gives the same names.
	var back []string
	var before any
	for {
		var r result
		e.gql.Must(t, page, map[string]any{"last": 3, "before": before}, &r)
		var chunk []string
		for _, ed := range r.Museums.Edges {
			chunk = append(chunk, ed.Node.Name)
		}
		back = append(chunk, back...)
		if !r.Museums.PageInfo.HasPreviousPage {
			break
		}
		before = *r.Museums.PageInfo.StartCursor
	}
	if len(back) != 10 || back[0] != "AAA Inserted Museum" || !slices.Equal(back[1:], names) {
		t.Errorf("backward pages = %v, want the inserted museum then %v", back, names)
	}
}

func TestArchiveLeavesListsNotIDs(t *testing.T) {
	e := newEnv(t)
	id := record(t, e, "Archive")
	var a struct {
		ArchiveMuseum struct {
			Museum struct {
				Archived bool
				Version  int
			}
		}
	}
	e.gql.Must(t, `mutation($id: ID!) { archiveMuseum(input: {id: $id}) { museum { archived version } } }`, map[string]any{"id": id.museum}, &a)
	if !a.ArchiveMuseum.Museum.Archived || a.ArchiveMuseum.Museum.Version != 2 {
		t.Fatalf("archive = %+v", a.ArchiveMuseum.Museum)
	}
	var got struct {
		Default, All struct{ TotalCount int }
		Museum       *struct{ Archived bool }
	}
	e.gql.Must(t, `query($id: ID!) { default: museums { totalCount } all: museums(filter: {includeArchived: true}) { totalCount } museum(id: $id) { archived } }`, map[string]any{"id": id.museum}, &got)
	if got.Default.TotalCount != 9 || got.All.TotalCount != 10 || got.Museum == nil || !got.Museum.Archived {
		t.Errorf("after archiving: %+v, want 9 listed, 10 with archived, still reachable by id", got)
	}
	err := e.gql.Fail(t, mutStartPartnership, map[string]any{"in": map[string]any{"title": "x", "museumId": id.museum, "communityId": id.community}})
	if err.Code() != "BAD_USER_INPUT" || !slices.Equal(err.Fields(), []string{"museumId"}) {
		t.Errorf("linking to an archived museum: %s %v, want BAD_USER_INPUT on museumId", err.Code(), err.Fields())
	}
}

func TestPersonalDataIsNotShown(t *testing.T) {
	e := newEnv(t)
	const create = `mutation($in: CreatePersonInput!) { createPerson(input: $in) { person { id pseudonym displayName email consent { publishName givenAt } } } }`
	type person struct {
		ID, Pseudonym      string
		DisplayName, Email *string
		Consent            struct {
			PublishName bool
			GivenAt     *string
		}
	}
	var hidden, public struct{ CreatePerson struct{ Person person } }
	e.gql.Must(t, create, map[string]any{"in": map[string]any{"pseudonym": "P1", "displayName": "Marker Hidden", "email": "hidden@example.org"}}, &hidden)
	e.gql.Must(t, create, map[string]any{"in": map[string]any{"pseudonym": "P2", "displayName": "Marker Public", "email": "public@example.org",
		"consent": map[string]any{"recordParticipation": true, "publishName": true, "contact": false}}}, &public)
	if p := hidden.CreatePerson.Person; p.DisplayName == nil || p.Email == nil {
		t.Errorf("an administrator gets %v %v, want the name and e-mail", p.DisplayName, p.Email)
	}
	var anon struct{ Nodes []person }
	e.anon.Must(t, `query($ids: [ID!]!) { nodes(ids: $ids) { ... on Person { id pseudonym displayName email consent { publishName givenAt } } } }`,
		map[string]any{"ids": []string{hidden.CreatePerson.Person.ID, public.CreatePerson.Person.ID}}, &anon)
	if p := anon.Nodes[0]; p.DisplayName != nil || p.Email != nil {
		t.Errorf("anonymous caller: person without consent shows %v %v, want nulls", p.DisplayName, p.Email)
	}
	if p := anon.Nodes[1]; p.DisplayName == nil || *p.DisplayName != "Marker Public" || p.Email != nil || p.Consent.GivenAt == nil {
		t.Errorf("anonymous caller: person who agreed to publish their name: %+v, want the name, no e-mail, givenAt set", p)
	}
	// Search looks at pseudonyms only.
	var found struct{ People struct{ TotalCount int } }
	e.gql.Must(t, `{ people(filter: {search: "Marker"}) { totalCount } }`, nil, &found)
	if found.People.TotalCount != 0 {
		t.Errorf("a search for a real name found %d people, want 0", found.People.TotalCount)
	}
	var erased struct {
		ErasePerson struct {
			Person struct {
				Erased      bool
				DisplayName *string
			}
		}
	}
	e.gql.Must(t, `mutation($id: ID!) { erasePerson(input: {id: $id}) { person { erased displayName } } }`, map[string]any{"id": public.CreatePerson.Person.ID}, &erased)
	p, _ := e.store.People.Get(context.Background(), public.CreatePerson.Person.ID)
	if !erased.ErasePerson.Person.Erased || erased.ErasePerson.Person.DisplayName != nil || p.DisplayName != nil || p.Email != nil {
		t.Errorf("after erasure: %+v, stored %v %v, want no personal data anywhere", erased, p.DisplayName, p.Email)
	}
}

func TestHTTPSurface(t *testing.T) {
	e := newEnv(t)
	get := func(path string) (int, string, http.Header) {
		resp, err := http.Get(e.base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header
	}
	t.Run("GETQuery", func(t *testing.T) {
		code, body, _ := get("/graphql?query=" + url.QueryEscape(`{ museums(first: 1) { nodes { name } } }`))
		if code != 200 || !strings.Contains(body, "Amgueddfa") {
			t.Errorf("GET query: %d %s", code, body)
		}
	})
	t.Run("GETMutationRefused", func(t *testing.T) {
		code, body, _ := get("/graphql?query=" + url.QueryEscape(`mutation { createCommunity(input: {name: "x", kind: OTHER}) { community { id } } }`))
		if code == 200 || !strings.Contains(body, "errors") {
			t.Errorf("GET mutation: %d %s, want refused", code, body)
		}
		var n struct{ Communities struct{ TotalCount int } }
		e.gql.Must(t, `{ communities { totalCount } }`, nil, &n)
		if n.Communities.TotalCount != 0 {
			t.Errorf("the GET mutation created %d communities", n.Communities.TotalCount)
		}
	})
	t.Run("Health", func(t *testing.T) {
		if code, _, _ := get("/healthz"); code != 200 {
			t.Errorf("/healthz = %d", code)
		}
		if code, _, _ := get("/readyz"); code != 200 {
			t.Errorf("/readyz = %d", code)
		}
	})
	t.Run("Metrics", func(t *testing.T) {
		code, body, _ := get("/metrics")
		if code != 200 || !strings.Contains(body, "participation_graphql_requests_total") ||
			strings.Contains(body, "participation_graphql_operations_total") || !strings.Contains(body, "\ngo_goroutines ") ||
			!strings.Contains(body, "\nparticipation_build_info{") {
			t.Errorf("/metrics = %d %s", code, body)
		}
	})
	t.Run("Playground", func(t *testing.T) {
		code, body, _ := get("/")
		if code != 200 || !strings.Contains(body, "query OurMuseum") {
			t.Errorf("/ = %d, want the playground with examples", code)
		}
		if code, body, _ := get("/assets/graphiql.min.js"); code != 200 || len(body) < 100000 {
			t.Errorf("/assets/graphiql.min.js = %d (%d bytes)", code, len(body))
		}
	})
	t.Run("CORS", func(t *testing.T) {
		for origin, want := range map[string]string{"https://allowed.example": "https://allowed.example", "https://evil.example": ""} {
			req, _ := http.NewRequest(http.MethodOptions, e.base+"/graphql", nil)
			req.Header.Set("Origin", origin)
			req.Header.Set("Access-Control-Request-Method", "POST")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if got := resp.Header.Get("Access-Control-Allow-Origin"); got != want {
				t.Errorf("preflight from %s: allow-origin %q, want %q", origin, got, want)
			}
		}
	})
}

// TestRefusedRequestsCarryCodes sends what a transport refuses and checks each answer is
// a GraphQL error with a code, and that nothing of the body (personal data) reaches the
// log or the client.
func TestRefusedRequestsCarryCodes(t *testing.T) {
	s, _ := dbtest.Open(t)
	var logs strings.Builder
	srv := httptest.NewServer(api.New(api.Options{Store: s, Logger: slog.New(slog.NewTextHandler(&logs, nil))}))
	defer srv.Close()
	marker := "Marker Realname marker@example.org"
	for _, tc := range []struct {
		name, method, contentType, path, body string
		status                                int
	}{
		{"MalformedJSON", http.MethodPost, "application/json", "/graphql", `{"query": "mutation { createPerson(input: {pseudonym: \"p\"}) { person { id } } }", "variables": {"name": "` + marker + `",}}`, http.StatusBadRequest},
		{"TextPlain", http.MethodPost, "text/plain", "/graphql", `{"query": "{ museums { totalCount } }"}`, http.StatusUnsupportedMediaType},
		{"FormPost", http.MethodPost, "application/x-www-form-urlencoded", "/graphql", `query=x`, http.StatusUnsupportedMediaType},
		{"Put", http.MethodPut, "application/json", "/graphql", `{}`, http.StatusMethodNotAllowed},
		{"GETMutation", http.MethodGet, "", "/graphql?query=" + url.QueryEscape(`mutation { createCommunity(input: {name: "x", kind: OTHER}) { community { id } } }`), "", http.StatusMethodNotAllowed},
		{"GETBadVariables", http.MethodGet, "", "/graphql?query=" + url.QueryEscape(`{ museums { totalCount } }`) + "&variables=%7Bnope", "", http.StatusMethodNotAllowed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, srv.URL+tc.path, strings.NewReader(tc.body))
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			var r gqltest.Response
			if err := json.Unmarshal(body, &r); err != nil || len(r.Errors) != 1 {
				t.Fatalf("status %d, body %s: want one GraphQL error", resp.StatusCode, body)
			}
			if r.Errors[0].Code() != "BAD_USER_INPUT" || resp.StatusCode != tc.status {
				t.Errorf("got %d %s (%s), want %d BAD_USER_INPUT", resp.StatusCode, r.Errors[0].Code(), r.Errors[0].Message, tc.status)
			}
			if strings.Contains(string(body), "Marker") {
				t.Errorf("the answer quotes the request body: %s", body)
			}
		})
	}
	if strings.Contains(logs.String(), "Marker") {
		t.Errorf("the log holds personal data from a request body:\n%s", logs.String())
	}
}

func TestNoCORSWithoutOrigins(t *testing.T) {
	s, _ := dbtest.Open(t)
	srv := httptest.NewServer(api.New(api.Options{Store: s}))
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodOptions, srv.URL+"/graphql", nil)
	req.Header.Set("Origin", "https://anyone.example")
	req.Header.Set("Access-Control-Request-Method", "POST")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("with no CORS_ORIGINS a preflight was allowed for %q", got)
	}
}

func TestDatabaseFailureIsUnavailable(t *testing.T) {
	e := newEnv(t)
	if err := e.store.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	err := e.gql.Fail(t, `{ museums { nodes { id } } }`, nil)
	if err.Code() != "UNAVAILABLE" || strings.Contains(strings.ToLower(err.Message), "client") {
		t.Errorf("with the database gone: %s %q, want UNAVAILABLE without driver detail", err.Code(), err.Message)
	}
	resp, herr := http.Get(e.base + "/readyz")
	if herr != nil {
		t.Fatal(herr)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/readyz = %d, want 503", resp.StatusCode)
	}
}

// Until the read model has loaded, /readyz answers 503 with the reason, while queries are
// still answered (from the database).
func TestReadyWaitsForTheReadModel(t *testing.T) {
	e := newQuietEnv(t) // its read model never runs
	resp, err := http.Get(e.base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct{ Status, Reason string }
	_ = json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != http.StatusServiceUnavailable || body.Status != "loading" || !strings.Contains(body.Reason, "read model") {
		t.Errorf("/readyz = %d %+v, want 503 saying the read model is loading", resp.StatusCode, body)
	}
	var got struct{ Museums struct{ TotalCount int } }
	e.gql.Must(t, `{ museums { totalCount } }`, nil, &got)
	if got.Museums.TotalCount == 0 {
		t.Error("no museums answered while the read model is not loaded")
	}
}
