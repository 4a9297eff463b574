package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/participation-graph/participation-graph/changefeed"
	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/internal/dbtest"
	"github.com/participation-graph/participation-graph/seed"
	"github.com/participation-graph/participation-graph/store"
)

// still is a change feed with no changes, for a read model that needs only this Store's
// own writes.
func still(ctx context.Context, _ int64, _ []domain.Entity) (<-chan *domain.Change, error) {
	ch := make(chan *domain.Change)
	go func() { <-ctx.Done(); close(ch) }()
	return ch, nil
}

// modelAndDatabase returns two stores on one database holding the Our Museum data and
// the sample data: one answering reads from its loaded read model, one from the database.
func modelAndDatabase(t *testing.T, scale int) (mem, db *store.Store) {
	t.Helper()
	s, _ := dbtest.Open(t)
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := seed.OurMuseum(ctx, s); err != nil {
		t.Fatal(err)
	}
	if _, err := seed.Sample(ctx, s, scale); err != nil {
		t.Fatal(err)
	}
	mem, err := store.Open(ctx, store.Options{URI: dbtest.URI(t), Database: s.Name(), ReadModel: store.ReadModelOn})
	if err != nil {
		t.Fatal(err)
	}
	db, err = store.Open(ctx, store.Options{URI: dbtest.URI(t), Database: s.Name(), ReadModel: store.ReadModelOff})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { mem.Model().Run(ctx, still, nil); close(done) }()
	t.Cleanup(func() {
		cancel()
		<-done
		_ = mem.Close(context.Background())
		_ = db.Close(context.Background())
	})
	if err := mem.Model().Wait(ctx); err != nil {
		t.Fatal(err)
	}
	for ok, _ := mem.Model().Ready(); !ok; ok, _ = mem.Model().Ready() {
		time.Sleep(time.Millisecond)
	}
	return mem, db
}

// pools are the values a random filter draws from, by filter field name; the enums come
// from the field's type.
type pools struct {
	rnd    *rand.Rand
	byName map[string][]string
}

var enumValues = map[reflect.Type][]string{}

func enum[V ~string](vals []V) {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = string(v)
	}
	enumValues[reflect.TypeFor[V]()] = out
}

func init() {
	enum(domain.ParticipationLevels)
	enum(domain.ArnsteinRungs)
	enum(domain.OrganisationKinds)
	enum(domain.CommunityKinds)
	enum(domain.PartnershipStatuses)
	enum(domain.ParticipationModels)
	enum(domain.DecisionEventKinds)
	enum(domain.Visibilities)
	enum(domain.ActivityKinds)
	enum(domain.ReflectionAuthors)
	enum(domain.PublicationKinds)
}

// fill sets each field of the filter *f at random: often left unset, otherwise a value
// from the pools, so that conditions combine and most match some records.
func (p *pools) fill(f any) {
	v := reflect.ValueOf(f).Elem()
	for i := range v.NumField() {
		if p.rnd.IntN(4) != 0 {
			continue
		}
		field, name := v.Field(i), v.Type().Field(i).Name
		t := field.Type()
		switch {
		case t.Kind() == reflect.Slice:
			vals := enumValues[t.Elem()]
			if vals == nil {
				vals = p.byName[name]
			}
			n := 1 + p.rnd.IntN(2)
			s := reflect.MakeSlice(t, 0, n)
			for range n {
				s = reflect.Append(s, reflect.ValueOf(vals[p.rnd.IntN(len(vals))]).Convert(t.Elem()))
			}
			field.Set(s)
		case t.Kind() == reflect.Pointer:
			ptr := reflect.New(t.Elem())
			switch el := t.Elem(); {
			case el == reflect.TypeFor[bool]():
				ptr.Elem().SetBool(p.rnd.IntN(2) == 0)
			case el == reflect.TypeFor[time.Time]():
				ptr.Elem().Set(reflect.ValueOf(time.Date(2011+p.rnd.IntN(10), time.Month(1+p.rnd.IntN(12)), 1, 0, 0, 0, 0, time.UTC)))
			case el == reflect.TypeFor[domain.Date]():
				ptr.Elem().SetString(fmt.Sprintf("%d-%02d-01", 2011+p.rnd.IntN(10), 1+p.rnd.IntN(12)))
			case el.Kind() == reflect.Int:
				ptr.Elem().SetInt(int64(2011 + p.rnd.IntN(10)))
			case enumValues[el] != nil:
				vals := enumValues[el]
				ptr.Elem().SetString(vals[p.rnd.IntN(len(vals))])
			default:
				vals := p.byName[name]
				if len(vals) == 0 {
					continue
				}
				ptr.Elem().SetString(vals[p.rnd.IntN(len(vals))])
			}
			field.Set(ptr)
		}
	}
}

