package api_test

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// getCSV fetches an export with token (anonymous when empty) and parses it.
func getCSV(t *testing.T, url, token string) (*http.Response, [][]string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d", url, resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv; charset=utf-8") {
		t.Errorf("Content-Type %q, want text/csv in UTF-8", ct)
	}
	r := csv.NewReader(resp.Body)
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s is not valid CSV: %v", url, err)
	}
	if len(rows) == 0 {
		t.Fatalf("%s has no header row", url)
	}
	return resp, rows
}

const queryEventRows = `query($f: DecisionEventFilter, $after: String) {
  decisionEvents(first: 100, after: $after, filter: $f) {
    totalCount
    nodes {
      id title kind occurredAt museum { id name } partnership { id } communities { id name } outcomes { code }
      participationLevel assessedRung empowermentGap communityParticipantCount staffParticipantCount
      decisions { result implemented } visibility sample
    }
    pageInfo { hasNextPage endCursor }
  }
}`

// eventRowsByAPI lists the events decisionEvents gives for f as the CSV export's rows.
func eventRowsByAPI(t *testing.T, c interface {
	Must(testing.TB, string, map[string]any, any)
}, f map[string]any) [][]string {
	t.Helper()
	var rows [][]string
	var after any
	for {
		var got struct {
			DecisionEvents struct {
				Nodes []struct {
					ID, Title, Kind, OccurredAt string
					Museum                      struct{ ID, Name string }
					Partnership                 *struct{ ID string }
					Communities                 []struct{ ID, Name string }
					Outcomes                    []struct{ Code string }
					ParticipationLevel          string
					AssessedRung                *string
					EmpowermentGap, Sample      bool
					CommunityParticipantCount   int
					StaffParticipantCount       int
					Decisions                   []struct {
						Result      string
						Implemented *bool
					}
					Visibility string
				}
				PageInfo struct {
					HasNextPage bool
					EndCursor   string
				}
			}
		}
		c.Must(t, queryEventRows, map[string]any{"f": f, "after": after}, &got)
		for _, n := range got.DecisionEvents.Nodes {
			var ids, names, codes []string
			for _, x := range n.Communities {
				ids, names = append(ids, x.ID), append(names, x.Name)
			}
			for _, o := range n.Outcomes {
				codes = append(codes, o.Code)
			}
			results := map[string]int{}
			implemented := 0
			for _, d := range n.Decisions {
				results[d.Result]++
				if d.Implemented != nil && *d.Implemented {
					implemented++
				}
			}
			opt := func(s *string) string {
				if s == nil {
					return ""
				}
				return *s
			}
			var partnership string
			if n.Partnership != nil {
				partnership = n.Partnership.ID
			}
			rows = append(rows, []string{n.ID, n.Title, n.Kind, n.OccurredAt, n.Museum.ID, n.Museum.Name, partnership,
				strings.Join(ids, ";"), strings.Join(names, ";"), strings.Join(codes, ";"), n.ParticipationLevel,
				opt(n.AssessedRung), strconv.FormatBool(n.EmpowermentGap), strconv.Itoa(n.CommunityParticipantCount),
				strconv.Itoa(n.StaffParticipantCount), strconv.Itoa(len(n.Decisions)), strconv.Itoa(results["ADOPTED"]),
				strconv.Itoa(results["AMENDED"]), strconv.Itoa(results["REJECTED"]), strconv.Itoa(results["DEFERRED"]),
				strconv.Itoa(implemented), n.Visibility, strconv.FormatBool(n.Sample)})
		}
		if !got.DecisionEvents.PageInfo.HasNextPage {
			return rows
		}
		after = got.DecisionEvents.PageInfo.EndCursor
	}
}

// TestCSVExports: each CSV export answers as its GraphQL field does for the same filter
// and caller.
func TestCSVExports(t *testing.T) {
	e := networkEnv(t)
	t.Run("DecisionEvents", func(t *testing.T) { testDecisionEventsCSV(t, e) })
	t.Run("Summary", func(t *testing.T) { testSummaryCSV(t, e) })
	t.Run("Network", func(t *testing.T) { testNetworkCSV(t, e) })
}

