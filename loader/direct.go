package loader

import (
	"context"
	"time"

	"github.com/vikstrous/dataloadgen"
)

// Loader loads values by key for one request. Keys are batched through a dataloader, so a
// page's references cost one database command; but while the read model answers, a lookup
// is a map read, and a batch would only add its window and a goroutine hand-off, so the
// lookup is made at once.
type Loader[K comparable, V any] struct {
	fetch   func(context.Context, []K) ([]V, []error)
	batched *dataloadgen.Loader[K, V] // nil when lookups are made at once
}

func newLoader[K comparable, V any](direct bool, wait time.Duration, fetch func(context.Context, []K) ([]V, []error)) *Loader[K, V] {
	l := &Loader[K, V]{fetch: fetch}
	if !direct {
		l.batched = dataloadgen.NewLoader(fetch, dataloadgen.WithWait(wait))
	}
	return l
}

// Load returns the value of k.
func (l *Loader[K, V]) Load(ctx context.Context, k K) (V, error) {
	if l.batched != nil {
		return l.batched.Load(ctx, k)
	}
	vs, errs := l.fetch(ctx, []K{k})
	return vs[0], errs[0]
}

// LoadAll returns the values of ks, in order; when any failed, the error is a
// dataloadgen.ErrorSlice with one entry per key.
func (l *Loader[K, V]) LoadAll(ctx context.Context, ks []K) ([]V, error) {
	if l.batched != nil {
		return l.batched.LoadAll(ctx, ks)
	}
	vs, errs := l.fetch(ctx, ks)
	for _, err := range errs {
		if err != nil {
			return vs, dataloadgen.ErrorSlice(errs)
		}
	}
	return vs, nil
}

// Prime stores v as k's value for the rest of the request (lookups made at once need
// none).
func (l *Loader[K, V]) Prime(k K, v V) {
	if l.batched != nil {
		l.batched.Prime(k, v)
	}
}

// LoadEach returns the value or the error of each of ks, in order, in one batch.
func (l *Loader[K, V]) LoadEach(ctx context.Context, ks []K) ([]V, []error) {
	if l.batched == nil {
		return l.fetch(ctx, ks)
	}
	thunks := make([]func() (V, error), len(ks))
	for i, k := range ks {
		thunks[i] = l.batched.LoadThunk(ctx, k)
	}
	vs, errs := make([]V, len(ks)), make([]error, len(ks))
	for i, thunk := range thunks {
		vs[i], errs[i] = thunk()
	}
	return vs, errs
}