// callers are who the randomized comparisons read as.
func callers(museum string) []domain.Caller {
	return []domain.Caller{
		domain.AnonymousCaller,
		{KeyID: "k1", Role: domain.Researcher},
		{KeyID: "k2", Role: domain.Editor, Museums: []string{museum}},
		{KeyID: "k3", Role: domain.Admin},
	}
}

// pageOf is what a comparison looks at of a page: ids, cursors, flags and the total.
func pageOf[T any](ctx context.Context, p *store.Page[T], meta func(*T) string) (string, error) {
	var b strings.Builder
	for _, e := range p.Edges {
		fmt.Fprintf(&b, "%s@%s ", meta(e.Node), e.Cursor())
	}
	n, err := p.TotalCount(ctx)
	fmt.Fprintf(&b, "next=%t prev=%t total=%d", p.PageInfo().HasNextPage, p.PageInfo().HasPreviousPage, n)
	return b.String(), err
}

// compareLists reads random pages of c's top-level and nested lists from the model
// (mem) and the database (db) and fails on any difference in records, order, cursors,
// page flags or totals.
func compareLists[T any, F any](t *testing.T, p *pools, museum string, parents map[store.Parent][]string,
	mem, db *store.Collection[T, F], id func(*T) string) {
	t.Helper()
	orders := mem.OrderFields()
	slices.Sort(orders)
	for i := range 30 {
		f := new(F)
		p.fill(f)
		o := &store.Order{Field: orders[p.rnd.IntN(len(orders))], Direction: []domain.Direction{domain.Asc, domain.Desc}[p.rnd.IntN(2)]}
		n := 1 + p.rnd.IntN(12)
		args := store.PageArgs{First: &n}
		if p.rnd.IntN(3) == 0 {
			args = store.PageArgs{Last: &n}
		}
		caller := callers(museum)[i%4]
		ctx := domain.WithCaller(context.Background(), caller)
		label := fmt.Sprintf("case %d: filter %+v order %+v args first=%v last=%v caller %s", i, f, *o, args.First != nil, args.Last != nil, caller.Role)
		// Two pages: the first, then the one its cursor leads to.
		var cursorM, cursorD *string
		for step := range 2 {
			a := args
			if step == 1 {
				if cursorM == nil {
					break
				}
				if a.First != nil {
					a.After = cursorM
				} else {
					a.Before = cursorM
				}
			}
			pm, errM := mem.List(ctx, f, o, a)
			if step == 1 {
				if a.First != nil {
					a.After = cursorD
				} else {
					a.Before = cursorD
				}
			}
			pd, errD := db.List(ctx, f, o, a)
			if (errM == nil) != (errD == nil) {
				t.Fatalf("%s: model error %v, database error %v", label, errM, errD)
			}
			if errM != nil {
				break
			}
			gm, err := pageOf(ctx, pm, id)
			if err != nil {
				t.Fatal(err)
			}
			gd, err := pageOf(ctx, pd, id)
			if err != nil {
				t.Fatal(err)
			}
			if gm != gd {
				t.Fatalf("%s, page %d:\nmodel    %s\ndatabase %s", label, step+1, gm, gd)
			}
			cursorM, cursorD = pm.PageInfo().EndCursor, pd.PageInfo().EndCursor
			if a.Last != nil {
				cursorM, cursorD = pm.PageInfo().StartCursor, pd.PageInfo().StartCursor
			}
		}
		// Nested lists: every parent field, a few parents at once.
		for _, parent := range mem.Parents() {
			ids := parents[parent]
			if len(ids) == 0 {
				t.Fatalf("no parent ids for %s", parent)
			}
			some := []string{ids[p.rnd.IntN(len(ids))], ids[p.rnd.IntN(len(ids))], "none_000000000000000000000000"}
			cm, errM := mem.Children(ctx, parent, some, f, o, args)
			cd, errD := db.Children(ctx, parent, some, f, o, args)
			if (errM == nil) != (errD == nil) {
				t.Fatalf("%s, by %s: model error %v, database error %v", label, parent, errM, errD)
			}
			for _, pid := range some {
				if errM != nil {
					break
				}
				gm, _ := pageOf(ctx, cm[pid], id)
				gd, _ := pageOf(ctx, cd[pid], id)
				if gm != gd {
					t.Fatalf("%s, children of %s by %s:\nmodel    %s\ndatabase %s", label, pid, parent, gm, gd)
				}
			}
		}
	}
}

