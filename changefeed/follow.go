package changefeed

import (
	"context"
	"fmt"

	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/store"
)

// EndError ends a subscription that cannot go on: the subscriber must resubscribe from
// Resume, the cursor of the last change it received.
type EndError struct {
	Cause  error
	Resume string
}

func (e *EndError) Error() string {
	return fmt.Sprintf("%v: resubscribe with after: %q to continue without a gap", e.Cause, e.Resume)
}

func (e *EndError) Unwrap() error { return e.Cause }

// replayPage is how many changes one replay read fetches.
const replayPage = 500

// Follow delivers the feed's changes of the given entities (all when empty) after position
// after, or only new ones when after is negative: first those already stored, then live
// ones, with no gap and no duplicate across the switch. Like the store's reads of the
// feed, it leaves out the changes of records ctx's caller may not see; that check runs as
// the broker publishes, so a subscriber needs no goroutine of its own to filter. The
// channel closes when ctx ends or the subscription cannot go on; in the second case its
// last value carries an *EndError in Err. A position older than the feed keeps is
// store.ErrCursorExpired.
func (b *Broker) Follow(ctx context.Context, after int64, types []domain.Entity) (<-chan *domain.Change, error) {
	if after >= 0 {
		if err := b.s.CheckChangeCursor(ctx, after); err != nil {
			return nil, err
		}
	}
	// Subscribing first means every change after pos arrives live; the replay covers the
	// rest, so nothing falls between the two.
	var visible func(*domain.Change) bool
	if !domain.CallerOf(ctx).ReadsAllRestricted() {
		visible = func(c *domain.Change) bool { return store.ChangeVisible(ctx, c) }
	}
	sub, pos, err := b.subscribe(ctx, types, visible)
	if err != nil {
		return nil, err
	}
	if after < 0 {
		// Live only: the subscriber reads the broker's channel itself, with no goroutine
		// in between; it is closed when the client goes.
		context.AfterFunc(ctx, func() { b.Unsubscribe(sub) })
		return sub.C, nil
	}
	out := make(chan *domain.Change)
	go func() {
		defer close(out)
		defer b.Unsubscribe(sub)
		cur := after
		send := func(c *domain.Change) bool {
			select {
			case out <- c:
				cur = c.Seq
				return true
			case <-ctx.Done():
				return false
			}
		}
		fail := func(err error) {
			select {
			case out <- &domain.Change{Seq: cur, Err: &EndError{Cause: err, Resume: domain.EncodeChangeCursor(cur)}}:
			case <-ctx.Done():
			}
		}
		for cur < pos {
			page, err := b.s.ChangesAfter(ctx, cur, replayPage, types)
			if err != nil {
				fail(err)
				return
			}
			for i := range page {
				if page[i].Seq > pos {
					break
				}
				if !send(&page[i]) {
					return
				}
			}
			if len(page) < replayPage || page[len(page)-1].Seq >= pos {
				break
			}
		}
		cur = max(cur, pos)
		for {
			select {
			case <-ctx.Done():
				return
			case c, ok := <-sub.C:
				if !ok {
					return
				}
				if c.Err != nil {
					// The broker ended the subscription; its resume cursor is the last
					// change it queued, which this loop has passed on.
					send(c)
					return
				}
				if c.Seq > cur && !send(c) {
					return
				}
			}
		}
	}()
	return out, nil
}