// testDecisionEventsCSV: the export has a row for each event decisionEvents lists with
// the same filter and caller, in its order, with the same values, across many pages.
func testDecisionEventsCSV(t *testing.T, e *env) {
	header := []string{"id", "title", "kind", "occurredAt", "museumId", "museumName", "partnershipId",
		"communityIds", "communityNames", "outcomeCodes", "participationLevel", "assessedRung", "empowermentGap",
		"communityParticipantCount", "staffParticipantCount", "decisionCount", "adoptedCount", "amendedCount",
		"rejectedCount", "deferredCount", "implementedCount", "visibility", "sample"}
	admin := e.anon.As(adminToken)
	for _, c := range []struct {
		name, query, token string
		filter             map[string]any
		minRows            int
	}{
		{"Anonymous", "sample=true", "", map[string]any{"sample": true}, 201},
		{"Administrator", "sample=true", adminToken, map[string]any{"sample": true}, 201},
		{"Filtered", "sample=true&levels=COLLABORATE,EMPOWER&empowermentGap=true&occurredAfter=2013-01-01T00:00:00Z", adminToken,
			map[string]any{"sample": true, "levels": []string{"COLLABORATE", "EMPOWER"}, "empowermentGap": true,
				"occurredAfter": "2013-01-01T00:00:00Z"}, 1},
		{"Repeated", "kinds=VOTE&kinds=WORKSHOP,CO_CURATION&minLevel=INVOLVE", "", map[string]any{
			"kinds": []string{"VOTE", "WORKSHOP", "CO_CURATION"}, "minLevel": "INVOLVE"}, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			client := e.anon
			if c.token != "" {
				client = admin
			}
			want := eventRowsByAPI(t, client, c.filter)
			resp, rows := getCSV(t, e.base+"/export/decision-events.csv?"+c.query, c.token)
			if !slices.Equal(rows[0], header) {
				t.Errorf("header %q, want %q", rows[0], header)
			}
			got := rows[1:]
			if len(got) != len(want) || len(got) < c.minRows {
				t.Fatalf("%d rows, want the API's %d (at least %d)", len(got), len(want), c.minRows)
			}
			for i := range want {
				if !slices.Equal(got[i], want[i]) {
					t.Fatalf("row %d:\n got %q\nwant %q", i+1, got[i], want[i])
				}
			}
			if c.minRows > 100 && resp.ContentLength != -1 {
				t.Errorf("a %d-row export came with Content-Length %d, want it streamed", len(got), resp.ContentLength)
			}
		})
	}
	t.Run("RestrictedOnlyForResearchers", func(t *testing.T) {
		count := func(token string) (restricted int) {
			_, rows := getCSV(t, e.base+"/export/decision-events.csv?sample=true", token)
			for _, r := range rows[1:] {
				if r[21] == "RESTRICTED" {
					restricted++
				}
			}
			return restricted
		}
		if anon, all := count(""), count(adminToken); anon != 0 || all == 0 {
			t.Errorf("RESTRICTED rows: %d anonymous, %d for an administrator; want 0 and some", anon, all)
		}
	})
	t.Run("NoPersonalData", func(t *testing.T) {
		var people struct {
			People struct {
				Nodes []struct {
					Email, DisplayName *string
				}
			}
		}
		admin.Must(t, `{ people(first: 100, filter: {sample: true}) { nodes { email displayName } } }`, nil, &people)
		_, rows := getCSV(t, e.base+"/export/decision-events.csv?sample=true", adminToken)
		text := fmt.Sprint(rows)
		checked := 0
		for _, p := range people.People.Nodes {
			for _, v := range []*string{p.Email, p.DisplayName} {
				if v != nil && *v != "" {
					checked++
					if strings.Contains(text, *v) {
						t.Errorf("the export holds personal data %q", *v)
					}
				}
			}
		}
		if checked == 0 {
			t.Error("the sample has no personal data to look for")
		}
	})
	for _, c := range []struct{ name, query, says string }{
		{"BadKind", "kinds=VOTE,NOPE", "kinds"},
		{"BadInstant", "occurredAfter=2014-01-01", "occurredAfter"},
		{"BadBool", "empowermentGap=maybe", "empowermentGap"},
		{"TwoMuseums", "museumId=a&museumId=b", "museumId"},
		{"Unknown", "level=EMPOWER", `unknown parameter "level"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, _, body := get(t, e.base+"/export/decision-events.csv?"+c.query)
			if status != http.StatusBadRequest || !strings.Contains(body, c.says) {
				t.Errorf("status %d: %s; want 400 mentioning %s", status, body, c.says)
			}
		})
	}
}

// testSummaryCSV: each row is a bucket of participationSummary with the same dimension,
// filter and caller.
func testSummaryCSV(t *testing.T, e *env) {
	for _, by := range []string{"MUSEUM", "COMMUNITY", "YEAR", "LEVEL", "OUTCOME", "KIND"} {
		t.Run(by, func(t *testing.T) {
			var got struct {
				ParticipationSummary []summaryBucket
			}
			e.anon.Must(t, `query($by: SummaryDimension!) { participationSummary(groupBy: $by, filter: {sample: true, minLevel: CONSULT}) {
				key label eventCount decisionCount implementedCount communityParticipants agencyShare empowermentGapCount levels { level count } } }`,
				map[string]any{"by": by}, &got)
			_, rows := getCSV(t, e.base+"/export/summary.csv?groupBy="+by+"&sample=true&minLevel=CONSULT", "")
			header := []string{"key", "label", "eventCount", "decisionCount", "implementedCount", "communityParticipants",
				"agencyShare", "empowermentGapCount", "levelINFORM", "levelCONSULT", "levelINVOLVE", "levelCOLLABORATE", "levelEMPOWER"}
			if !slices.Equal(rows[0], header) {
				t.Errorf("header %q, want %q", rows[0], header)
			}
			if len(rows)-1 != len(got.ParticipationSummary) || len(rows) < 2 {
				t.Fatalf("%d rows, want the API's %d buckets", len(rows)-1, len(got.ParticipationSummary))
			}
			for i, b := range got.ParticipationSummary {
				want := []string{b.Key, b.Label, strconv.Itoa(b.EventCount), strconv.Itoa(b.DecisionCount),
					strconv.Itoa(b.ImplementedCount), strconv.Itoa(b.CommunityParticipants),
					strconv.FormatFloat(b.AgencyShare, 'g', -1, 64), strconv.Itoa(b.EmpowermentGapCount)}
				for _, l := range b.Levels {
					want = append(want, strconv.Itoa(l.Count))
				}
				if !slices.Equal(rows[i+1], want) {
					t.Errorf("row %d:\n got %q\nwant %q", i+1, rows[i+1], want)
				}
			}
		})
	}
	for _, c := range []struct{ name, query, says string }{
		{"NoGroupBy", "sample=true", "groupBy"},
		{"BadGroupBy", "groupBy=PERSON", "groupBy"},
		{"BadFilter", "groupBy=YEAR&minLevel=HIGH", "minLevel"},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, _, body := get(t, e.base+"/export/summary.csv?"+c.query)
			if status != http.StatusBadRequest || !strings.Contains(body, c.says) {
				t.Errorf("status %d: %s; want 400 mentioning %s", status, body, c.says)
			}
		})
	}
}

// testNetworkCSV: the nodes and edges tables are Gephi's spreadsheet import of the
// network partnershipNetwork gives for the same filter.
func testNetworkCSV(t *testing.T, e *env) {
	n := sampleNetwork(t, e)
	_, nodes := getCSV(t, e.base+"/export/network-nodes.csv?sample=true", "")
	if want := []string{"Id", "Label", "kind", "degree", "weightedDegree", "betweenness", "component"}; !slices.Equal(nodes[0], want) {
		t.Errorf("nodes header %q, want %q", nodes[0], want)
	}
	var want [][]string
	for _, x := range n.Nodes {
		want = append(want, []string{x.ID, x.Label, x.Kind, strconv.Itoa(x.Degree), strconv.Itoa(x.WeightedDegree),
			strconv.FormatFloat(x.Betweenness, 'g', -1, 64), strconv.Itoa(x.Component)})
	}
	if !slices.EqualFunc(nodes[1:], want, slices.Equal) {
		t.Errorf("nodes:\n got %q\nwant %q", nodes[1:], want)
	}
	_, edges := getCSV(t, e.base+"/export/network-edges.csv?sample=true", "")
	if want := []string{"Source", "Target", "Type", "Id", "Label", "Weight", "status", "startDate", "endDate", "maxLevel"}; !slices.Equal(edges[0], want) {
		t.Errorf("edges header %q, want %q", edges[0], want)
	}
	want = nil
	opt := func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	}
	for _, x := range n.Edges {
		want = append(want, []string{x.Source, x.Target, "Undirected", x.ID, x.Title, strconv.Itoa(x.Weight), x.Status,
			opt(x.StartDate), opt(x.EndDate), opt(x.MaxLevel)})
	}
	if len(want) == 0 || !slices.EqualFunc(edges[1:], want, slices.Equal) {
		t.Errorf("edges:\n got %q\nwant %q", edges[1:], want)
	}
	if status, _, body := get(t, e.base+"/export/network-edges.csv?minLevel=HIGH"); status != http.StatusBadRequest || !strings.Contains(body, "minLevel") {
		t.Errorf("a bad filter: %d %s; want 400 naming minLevel", status, body)
	}
}
