package loader

import (
	"context"
	"errors"
	"sync"
)

// Loader loads values by key for one request, and keeps them for the rest of it. While
// the read model answers, a lookup is a map read and is made at once, uncached. On the
// database, a key not yet loaded is fetched together with every other key the caller
// names (One, Many and Children name the keys of a record's siblings), so a page's
// references cost one command per batch, and nothing waits for a batch to fill.
type Loader[K comparable, V any] struct {
	fetch  func(context.Context, []K) ([]V, []error)
	direct bool

	// mu is held while a batch is fetched: a caller asking for a key being fetched waits
	// for it rather than fetching it again.
	mu    sync.Mutex
	cache map[K]result[V]
}

type result[V any] struct {
	v   V
	err error
}

func newLoader[K comparable, V any](direct bool, fetch func(context.Context, []K) ([]V, []error)) *Loader[K, V] {
	return &Loader[K, V]{fetch: fetch, direct: direct, cache: map[K]result[V]{}}
}

// Errors are the errors of a batch, one per key, nil for the keys that loaded.
type Errors []error

func (e Errors) Error() string { return errors.Join(e...).Error() }

// Unwrap gives the keys' errors to errors.Is and errors.As.
func (e Errors) Unwrap() []error { return e }

// loaded reports whether k's value is at hand.
func (l *Loader[K, V]) loaded(k K) bool {
	if l.direct {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	_, ok := l.cache[k]
	return ok
}

// ensure loads, in one fetch, those of ks not loaded yet; it returns the values it
// loaded (not those it had).
func (l *Loader[K, V]) ensure(ctx context.Context, ks []K) []V {
	l.mu.Lock()
	defer l.mu.Unlock()
	var missing []K
	seen := make(map[K]bool, len(ks))
	for _, k := range ks {
		if _, ok := l.cache[k]; !ok && !seen[k] {
			seen[k] = true
			missing = append(missing, k)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	vs, errs := l.fetch(ctx, missing)
	for i, k := range missing {
		l.cache[k] = result[V]{vs[i], errs[i]}
	}
	// A failure is kept too, for this request only: the siblings that share the batch
	// get its error without asking again.
	return vs
}

// LoadEach returns the value or the error of each of ks, in order, in one fetch.
func (l *Loader[K, V]) LoadEach(ctx context.Context, ks []K) ([]V, []error) {
	if l.direct {
		return l.fetch(ctx, ks)
	}
	l.ensure(ctx, ks)
	vs, errs := make([]V, len(ks)), make([]error, len(ks))
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, k := range ks {
		r := l.cache[k]
		vs[i], errs[i] = r.v, r.err
	}
	return vs, errs
}

// Load returns the value of k.
func (l *Loader[K, V]) Load(ctx context.Context, k K) (V, error) {
	vs, errs := l.LoadEach(ctx, []K{k})
	return vs[0], errs[0]
}

// LoadAll returns the values of ks, in order; when any failed, the error is an Errors with
// one entry per key.
func (l *Loader[K, V]) LoadAll(ctx context.Context, ks []K) ([]V, error) {
	vs, errs := l.LoadEach(ctx, ks)
	for _, err := range errs {
		if err != nil {
			return vs, Errors(errs)
		}
	}
	return vs, nil
}

// Prime stores v as k's value for the rest of the request, unless k has one (lookups
// made at once need none).
func (l *Loader[K, V]) Prime(k K, v V) {
	if l.direct {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.cache[k]; !ok {
		l.cache[k] = result[V]{v: v}
	}
}
