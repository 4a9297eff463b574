// Package changefeed delivers the store's change feed to live subscribers. One broker per
// process tails the feed in seq order: at once when this process appends a change, and on
// a short poll for changes other server instances append to the same database. Because
// it reads the feed itself rather than passing writes along, subscribers see exactly the
// feed's order, with no gap, whichever instance wrote.
//
// Publishing never blocks: each subscriber has a bounded buffer, and one that falls
// behind is ended with ErrTooSlow and the position to resume from.
//
// When the database cannot be reached, the broker ends every subscriber with ErrDown and
// its resume position, refuses new ones, and keeps polling; once the database answers
// again it carries on from where it stopped, so a subscriber that resumes misses nothing.
package changefeed

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/store"
)

// ErrTooSlow ends a subscriber whose buffer filled up: it must resubscribe from the cursor
// of the last change it received.
var ErrTooSlow = errors.New("subscriber fell behind")

// ErrClosed ends subscribers when the server shuts down.
var ErrClosed = errors.New("server shutting down")

// ErrDown ends subscribers, and refuses new ones, while the change feed cannot be read.
// It wraps domain.ErrUnavailable.
var ErrDown = fmt.Errorf("%w: the change feed cannot be read", domain.ErrUnavailable)

// Buffer is how many changes a subscriber may have waiting before it is ended.
const Buffer = 256

// Broker fans the change feed out to subscribers.
type Broker struct {
	s    *store.Store
	poll time.Duration
	wake chan struct{}

	mu     sync.Mutex
	subs   map[*Sub]struct{}
	last   int64 // the seq of the last change published
	closed bool
	down   bool // the last read of the feed failed: the database is unreachable
	ready  chan struct{}

	onDeliver func(*domain.Change)
}

// Sub is one subscriber. Changes arrive on C in seq order. When the subscription cannot
// go on, the last value on C carries an *EndError in Err, saying why and where to resume,
// then C is closed.
type Sub struct {
	C     <-chan *domain.Change
	c     chan *domain.Change
	types map[domain.Entity]bool
	// visible, when set, leaves out the changes the subscriber may not see; it runs under
	// the broker's lock, so it must be quick and must not block.
	visible func(*domain.Change) bool
	last    int64 // the seq of the last change put on c
	once    sync.Once
}

// end closes the subscription, first telling it why unless it simply unsubscribed. The
// buffer always keeps a slot for that last word.
func (s *Sub) end(err error) {
	s.once.Do(func() {
		if err != nil {
			select {
			case s.c <- &domain.Change{Seq: s.last, Err: &EndError{Cause: err, Resume: domain.EncodeChangeCursor(s.last)}}:
			default:
			}
		}
		close(s.c)
	})
}

// New returns a broker over s that also polls the feed every poll (for other instances).
func New(s *store.Store, poll time.Duration) *Broker {
	b := &Broker{s: s, poll: poll, wake: make(chan struct{}, 1), subs: map[*Sub]struct{}{}, ready: make(chan struct{})}
	s.OnChange(b.Notify)
	return b
}

// OnDeliver sets a function called with each change as the broker publishes it (for
// metrics: the delay since the change was written). Set it before Run; it must not block.
func (b *Broker) OnDeliver(f func(*domain.Change)) { b.onDeliver = f }

// Notify tells the broker the feed has grown; it never blocks.
func (b *Broker) Notify() {
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// subscribe registers a subscriber for every change of the given entities (all when
// empty) that visible (when set) lets through. It returns the seq after which the
// subscriber's changes start; everything up to it is in the feed already, for the caller
// to replay. It fails with ErrClosed once the broker has stopped, with ErrDown while the
// database is unreachable, or with ctx's error if ctx ends before the broker has started.
func (b *Broker) subscribe(ctx context.Context, types []domain.Entity, visible func(*domain.Change) bool) (*Sub, int64, error) {
	select {
	case <-b.ready:
	case <-ctx.Done():
		return nil, 0, ctx.Err()
	}
	// Pointers keep an idle subscriber's buffer small; every subscriber shares the one
	// published value and must not change it.
	c := make(chan *domain.Change, Buffer+1)
	sub := &Sub{C: c, c: c, visible: visible}
	if len(types) > 0 {
		sub.types = map[domain.Entity]bool{}
		for _, t := range types {
			sub.types[t] = true
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, 0, ErrClosed
	}
	if b.down {
		return nil, 0, ErrDown
	}
	b.subs[sub] = struct{}{}
	sub.last = b.last
	return sub, b.last, nil
}

// Unsubscribe removes a subscriber; its channel is closed.
func (b *Broker) Unsubscribe(sub *Sub) {
	b.mu.Lock()
	delete(b.subs, sub)
	b.mu.Unlock()
	sub.end(nil)
}

// Position returns the seq of the last change the broker published.
func (b *Broker) Position() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.last
}

// Count returns the number of subscribers.
func (b *Broker) Count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs)
}

// Run tails the feed until ctx ends, then ends every subscriber with ErrClosed. It starts
// from the feed's current end: subscribers replay older changes themselves.
func (b *Broker) Run(ctx context.Context) error {
	last, err := b.s.LastSeq(ctx)
	for err != nil {
		select {
		case <-ctx.Done():
			b.close()
			return nil
		case <-time.After(time.Second):
		}
		last, err = b.s.LastSeq(ctx)
	}
	b.mu.Lock()
	b.last = last
	b.mu.Unlock()
	close(b.ready)
	tick := time.NewTicker(b.poll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			b.close()
			return nil
		case <-b.wake:
		case <-tick.C:
		}
		b.catchUp(ctx)
	}
}

// catchUp publishes every change after the last one published, in order. A database
// error leaves the position where it is, to be retried at the next wake or tick; an
// unreachable database also ends the subscribers (see setDown).
func (b *Broker) catchUp(ctx context.Context) {
	for ctx.Err() == nil {
		c, err := b.s.ChangeAt(ctx, b.last+1)
		switch {
		case err == nil:
			b.setDown(false)
			b.publish(c)
			continue
		case domain.IsNotFound(err):
			b.setDown(false)
		case errors.Is(err, domain.ErrUnavailable) && ctx.Err() == nil:
			b.setDown(true)
		}
		return
	}
}

// setDown records whether the database is reachable. Going down ends every subscriber
// with ErrDown and the cursor to resume from: a subscription that stayed open would look
// live while nothing can arrive, and its client could not tell an outage from a quiet
// feed.
func (b *Broker) setDown(down bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if down && !b.down {
		for sub := range b.subs {
			delete(b.subs, sub)
			sub.end(ErrDown)
		}
	}
	b.down = down
}

func (b *Broker) publish(c *domain.Change) {
	if b.onDeliver != nil {
		b.onDeliver(c)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.last = c.Seq
	for sub := range b.subs {
		if (sub.types != nil && !sub.types[c.Entity]) || (sub.visible != nil && !sub.visible(c)) {
			continue
		}
		if len(sub.c) >= Buffer {
			delete(b.subs, sub)
			sub.end(ErrTooSlow)
			continue
		}
		sub.c <- c // never blocks: only publish sends, under b.mu, and a slot is free
		sub.last = c.Seq
	}
}

func (b *Broker) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for sub := range b.subs {
		delete(b.subs, sub)
		sub.end(ErrClosed)
	}
}
