package store_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/participation-graph/participation-graph/domain"
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
	prog := must[*domain.Programme](t)(s.CreateProgramme(ctx, domain.CreateProgrammeInput{Name: "P"}))
	agency := must[*domain.Outcome](t)(s.CreateOutcome(ctx, domain.CreateOutcomeInput{ProgrammeID: prog.ID, Number: 2, Code: "COMMUNITY_AGENCY", Title: "Agency"}))
	m := must[*domain.Museum](t)(s.CreateMuseum(ctx, domain.CreateMuseumInput{Name: "M", Kind: "MUSEUM"}))
	other := must[*domain.Museum](t)(s.CreateMuseum(ctx, domain.CreateMuseumInput{Name: "Other", Kind: "GALLERY"}))
	c := must[*domain.Community](t)(s.CreateCommunity(ctx, domain.CreateCommunityInput{Name: "C", Kind: "YOUTH"}))
	rung := func(r domain.ArnsteinRung) *domain.ArnsteinRung { return &r }
	type ev struct {
		title  string
		museum string
		level  domain.ParticipationLevel
		rung   *domain.ArnsteinRung
		day    int
		kind   domain.DecisionEventKind
		agency bool
	}
	for _, e := range []ev{
		{"gap", m.ID, "EMPOWER", rung("PLACATION"), 1, "VOTE", true},
		{"real", m.ID, "COLLABORATE", rung("PARTNERSHIP"), 2, "CO_CURATION", false},
		{"inform", m.ID, "INFORM", nil, 3, "WORKSHOP", false},
		{"elsewhere", other.ID, "CONSULT", rung("CONSULTATION"), 4, "WORKSHOP", true},
	} {
		in := domain.RecordDecisionEventInput{Title: e.title, Kind: e.kind, MuseumID: e.museum, ParticipationLevel: e.level,
			AssessedRung: e.rung, OccurredAt: time.Date(2014, 5, e.day, 12, 0, 0, 0, time.UTC)}
		if e.museum == m.ID {
			in.CommunityIDs = []string{c.ID}
		}
		if e.agency {
			in.OutcomeIDs = []string{agency.ID}
		}
		must[*domain.DecisionEvent](t)(s.RecordDecisionEvent(ctx, in))
	}
	b := func(v bool) *bool { return &v }
	lvl := func(l domain.ParticipationLevel) *domain.ParticipationLevel { return &l }
	at := func(day int) *time.Time { v := time.Date(2014, 5, day, 0, 0, 0, 0, time.UTC); return &v }
	str := func(v string) *string { return &v }
	for name, tc := range map[string]struct {
		f    domain.DecisionEventFilter
		want []string // titles, newest first
	}{
		"All":             {domain.DecisionEventFilter{}, []string{"elsewhere", "inform", "real", "gap"}},
		"Museum":          {domain.DecisionEventFilter{MuseumID: &other.ID}, []string{"elsewhere"}},
		"Community":       {domain.DecisionEventFilter{CommunityID: &c.ID}, []string{"inform", "real", "gap"}},
		"Levels":          {domain.DecisionEventFilter{Levels: []domain.ParticipationLevel{"INFORM", "CONSULT"}}, []string{"elsewhere", "inform"}},
		"MinLevel":        {domain.DecisionEventFilter{MinLevel: lvl("COLLABORATE")}, []string{"real", "gap"}},
		"Gap":             {domain.DecisionEventFilter{EmpowermentGap: b(true)}, []string{"gap"}},
		"NoGap":           {domain.DecisionEventFilter{EmpowermentGap: b(false)}, []string{"elsewhere", "inform", "real"}},
		"Unassessed":      {domain.DecisionEventFilter{Assessed: b(false)}, []string{"inform"}},
		"Between":         {domain.DecisionEventFilter{OccurredAfter: at(2), OccurredBefore: at(4)}, []string{"inform", "real"}},
		"Kinds":           {domain.DecisionEventFilter{Kinds: []domain.DecisionEventKind{"WORKSHOP"}}, []string{"elsewhere", "inform"}},
		"Outcome":         {domain.DecisionEventFilter{OutcomeCodes: []string{"COMMUNITY_AGENCY"}}, []string{"elsewhere", "gap"}},
		"UnknownOutcome":  {domain.DecisionEventFilter{OutcomeCodes: []string{"NOPE"}}, nil},
		"Search":          {domain.DecisionEventFilter{Search: str("ELSE")}, []string{"elsewhere"}},
		"SearchIsLiteral": {domain.DecisionEventFilter{Search: str("g.p")}, nil},
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
	m := must[*domain.Museum](t)(s.CreateMuseum(ctx, domain.CreateMuseumInput{Name: "M", Kind: "MUSEUM"}))
	set := func(v string) graphql.Omittable[*string] { return graphql.OmittableOf(&v) }
	updates := []domain.UpdateMuseumInput{
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
	got := must[*domain.Museum](t)(s.Museums.Get(ctx, m.ID))
	if got.City == nil || got.Region == nil || got.Country == nil || got.Description == nil || got.Version != 5 {
		t.Errorf("after 4 concurrent updates: city %v region %v country %v description %v version %d; want all set at version 5",
			got.City, got.Region, got.Country, got.Description, got.Version)
	}
}

func TestValidationListsEveryField(t *testing.T) {
	s, _ := dbtest.Open(t)
	_, err := s.RecordDecisionEvent(context.Background(), domain.RecordDecisionEventInput{Title: " ", Kind: "NOPE",
		MuseumID: "mus_000000000000000000000000", CommunityIDs: []string{"x"},
		Participants: []domain.ParticipantInput{{Role: "COMMUNITY_MEMBER"}}})
	var ve *domain.ValidationError
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
	m := must[*domain.Museum](t)(s.CreateMuseum(ctx, domain.CreateMuseumInput{Name: "M", Kind: "MUSEUM"}))
	p := must[*domain.Person](t)(s.CreatePerson(ctx, domain.CreatePersonInput{Pseudonym: "P"}))
	in := domain.RecordDecisionEventInput{Title: "E", Kind: "VOTE", MuseumID: m.ID, ParticipationLevel: "INVOLVE",
		OccurredAt: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), Participants: []domain.ParticipantInput{{PersonID: &p.ID, Role: "COMMUNITY_MEMBER"}}}
	if _, err := s.RecordDecisionEvent(ctx, in); err == nil {
		t.Fatal("recorded the participation of a person without consent")
	}
	must[*domain.Person](t)(s.RecordConsent(ctx, domain.RecordConsentInput{PersonID: p.ID, RecordParticipation: true}))
	e := must[*domain.DecisionEvent](t)(s.RecordDecisionEvent(ctx, in))
	if e.CommunityParticipantCount != 1 {
		t.Errorf("communityParticipantCount = %d, want 1", e.CommunityParticipantCount)
	}
	// Withdrawal takes effect for the next event at once.
	w := must[*domain.Person](t)(s.RecordConsent(ctx, domain.RecordConsentInput{PersonID: p.ID}))
	if w.Consent.WithdrawnAt == nil {
		t.Error("withdrawing every consent did not record withdrawnAt")
	}
	if _, err := s.RecordDecisionEvent(ctx, in); err == nil {
		t.Error("recorded the participation of a person who withdrew consent")
	}
	// Erasure keeps the count of the event already recorded.
	must[*domain.Person](t)(s.ErasePerson(ctx, domain.ErasePersonInput{ID: p.ID}))
	if got := must[*domain.DecisionEvent](t)(s.Events.Get(ctx, e.ID)); got.CommunityParticipantCount != 1 {
		t.Errorf("after erasure the event counts %d community participants, want 1", got.CommunityParticipantCount)
	}
}

