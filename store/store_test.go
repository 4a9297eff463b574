package store_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/participation-graph/participation-graph/internal/dbtest"
	"github.com/participation-graph/participation-graph/store"
)

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// TestEventFilters records a few events and checks each filter picks exactly the expected
// ones.
func TestEventFilters(t *testing.T) {
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	prog := must[*store.Programme](t)(s.CreateProgramme(ctx, store.CreateProgrammeInput{Name: "P"}))
	agency := must[*store.Outcome](t)(s.CreateOutcome(ctx, store.CreateOutcomeInput{ProgrammeID: prog.ID, Number: 2, Code: "COMMUNITY_AGENCY", Title: "Agency"}))
	m := must[*store.Museum](t)(s.CreateMuseum(ctx, store.CreateMuseumInput{Name: "M", Kind: "MUSEUM"}))
	other := must[*store.Museum](t)(s.CreateMuseum(ctx, store.CreateMuseumInput{Name: "Other", Kind: "GALLERY"}))
	c := must[*store.Community](t)(s.CreateCommunity(ctx, store.CreateCommunityInput{Name: "C", Kind: "YOUTH"}))
	rung := func(r store.ArnsteinRung) *store.ArnsteinRung { return &r }
	type ev struct {
		title  string
		museum string
		level  store.ParticipationLevel
		rung   *store.ArnsteinRung
		day    int
		kind   store.DecisionEventKind
		agency bool
	}
	for _, e := range []ev{
		{"gap", m.ID, "EMPOWER", rung("PLACATION"), 1, "VOTE", true},
		{"real", m.ID, "COLLABORATE", rung("PARTNERSHIP"), 2, "CO_CURATION", false},
		{"inform", m.ID, "INFORM", nil, 3, "WORKSHOP", false},
		{"elsewhere", other.ID, "CONSULT", rung("CONSULTATION"), 4, "WORKSHOP", true},
	} {
		in := store.RecordDecisionEventInput{Title: e.title, Kind: e.kind, MuseumID: e.museum, ParticipationLevel: e.level,
			AssessedRung: e.rung, OccurredAt: time.Date(2014, 5, e.day, 12, 0, 0, 0, time.UTC)}
		if e.museum == m.ID {
			in.CommunityIDs = []string{c.ID}
		}
		if e.agency {
			in.OutcomeIDs = []string{agency.ID}
		}
		must[*store.DecisionEvent](t)(s.RecordDecisionEvent(ctx, in))
	}
	b := func(v bool) *bool { return &v }
	lvl := func(l store.ParticipationLevel) *store.ParticipationLevel { return &l }
	at := func(day int) *time.Time { v := time.Date(2014, 5, day, 0, 0, 0, 0, time.UTC); return &v }
	str := func(v string) *string { return &v }
	for name, tc := range map[string]struct {
		f    store.DecisionEventFilter
		want []string // titles, newest first
	}{
		"All":             {store.DecisionEventFilter{}, []string{"elsewhere", "inform", "real", "gap"}},
		"Museum":          {store.DecisionEventFilter{MuseumID: &other.ID}, []string{"elsewhere"}},
		"Community":       {store.DecisionEventFilter{CommunityID: &c.ID}, []string{"inform", "real", "gap"}},
		"Levels":          {store.DecisionEventFilter{Levels: []store.ParticipationLevel{"INFORM", "CONSULT"}}, []string{"elsewhere", "inform"}},
		"MinLevel":        {store.DecisionEventFilter{MinLevel: lvl("COLLABORATE")}, []string{"real", "gap"}},
		"Gap":             {store.DecisionEventFilter{EmpowermentGap: b(true)}, []string{"gap"}},
		"NoGap":           {store.DecisionEventFilter{EmpowermentGap: b(false)}, []string{"elsewhere", "inform", "real"}},
		"Unassessed":      {store.DecisionEventFilter{Assessed: b(false)}, []string{"inform"}},
		"Between":         {store.DecisionEventFilter{OccurredAfter: at(2), OccurredBefore: at(4)}, []string{"inform", "real"}},
		"Kinds":           {store.DecisionEventFilter{Kinds: []store.DecisionEventKind{"WORKSHOP"}}, []string{"elsewhere", "inform"}},
		"Outcome":         {store.DecisionEventFilter{OutcomeCodes: []string{"COMMUNITY_AGENCY"}}, []string{"elsewhere", "gap"}},
		"UnknownOutcome":  {store.DecisionEventFilter{OutcomeCodes: []string{"NOPE"}}, nil},
		"Search":          {store.DecisionEventFilter{Search: str("ELSE")}, []string{"elsewhere"}},
		"SearchIsLiteral": {store.DecisionEventFilter{Search: str("g.p")}, nil},
	} {
		t.Run(name, func(t *testing.T) {
			page, err := s.Events.List(ctx, &tc.f, nil, store.PageArgs{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, n := range page.Nodes() {
				got = append(got, n.Title)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
			if n, _ := page.TotalCount(ctx); n != len(tc.want) {
				t.Errorf("totalCount = %d, want %d", n, len(tc.want))
			}
		})
	}
}

// TestConcurrentUpdatesLoseNothing has writers change different fields of one record at
// once without expectedVersion: every change must survive.
func TestConcurrentUpdatesLoseNothing(t *testing.T) {
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	m := must[*store.Museum](t)(s.CreateMuseum(ctx, store.CreateMuseumInput{Name: "M", Kind: "MUSEUM"}))
	set := func(v string) graphql.Omittable[*string] { return graphql.OmittableOf(&v) }
	updates := []store.UpdateMuseumInput{
		{ID: m.ID, City: set("Leeds")}, {ID: m.ID, Region: set("Yorkshire")},
		{ID: m.ID, Country: set("UK")}, {ID: m.ID, Description: set("d")},
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(updates))
	for _, u := range updates {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.UpdateMuseum(ctx, u)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("update failed: %v", err)
		}
	}
	got := must[*store.Museum](t)(s.Museums.Get(ctx, m.ID))
	if got.City == nil || got.Region == nil || got.Country == nil || got.Description == nil || got.Version != 5 {
		t.Errorf("after 4 concurrent updates: city %v region %v country %v description %v version %d; want all set at version 5",
			got.City, got.Region, got.Country, got.Description, got.Version)
	}
}

func TestValidationListsEveryField(t *testing.T) {
	s, _ := dbtest.Open(t)
	_, err := s.RecordDecisionEvent(context.Background(), store.RecordDecisionEventInput{Title: " ", Kind: "NOPE",
		MuseumID: "mus_000000000000000000000000", CommunityIDs: []string{"x"},
		Participants: []store.ParticipantInput{{Role: "COMMUNITY_MEMBER"}}})
	var ve *store.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("got %v, want a validation error", err)
	}
	var fields []string
	for _, f := range ve.Fields {
		fields = append(fields, f.Field)
	}
	for _, want := range []string{"title", "kind", "occurredAt", "participationLevel", "communityIds[0]", "participants[0]", "museumId"} {
		if !slices.Contains(fields, want) {
			t.Errorf("fields %v lack %s", fields, want)
		}
	}
}

func TestConsentIsRequiredToRecordParticipation(t *testing.T) {
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	m := must[*store.Museum](t)(s.CreateMuseum(ctx, store.CreateMuseumInput{Name: "M", Kind: "MUSEUM"}))
	p := must[*store.Person](t)(s.CreatePerson(ctx, store.CreatePersonInput{Pseudonym: "P"}))
	in := store.RecordDecisionEventInput{Title: "E", Kind: "VOTE", MuseumID: m.ID, ParticipationLevel: "INVOLVE",
		OccurredAt: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), Participants: []store.ParticipantInput{{PersonID: &p.ID, Role: "COMMUNITY_MEMBER"}}}
	if _, err := s.RecordDecisionEvent(ctx, in); err == nil {
		t.Fatal("recorded the participation of a person without consent")
	}
	must[*store.Person](t)(s.RecordConsent(ctx, store.RecordConsentInput{PersonID: p.ID, RecordParticipation: true}))
	e := must[*store.DecisionEvent](t)(s.RecordDecisionEvent(ctx, in))
	if e.CommunityParticipantCount != 1 {
		t.Errorf("communityParticipantCount = %d, want 1", e.CommunityParticipantCount)
	}
	// Withdrawal takes effect for the next event at once.
	w := must[*store.Person](t)(s.RecordConsent(ctx, store.RecordConsentInput{PersonID: p.ID}))
	if w.Consent.WithdrawnAt == nil {
		t.Error("withdrawing every consent did not record withdrawnAt")
	}
	if _, err := s.RecordDecisionEvent(ctx, in); err == nil {
		t.Error("recorded the participation of a person who withdrew consent")
	}
	// Erasure keeps the count of the event already recorded.
	must[*store.Person](t)(s.ErasePerson(ctx, store.ErasePersonInput{ID: p.ID}))
	if got := must[*store.DecisionEvent](t)(s.Events.Get(ctx, e.ID)); got.CommunityParticipantCount != 1 {
		t.Errorf("after erasure the event counts %d community participants, want 1", got.CommunityParticipantCount)
	}
}