// Every list type answers the same from the read model as from the database, for random
// filters, orders, pages and callers, nested lists and totals included.
func TestReadModelListsEqualTheDatabase(t *testing.T) {
	mem, db := modelAndDatabase(t, 200)
	ctx := context.Background()
	ids := func(e domain.Entity) []string {
		var out []string
		switch e {
		case domain.EntityMuseum:
			for _, r := range all(t, db.Museums) {
				out = append(out, r.ID)
			}
		case domain.EntityCommunity:
			for _, r := range all(t, db.Communities) {
				out = append(out, r.ID)
			}
		case domain.EntityPartner:
			for _, r := range all(t, db.Partnerships) {
				out = append(out, r.ID)
			}
		case domain.EntityProgramme:
			for _, r := range all(t, db.Programmes) {
				out = append(out, r.ID)
			}
		case domain.EntityEvent:
			for _, r := range all(t, db.Events)[:50] {
				out = append(out, r.ID)
			}
		}
		return out
	}
	museums, communities, partnerships, programmes, events := ids(domain.EntityMuseum), ids(domain.EntityCommunity),
		ids(domain.EntityPartner), ids(domain.EntityProgramme), ids(domain.EntityEvent)
	var codes []string
	outcomes, _ := db.Outcomes.List(ctx, nil, nil, store.PageArgs{First: ptr(100)})
	for _, o := range outcomes.Nodes() {
		codes = append(codes, o.Code)
	}
	p := &pools{rnd: rand.New(rand.NewPCG(7, 11)), byName: map[string][]string{
		"MuseumID": museums, "CommunityID": communities, "PartnershipID": partnerships, "ProgrammeID": programmes,
		"ParentID": museums, "DecisionEventID": events, "OutcomeCodes": append(codes, "NO_SUCH_CODE"),
		"Search": {"a", "museum", "vote", "THE", "co-", "zz", "é"}, "City": {"Hackney", "Bristol", "Woking"},
		"Region": {"London", "Wales", "Scotland"}, "Country": {"England", "Wales"}, "Area": {"Hackney", "Glasgow"},
		"Funder": {"Paul Hamlyn Foundation"}, "Skill": {"curation", "Oral history", "nothing"},
		"KeyID": {"k1"}, "RecordID": museums, "Operation": {"createMuseum"},
	}}
	parents := map[store.Parent][]string{"museumId": museums, "museumIds": museums, "communityId": communities,
		"communityIds": communities, "partnershipId": partnerships, "programmeId": programmes, "decisionEventId": events}
	museum := museums[0]
	id := func(m *domain.Meta) string { return m.ID }
	t.Run("Programmes", func(t *testing.T) {
		compareLists(t, p, museum, parents, mem.Programmes, db.Programmes, func(r *domain.Programme) string { return id(&r.Meta) })
	})
	t.Run("Museums", func(t *testing.T) {
		compareLists(t, p, museum, parents, mem.Museums, db.Museums, func(r *domain.Museum) string { return id(&r.Meta) })
	})
	t.Run("Communities", func(t *testing.T) {
		compareLists(t, p, museum, parents, mem.Communities, db.Communities, func(r *domain.Community) string { return id(&r.Meta) })
	})
	t.Run("People", func(t *testing.T) {
		compareLists(t, p, museum, parents, mem.People, db.People, func(r *domain.Person) string { return id(&r.Meta) })
	})
	t.Run("Partnerships", func(t *testing.T) {
		compareLists(t, p, museum, parents, mem.Partnerships, db.Partnerships, func(r *domain.Partnership) string { return id(&r.Meta) })
	})
	t.Run("DecisionEvents", func(t *testing.T) {
		compareLists(t, p, museum, parents, mem.Events, db.Events, func(r *domain.DecisionEvent) string { return id(&r.Meta) })
	})
	t.Run("Activities", func(t *testing.T) {
		compareLists(t, p, museum, parents, mem.Activities, db.Activities, func(r *domain.Activity) string { return id(&r.Meta) })
	})
	t.Run("Reflections", func(t *testing.T) {
		compareLists(t, p, museum, parents, mem.Reflections, db.Reflections, func(r *domain.Reflection) string { return id(&r.Meta) })
	})
	t.Run("Publications", func(t *testing.T) {
		compareLists(t, p, museum, parents, mem.Publications, db.Publications, func(r *domain.Publication) string { return id(&r.Meta) })
	})
	t.Run("Outcomes", func(t *testing.T) {
		compareLists(t, p, museum, parents, mem.Outcomes, db.Outcomes, func(r *domain.Outcome) string { return id(&r.Meta) })
	})
	t.Run("Memberships", func(t *testing.T) {
		compareLists(t, p, museum, parents, mem.Memberships, db.Memberships, func(r *domain.ProgrammeMembership) string { return id(&r.Meta) })
	})
}

