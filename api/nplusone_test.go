package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/store"
)

// build adds museums, each with partnerships, each with decision events that involve two
// communities, through the store.
func build(t *testing.T, s *store.Store, museums, partnerships, events int) {
	t.Helper()
	ctx := context.Background()
	for m := 0; m < museums; m++ {
		mu, err := s.CreateMuseum(ctx, domain.CreateMuseumInput{Name: fmt.Sprintf("Nested Museum %02d", m), Kind: "MUSEUM"})
		if err != nil {
			t.Fatal(err)
		}
		for p := 0; p < partnerships; p++ {
			c, err := s.CreateCommunity(ctx, domain.CreateCommunityInput{Name: fmt.Sprintf("Community %d-%d", m, p), Kind: "NEIGHBOURHOOD"})
			if err != nil {
				t.Fatal(err)
			}
			other, err := s.CreateCommunity(ctx, domain.CreateCommunityInput{Name: fmt.Sprintf("Other %d-%d", m, p), Kind: "FAITH"})
			if err != nil {
				t.Fatal(err)
			}
			pa, err := s.StartPartnership(ctx, domain.StartPartnershipInput{Title: fmt.Sprintf("Partnership %d-%d", m, p), MuseumID: mu.ID, CommunityID: c.ID})
			if err != nil {
				t.Fatal(err)
			}
			for e := 0; e < events; e++ {
				_, err := s.RecordDecisionEvent(ctx, domain.RecordDecisionEventInput{Title: fmt.Sprintf("Event %d", e), Kind: "WORKSHOP",
					OccurredAt: time.Date(2020, 1, 1+e, 0, 0, 0, 0, time.UTC), MuseumID: mu.ID, PartnershipID: &pa.ID,
					CommunityIDs: []string{c.ID, other.ID}, ParticipationLevel: "INVOLVE"})
				if err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

// queryNested is the page the contract bounds: museums → partnerships → decision events →
// communities.
const queryNested = `query($m: Int!, $p: Int!, $e: Int!) {
  museums(first: $m, filter: {search: "Nested"}) {
    totalCount
    nodes {
      name
      partnerships(first: $p) {
        totalCount
        pageInfo { hasNextPage }
        nodes {
          title
          museum { name }
          community { name }
          decisionEvents(first: $e) {
            totalCount
            nodes { title museum { name } communities { name } }
          }
        }
      }
    }
  }
}`

func TestNestedPageCostsAtMostEightCommands(t *testing.T) {
	e := newQuietEnv(t)
	build(t, e.store, 6, 3, 4)
	for _, size := range []struct{ m, p, e int }{{1, 1, 1}, {3, 2, 2}, {6, 3, 4}} {
		t.Run(fmt.Sprintf("%dx%dx%d", size.m, size.p, size.e), func(t *testing.T) {
			before := e.commands.Total()
			var got struct {
				Museums struct {
					TotalCount int
					Nodes      []struct {
						Partnerships struct {
							TotalCount int
							Nodes      []struct {
								DecisionEvents struct {
									TotalCount int
									Nodes      []struct{ Communities []struct{ Name string } }
								}
							}
						}
					}
				}
			}
			e.gql.Must(t, queryNested, map[string]any{"m": size.m, "p": size.p, "e": size.e}, &got)
			used := e.commands.Total() - before
			if used > 8 {
				t.Errorf("the page cost %d database commands (%v), want at most 8", used, e.commands.ByName())
			}
			if len(got.Museums.Nodes) != size.m || got.Museums.TotalCount != 6 {
				t.Fatalf("got %d of %d museums, want %d of 6", len(got.Museums.Nodes), got.Museums.TotalCount, size.m)
			}
			for _, m := range got.Museums.Nodes {
				if len(m.Partnerships.Nodes) != size.p || m.Partnerships.TotalCount != 3 {
					t.Fatalf("got %d of %d partnerships, want %d of 3", len(m.Partnerships.Nodes), m.Partnerships.TotalCount, size.p)
				}
				for _, p := range m.Partnerships.Nodes {
					if len(p.DecisionEvents.Nodes) != size.e || p.DecisionEvents.TotalCount != 4 {
						t.Fatalf("got %d of %d events, want %d of 4", len(p.DecisionEvents.Nodes), p.DecisionEvents.TotalCount, size.e)
					}
					for _, ev := range p.DecisionEvents.Nodes {
						if len(ev.Communities) != 2 {
							t.Fatalf("event has %d communities, want 2", len(ev.Communities))
						}
					}
				}
			}
			t.Logf("%d commands", used)
		})
	}
}

func TestNestedPaging(t *testing.T) {
	e := newQuietEnv(t)
	build(t, e.store, 2, 1, 5)
	const q = `query($after: String) { museums(filter: {search: "Nested"}) { nodes { partnerships { nodes {
	  decisionEvents(first: 2, after: $after, orderBy: {field: OCCURRED_AT, direction: ASC}) {
	    edges { cursor node { title } } pageInfo { hasNextPage hasPreviousPage endCursor } } } } } } }`
	type res struct {
		Museums struct {
			Nodes []struct {
				Partnerships struct {
					Nodes []struct {
						DecisionEvents struct {
							Edges []struct {
								Cursor string
								Node   struct{ Title string }
							}
							PageInfo struct {
								HasNextPage, HasPreviousPage bool
								EndCursor                    *string
							}
						}
					}
				}
			}
		}
	}
	var titles []string
	var after any
	for {
		var r res
		e.gql.Must(t, q, map[string]any{"after": after}, &r)
		ev := r.Museums.Nodes[0].Partnerships.Nodes[0].DecisionEvents
		for _, ed := range ev.Edges {
			titles = append(titles, ed.Node.Title)
		}
		if after != nil && !ev.PageInfo.HasPreviousPage {
			t.Errorf("a page after a cursor says it has no previous page")
		}
		if !ev.PageInfo.HasNextPage {
			break
		}
		after = *ev.PageInfo.EndCursor
	}
	want := []string{"Event 0", "Event 1", "Event 2", "Event 3", "Event 4"}
	if fmt.Sprint(titles) != fmt.Sprint(want) {
		t.Errorf("nested pages gave %v, want %v", titles, want)
	}
}

// TestNestedPageWithLongLists has more children than the server's default batch, which
// must not add a command per hundred records.
func TestNestedPageWithLongLists(t *testing.T) {
	e := newQuietEnv(t)
	build(t, e.store, 1, 1, 250)
	before := e.commands.Total()
	var got struct {
		Museums struct {
			Nodes []struct {
				Partnerships struct {
					Nodes []struct {
						DecisionEvents struct {
							TotalCount int
							Nodes      []struct{ Title string }
						}
					}
				}
			}
		}
	}
	e.gql.Must(t, queryNested, map[string]any{"m": 1, "p": 1, "e": 100}, &got)
	if used := e.commands.Total() - before; used > 8 {
		t.Errorf("the page cost %d database commands (%v), want at most 8", used, e.commands.ByName())
	}
	ev := got.Museums.Nodes[0].Partnerships.Nodes[0].DecisionEvents
	if ev.TotalCount != 250 || len(ev.Nodes) != 100 {
		t.Errorf("got %d of %d events, want 100 of 250", len(ev.Nodes), ev.TotalCount)
	}
}

// TestBatchesFollowTheRecordsReadTogether asks pages whose records come from other reads
// than a nested list: references (an event's museum, then that museum's partnerships),
// a list of nodes, and one fragment under two lists. Each costs the same commands
// whatever its size: the fields of records read together load together.
func TestBatchesFollowTheRecordsReadTogether(t *testing.T) {
	e := newQuietEnv(t)
	build(t, e.store, 6, 3, 4)
	participants(t, e.store, 10)
	var museums struct {
		Museums struct{ Nodes []struct{ ID string } }
	}
	e.gql.Must(t, `{ museums(first: 6, filter: {search: "Nested"}) { nodes { id } } }`, nil, &museums)
	var ids []string
	for _, m := range museums.Museums.Nodes {
		ids = append(ids, m.ID)
	}
	cases := []struct {
		name, query string
		vars        func(n int) map[string]any
		small, big  int
	}{
		{"References", `query($n: Int!) { decisionEvents(first: $n, filter: {search: "Event"}) { nodes { title
			museum { name partnerships(first: 2) { nodes { title community { name } } } } communities { name } } } }`,
			func(n int) map[string]any { return map[string]any{"n": n} }, 2, 40},
		{"Nodes", `query($ids: [ID!]!) { nodes(ids: $ids) { ... on Museum { name partnerships(first: 3) { nodes { title
			decisionEvents(first: 2) { nodes { title communities { name } } } } } } } }`,
			func(n int) map[string]any { return map[string]any{"ids": ids[:n]} }, 2, 6},
		{"Participants", `query($n: Int!) { decisionEvents(first: $n, filter: {search: "Gathering"}) { nodes { title
			participants { role person { pseudonym community { name } } community { name } } } } }`,
			func(n int) map[string]any { return map[string]any{"n": n} }, 2, 10},
		{"OneFragmentTwice", `fragment E on Partnership { title decisionEvents(first: 2) { nodes { title museum { name } } } }
			query($n: Int!) { museums(first: $n, filter: {search: "Nested"}) { nodes { partnerships(first: 3) { nodes { ...E } } } }
			communities(first: $n, filter: {search: "Community"}) { nodes { partnerships(first: 2) { nodes { ...E } } } } }`,
			func(n int) map[string]any { return map[string]any{"n": n} }, 2, 6},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cost := func(n int) (int, int) {
				var got map[string]any
				before := e.commands.Total()
				e.gql.Must(t, c.query, c.vars(n), &got)
				return e.commands.Total() - before, strings.Count(fmt.Sprint(got), "title:")
			}
			small, fewer := cost(c.small)
			big, more := cost(c.big)
			if big != small {
				t.Errorf("%d commands for the larger page, %d for the smaller; want the same", big, small)
			}
			if more <= fewer {
				t.Errorf("the larger page has %d titles, the smaller %d", more, fewer)
			}
			t.Logf("%d commands for %d and for %d titles", small, fewer, more)
		})
	}
}

// participants records events with three participants each, who consented to it, people
// of the event's community.
func participants(t *testing.T, s *store.Store, events int) {
	t.Helper()
	ctx := context.Background()
	mu, err := s.CreateMuseum(ctx, domain.CreateMuseumInput{Name: "Gathering Museum", Kind: "MUSEUM"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range events {
		c, err := s.CreateCommunity(ctx, domain.CreateCommunityInput{Name: fmt.Sprintf("Gathering community %d", i), Kind: "NEIGHBOURHOOD"})
		if err != nil {
			t.Fatal(err)
		}
		var in []domain.ParticipantInput
		for j := range 3 {
			p, err := s.CreatePerson(ctx, domain.CreatePersonInput{Pseudonym: fmt.Sprintf("Person %d-%d", i, j), CommunityID: &c.ID,
				Consent: &domain.ConsentInput{RecordParticipation: true}})
			if err != nil {
				t.Fatal(err)
			}
			in = append(in, domain.ParticipantInput{PersonID: &p.ID, CommunityID: &c.ID, Role: "COMMUNITY_MEMBER"})
		}
		if _, err := s.RecordDecisionEvent(ctx, domain.RecordDecisionEventInput{Title: fmt.Sprintf("Gathering %d", i), Kind: "WORKSHOP",
			OccurredAt: time.Date(2021, 1, 1+i, 0, 0, 0, 0, time.UTC), MuseumID: mu.ID, CommunityIDs: []string{c.ID},
			ParticipationLevel: "INVOLVE", Participants: in}); err != nil {
			t.Fatal(err)
		}
	}
}
