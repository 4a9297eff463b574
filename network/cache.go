package network

import (
	"context"
	"fmt"
	"runtime/debug"
)

// maxCached bounds the number of cached results; past it, results of older versions go
// first, then any.
const maxCached = 256

// entry is one cached result, computed once: the first caller computes it, the others
// wait for ready.
type entry struct {
	version uint64
	ready   chan struct{}
	val     any   // set before ready closes
	err     error // set instead of val when the computation panicked
}

// cached returns the value computed by compute for key at the projection's current
// version (or a later one), computing it at most once per version: concurrent callers
// share one computation. compute must not fail and must read the projection under its
// read lock; should it panic all the same, its callers get an error and the next call
// tries again. A caller whose ctx ends while waiting gets ctx's error; the computation
// goes on for the others.
func (p *Projection) cached(ctx context.Context, key string, compute func() any) (any, error) {
	version := p.Version()
	p.cacheMu.Lock()
	e := p.cache[key]
	fresh := e == nil || e.version < version
	if fresh {
		e = &entry{version: version, ready: make(chan struct{})}
		p.evict(version)
		p.cache[key] = e
	}
	p.cacheMu.Unlock()
	if fresh {
		go func() {
			defer close(e.ready)
			defer func() {
				if r := recover(); r != nil {
					p.log.Error("network: computation panicked", "key", key, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
					e.err = fmt.Errorf("network: computing %s: %v", key, r)
					p.cacheMu.Lock()
					if p.cache[key] == e {
						delete(p.cache, key)
					}
					p.cacheMu.Unlock()
				}
			}()
			e.val = compute()
		}()
	}
	select {
	case <-e.ready:
		return e.val, e.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// evict makes room for one more entry; the caller holds cacheMu.
func (p *Projection) evict(version uint64) {
	if len(p.cache) < maxCached {
		return
	}
	for k, e := range p.cache {
		if e.version < version {
			delete(p.cache, k)
		}
	}
	for k := range p.cache {
		if len(p.cache) < maxCached {
			return
		}
		delete(p.cache, k)
	}
}
