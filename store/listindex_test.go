package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/participation-graph/participation-graph/auth"
	"github.com/participation-graph/participation-graph/changefeed"
	"github.com/participation-graph/participation-graph/internal/dbtest"
	"github.com/participation-graph/participation-graph/seed"
	"github.com/participation-graph/participation-graph/store"
)

// indexed opens a second store on s's database with the list index on, following the
// change feed with a short poll, and waits until the index has loaded.
func indexed(t *testing.T, s *store.Store) *store.Store {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	m, err := store.Open(ctx, store.Options{URI: dbtest.URI(t), Database: s.Name(), ListIndex: store.ListIndexOn})
	if err != nil {
		t.Fatal(err)
	}
	if !m.ListIndexEnabled() {
		t.Fatal("ListIndexOn: index not enabled")
	}
	feed := changefeed.New(m, 50*time.Millisecond)
	done := make(chan struct{}, 2)
	go func() { _ = feed.Run(ctx); done <- struct{}{} }()
	go func() { m.RunListIndex(ctx, feed.Follow, nil); done <- struct{}{} }()
	t.Cleanup(func() {
		cancel()
		<-done
		<-done
		_ = m.Close(context.Background())
	})
	wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
	defer wcancel()
	if err := m.WaitListIndex(wctx); err != nil {
		t.Fatal(err)
	}
	return m
}

// plain opens a store on s's database that answers every list from the database.
func plain(t *testing.T, s *store.Store) *store.Store {
	t.Helper()
	d, err := store.Open(context.Background(), store.Options{URI: dbtest.URI(t), Database: s.Name(), ListIndex: store.ListIndexOff})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close(context.Background()) })
	if d.ListIndexEnabled() {
		t.Fatal("ListIndexOff: index enabled")
	}
	return d
}

// sampleWorld loads the Our Museum data and a small sample, then archives, restricts and
// retitles a few events through the write path, so that every filter has something to
// tell apart.
func sampleWorld(t *testing.T, s *store.Store, events int) []*store.DecisionEvent {
	t.Helper()
	ctx := context.Background()
	must[bool](t)(seed.OurMuseum(ctx, s))
	must[seed.SampleStats](t)(seed.Sample(ctx, s, events))
	var all []*store.DecisionEvent
	require(t, s.Events.Scan(ctx, []string{"occurredAt"}, func(e *store.DecisionEvent) error { all = append(all, e); return nil }))
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 12; i++ {
		e := all[r.IntN(len(all))]
		must[*store.DecisionEvent](t)(s.ArchiveDecisionEvent(ctx, store.ArchiveInput{ID: e.ID}))
	}
	// Equal titles and equal times, so that ties are broken by id.
	title, at := "Shared title", all[0].OccurredAt.Add(time.Hour)
	for i := 0; i < 6; i++ {
		e := all[r.IntN(len(all))]
		in := store.UpdateDecisionEventInput{ID: e.ID}
		in.Title = graphql.OmittableOf(&title)
		in.OccurredAt = graphql.OmittableOf(&at)
		must[*store.DecisionEvent](t)(s.UpdateDecisionEvent(ctx, in))
	}
	all = all[:0]
	require(t, s.Events.Scan(ctx, []string{"title", "description", "occurredAt", "museumId", "partnershipId", "communityIds", "outcomeIds"},
		func(e *store.DecisionEvent) error { all = append(all, e); return nil }))
	return all
}