// all reads every live record of c, page by page.
func all[T, F any](t *testing.T, c *store.Collection[T, F]) []*T {
	t.Helper()
	var out []*T
	var after *string
	for {
		page, err := c.List(context.Background(), nil, nil, store.PageArgs{First: ptr(100), After: after})
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
func ptr[T any](v T) *T { return &v }

// serving runs a read model over its own Store on s's database, following its own change
// feed as a server instance does, and returns the Store once the model serves reads.
func serving(t *testing.T, s *store.Store) *store.Store {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	inst, err := store.Open(ctx, store.Options{URI: dbtest.URI(t), Database: s.Name(), ReadModel: store.ReadModelOn})
	if err != nil {
		t.Fatal(err)
	}
	feed := changefeed.New(inst, 50*time.Millisecond)
	done := make(chan struct{}, 2)
	go func() { _ = feed.Run(ctx); done <- struct{}{} }()
	go func() { inst.Model().Run(ctx, feed.Follow, nil); done <- struct{}{} }()
	t.Cleanup(func() { cancel(); <-done; <-done; _ = inst.Close(context.Background()) })
	deadline := time.Now().Add(time.Minute)
	for ok, _ := inst.Model().Ready(); !ok; ok, _ = inst.Model().Ready() {
		if time.Now().After(deadline) {
			t.Fatal("the read model did not load")
		}
		time.Sleep(time.Millisecond)
	}
	return inst
}

// within polls cond for up to a second (longer under the race detector).
func within(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within a second", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A write shows at once in every read of the instance that made it, from memory, and
// within a second on another instance sharing the database.
func TestReadModelReadsItsWritesAndFollowsOthers(t *testing.T) {
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	if _, err := seed.OurMuseum(ctx, s); err != nil {
		t.Fatal(err)
	}
	one, two := serving(t, s), serving(t, s)
	museum := all(t, one.Museums)[0]
	community, err := one.CreateCommunity(ctx, domain.CreateCommunityInput{Name: "Readers", Kind: "INTEREST"})
	if err != nil {
		t.Fatal(err)
	}
	e, err := one.RecordDecisionEvent(ctx, domain.RecordDecisionEventInput{Title: "Model vote", Kind: "VOTE",
		OccurredAt: time.Date(2014, 5, 1, 0, 0, 0, 0, time.UTC), MuseumID: museum.ID, CommunityIDs: []string{community.ID},
		ParticipationLevel: domain.LevelEmpower})
	if err != nil {
		t.Fatal(err)
	}
	seen := func(inst *store.Store) bool {
		got, err := inst.Events.Get(ctx, e.ID)
		if err != nil || got.Title != "Model vote" {
			return false
		}
		page, err := inst.Events.List(ctx, &domain.DecisionEventFilter{Search: ptr("model vote")}, nil, store.PageArgs{})
		if err != nil || len(page.Edges) != 1 || page.Edges[0].Node.ID != e.ID {
			return false
		}
		if n, _ := page.TotalCount(ctx); n != 1 {
			return false
		}
		kids, err := inst.Events.Children(ctx, store.ByCommunities, []string{community.ID}, nil, nil, store.PageArgs{})
		if err != nil || len(kids[community.ID].Edges) != 1 {
			return false
		}
		n, _ := kids[community.ID].TotalCount(ctx)
		return n == 1
	}
	if !seen(one) {
		t.Error("the writing instance does not read its write at once")
	}
	within(t, "the other instance reading the write", func() bool { return seen(two) })
}

// Erasing a person leaves no copy of their name in either instance's read model.
func TestReadModelForgetsErasedNames(t *testing.T) {
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	one, two := serving(t, s), serving(t, s)
	p, err := one.CreatePerson(ctx, domain.CreatePersonInput{Pseudonym: "Kestrel", DisplayName: ptr("Ada Lovelace"),
		Email: ptr("ada@example.org"), Consent: &domain.ConsentInput{RecordParticipation: true, PublishName: true}})
	if err != nil {
		t.Fatal(err)
	}
	within(t, "the other instance reading the person", func() bool {
		got, err := two.People.Get(ctx, p.ID)
		return err == nil && got.DisplayName != nil
	})
	if _, err := one.ErasePerson(ctx, domain.ErasePersonInput{ID: p.ID}); err != nil {
		t.Fatal(err)
	}
	named := func(inst *store.Store) bool {
		got, err := inst.People.Get(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		page, err := inst.People.List(ctx, nil, nil, store.PageArgs{First: ptr(100)})
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range append(page.Nodes(), got) {
			if q.DisplayName != nil || q.Email != nil {
				return true
			}
		}
		return false
	}
	if named(one) {
		t.Error("the erasing instance still holds the name")
	}
	within(t, "the other instance forgetting the name", func() bool { return !named(two) })
}

// runModel runs inst's read model with its own change feed until stop is called, logging
// to log, and returns once it serves reads.
func runModel(t *testing.T, inst *store.Store, log *bytes.Buffer) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	feed := changefeed.New(inst, 50*time.Millisecond)
	done := make(chan struct{}, 2)
	go func() { _ = feed.Run(ctx); done <- struct{}{} }()
	go func() {
		inst.Model().Run(ctx, feed.Follow, slog.New(slog.NewTextHandler(log, nil)))
		done <- struct{}{}
	}()
	deadline := time.Now().Add(time.Minute)
	for ok, _ := inst.Model().Ready(); !ok; ok, _ = inst.Model().Ready() {
		if time.Now().After(deadline) {
			t.Fatal("the read model did not load")
		}
		time.Sleep(time.Millisecond)
	}
	return func() { cancel(); <-done; <-done }
}

// A stopped server's read model is read back from its snapshot at the next start, with
// the changes made since; a snapshot the database has moved away from is not used.
func TestReadModelSnapshot(t *testing.T) {
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	if _, err := seed.OurMuseum(ctx, s); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "readmodel.snapshot")
	open := func() *store.Store {
		inst, err := store.Open(ctx, store.Options{URI: dbtest.URI(t), Database: s.Name(), ReadModel: store.ReadModelOn, ReadModelSnapshot: file})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = inst.Close(ctx) })
		return inst
	}
	var log bytes.Buffer
	first := open()
	runModel(t, first, &log)()
	if info, err := os.Stat(file); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("after a stop: %v, %v; want a snapshot readable by its owner only", info, err)
	}
	// While no server runs, another instance writes (through the feed).
	c, err := s.CreateCommunity(ctx, domain.CreateCommunityInput{Name: "Written meanwhile", Kind: "OTHER"})
	if err != nil {
		t.Fatal(err)
	}
	log.Reset()
	second := open()
	stop := runModel(t, second, &log)
	if !strings.Contains(log.String(), "read the snapshot") {
		t.Errorf("the second start did not read the snapshot:\n%s", log.String())
	}
	if _, err := os.Stat(file); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the snapshot is still there once read: %v", err)
	}
	within(t, "the write made meanwhile", func() bool {
		got, err := second.Communities.Get(ctx, c.ID)
		return err == nil && got.Name == "Written meanwhile"
	})
	stop()
	// A bulk load writes no feed entries: the counts tell, and the database is read.
	if _, err := seed.Sample(ctx, s, 50); err != nil {
		t.Fatal(err)
	}
	log.Reset()
	third := open()
	runModel(t, third, &log)()
	if !strings.Contains(log.String(), "could not be used") || !strings.Contains(log.String(), "from=database") {
		t.Errorf("a snapshot older than a bulk load was used:\n%s", log.String())
	}
	page, err := third.Events.List(ctx, nil, nil, store.PageArgs{})
	if err != nil || len(page.Edges) == 0 {
		t.Errorf("after the bulk load: %v, %d events", err, len(page.Edges))
	}
}