func TestInsertChecksEverythingFirst(t *testing.T) {
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	recs := []*domain.Community{{Name: "ok", Kind: "OTHER"}, {Name: "bad date-free but bad kind", Kind: "NOPE"}}
	if err := store.Insert(ctx, s.Communities, recs); err == nil {
		t.Fatal("inserted an invalid record")
	}
	if n := must[int](t)(s.Communities.Count(ctx)); n != 0 {
		t.Errorf("a failed bulk insert wrote %d records, want 0", n)
	}
	bad := []*domain.Activity{{Kind: "TRAINING", Title: "t", MuseumID: "mus_x", StartDate: "2014-13-01"}}
	if err := store.Insert(ctx, s.Activities, bad); err == nil {
		t.Error("inserted an activity with the date 2014-13-01")
	}
}

// TestUpdatesKeepEarlierLinks: a record stays editable after something it refers to was
// archived, or after a person it names withdrew consent or was erased.
func TestUpdatesKeepEarlierLinks(t *testing.T) {
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	m := must[*domain.Museum](t)(s.CreateMuseum(ctx, domain.CreateMuseumInput{Name: "M", Kind: "MUSEUM"}))
	c := must[*domain.Community](t)(s.CreateCommunity(ctx, domain.CreateCommunityInput{Name: "C", Kind: "YOUTH"}))
	p := must[*domain.Partnership](t)(s.StartPartnership(ctx, domain.StartPartnershipInput{Title: "P", MuseumID: m.ID, CommunityID: c.ID}))
	person := must[*domain.Person](t)(s.CreatePerson(ctx, domain.CreatePersonInput{Pseudonym: "X", CommunityID: &c.ID,
		Consent: &domain.ConsentInput{RecordParticipation: true}}))
	e := must[*domain.DecisionEvent](t)(s.RecordDecisionEvent(ctx, domain.RecordDecisionEventInput{Title: "E", Kind: "VOTE",
		MuseumID: m.ID, PartnershipID: &p.ID, ParticipationLevel: "INVOLVE", OccurredAt: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
		Participants: []domain.ParticipantInput{{PersonID: &person.ID, CommunityID: &c.ID, Role: "COMMUNITY_MEMBER"}}}))

	must[*domain.Person](t)(s.ErasePerson(ctx, domain.ErasePersonInput{ID: person.ID}))
	must[*domain.Community](t)(s.ArchiveCommunity(ctx, domain.ArchiveInput{ID: c.ID}))
	title := "Corrected title"
	got, err := s.UpdateDecisionEvent(ctx, domain.UpdateDecisionEventInput{ID: e.ID, Title: graphql.OmittableOf(&title)})
	if err != nil {
		t.Fatalf("editing an event whose participant was erased and community archived: %v", err)
	}
	if got.CommunityParticipantCount != 1 || len(got.Participants) != 1 {
		t.Errorf("the edit changed the participants: %+v", got.Participants)
	}
	if _, err := s.EndPartnership(ctx, domain.EndPartnershipInput{ID: p.ID}); err != nil {
		t.Errorf("ending a partnership with an archived community: %v", err)
	}
	// A new link to the archived community is still refused.
	other := must[*domain.Museum](t)(s.CreateMuseum(ctx, domain.CreateMuseumInput{Name: "O", Kind: "MUSEUM"}))
	if _, err := s.StartPartnership(ctx, domain.StartPartnershipInput{Title: "New", MuseumID: other.ID, CommunityID: c.ID}); err == nil {
		t.Error("a new partnership with an archived community was accepted")
	}
}

func TestMuseumCannotBeItsOwnAncestor(t *testing.T) {
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	a := must[*domain.Museum](t)(s.CreateMuseum(ctx, domain.CreateMuseumInput{Name: "A", Kind: "MUSEUM_SERVICE"}))
	b := must[*domain.Museum](t)(s.CreateMuseum(ctx, domain.CreateMuseumInput{Name: "B", Kind: "MUSEUM", ParentID: &a.ID}))
	_, err := s.UpdateMuseum(ctx, domain.UpdateMuseumInput{ID: a.ID, ParentID: graphql.OmittableOf(&b.ID)})
	var ve *domain.ValidationError
	if !errors.As(err, &ve) || ve.Fields[0].Field != "parentId" {
		t.Errorf("making A the child of its own child: %v, want a validation error on parentId", err)
	}
}
