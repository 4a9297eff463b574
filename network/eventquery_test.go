package network

import (
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/participation-graph/participation-graph/domain"
)

func TestParseEventQuery(t *testing.T) {
	ptr := func(s string) *string { return &s }
	yes, no := true, false
	level, vis := domain.LevelCollaborate, domain.VisibilityPublic
	after := time.Date(2014, 3, 5, 18, 30, 0, 0, time.UTC)
	got, err := ParseEventQuery(url.Values{
		"museumId": {"mus_1"}, "communityId": {"com_1"}, "partnershipId": {"prt_1"}, "search": {" panel "},
		"kinds": {"VOTE,WORKSHOP", "CO_CURATION"}, "levels": {"INFORM"}, "rungs": {"PLACATION, PARTNERSHIP"},
		"outcomeCodes": {"COMMUNITY_AGENCY"}, "minLevel": {"COLLABORATE"}, "visibility": {"PUBLIC"},
		"occurredAfter": {"2014-03-05T19:30:00+01:00"}, "empowermentGap": {"true"}, "assessed": {"false"},
		"sample": {"1"}, "includeArchived": {"false"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := domain.DecisionEventFilter{MuseumID: ptr("mus_1"), CommunityID: ptr("com_1"), PartnershipID: ptr("prt_1"),
		Search: ptr("panel"), Kinds: []domain.DecisionEventKind{"VOTE", "WORKSHOP", "CO_CURATION"},
		Levels: []domain.ParticipationLevel{"INFORM"}, Rungs: []domain.ArnsteinRung{"PLACATION", "PARTNERSHIP"},
		OutcomeCodes: []string{"COMMUNITY_AGENCY"}, MinLevel: &level, Visibility: &vis, OccurredAfter: &after,
		EmpowermentGap: &yes, Assessed: &no, Sample: &yes, IncludeArchived: &no}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseEventQuery =\n%+v\nwant\n%+v", got, want)
	}
	for _, c := range []struct{ query, says string }{
		{"kinds=VOTE,NOPE", "kinds: "},
		{"minLevel=HIGH", "minLevel: "},
		{"visibility=SECRET", "visibility: "},
		{"occurredBefore=2014-01-01", "occurredBefore: "},
		{"assessed=perhaps", "assessed: "},
		{"museumId=", "museumId: "},
		{"search=a&search=b", "search: "},
		{"museum=x", `unknown parameter "museum"`},
	} {
		q, _ := url.ParseQuery(c.query)
		if _, err := ParseEventQuery(q); err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: %v, want an error saying %q", c.query, err, c.says)
		}
	}
}

// FuzzParseEventQuery: any query string is parsed or refused with a message naming a
// parameter, never a panic; what is parsed holds only valid enum values.
func FuzzParseEventQuery(f *testing.F) {
	for _, s := range []string{"kinds=VOTE", "minLevel=EMPOWER&sample=true", "occurredAfter=2014-03-05T18:30:00Z",
		"rungs=,,", "levels=INFORM&levels=%00", "x=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := url.ParseQuery(s)
		if err != nil {
			return
		}
		got, err := ParseEventQuery(q)
		if err != nil {
			if !strings.Contains(err.Error(), ":") && !strings.Contains(err.Error(), "unknown parameter") {
				t.Errorf("error %q names no parameter", err)
			}
			return
		}
		for _, k := range got.Kinds {
			if !slices.Contains(domain.DecisionEventKinds, k) {
				t.Errorf("kind %q accepted", k)
			}
		}
		if got.MinLevel != nil && got.MinLevel.Rank() == 0 {
			t.Errorf("minLevel %q accepted", *got.MinLevel)
		}
	})
}