// TestSearchIndexFollowsWrites searches a collection before and after records are added
// and retitled, and with a sign that Unicode folds to an ASCII letter: the read model's
// search index answers as the database does.
func TestSearchIndexFollowsWrites(t *testing.T) {
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	if _, err := seed.OurMuseum(ctx, s); err != nil {
		t.Fatal(err)
	}
	inst := serving(t, s)
	museum := all(t, inst.Museums)[0]
	found := func(q string) []string {
		t.Helper()
		var titles [2][]string
		for i, from := range []*store.Store{inst, s} { // the read model, then the database
			page, err := from.Events.List(ctx, &domain.DecisionEventFilter{Search: &q}, nil, store.PageArgs{})
			if err != nil {
				t.Fatal(err)
			}
			n, err := page.TotalCount(ctx)
			if err != nil || n != len(page.Edges) {
				t.Fatalf("search %q: total %d (%v) for %d records", q, n, err, len(page.Edges))
			}
			for _, n := range page.Nodes() {
				titles[i] = append(titles[i], n.Title)
			}
		}
		if fmt.Sprint(titles[0]) != fmt.Sprint(titles[1]) {
			t.Fatalf("search %q: the read model finds %q, the database %q", q, titles[0], titles[1])
		}
		return titles[0]
	}
	record := func(title string) *domain.DecisionEvent {
		e, err := inst.RecordDecisionEvent(ctx, domain.RecordDecisionEventInput{Title: title, Kind: "VOTE",
			OccurredAt: time.Date(2015, 5, 1, 0, 0, 0, 0, time.UTC), MuseumID: museum.ID, ParticipationLevel: domain.LevelInvolve})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	if got := found("zebra"); len(got) != 0 {
		t.Fatalf("found %q before any zebra", got)
	}
	e := record("Zebra crossing vote")
	if got := found("zebra"); len(got) != 1 {
		t.Fatalf("found %q after recording a zebra crossing", got)
	}
	retitled := "Pelican crossing vote"
	if _, err := inst.UpdateDecisionEvent(ctx, domain.UpdateDecisionEventInput{ID: e.ID, Title: graphql.OmittableOf(&retitled)}); err != nil {
		t.Fatal(err)
	}
	if got := found("zebra"); len(got) != 0 {
		t.Errorf("found %q after the zebra was retitled", got)
	}
	if got := found("PELICAN"); len(got) != 1 {
		t.Errorf("found %q for the new title", got)
	}
	record("\u212aelvin and the long \u017fign")
	for q, want := range map[string]int{"kelvin": 1, "elvin": 1, "sign": 1, "long s": 1, "kelvin and": 1, "zz": 0} {
		if got := found(q); len(got) != want {
			t.Errorf("search %q found %q, want %d", q, got, want)
		}
	}
}
