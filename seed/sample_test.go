package seed

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/internal/dbtest"
	"github.com/participation-graph/participation-graph/store"
)

// sampleTestID is the id the sample of a scale gives its i-th record of a kind, computed
// here independently of the generator, as a client of the documented scheme would.
func sampleTestID(e domain.Entity, scale int, kind string, i int) string {
	return domain.StableID(e, fmt.Sprintf("sample/%d/%s/%d", scale, kind, i))
}

func sampleWantStats(n int) SampleStats {
	return SampleStats{Programmes: 1, Outcomes: 4, Museums: max(8, n/2500), Communities: max(20, n/100),
		People: max(20, n/20), Partnerships: max(30, n/40), Events: n, Activities: max(10, n/10),
		Reflections: max(10, n/10), Publications: 5}
}

// sampleCounts counts what each collection holds.
func sampleCounts(t *testing.T, s *store.Store) (SampleStats, int) {
	t.Helper()
	ctx := context.Background()
	var got SampleStats
	var memberships int
	for _, c := range []struct {
		dst   *int
		count func(context.Context) (int, error)
	}{
		{&got.Programmes, s.Programmes.Count}, {&got.Outcomes, s.Outcomes.Count}, {&got.Museums, s.Museums.Count},
		{&got.Communities, s.Communities.Count}, {&got.People, s.People.Count}, {&got.Partnerships, s.Partnerships.Count},
		{&got.Events, s.Events.Count}, {&got.Activities, s.Activities.Count}, {&got.Reflections, s.Reflections.Count},
		{&got.Publications, s.Publications.Count}, {&memberships, s.Memberships.Count},
	} {
		n, err := c.count(ctx)
		if err != nil {
			t.Fatalf("counting: %v", err)
		}
		*c.dst = n
	}
	return got, memberships
}

// sampleAll reads every record of a collection, a page at a time.
func sampleAll[T, F any](t *testing.T, c *store.Collection[T, F]) []*T {
	t.Helper()
	ctx := context.Background()
	first := store.MaxPageSize
	var after *string
	var out []*T
	for {
		page, err := c.List(ctx, nil, nil, store.PageArgs{First: &first, After: after})
		if err != nil {
			t.Fatalf("listing: %v", err)
		}
		out = append(out, page.Nodes()...)
		if !page.PageInfo().HasNextPage {
			return out
		}
		after = page.PageInfo().EndCursor
	}
}

func sampleLoadT(t *testing.T, s *store.Store, scale int) SampleStats {
	t.Helper()
	st, err := Sample(context.Background(), s, scale)
	if err != nil {
		t.Fatalf("Sample(%d): got error %v, want none", scale, err)
	}
	return st
}

func TestSampleRejectsBadScales(t *testing.T) {
	s, counter := dbtest.Open(t)
	before := counter.Total()
	for _, scale := range []int{0, -1, 1_000_001} {
		st, err := Sample(context.Background(), s, scale)
		if err == nil || errors.Is(err, ErrSampleLoaded) {
			t.Errorf("Sample(%d): got error %v, want a scale error", scale, err)
		}
		if st != (SampleStats{}) {
			t.Errorf("Sample(%d): got stats %+v, want zero", scale, st)
		}
	}
	if got := counter.Total() - before; got != 0 {
		t.Errorf("bad scales sent %d database commands, want 0", got)
	}
}

func TestSampleCounts(t *testing.T) {
	for _, scale := range []int{200, 1000} {
		t.Run(strconv.Itoa(scale), func(t *testing.T) {
			s, _ := dbtest.Open(t)
			st := sampleLoadT(t, s, scale)
			if want := sampleWantStats(scale); st != want {
				t.Errorf("stats: got %+v, want %+v", st, want)
			}
			got, memberships := sampleCounts(t, s)
			if got != st {
				t.Errorf("collection counts: got %+v, want the stats %+v", got, st)
			}
			if memberships != st.Museums {
				t.Errorf("memberships: got %d, want one per museum (%d)", memberships, st.Museums)
			}
		})
	}
}

