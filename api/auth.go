package api

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/participation-graph/participation-graph/auth"
	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/graph"
	"github.com/participation-graph/participation-graph/store"
)

// authenticator turns the credentials of a request into its caller.
type authenticator struct {
	store       *store.Store
	adminToken  string
	revocations *auth.Revocations
	limits      *rateLimiter
}

// bearer reads an Authorization header: the token, whether one was given, and whether the
// header was well formed.
func bearer(h string) (token string, given, ok bool) {
	h = strings.TrimSpace(h)
	if h == "" {
		return "", false, true
	}
	scheme, token, found := strings.Cut(h, " ")
	token = strings.TrimSpace(token)
	if !found || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", true, false
	}
	return token, true, true
}

// middleware puts the caller into every request's context: anonymous without an
// Authorization header, refused with 401 when the header or the key is not valid. The
// request ends early if its key is revoked while it runs (a subscription over WebSocket
// or server-sent events, typically).
func (a *authenticator) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, given, ok := bearer(r.Header.Get("Authorization"))
		if !a.limits.allow(w, r, token, a.adminToken) {
			return
		}
		if !ok {
			unauthenticated(w, "the Authorization header must be \"Bearer <API key>\"")
			return
		}
		caller := domain.AnonymousCaller
		if given {
			var err error
			caller, err = auth.Authenticate(r.Context(), a.store, token, a.adminToken)
			switch {
			case errors.Is(err, domain.ErrUnauthenticated):
				// Guessing keys costs the address's allowance too.
				if a.limits.allowAddress(w, r) {
					unauthenticated(w, err.Error())
				}
				return
			case err != nil:
				writeJSON(w, http.StatusServiceUnavailable, errorBody("the database is unavailable right now; try again shortly", graph.CodeUnavailable))
				return
			}
		}
		ctx, done := a.revocations.Track(domain.WithCaller(r.Context(), caller), caller.KeyID)
		defer done()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// wsInit reads the credentials a WebSocket client sends in connection_init's payload
// ("authorization": "Bearer <key>"), which browsers must use since they cannot set headers
// on a WebSocket. They replace the handshake's, if any.
func (a *authenticator) wsInit(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	h := p.Authorization()
	if h == "" {
		return ctx, nil, nil
	}
	if !strings.Contains(strings.TrimSpace(h), " ") {
		h = "Bearer " + h // a bare token is accepted too
	}
	token, _, ok := bearer(h)
	if !ok {
		return ctx, nil, errors.New("UNAUTHENTICATED: authorization must be \"Bearer <API key>\"")
	}
	caller, err := auth.Authenticate(ctx, a.store, token, a.adminToken)
	if err != nil {
		if errors.Is(err, domain.ErrUnauthenticated) {
			return ctx, nil, errors.New("UNAUTHENTICATED: " + err.Error())
		}
		return ctx, nil, errors.New("UNAVAILABLE: the database is unavailable right now; try again shortly")
	}
	ctx, done := a.revocations.Track(domain.WithCaller(ctx, caller), caller.KeyID)
	context.AfterFunc(ctx, done)
	return ctx, nil, nil
}

func unauthenticated(w http.ResponseWriter, message string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="participation-graph"`)
	writeJSON(w, http.StatusUnauthorized, errorBody(message, graph.CodeUnauth))
}

func errorBody(message, code string) map[string]any {
	return map[string]any{"errors": []map[string]any{{"message": message, "extensions": map[string]any{"code": code}}}}
}
