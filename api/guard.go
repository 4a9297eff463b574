package api

import (
	"encoding/json"
	"mime"
	"net/http"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/participation-graph/participation-graph/graph"
)

// guard answers, with a proper GraphQL error and code, the requests gqlgen's transports
// would refuse with a bare message: other methods, POST bodies that are not JSON (which
// also keeps browsers' simple cross-site form posts out), and mutations over GET, which
// must never run from a link.
func guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodPost:
			mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
			if err != nil || (mt != "application/json" && mt != "application/graphql-response+json") {
				refuse(w, http.StatusUnsupportedMediaType, "send the request as JSON with Content-Type: application/json")
				return
			}
		case http.MethodGet:
			if msg := checkGET(r); msg != "" {
				w.Header().Set("Allow", "POST")
				refuse(w, http.StatusMethodNotAllowed, msg)
				return
			}
		case http.MethodOptions:
		default:
			w.Header().Set("Allow", "GET, POST")
			refuse(w, http.StatusMethodNotAllowed, "use GET for queries or POST for any operation")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// checkGET returns why a GET request cannot run, or "" to let it through (a query that
// does not parse is left to the executor, which reports where).
func checkGET(r *http.Request) string {
	q := r.URL.Query()
	if v := q.Get("variables"); v != "" && !json.Valid([]byte(v)) {
		return "the variables parameter is not valid JSON"
	}
	doc, err := parser.ParseQuery(&ast.Source{Input: q.Get("query")})
	if err != nil {
		return ""
	}
	name := q.Get("operationName")
	for _, op := range doc.Operations {
		if (name == "" || op.Name == name) && op.Operation != ast.Query {
			return "only queries may be sent with GET; send " + string(op.Operation) + "s with POST"
		}
	}
	return ""
}

func refuse(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, errorBody(message, graph.CodeBadUserInput))
}