func TestSampleTwiceWritesNothing(t *testing.T) {
	const scale = 200
	s, counter := dbtest.Open(t)
	sampleLoadT(t, s, scale)
	countsBefore, _ := sampleCounts(t, s)
	before := counter.ByName()
	st, err := Sample(context.Background(), s, scale)
	if !errors.Is(err, ErrSampleLoaded) {
		t.Fatalf("second Sample(%d): got error %v, want ErrSampleLoaded", scale, err)
	}
	if st != (SampleStats{}) {
		t.Errorf("second Sample(%d): got stats %+v, want zero", scale, st)
	}
	after := counter.ByName()
	for _, cmd := range []string{"insert", "update", "delete", "findAndModify"} {
		if after[cmd] != before[cmd] {
			t.Errorf("second Sample sent %d %s commands, want 0", after[cmd]-before[cmd], cmd)
		}
	}
	if got := after["find"] - before["find"]; got != 1 {
		t.Errorf("second Sample sent %d find commands, want 1 (the programme)", got)
	}
	countsAfter, _ := sampleCounts(t, s)
	if countsAfter != countsBefore {
		t.Errorf("counts after the second Sample: got %+v, want %+v", countsAfter, countsBefore)
	}
}

func TestSampleIsDeterministic(t *testing.T) {
	const scale = 200
	a, _ := dbtest.Open(t)
	b, _ := dbtest.Open(t)
	sampleLoadT(t, a, scale)
	sampleLoadT(t, b, scale)
	ctx := context.Background()

	evA, evB := sampleAll(t, a.Events), sampleAll(t, b.Events)
	if len(evA) != scale || len(evB) != scale {
		t.Fatalf("events: got %d and %d, want %d in each", len(evA), len(evB), scale)
	}
	for i := range evA {
		if !reflect.DeepEqual(evA[i], evB[i]) {
			t.Fatalf("event %d differs between two loads:\n got %+v\nwant %+v", i, evB[i], evA[i])
		}
	}
	for _, i := range []int{0, 1, 57, scale - 1} {
		id := sampleTestID(domain.EntityEvent, scale, "event", i)
		x, err := a.Events.Get(ctx, id)
		if err != nil {
			t.Fatalf("event %d (%s): got error %v, want the event", i, id, err)
		}
		y, err := b.Events.Get(ctx, id)
		if err != nil {
			t.Fatalf("event %d (%s) in the second database: got error %v, want the event", i, id, err)
		}
		if !reflect.DeepEqual(x, y) {
			t.Errorf("event %d differs between two loads:\n got %+v\nwant %+v", i, y, x)
		}
		if x.CreatedAt.Before(x.OccurredAt) || x.CreatedAt.After(x.OccurredAt.Add(16*24*time.Hour)) {
			t.Errorf("event %d createdAt: got %v, want within 16 days after occurredAt %v", i, x.CreatedAt, x.OccurredAt)
		}
	}
	compare := func(kind string, get func(*store.Store, string) (any, error), id string) {
		t.Helper()
		x, err := get(a, id)
		if err != nil {
			t.Fatalf("%s %s: got error %v, want the record", kind, id, err)
		}
		y, err := get(b, id)
		if err != nil {
			t.Fatalf("%s %s in the second database: got error %v, want the record", kind, id, err)
		}
		if !reflect.DeepEqual(x, y) {
			t.Errorf("%s %s differs between two loads:\n got %+v\nwant %+v", kind, id, y, x)
		}
	}
	compare("programme", func(s *store.Store, id string) (any, error) { return s.Programmes.Get(ctx, id) },
		sampleTestID(domain.EntityProgramme, scale, "programme", 0))
	compare("museum", func(s *store.Store, id string) (any, error) { return s.Museums.Get(ctx, id) },
		sampleTestID(domain.EntityMuseum, scale, "museum", 3))
	compare("community", func(s *store.Store, id string) (any, error) { return s.Communities.Get(ctx, id) },
		sampleTestID(domain.EntityCommunity, scale, "community", 7))
	compare("person", func(s *store.Store, id string) (any, error) { return s.People.Get(ctx, id) },
		sampleTestID(domain.EntityPerson, scale, "person", 11))
	compare("partnership", func(s *store.Store, id string) (any, error) { return s.Partnerships.Get(ctx, id) },
		sampleTestID(domain.EntityPartner, scale, "partnership", 29))
	compare("activity", func(s *store.Store, id string) (any, error) { return s.Activities.Get(ctx, id) },
		sampleTestID(domain.EntityActivity, scale, "activity", 5))
	compare("reflection", func(s *store.Store, id string) (any, error) { return s.Reflections.Get(ctx, id) },
		sampleTestID(domain.EntityReflection, scale, "reflection", 9))
	compare("publication", func(s *store.Store, id string) (any, error) { return s.Publications.Get(ctx, id) },
		sampleTestID(domain.EntityPublic, scale, "publication", 2))
}

