package api

import (
	"bytes"
	_ "embed"
	"net/http"
)

// The explorer is one page and one script; the drawing library it loads is vendored in
// assets/ (see assets/LICENSES.txt and testdata/explore/README.md).
var (
	//go:embed explore.html
	exploreHTML []byte
	//go:embed explore.js
	exploreJS []byte
)

// handleExplore serves the partnership network explorer at /explore and its script at
// /explore/app.js. The page talks to /graphql and the exports with the visitor's own
// Authorization, so it sees exactly what the API would show that caller. With the
// playground on, it links each record to a query in the playground.
func handleExplore(mux *http.ServeMux, playground bool) {
	page := exploreHTML
	if playground {
		page = bytes.Replace(page, []byte(`data-playground="off"`), []byte(`data-playground="on"`), 1)
	}
	serve := func(contentType string, body []byte) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", contentType)
			w.Header().Set("Cache-Control", "no-cache")
			w.Header().Set("X-Content-Type-Options", "nosniff")
			_, _ = w.Write(body)
		}
	}
	mux.HandleFunc("GET /explore", serve("text/html; charset=utf-8", page))
	mux.HandleFunc("GET /explore/app.js", serve("text/javascript; charset=utf-8", exploreJS))
}
