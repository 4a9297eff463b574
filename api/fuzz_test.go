package api

import (
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

func FuzzBearer(f *testing.F) {
	for _, s := range []string{"", "Bearer abc", "bearer  abc ", "Basic abc", "Bearer", "Bearer ", "Bearer a b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		token, given, ok := bearer(h)
		switch {
		case !given && (!ok || token != "" || strings.TrimSpace(h) != ""):
			t.Fatalf("%q: token %q given %v ok %v", h, token, given, ok)
		case ok && given && (token == "" || !strings.Contains(h, token)):
			t.Fatalf("%q: token %q", h, token)
		case !ok && token != "":
			t.Fatalf("%q refused but token %q", h, token)
		}
	})
}

// FuzzCheckGET feeds the GET guard arbitrary queries and variables: it must never panic,
// and must refuse every operation that is not a query.
func FuzzCheckGET(f *testing.F) {
	f.Add("{ museums { totalCount } }", "", "")
	f.Add("mutation { createCommunity(input: {name: \"x\", kind: OTHER}) { community { id } } }", "{}", "")
	f.Add("query A { a } mutation B { b }", "", "B")
	f.Add("subscription { changes { seq } }", "{\"a\":", "")
	f.Fuzz(func(t *testing.T, query, vars, name string) {
		v := url.Values{"query": {query}, "variables": {vars}, "operationName": {name}}
		r := httptest.NewRequest("GET", "/graphql?"+v.Encode(), nil)
		msg := checkGET(r)
		doc, err := parser.ParseQuery(&ast.Source{Input: query})
		if err != nil || msg != "" || !json.Valid([]byte(vars)) && vars != "" {
			return
		}
		for _, op := range doc.Operations {
			if (name == "" || op.Name == name) && op.Operation != ast.Query {
				t.Fatalf("GET of %q (operation %q) let through", query, name)
			}
		}
	})
}