// TestSampleResumes checks that a load interrupted after some records were written
// completes on the next call, with the same data as an uninterrupted load.
func TestSampleResumes(t *testing.T) {
	const scale = 200
	ctx := context.Background()
	s, _ := dbtest.Open(t)
	g := newSampleGen(scale)
	for _, step := range []func() (int, error){
		func() (int, error) { return sampleLoad(ctx, s.Outcomes, g.outcomes(), false) },
		func() (int, error) { return sampleLoad(ctx, s.Museums, g.genMuseums(), false) },
		func() (int, error) { return sampleLoad(ctx, s.Memberships, g.memberships()[:3], false) },
	} {
		if _, err := step(); err != nil {
			t.Fatalf("partial load: %v", err)
		}
	}
	st := sampleLoadT(t, s, scale)
	if want := sampleWantStats(scale); st != want {
		t.Errorf("stats after resuming: got %+v, want %+v", st, want)
	}
	got, memberships := sampleCounts(t, s)
	if got != st || memberships != st.Museums {
		t.Errorf("counts after resuming: got %+v and %d memberships, want %+v and %d", got, memberships, st, st.Museums)
	}
	fresh, _ := dbtest.Open(t)
	sampleLoadT(t, fresh, scale)
	want, got2 := sampleAll(t, fresh.Events), sampleAll(t, s.Events)
	if !reflect.DeepEqual(got2, want) {
		t.Errorf("events after resuming differ from an uninterrupted load")
	}
}

func TestSampleIsConsistent(t *testing.T) {
	for _, scale := range []int{1, 1000} {
		t.Run(strconv.Itoa(scale), func(t *testing.T) {
			s, _ := dbtest.Open(t)
			sampleLoadT(t, s, scale)
			sampleCheck(t, s, scale)
		})
	}
}

var samplePseudonym = regexp.MustCompile(`^Participant \d{5}$`)

