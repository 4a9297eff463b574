package api

import (
	"fmt"
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/participation-graph/participation-graph/auth"
)

// rateLimiter gives each API key, and each client address without one, a token bucket:
// Rate requests per second on average, up to Burst at once. A nil *rateLimiter allows
// everything.
type rateLimiter struct {
	rate, burst float64
	now         func() time.Time

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
func newRateLimiter(perSecond float64, burst int) *rateLimiter {
	if perSecond <= 0 {
		return nil
	}
	if burst < 1 {
		burst = 1
	}
	return &rateLimiter{rate: perSecond, burst: float64(burst), now: time.Now, buckets: map[string]*bucket{}}
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
	key := "addr:" + clientAddress(r)
	if id, err := auth.ParseSecret(token); err == nil {
		key = "key:" + id
	} else if auth.MatchesToken(token, adminToken) {
		key = "key:" + auth.AdminTokenID
	}
	return l.charge(w, key)
}

// allowAddress charges the request to its client address.
func (l *rateLimiter) allowAddress(w http.ResponseWriter, r *http.Request) bool {
	if l == nil {
		return true
	}
	return l.charge(w, "addr:"+clientAddress(r))
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
		"extensions": map[string]any{"code": "RATE_LIMITED", "retryAfter": secs},
	}}})
	return false
}

// clientAddress is the address the request came from (the proxy's, behind one).
func clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
