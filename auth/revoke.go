package auth

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/participation-graph/participation-graph/domain"
)

// ErrKeyRevoked is the cause of the end of work done with a key that was revoked.
var ErrKeyRevoked = fmt.Errorf("%w: the API key was revoked", domain.ErrUnauthenticated)

// Revocations ends what is running on behalf of a key when the key is revoked: open
// subscriptions and requests in flight. It is safe for concurrent use; a nil *Revocations
// tracks nothing.
type Revocations struct {
	mu    sync.Mutex
	next  uint64
	byKey map[string]map[uint64]context.CancelCauseFunc
}

// NewRevocations returns an empty registry.
func NewRevocations() *Revocations {
	return &Revocations{byKey: map[string]map[uint64]context.CancelCauseFunc{}}
}

// Track returns a context that ends, with cause ErrKeyRevoked, when keyID is revoked, and
// a function to call when the work is done. Work without a key is not tracked.
func (r *Revocations) Track(ctx context.Context, keyID string) (context.Context, func()) {
	if r == nil || keyID == "" || keyID == domain.AdminTokenID {
		return ctx, func() {}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	r.mu.Lock()
	r.next++
	id := r.next
	if r.byKey[keyID] == nil {
		r.byKey[keyID] = map[uint64]context.CancelCauseFunc{}
	}
	r.byKey[keyID][id] = cancel
	r.mu.Unlock()
	return ctx, func() {
		r.mu.Lock()
		delete(r.byKey[keyID], id)
		if len(r.byKey[keyID]) == 0 {
			delete(r.byKey, keyID)
		}
		r.mu.Unlock()
		cancel(nil)
	}
}

// Revoke ends everything tracked for keyID.
func (r *Revocations) Revoke(keyID string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	cancels := r.byKey[keyID]
	delete(r.byKey, keyID)
	r.mu.Unlock()
	for _, cancel := range cancels {
		cancel(ErrKeyRevoked)
	}
}

// Tracked returns how many pieces of work are tracked, for tests and metrics.
func (r *Revocations) Tracked() int {
	if r == nil {
		return 0
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, m := range r.byKey {
		n += len(m)
	}
	return n
}

// RevokedKeys tells which keys were revoked since a time.
type RevokedKeys interface {
	RevokedSince(ctx context.Context, t time.Time) ([]string, error)
}

// Watch ends, within a few seconds, what runs for keys that another server instance
// revoked (revocations made here end it at once with Revoke). It returns when ctx ends.
func (r *Revocations) Watch(ctx context.Context, keys RevokedKeys, log *slog.Logger) {
	const every = 3 * time.Second
	since := time.Now().Add(-every)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		next := time.Now()
		ids, err := keys.RevokedSince(ctx, since.Add(-time.Second))
		if err != nil {
			if ctx.Err() == nil {
				log.Warn("checking revoked API keys failed", "err", err)
			}
			continue
		}
		for _, id := range ids {
			r.Revoke(id)
		}
		since = next
	}
}