// sampleCheck checks every record of a loaded sample against the rules of the sample data.
func sampleCheck(t *testing.T, s *store.Store, scale int) {
	ctx := context.Background()
	hasPrefix := func(kind, id string, desc *string) {
		t.Helper()
		if desc == nil || !strings.HasPrefix(*desc, "Sample data (fictional): ") {
			t.Errorf("%s %s description: got %v, want it to begin with %q", kind, id, desc, "Sample data (fictional): ")
		}
	}
	sample := func(kind string, m domain.Meta) {
		t.Helper()
		if !m.Sample {
			t.Errorf("%s %s: got sample=false, want true", kind, m.ID)
		}
		if m.Version != 1 || !m.UpdatedAt.Equal(m.CreatedAt) {
			t.Errorf("%s %s: got version %d, createdAt %v, updatedAt %v; want version 1 and equal times", kind, m.ID, m.Version, m.CreatedAt, m.UpdatedAt)
		}
	}
	start := time.Date(2012, 1, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	inRange := func(kind, id, field string, d *domain.Date) {
		t.Helper()
		if d != nil && (*d < "2012-01-01" || *d > "2025-12-31") {
			t.Errorf("%s %s %s: got %s, want between 2012-01-01 and 2025-12-31", kind, id, field, *d)
		}
	}

	// The programme and its outcomes.
	progID := sampleTestID(domain.EntityProgramme, scale, "programme", 0)
	prog, err := s.Programmes.Get(ctx, progID)
	if err != nil {
		t.Fatalf("sample programme: got error %v, want it", err)
	}
	sample("programme", prog.Meta)
	hasPrefix("programme", prog.ID, prog.Description)
	if prog.Name != "Sample Partners Programme" || prog.Funder == nil || *prog.Funder != "Sample Foundation (fictional)" ||
		prog.StartDate == nil || *prog.StartDate != "2012-01-01" || prog.EndDate == nil || *prog.EndDate != "2025-12-31" {
		t.Errorf("programme: got %q funded by %v, %v to %v; want \"Sample Partners Programme\" funded by \"Sample Foundation (fictional)\", 2012-01-01 to 2025-12-31",
			prog.Name, prog.Funder, prog.StartDate, prog.EndDate)
	}
	outcomes, errs := s.OutcomesOf(ctx, []string{progID})
	if errs[0] != nil {
		t.Fatalf("outcomes: %v", errs[0])
	}
	wantOutcomes := [][3]string{{"1", "ROOTED_IN_LOCAL_NEEDS", "Rooted in local needs"}, {"2", "COMMUNITY_AGENCY", "Community agency"},
		{"3", "CAPABILITY_BUILDING", "Capability-building"}, {"4", "REFLECTION", "Reflection"}}
	var gotOutcomes [][3]string
	outcomeIDs := map[string]bool{}
	for _, o := range outcomes[0] {
		sample("outcome", o.Meta)
		hasPrefix("outcome", o.ID, o.Description)
		gotOutcomes = append(gotOutcomes, [3]string{strconv.Itoa(o.Number), o.Code, o.Title})
		outcomeIDs[o.ID] = true
	}
	if !reflect.DeepEqual(gotOutcomes, wantOutcomes) {
		t.Errorf("outcomes: got %v, want %v", gotOutcomes, wantOutcomes)
	}

	// Museums, their memberships, communities and people.
	museums := map[string]*domain.Museum{}
	for _, m := range sampleAll(t, s.Museums) {
		sample("museum", m.Meta)
		hasPrefix("museum", m.ID, m.Description)
		museums[m.ID] = m
		if m.ParentID != nil && museums[*m.ParentID] == nil {
			t.Errorf("museum %s parent: got %s, want a museum listed before it", m.ID, *m.ParentID)
		}
	}
	if !slices.ContainsFunc(sampleAll(t, s.Museums), func(m *domain.Museum) bool { return m.Name == "Harbourside Museum" }) {
		t.Errorf("museums: got none named Harbourside Museum, want one")
	}
	mems, errs := s.MembershipsOf(ctx, store.ByProgramme, []string{progID})
	if errs[0] != nil {
		t.Fatalf("memberships: %v", errs[0])
	}
	memberOf := map[string]bool{}
	for _, m := range mems[0] {
		sample("membership", m.Meta)
		if museums[m.MuseumID] == nil {
			t.Errorf("membership %s museum: got %s, want a sample museum", m.ID, m.MuseumID)
		}
		memberOf[m.MuseumID] = true
		inRange("membership", m.ID, "startDate", &m.StartDate)
		inRange("membership", m.ID, "endDate", m.EndDate)
	}
	if len(memberOf) != len(museums) {
		t.Errorf("memberships: got %d museums with one, want all %d", len(memberOf), len(museums))
	}
	communities := map[string]*domain.Community{}
	kinds := map[domain.CommunityKind]int{}
	for _, c := range sampleAll(t, s.Communities) {
		sample("community", c.Meta)
		hasPrefix("community", c.ID, c.Description)
		communities[c.ID] = c
		kinds[c.Kind]++
	}
	if len(kinds) != len(domain.CommunityKinds) {
		t.Errorf("community kinds: got %d (%v), want all %d", len(kinds), kinds, len(domain.CommunityKinds))
	}
	people := map[string]*domain.Person{}
	var publish, withdrawn, record, erased int
	for _, p := range sampleAll(t, s.People) {
		sample("person", p.Meta)
		people[p.ID] = p
		if !samplePseudonym.MatchString(p.Pseudonym) {
			t.Errorf("person %s pseudonym: got %q, want like \"Participant 00042\"", p.ID, p.Pseudonym)
		}
		if p.CommunityID == nil || communities[*p.CommunityID] == nil {
			t.Errorf("person %s community: got %v, want a sample community", p.ID, p.CommunityID)
		}
		if p.Email != nil && !strings.HasSuffix(*p.Email, "@example.org") {
			t.Errorf("person %s email: got %q, want an address at example.org", p.ID, *p.Email)
		}
		if p.Erased {
			erased++
			if p.DisplayName != nil || p.Email != nil {
				t.Errorf("erased person %s: got displayName %v and email %v, want neither", p.ID, p.DisplayName, p.Email)
			}
		} else if p.DisplayName == nil || p.Email == nil {
			t.Errorf("person %s: got displayName %v and email %v, want both", p.ID, p.DisplayName, p.Email)
		}
		c := p.Consent
		switch {
		case c.WithdrawnAt != nil:
			withdrawn++
			if c.RecordParticipation || c.PublishName || c.Contact {
				t.Errorf("person %s withdrew consent but got %+v, want every consent false", p.ID, c)
			}
		case c.RecordParticipation:
			record++
		}
		if c.PublishName {
			publish++
		}
	}
	if record*10 < len(people)*7 || publish == 0 || withdrawn == 0 {
		t.Errorf("consent: got %d of %d people recording participation, %d publishing their name, %d withdrawn; want most, some and a few",
			record, len(people), publish, withdrawn)
	}
	t.Logf("people: %d, record %d, publish %d, withdrawn %d (erased %d)", len(people), record, publish, withdrawn, erased)

	// Partnerships.
	partnerships := map[string]*domain.Partnership{}
	pairs := map[[2]string]string{}
	statuses := map[domain.PartnershipStatus]int{}
	for _, p := range sampleAll(t, s.Partnerships) {
		sample("partnership", p.Meta)
		hasPrefix("partnership", p.ID, p.Purpose)
		partnerships[p.ID] = p
		statuses[p.Status]++
		if museums[p.MuseumID] == nil || communities[p.CommunityID] == nil {
			t.Errorf("partnership %s: got museum %s and community %s, want sample ones", p.ID, p.MuseumID, p.CommunityID)
		}
		pair := [2]string{p.MuseumID, p.CommunityID}
		if other, ok := pairs[pair]; ok {
			t.Errorf("partnerships %s and %s: got the same museum and community, want distinct pairs", other, p.ID)
		}
		pairs[pair] = p.ID
		if p.ProgrammeID == nil || *p.ProgrammeID != progID {
			t.Errorf("partnership %s programme: got %v, want %s", p.ID, p.ProgrammeID, progID)
		}
		if n := len(p.OutcomeIDs); n < 1 || n > 3 {
			t.Errorf("partnership %s: got %d outcomes, want 1 to 3", p.ID, n)
		}
		for _, o := range p.OutcomeIDs {
			if !outcomeIDs[o] {
				t.Errorf("partnership %s outcome: got %s, want one of the programme's", p.ID, o)
			}
		}
		if p.StartDate == nil {
			t.Errorf("partnership %s: got no start date, want one", p.ID)
		}
		if (p.Status == domain.StatusEnded) != (p.EndDate != nil) {
			t.Errorf("partnership %s: got status %s with end date %v, want an end date exactly when ENDED", p.ID, p.Status, p.EndDate)
		}
		if p.ParticipationModel == nil {
			t.Errorf("partnership %s: got no participation model, want one", p.ID)
		}
		inRange("partnership", p.ID, "startDate", p.StartDate)
		inRange("partnership", p.ID, "endDate", p.EndDate)
	}
	if len(statuses) != len(domain.PartnershipStatuses) {
		t.Errorf("partnership statuses: got %v, want all of %v", statuses, domain.PartnershipStatuses)
	}

	// Decision events.
	events := sampleAll(t, s.Events)
	byID := map[string]*domain.DecisionEvent{}
	var gaps, assessed, restricted int
	evKinds := map[domain.DecisionEventKind]int{}
	levels := map[domain.ParticipationLevel]int{}
	now := time.Now()
	for _, e := range events {
		byID[e.ID] = e
		sample("decision event", e.Meta)
		hasPrefix("decision event", e.ID, e.Description)
		evKinds[e.Kind]++
		levels[e.ParticipationLevel]++
		if e.OccurredAt.Before(start) || !e.OccurredAt.Before(end) || !e.OccurredAt.Before(now) {
			t.Errorf("event %s occurredAt: got %v, want in 2012-2025 and in the past", e.ID, e.OccurredAt)
		}
		if museums[e.MuseumID] == nil {
			t.Errorf("event %s museum: got %s, want a sample museum", e.ID, e.MuseumID)
		}
		if e.PartnershipID == nil || partnerships[*e.PartnershipID] == nil {
			t.Errorf("event %s partnership: got %v, want a sample partnership", e.ID, e.PartnershipID)
			continue
		}
		p := partnerships[*e.PartnershipID]
		if p.MuseumID != e.MuseumID {
			t.Errorf("event %s: got museum %s, want its partnership's museum %s", e.ID, e.MuseumID, p.MuseumID)
		}
		if p.Status == domain.StatusProposed {
			t.Errorf("event %s: got partnership %s that is only PROPOSED, want one that has started", e.ID, p.ID)
		}
		if string(*p.StartDate) > string(domain.DateOf(e.OccurredAt)) ||
			(p.EndDate != nil && string(*p.EndDate) < string(domain.DateOf(e.OccurredAt))) {
			t.Errorf("event %s on %v: want within its partnership's dates %v to %v", e.ID, e.OccurredAt, *p.StartDate, p.EndDate)
		}
		if !slices.Contains(e.CommunityIDs, p.CommunityID) {
			t.Errorf("event %s communities: got %v, want them to contain the partnership's %s", e.ID, e.CommunityIDs, p.CommunityID)
		}
		for _, c := range e.CommunityIDs {
			if communities[c] == nil {
				t.Errorf("event %s community: got %s, want a sample community", e.ID, c)
			}
		}
		if n := len(e.Participants); n > 6 {
			t.Errorf("event %s: got %d named participants, want at most 6", e.ID, n)
		}
		for _, pt := range e.Participants {
			person := people[*pt.PersonID]
			switch {
			case person == nil:
				t.Errorf("event %s participant: got %s, want a sample person", e.ID, *pt.PersonID)
			case !person.Consent.RecordParticipation || person.Erased:
				t.Errorf("event %s participant %s: got consent %+v, erased %v; want consent to record and not erased", e.ID, person.ID, person.Consent, person.Erased)
			case *person.CommunityID != p.CommunityID || pt.CommunityID == nil || *pt.CommunityID != p.CommunityID:
				t.Errorf("event %s participant %s: got community %s (person's %s), want the partnership's %s", e.ID, person.ID, sampleDeref(pt.CommunityID), *person.CommunityID, p.CommunityID)
			case person.Consent.GivenAt == nil || person.Consent.GivenAt.After(e.OccurredAt.Add(24*time.Hour)):
				t.Errorf("event %s participant %s: got consent given at %v, want it given by the event (%v)", e.ID, person.ID, person.Consent.GivenAt, e.OccurredAt)
			}
		}
		if n := len(e.Decisions); n > 4 {
			t.Errorf("event %s: got %d decisions, want at most 4", e.ID, n)
		}
		for _, d := range e.Decisions {
			if (d.Result == "REJECTED" || d.Result == "DEFERRED") && d.Implemented != nil && *d.Implemented {
				t.Errorf("event %s: got a %s decision implemented, want never", e.ID, d.Result)
			}
		}
		if n := len(e.Evidence); n > 2 {
			t.Errorf("event %s: got %d evidence items, want at most 2", e.ID, n)
		}
		for _, ev := range e.Evidence {
			if ev.URL == nil || !strings.HasPrefix(*ev.URL, "https://example.org/") {
				t.Errorf("event %s evidence URL: got %v, want one on https://example.org/", e.ID, ev.URL)
			}
		}
		if n := len(e.OutcomeIDs); n < 1 || n > 2 {
			t.Errorf("event %s: got %d outcomes, want 1 or 2", e.ID, n)
		}
		for _, o := range e.OutcomeIDs {
			if !outcomeIDs[o] {
				t.Errorf("event %s outcome: got %s, want one of the programme's", e.ID, o)
			}
		}
		// The empowerment gap, by its definition rather than the store's function.
		wantGap := (e.ParticipationLevel == "COLLABORATE" || e.ParticipationLevel == "EMPOWER") && e.AssessedRung != nil &&
			slices.Contains([]domain.ArnsteinRung{"MANIPULATION", "THERAPY", "INFORMING", "CONSULTATION", "PLACATION"}, *e.AssessedRung)
		if e.EmpowermentGap != wantGap {
			t.Errorf("event %s (%s assessed %v): got empowermentGap %v, want %v", e.ID, e.ParticipationLevel, e.AssessedRung, e.EmpowermentGap, wantGap)
		}
		if wantGap {
			gaps++
		}
		if e.AssessedRung != nil {
			assessed++
		}
		if e.Visibility == domain.VisibilityRestricted {
			restricted++
		}
	}
	if len(events) != scale {
		t.Errorf("events: got %d, want %d", len(events), scale)
	}
	t.Logf("events: %d, assessed %d, gaps %d, restricted %d, kinds %v, levels %v", len(events), assessed, gaps, restricted, evKinds, levels)
	if scale >= 1000 {
		share := func(name string, n int, lo, hi float64) {
			t.Helper()
			if f := float64(n) / float64(len(events)); f < lo || f > hi {
				t.Errorf("%s: got %d of %d events (%.3f), want a share between %.2f and %.2f", name, n, len(events), f, lo, hi)
			}
		}
		share("empowerment gaps", gaps, 0.08, 0.22)
		share("assessed", assessed, 0.62, 0.78)
		share("restricted", restricted, 0.05, 0.15)
		if len(evKinds) != len(domain.DecisionEventKinds) || len(levels) != len(domain.ParticipationLevels) {
			t.Errorf("events: got kinds %v and levels %v, want every kind and level", evKinds, levels)
		}
		if levels["INVOLVE"] <= levels["INFORM"] || levels["INVOLVE"] <= levels["EMPOWER"] {
			t.Errorf("levels: got %v, want them weighted towards the middle", levels)
		}
		gap := true
		page, err := s.Events.List(ctx, &domain.DecisionEventFilter{EmpowermentGap: &gap}, nil, store.PageArgs{})
		if err != nil {
			t.Fatalf("listing gaps: %v", err)
		}
		if n, err := page.TotalCount(ctx); err != nil || n != gaps {
			t.Errorf("events with empowermentGap filter: got %d (error %v), want %d", n, err, gaps)
		}
	}

	// Activities and reflections.
	for _, a := range sampleAll(t, s.Activities) {
		sample("activity", a.Meta)
		hasPrefix("activity", a.ID, a.Description)
		if museums[a.MuseumID] == nil {
			t.Errorf("activity %s museum: got %s, want a sample museum", a.ID, a.MuseumID)
		}
		if a.PartnershipID != nil {
			if p := partnerships[*a.PartnershipID]; p == nil || p.MuseumID != a.MuseumID {
				t.Errorf("activity %s partnership: got %s, want a sample partnership of museum %s", a.ID, *a.PartnershipID, a.MuseumID)
			}
		}
		if len(a.Skills) == 0 {
			t.Errorf("activity %s: got no skills, want some", a.ID)
		}
		inRange("activity", a.ID, "startDate", &a.StartDate)
		inRange("activity", a.ID, "endDate", a.EndDate)
	}
	for _, r := range sampleAll(t, s.Reflections) {
		sample("reflection", r.Meta)
		if !strings.HasPrefix(r.Text, "Sample data (fictional): ") {
			t.Errorf("reflection %s text: got %q, want it to begin with the sample prefix", r.ID, r.Text)
		}
		if museums[r.MuseumID] == nil {
			t.Errorf("reflection %s museum: got %s, want a sample museum", r.ID, r.MuseumID)
		}
		if r.PartnershipID != nil {
			if p := partnerships[*r.PartnershipID]; p == nil || p.MuseumID != r.MuseumID {
				t.Errorf("reflection %s partnership: got %s, want a sample partnership of museum %s", r.ID, *r.PartnershipID, r.MuseumID)
			}
		}
		if r.DecisionEventID != nil {
			e := byID[*r.DecisionEventID]
			switch {
			case e == nil:
				t.Errorf("reflection %s decision event: got %s, want a sample event", r.ID, *r.DecisionEventID)
			case e.MuseumID != r.MuseumID || r.PartnershipID == nil || *e.PartnershipID != *r.PartnershipID:
				t.Errorf("reflection %s: got museum %s, partnership %v; want its event's %s and %s", r.ID, r.MuseumID, r.PartnershipID, e.MuseumID, *e.PartnershipID)
			case r.WrittenOn < domain.DateOf(e.OccurredAt):
				t.Errorf("reflection %s written on %s: want not before its event (%v)", r.ID, r.WrittenOn, e.OccurredAt)
			case e.Visibility == domain.VisibilityRestricted && r.Visibility != domain.VisibilityRestricted:
				t.Errorf("reflection %s: got %s about a RESTRICTED event, want RESTRICTED", r.ID, r.Visibility)
			}
		}
		inRange("reflection", r.ID, "writtenOn", &r.WrittenOn)
	}

	// Publications.
	pubs := sampleAll(t, s.Publications)
	if len(pubs) < 3 || len(pubs) > 8 {
		t.Errorf("publications: got %d, want about 5", len(pubs))
	}
	for _, p := range pubs {
		sample("publication", p.Meta)
		if p.ProgrammeID == nil || *p.ProgrammeID != progID || !strings.Contains(p.Title, "(fictional)") {
			t.Errorf("publication %s: got %q of programme %v, want a fictional title of %s", p.ID, p.Title, p.ProgrammeID, progID)
		}
		for _, m := range p.MuseumIDs {
			if museums[m] == nil {
				t.Errorf("publication %s museum: got %s, want a sample museum", p.ID, m)
			}
		}
	}
}

func sampleDeref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

// BenchmarkSample times loading the sample at three scales into a fresh embedded database
// and reports the process's peak resident memory (the embedded database included) and the
// peak Go heap seen while loading.
func BenchmarkSample(b *testing.B) {
	for _, scale := range []int{1_000, 10_000, 100_000} {
		b.Run(strconv.Itoa(scale), func(b *testing.B) {
			var peakHeap atomic.Uint64
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				s, _ := dbtest.Open(b)
				runtime.GC()
				stop := make(chan struct{})
				var wg sync.WaitGroup
				wg.Add(1)
				go func() {
					defer wg.Done()
					var ms runtime.MemStats
					for {
						runtime.ReadMemStats(&ms)
						if ms.HeapAlloc > peakHeap.Load() {
							peakHeap.Store(ms.HeapAlloc)
						}
						select {
						case <-stop:
							return
						case <-time.After(100 * time.Millisecond):
						}
					}
				}()
				b.StartTimer()
				if _, err := Sample(context.Background(), s, scale); err != nil {
					b.Fatalf("Sample(%d): %v", scale, err)
				}
				b.StopTimer()
				close(stop)
				wg.Wait()
			}
			b.ReportMetric(float64(peakHeap.Load())/(1<<20), "peak-heap-MB")
			b.ReportMetric(samplePeakRSS()/(1<<20), "peak-rss-MB")
		})
	}
}

// samplePeakRSS returns the process's peak resident set size in bytes (Linux), or 0.
func samplePeakRSS() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb * 1024
		}
	}
	return 0
}
