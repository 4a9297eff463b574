package api_test

import (
	"net/http/httptest"
	"testing"

	"github.com/participation-graph/participation-graph/api"
	"github.com/participation-graph/participation-graph/internal/dbtest"
	"github.com/participation-graph/participation-graph/internal/gqltest"
)

func TestQueryLimits(t *testing.T) {
	s, _ := dbtest.Open(t)
	srv := httptest.NewServer(api.New(api.Options{Store: s, Limits: api.Limits{MaxDepth: 3, MaxAliases: 2, MaxRootFields: 2, MaxCost: 100}}))
	defer srv.Close()
	gql := gqltest.Client{URL: srv.URL + "/graphql"}
	for _, tc := range []struct {
		name, query string
		vars        map[string]any
		limit       string // "" when it must pass
	}{
		{"DepthAtLimit", `{ museums { nodes { name } } }`, nil, ""},
		{"DepthOver", `{ museums { nodes { parent { name } } } }`, nil, "depth"},
		{"DepthThroughFragment", `{ museums { ...M } } fragment M on MuseumConnection { nodes { parent { name } } }`, nil, "depth"},
		{"AliasesAtLimit", `{ a: museums { totalCount } b: museums { totalCount } }`, nil, ""},
		{"AliasesOver", `{ a: museums(first: 1) { totalCount } b: museums(first: 1) { totalCount } c: communities(first: 1) { totalCount } }`, nil, "aliases"},
		{"RootFieldsOver", `{ museums(first: 1) { totalCount } communities(first: 1) { totalCount } people(first: 1) { totalCount } }`, nil, "rootFields"},
		{"CostUnder", `{ museums(first: 10) { nodes { name } } }`, nil, ""},
		{"CostOverByFirst", `query($n: Int) { museums(first: $n) { nodes { name city region country } } }`, map[string]any{"n": 30}, "cost"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := gql.Do(t, tc.query, tc.vars)
			switch {
			case tc.limit == "" && len(r.Errors) > 0:
				t.Errorf("refused: %+v", r.Errors)
			case tc.limit != "" && (len(r.Errors) != 1 || r.Errors[0].Code() != "QUERY_TOO_COMPLEX" || r.Errors[0].Extensions["limit"] != tc.limit):
				t.Errorf("got %+v, want QUERY_TOO_COMPLEX on %s", r.Errors, tc.limit)
			}
		})
	}
}
