package api

import (
	"context"
	"encoding/json"
	"mime"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// overHTTP wraps gqlgen's GET and POST transports so that requests failing before
// execution are answered as the GraphQL-over-HTTP specification asks. gqlgen answers a
// query that does not parse or validate, or variables that do not fit their types, with
// 422 to application/json clients, and with a "data": null to every client. Instead:
//
//   - Without a query (and without a persisted query's hash), the request's parameters
//     are invalid: 400, whatever the client accepts.
//   - To application/json, which cannot tell a GraphQL error from a failing proxy by its
//     status, every other well-formed request is answered 200.
//   - A request that failed before execution has no data entry at all: execution never
//     began. (application/graphql-response+json clients rely on this, with the 400 gqlgen
//     sends them, to tell the request's failure from a field's.)
//
// Requests that fail for our own reasons before execution (an unregistered operation
// under PERSISTED_ONLY, a limit exceeded) keep gqlgen's 200 with "data": null, which both
// media types allow.
type overHTTP struct{ graphql.Transport }

// Do serves the request through the wrapped transport, correcting its answer when the
// request fails before execution.
func (t overHTTP) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	rw := &requestErrorWriter{ResponseWriter: w}
	t.Transport.Do(rw, r, paramsChecker{exec, rw})
}

// paramsChecker notes, for requestErrorWriter, whether a failed request had no operation
// to run.
type paramsChecker struct {
	graphql.GraphExecutor
	w *requestErrorWriter
}

// CreateOperationContext parses and validates the request, noting why it failed.
func (p paramsChecker) CreateOperationContext(ctx context.Context, params *graphql.RawParams) (*graphql.OperationContext, gqlerror.List) {
	oc, errs := p.GraphExecutor.CreateOperationContext(ctx, params)
	if errs != nil && params.Query == "" && params.Extensions["persistedQuery"] == nil {
		p.w.noOperation = true
	}
	return oc, errs
}

// requestErrorWriter corrects the status and body of gqlgen's answers to requests that
// failed before execution. gqlgen's transports set a status only for those, and write
// their body in one call.
type requestErrorWriter struct {
	http.ResponseWriter
	noOperation bool
	stripData   bool
}

// WriteHeader corrects status, which gqlgen sets only for a request that failed before
// execution.
func (w *requestErrorWriter) WriteHeader(status int) {
	mt, _, _ := mime.ParseMediaType(w.Header().Get("Content-Type"))
	w.stripData = status >= http.StatusBadRequest
	switch {
	case w.noOperation:
		status = http.StatusBadRequest
	case status == http.StatusUnprocessableEntity && mt == "application/json":
		status = http.StatusOK
	}
	w.ResponseWriter.WriteHeader(status)
}

// Write writes b, without its data entry after a request failure.
func (w *requestErrorWriter) Write(b []byte) (int, error) {
	if !w.stripData {
		return w.ResponseWriter.Write(b)
	}
	var resp map[string]json.RawMessage
	if err := json.Unmarshal(b, &resp); err != nil {
		return w.ResponseWriter.Write(b)
	}
	delete(resp, "data")
	out, err := json.Marshal(resp)
	if err != nil {
		return w.ResponseWriter.Write(b)
	}
	if _, err := w.ResponseWriter.Write(out); err != nil {
		return 0, err
	}
	return len(b), nil
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *requestErrorWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
