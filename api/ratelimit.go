package api

import (
	"fmt"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/participation-graph/participation-graph/auth"
	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/graph"
)

// rateLimiter gives each API key, and each client address without one, a token bucket:
// Rate requests per second on average, up to Burst at once. A nil *rateLimiter allows
// everything.
type rateLimiter struct {
	rate, burst float64
	now         func() time.Time
	// trusted are the reverse proxies whose X-Forwarded-For is believed.
	trusted []netip.Prefix

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// maxBuckets bounds the limiter's memory; past it, buckets that have refilled (idle
// clients) are dropped.
const maxBuckets = 100_000

// newRateLimiter returns a limiter, or nil when perSecond is not positive (no limit).
// Requests from the trusted proxies are charged to the client they forward for.
func newRateLimiter(perSecond float64, burst int, trusted []netip.Prefix) *rateLimiter {
	if perSecond <= 0 {
		return nil
	}
	if burst < 1 {
		burst = 1
	}
	return &rateLimiter{rate: perSecond, burst: float64(burst), now: time.Now, trusted: trusted,
		buckets: map[string]*bucket{}}
}

// take spends one token of key's bucket, or says how long until one is free.
func (l *rateLimiter) take(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= maxBuckets {
			l.dropIdle(now)
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	b.tokens = math.Min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
}

func (l *rateLimiter) dropIdle(now time.Time) {
	for k, b := range l.buckets {
		if b.tokens+now.Sub(b.last).Seconds()*l.rate >= l.burst {
			delete(l.buckets, k)
		}
	}
}

// allow charges the request to its key (when the token names one, or is the admin
// token) or its address, and answers 429 when the bucket is empty.
func (l *rateLimiter) allow(w http.ResponseWriter, r *http.Request, token, adminToken string) bool {
	if l == nil {
		return true
	}
	key := "addr:" + l.clientAddress(r)
	if id, err := auth.ParseSecret(token); err == nil {
		key = "key:" + id
	} else if auth.MatchesToken(token, adminToken) {
		key = "key:" + domain.AdminTokenID
	}
	return l.charge(w, key)
}

// allowAddress charges the request to its client address.
func (l *rateLimiter) allowAddress(w http.ResponseWriter, r *http.Request) bool {
	if l == nil {
		return true
	}
	return l.charge(w, "addr:"+l.clientAddress(r))
}

func (l *rateLimiter) charge(w http.ResponseWriter, key string) bool {
	ok, wait := l.take(key)
	if ok {
		return true
	}
	secs := int(math.Ceil(wait.Seconds()))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	writeJSON(w, http.StatusTooManyRequests, map[string]any{"errors": []map[string]any{{
		"message": fmt.Sprintf("too many requests: each API key, and each address without one, may send %g requests per second (%g at once); retry after %d s",
			l.rate, l.burst, secs),
		"extensions": map[string]any{"code": graph.CodeRateLimited, "retryAfter": secs},
	}}})
	return false
}

// clientAddress is the address the request came from. Behind trusted proxies it is the
// right-most address of X-Forwarded-For that is not one of them: each proxy appends the
// address it was called from, so everything left of the first untrusted address may
// have been written by the client itself. The walk stops at an entry that is not an
// address (a proxy that does not append), keeping the last proxy's address rather than
// letting a client name its own bucket.
func (l *rateLimiter) clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !l.isTrusted(peer) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, ok := parseHop(hops[i])
		if !ok {
			break
		}
		peer = hop
		if !l.isTrusted(hop) {
			break
		}
	}
	return peer.String()
}

func (l *rateLimiter) isTrusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range l.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// parseHop reads one X-Forwarded-For entry: an address, or an address and port.
func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}