func require(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// randomFilter draws a filter of a few conditions taken from the events' own values.
func randomFilter(r *rand.Rand, evs []*store.DecisionEvent) *store.DecisionEventFilter {
	f := &store.DecisionEventFilter{}
	e := evs[r.IntN(len(evs))]
	yes, no := true, false
	pick := func() bool { return r.IntN(4) == 0 }
	if pick() {
		f.MuseumID = &e.MuseumID
	}
	if pick() && len(e.CommunityIDs) > 0 {
		f.CommunityID = &e.CommunityIDs[r.IntN(len(e.CommunityIDs))]
	}
	if pick() && e.PartnershipID != nil {
		f.PartnershipID = e.PartnershipID
	}
	if pick() {
		f.Kinds = []store.DecisionEventKind{store.DecisionEventKinds[r.IntN(len(store.DecisionEventKinds))], store.DecisionEventKinds[r.IntN(len(store.DecisionEventKinds))]}
	}
	if pick() {
		f.Levels = []store.ParticipationLevel{store.ParticipationLevels[r.IntN(len(store.ParticipationLevels))]}
	}
	if pick() {
		f.MinLevel = &store.ParticipationLevels[r.IntN(len(store.ParticipationLevels))]
	}
	if pick() {
		f.Rungs = []store.ArnsteinRung{store.ArnsteinRungs[r.IntN(len(store.ArnsteinRungs))], store.ArnsteinRungs[r.IntN(len(store.ArnsteinRungs))]}
	}
	if pick() {
		at := evs[r.IntN(len(evs))].OccurredAt
		f.OccurredAfter = &at
	}
	if pick() {
		at := evs[r.IntN(len(evs))].OccurredAt
		f.OccurredBefore = &at
	}
	if pick() {
		f.OutcomeCodes = [][]string{{"COMMUNITY_AGENCY"}, {"REFLECTION", "CAPABILITY_BUILDING"}, {"NO_SUCH_CODE"}}[r.IntN(3)]
	}
	if pick() {
		f.EmpowermentGap = []*bool{&yes, &no}[r.IntN(2)]
	}
	if pick() {
		f.Assessed = []*bool{&yes, &no}[r.IntN(2)]
	}
	if pick() {
		v := []store.Visibility{store.VisibilityPublic, store.VisibilityRestricted}[r.IntN(2)]
		f.Visibility = &v
	}
	if pick() {
		words := strings.Fields(e.Title)
		if e.Description != nil && r.IntN(2) == 0 {
			words = strings.Fields(*e.Description)
		}
		if len(words) > 0 {
			w := words[r.IntN(len(words))]
			w = []string{w, strings.ToUpper(w), w[:max(1, len(w)/2)], "zz-none"}[r.IntN(4)]
			f.Search = &w
		}
	}
	if pick() {
		f.Sample = []*bool{&yes, &no}[r.IntN(2)]
	}
	if pick() {
		f.IncludeArchived = &yes
	}
	return f
}

// callers are the views lists differ by.
func callers(evs []*store.DecisionEvent) []auth.Caller {
	return []auth.Caller{
		{Role: auth.Anonymous},
		{Role: auth.Researcher, KeyID: "k1"},
		{Role: auth.Editor, KeyID: "k2", Museums: []string{evs[0].MuseumID}},
		{Role: auth.Editor, KeyID: "k3"},
		{Role: auth.Admin, KeyID: "k4"},
	}
}

var eventOrders = []store.OrderField{"OCCURRED_AT", "TITLE", "LEVEL", "CREATED_AT", "UPDATED_AT"}

// sameList pages through one list on both stores, forward from the start and backward
// from the end, and fails on the first difference in records, cursors, page flags or
// totals.
func sameList(t *testing.T, ctx context.Context, db, mem *store.Store, f *store.DecisionEventFilter, o *store.Order, n int) int {
	t.Helper()
	pages := 0
	for _, backward := range []bool{false, true} {
		var cursor *string
		for page := 0; page < 3; page++ {
			args := store.PageArgs{First: &n, After: cursor}
			if backward {
				args = store.PageArgs{Last: &n, Before: cursor}
			}
			want, werr := db.Events.List(ctx, f, o, args)
			got, gerr := mem.Events.List(ctx, f, o, args)
			if (werr == nil) != (gerr == nil) || (werr != nil && werr.Error() != gerr.Error()) {
				t.Fatalf("filter %s, order %v, %+v: error %v, want %v", show(f), o, args, gerr, werr)
			}
			if werr != nil {
				return pages
			}
			pages++
			if d := diffPages(ctx, want, got); d != "" {
				t.Fatalf("filter %s, order %v, page %d backward %v: %s", show(f), o, page, backward, d)
			}
			if backward {
				if !want.PageInfo.HasPreviousPage {
					break
				}
				cursor = want.PageInfo.StartCursor
			} else {
				if !want.PageInfo.HasNextPage {
					break
				}
				cursor = want.PageInfo.EndCursor
			}
		}
	}
	return pages
}

func diffPages(ctx context.Context, want, got *store.Page[store.DecisionEvent]) string {
	ids := func(p *store.Page[store.DecisionEvent]) []string {
		var out []string
		for _, e := range p.Edges {
			out = append(out, fmt.Sprintf("%s@%d %s", e.Node.ID, e.Node.Version, e.Cursor))
		}
		return out
	}
	if w, g := ids(want), ids(got); !slices.Equal(w, g) {
		return fmt.Sprintf("edges\n got %v\nwant %v", g, w)
	}
	wi, gi := want.PageInfo, got.PageInfo
	if wi.HasNextPage != gi.HasNextPage || wi.HasPreviousPage != gi.HasPreviousPage {
		return fmt.Sprintf("page info got %+v, want %+v", gi, wi)
	}
	wn, err1 := want.TotalCount(ctx)
	gn, err2 := got.TotalCount(ctx)
	if wn != gn || err1 != nil || err2 != nil {
		return fmt.Sprintf("totalCount got %d (%v), want %d (%v)", gn, err2, wn, err1)
	}
	return ""
}

func show(f *store.DecisionEventFilter) string {
	var b strings.Builder
	add := func(name string, v any) { fmt.Fprintf(&b, "%s=%v ", name, v) }
	if f.MuseumID != nil {
		add("museum", *f.MuseumID)
	}
	if f.CommunityID != nil {
		add("community", *f.CommunityID)
	}
	if f.PartnershipID != nil {
		add("partnership", *f.PartnershipID)
	}
	if f.Kinds != nil {
		add("kinds", f.Kinds)
	}
	if f.Levels != nil {
		add("levels", f.Levels)
	}
	if f.MinLevel != nil {
		add("minLevel", *f.MinLevel)
	}
	if f.Rungs != nil {
		add("rungs", f.Rungs)
	}
	if f.OccurredAfter != nil {
		add("after", *f.OccurredAfter)
	}
	if f.OccurredBefore != nil {
		add("before", *f.OccurredBefore)
	}
	if f.OutcomeCodes != nil {
		add("outcomes", f.OutcomeCodes)
	}
	for name, v := range map[string]*bool{"gap": f.EmpowermentGap, "assessed": f.Assessed, "sample": f.Sample, "archived": f.IncludeArchived} {
		if v != nil {
			add(name, *v)
		}
	}
	if f.Visibility != nil {
		add("visibility", *f.Visibility)
	}
	if f.Search != nil {
		add("search", *f.Search)
	}
	return b.String()
}

// TestListIndexAnswersAsTheDatabase draws many filters, orders, page sizes and callers
// and checks the index gives exactly the database's pages, cursors, flags and totals.
func TestListIndexAnswersAsTheDatabase(t *testing.T) {
	s, _ := dbtest.Open(t)
	evs := sampleWorld(t, s, 150)
	db, mem := plain(t, s), indexed(t, s)
	r := rand.New(rand.NewPCG(7, 11))
	views := callers(evs)
	pages := 0
	for i := 0; i < 100; i++ {
		ctx := auth.WithCaller(context.Background(), views[i%len(views)])
		f := randomFilter(r, evs)
		var o *store.Order
		if r.IntN(4) > 0 {
			o = &store.Order{Field: eventOrders[r.IntN(len(eventOrders))], Direction: []store.Direction{store.Asc, store.Desc}[r.IntN(2)]}
		}
		pages += sameList(t, ctx, db, mem, f, o, []int{0, 1, 3, 7, 20, 100}[r.IntN(6)])
	}
	if pages < 200 {
		t.Fatalf("compared only %d pages", pages)
	}
}

// TestListIndexErrorsAsTheDatabase checks bad arguments fail the same way.
func TestListIndexErrorsAsTheDatabase(t *testing.T) {
	s, _ := dbtest.Open(t)
	evs := sampleWorld(t, s, 50)
	db, mem := plain(t, s), indexed(t, s)
	ctx := context.Background()
	first, bad, neg := 5, "bm90IGEgY3Vyc29y", -1
	page := must[*store.Page[store.DecisionEvent]](t)(db.Events.List(ctx, nil, nil, store.PageArgs{First: &first}))
	for name, c := range map[string]struct {
		o    *store.Order
		args store.PageArgs
	}{
		"BadCursor":        {nil, store.PageArgs{First: &first, After: &bad}},
		"OtherOrderCursor": {&store.Order{Field: "TITLE"}, store.PageArgs{First: &first, After: page.PageInfo.EndCursor}},
		"Negative":         {nil, store.PageArgs{First: &neg}},
		"UnknownOrder":     {&store.Order{Field: "NAME"}, store.PageArgs{}},
	} {
		t.Run(name, func(t *testing.T) {
			_, werr := db.Events.List(ctx, nil, c.o, c.args)
			_, gerr := mem.Events.List(ctx, nil, c.o, c.args)
			if werr == nil || gerr == nil || werr.Error() != gerr.Error() {
				t.Fatalf("got %v, want %v", gerr, werr)
			}
		})
	}
	_ = evs
}

// TestListIndexNestedListsAsTheDatabase compares nested pages grouped by museum,
// partnership and community.
func TestListIndexNestedListsAsTheDatabase(t *testing.T) {
	s, _ := dbtest.Open(t)
	evs := sampleWorld(t, s, 150)
	db, mem := plain(t, s), indexed(t, s)
	parents := map[store.Parent][]string{}
	for _, e := range evs {
		parents[store.ByMuseum] = append(parents[store.ByMuseum], e.MuseumID)
		if e.PartnershipID != nil {
			parents[store.ByPartnership] = append(parents[store.ByPartnership], *e.PartnershipID)
		}
		parents[store.ByCommunities] = append(parents[store.ByCommunities], e.CommunityIDs...)
	}
	r := rand.New(rand.NewPCG(3, 5))
	views := callers(evs)
	for i := 0; i < 30; i++ {
		ctx := auth.WithCaller(context.Background(), views[i%len(views)])
		parent := []store.Parent{store.ByMuseum, store.ByPartnership, store.ByCommunities}[i%3]
		ids := slices.Compact(slices.Sorted(slices.Values(parents[parent])))
		r.Shuffle(len(ids), func(a, b int) { ids[a], ids[b] = ids[b], ids[a] })
		ids = append(ids[:min(len(ids), 8)], "com_000000000000000000000000")
		var f *store.DecisionEventFilter
		if i%2 == 1 {
			f = randomFilter(r, evs)
		}
		o := &store.Order{Field: eventOrders[r.IntN(len(eventOrders))], Direction: []store.Direction{store.Asc, store.Desc}[r.IntN(2)]}
		n := 1 + r.IntN(6)
		args := store.PageArgs{First: &n}
		if i%4 == 3 {
			args = store.PageArgs{Last: &n}
		}
		want := must[map[string]*store.Page[store.DecisionEvent]](t)(db.Events.Children(ctx, parent, ids, f, o, args))
		got := must[map[string]*store.Page[store.DecisionEvent]](t)(mem.Events.Children(ctx, parent, ids, f, o, args))
		for _, id := range ids {
			if d := diffPages(ctx, want[id], got[id]); d != "" {
				t.Fatalf("%s %s, filter %v, order %v: %s", parent, id, f, o, d)
			}
		}
	}
}

// TestListIndexReadsItsOwnWrites checks a write through the indexed store shows in its
// next list at once, without waiting for the change feed, and a write through another
// store shows within the feed's poll.
func TestListIndexReadsItsOwnWrites(t *testing.T) {
	s, _ := dbtest.Open(t)
	evs := sampleWorld(t, s, 50)
	mem := indexed(t, s)
	ctx := context.Background()
	newest := func(st *store.Store) *store.DecisionEvent {
		t.Helper()
		one := 1
		p := must[*store.Page[store.DecisionEvent]](t)(st.Events.List(ctx, &store.DecisionEventFilter{MuseumID: &evs[0].MuseumID},
			&store.Order{Field: "UPDATED_AT", Direction: store.Desc}, store.PageArgs{First: &one}))
		if len(p.Edges) == 0 {
			t.Fatal("empty list")
		}
		return p.Edges[0].Node
	}
	for i := 0; i < 20; i++ {
		e := must[*store.DecisionEvent](t)(mem.RecordDecisionEvent(ctx, store.RecordDecisionEventInput{Title: fmt.Sprintf("Own write %d", i),
			Kind: store.DecisionEventKinds[0], OccurredAt: time.Now().Add(-time.Hour), MuseumID: evs[0].MuseumID,
			ParticipationLevel: store.ParticipationLevels[0]}))
		if got := newest(mem); got.ID != e.ID {
			t.Fatalf("write %d: newest is %s %q, want %s", i, got.ID, got.Title, e.ID)
		}
		title := fmt.Sprintf("Own write %d, renamed", i)
		in := store.UpdateDecisionEventInput{ID: e.ID}
		in.Title = graphql.OmittableOf(&title)
		must[*store.DecisionEvent](t)(mem.UpdateDecisionEvent(ctx, in))
		search := "renamed"
		if p := must[*store.Page[store.DecisionEvent]](t)(mem.Events.List(ctx, &store.DecisionEventFilter{Search: &search}, nil, store.PageArgs{})); len(p.Edges) != i+1 {
			t.Fatalf("write %d: search finds %d renamed events, want %d", i, len(p.Edges), i+1)
		}
	}
	archived := newest(mem)
	must[*store.DecisionEvent](t)(mem.ArchiveDecisionEvent(ctx, store.ArchiveInput{ID: archived.ID}))
	if got := newest(mem); got.ID == archived.ID {
		t.Fatal("an archived event stays in the list")
	}

	// Another instance's write arrives through the feed.
	other := plain(t, s)
	e := must[*store.DecisionEvent](t)(other.RecordDecisionEvent(ctx, store.RecordDecisionEventInput{Title: "Written elsewhere",
		Kind: store.DecisionEventKinds[0], OccurredAt: time.Now().Add(-time.Hour), MuseumID: evs[0].MuseumID,
		ParticipationLevel: store.ParticipationLevels[0]}))
	deadline := time.Now().Add(5 * time.Second)
	for newest(mem).ID != e.ID {
		if time.Now().After(deadline) {
			t.Fatal("a write through another store did not reach the index within 5 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestListIndexAfterRestart checks a new store loads the same answers from the database,
// writes made by the old one included.
func TestListIndexAfterRestart(t *testing.T) {
	s, _ := dbtest.Open(t)
	evs := sampleWorld(t, s, 100)
	first := indexed(t, s)
	ctx := context.Background()
	restricted := store.VisibilityRestricted
	in := store.UpdateDecisionEventInput{ID: evs[3].ID}
	in.Visibility = graphql.OmittableOf(&restricted)
	must[*store.DecisionEvent](t)(first.UpdateDecisionEvent(ctx, in))
	second, db := indexed(t, s), plain(t, s)
	r := rand.New(rand.NewPCG(9, 9))
	views := callers(evs)
	for i := 0; i < 30; i++ {
		vctx := auth.WithCaller(ctx, views[i%len(views)])
		sameList(t, vctx, db, second, randomFilter(r, evs), nil, 10)
	}
}