func TestInsertChecksEverythingFirst(t *testing.T) {
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	recs := []*store.Community{{Name: "ok", Kind: "OTHER"}, {Name: "bad date-free but bad kind", Kind: "NOPE"}}
	if err := store.Insert(ctx, s.Communities, recs); err == nil {
		t.Fatal("inserted an invalid record")
	}
	if n := must[int](t)(s.Communities.Count(ctx)); n != 0 {
		t.Errorf("a failed bulk insert wrote %d records, want 0", n)
	}
	bad := []*store.Activity{{Kind: "TRAINING", Title: "t", MuseumID: "mus_x", StartDate: "2014-13-01"}}
	if err := store.Insert(ctx, s.Activities, bad); err == nil {
		t.Error("inserted an activity with the date 2014-13-01")
	}
}

// TestUpdatesKeepEarlierLinks: a record stays editable after something it refers to was
// archived, or after a person it names withdrew consent or was erased.
func TestUpdatesKeepEarlierLinks(t *testing.T) {
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	m := must[*store.Museum](t)(s.CreateMuseum(ctx, store.CreateMuseumInput{Name: "M", Kind: "MUSEUM"}))
	c := must[*store.Community](t)(s.CreateCommunity(ctx, store.CreateCommunityInput{Name: "C", Kind: "YOUTH"}))
	p := must[*store.Partnership](t)(s.StartPartnership(ctx, store.StartPartnershipInput{Title: "P", MuseumID: m.ID, CommunityID: c.ID}))
	person := must[*store.Person](t)(s.CreatePerson(ctx, store.CreatePersonInput{Pseudonym: "X", CommunityID: &c.ID,
		Consent: &store.ConsentInput{RecordParticipation: true}}))
	e := must[*store.DecisionEvent](t)(s.RecordDecisionEvent(ctx, store.RecordDecisionEventInput{Title: "E", Kind: "VOTE",
		MuseumID: m.ID, PartnershipID: &p.ID, ParticipationLevel: "INVOLVE", OccurredAt: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
		Participants: []store.ParticipantInput{{PersonID: &person.ID, CommunityID: &c.ID, Role: "COMMUNITY_MEMBER"}}}))

	must[*store.Person](t)(s.ErasePerson(ctx, store.ErasePersonInput{ID: person.ID}))
	must[*store.Community](t)(s.ArchiveCommunity(ctx, store.ArchiveInput{ID: c.ID}))
	title := "Corrected title"
	got, err := s.UpdateDecisionEvent(ctx, store.UpdateDecisionEventInput{ID: e.ID, Title: graphql.OmittableOf(&title)})
	if err != nil {
		t.Fatalf("editing an event whose participant was erased and community archived: %v", err)
	}
	if got.CommunityParticipantCount != 1 || len(got.Participants) != 1 {
		t.Errorf("the edit changed the participants: %+v", got.Participants)
	}
	if _, err := s.EndPartnership(ctx, store.EndPartnershipInput{ID: p.ID}); err != nil {
		t.Errorf("ending a partnership with an archived community: %v", err)
	}
	// A new link to the archived community is still refused.
	other := must[*store.Museum](t)(s.CreateMuseum(ctx, store.CreateMuseumInput{Name: "O", Kind: "MUSEUM"}))
	if _, err := s.StartPartnership(ctx, store.StartPartnershipInput{Title: "New", MuseumID: other.ID, CommunityID: c.ID}); err == nil {
		t.Error("a new partnership with an archived community was accepted")
	}
}

func TestMuseumCannotBeItsOwnAncestor(t *testing.T) {
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	a := must[*store.Museum](t)(s.CreateMuseum(ctx, store.CreateMuseumInput{Name: "A", Kind: "MUSEUM_SERVICE"}))
	b := must[*store.Museum](t)(s.CreateMuseum(ctx, store.CreateMuseumInput{Name: "B", Kind: "MUSEUM", ParentID: &a.ID}))
	_, err := s.UpdateMuseum(ctx, store.UpdateMuseumInput{ID: a.ID, ParentID: graphql.OmittableOf(&b.ID)})
	var ve *store.ValidationError
	if !errors.As(err, &ve) || ve.Fields[0].Field != "parentId" {
		t.Errorf("making A the child of its own child: %v, want a validation error on parentId", err)
	}
}
