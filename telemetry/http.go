package telemetry

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"sync"
	"time"

	"go.opentelemetry.io/otel/propagation"
)

// RequestIDHeader carries a request's id, in the request (from a proxy or client) and in
// the response.
const RequestIDHeader = "X-Request-Id"

// saneID is what an incoming request id must look like to be kept: short, and nothing a
// log reader could mistake for structure.
var saneID = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`)

type requestKey struct{}

// request is what the middleware knows of a request, shared with the layers below it.
type request struct {
	id string
	mu sync.Mutex
	op string
}

// RequestID returns the id of the request ctx belongs to, or "".
func RequestID(ctx context.Context) string {
	if r, ok := ctx.Value(requestKey{}).(*request); ok {
		return r.id
	}
	return ""
}

// SetOperation records the GraphQL operation a request runs, for its access-log line.
func SetOperation(ctx context.Context, name string) {
	if r, ok := ctx.Value(requestKey{}).(*request); ok {
		r.mu.Lock()
		r.op = name
		r.mu.Unlock()
	}
}

// quietPaths are logged at debug level only: probes and scrapes come every few seconds.
var quietPaths = map[string]bool{"/healthz": true, "/readyz": true, "/metrics": true}

// Middleware gives every request an id (the caller's X-Request-Id when it is sane, a new
// random one otherwise), returns it in the response's X-Request-Id, puts it in the
// request's context for the logger, continues a W3C trace context the caller sent, and
// logs one line per request when it ends: method, path, status, size, duration and
// operation. It never logs the query string, the body or the client's address, which may
// carry personal data.
func Middleware(log *slog.Logger, next http.Handler) http.Handler {
	prop := propagation.TraceContext{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get(RequestIDHeader)
		if !saneID.MatchString(id) {
			id = newID()
		}
		w.Header().Set(RequestIDHeader, id)
		req := &request{id: id}
		ctx := prop.Extract(context.WithValue(r.Context(), requestKey{}, req), propagation.HeaderCarrier(r.Header))
		rw := &recorder{ResponseWriter: w}
		next.ServeHTTP(rw, r.WithContext(ctx))
		level := slog.LevelInfo
		if quietPaths[r.URL.Path] {
			level = slog.LevelDebug
		}
		req.mu.Lock()
		op := req.op
		req.mu.Unlock()
		log.Log(ctx, level, "request", "method", r.Method, "path", r.URL.Path, "status", rw.status(),
			"bytes", rw.bytes, "duration_ms", float64(time.Since(start).Microseconds())/1000, "operation", op)
	})
}

func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// recorder notes a response's status and size. It passes on flushing (server-sent
// events) and hijacking (WebSocket).
type recorder struct {
	http.ResponseWriter
	code  int
	bytes int
}

// WriteHeader notes the status and sends it.
func (rw *recorder) WriteHeader(code int) {
	if rw.code == 0 {
		rw.code = code
	}
	rw.ResponseWriter.WriteHeader(code)
}

// Write counts the bytes sent.
func (rw *recorder) Write(b []byte) (int, error) {
	if rw.code == 0 {
		rw.code = http.StatusOK
	}
	n, err := rw.ResponseWriter.Write(b)
	rw.bytes += n
	return n, err
}

func (rw *recorder) status() int {
	if rw.code == 0 {
		return http.StatusOK
	}
	return rw.code
}

// Flush sends buffered data to the client.
func (rw *recorder) Flush() {
	if f, ok := rw.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Hijack hands the connection over, for WebSocket.
func (rw *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if h, ok := rw.ResponseWriter.(http.Hijacker); ok {
		return h.Hijack()
	}
	return nil, nil, errors.New("the connection cannot be taken over")
}

// Unwrap returns the underlying ResponseWriter, for http.ResponseController.
func (rw *recorder) Unwrap() http.ResponseWriter { return rw.ResponseWriter }
