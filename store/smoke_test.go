package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/participation-graph/participation-graph/internal/dbtest"
	"github.com/participation-graph/participation-graph/store"
)

func TestSmoke(t *testing.T) {
	s, c := dbtest.Open(t)
	ctx := context.Background()
	m, err := s.CreateMuseum(ctx, store.CreateMuseumInput{Name: "Test Museum", Kind: "MUSEUM"})
	if err != nil {
		t.Fatal(err)
	}
	com, err := s.CreateCommunity(ctx, store.CreateCommunityInput{Name: "Test Community", Kind: "YOUTH"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.StartPartnership(ctx, store.StartPartnershipInput{Title: "P", MuseumID: m.ID, CommunityID: com.ID})
	if err != nil {
		t.Fatal(err)
	}
	rung := store.RungPlacation
	for i := 0; i < 5; i++ {
		_, err := s.RecordDecisionEvent(ctx, store.RecordDecisionEventInput{Title: "E", Kind: "WORKSHOP",
			OccurredAt: time.Now().Add(-time.Duration(i) * time.Hour), MuseumID: m.ID, PartnershipID: &p.ID,
			ParticipationLevel: "COLLABORATE", AssessedRung: &rung})
		if err != nil {
			t.Fatal(err)
		}
	}
	gap := true
	two := 2
	page, err := s.Events.List(ctx, &store.DecisionEventFilter{EmpowermentGap: &gap, CommunityID: &com.ID}, nil, store.PageArgs{First: &two})
	if err != nil {
		t.Fatal(err)
	}
	n, err := page.TotalCount(ctx)
	t.Logf("edges=%d total=%d err=%v info=%+v", len(page.Edges), n, err, page.PageInfo)
	page2, err := s.Events.List(ctx, &store.DecisionEventFilter{EmpowermentGap: &gap}, nil, store.PageArgs{First: &two, After: page.PageInfo.EndCursor})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("page2 edges=%d info=%+v", len(page2.Edges), page2.PageInfo)
	kids, err := s.Events.Children(ctx, store.ByCommunities, []string{com.ID}, nil, nil, store.PageArgs{First: &two})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("children=%d", len(kids[com.ID].Edges))
	q := "test"
	mp, err := s.Museums.List(ctx, &store.MuseumFilter{Search: &q}, nil, store.PageArgs{})
	t.Logf("search=%d err=%v commands=%v", len(mp.Edges), err, c.ByName())
	_, err = s.RecordDecisionEvent(ctx, store.RecordDecisionEventInput{Title: " ", Kind: "NOPE", MuseumID: "mus_000000000000000000000000", CommunityIDs: []string{"x"}})
	t.Logf("validation: %v", err)
}
