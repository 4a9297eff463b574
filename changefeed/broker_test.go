package changefeed

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/participation-graph/participation-graph/domain"
)

func newTestBroker() *Broker {
	b := &Broker{subs: map[*Sub]struct{}{}, ready: make(chan struct{}), wake: make(chan struct{}, 1)}
	close(b.ready)
	return b
}

// TestSlowSubscriberIsEndedNotWaitedFor: a subscriber that reads nothing never blocks the
// publisher or its neighbour; it is ended with ErrTooSlow once its buffer is full.
func TestSlowSubscriberIsEndedNotWaitedFor(t *testing.T) {
	b := newTestBroker()
	ctx := context.Background()
	stuck, _, _ := b.subscribe(ctx, nil, nil)
	reader, _, _ := b.subscribe(ctx, []domain.Entity{domain.EntityMuseum}, nil)
	got := make(chan int64, Buffer*2)
	go func() {
		for c := range reader.C {
			got <- c.Seq
		}
	}()
	// One buffer's worth fits both subscribers; once the reader has drained it, ten more
	// overflow only the stuck one. Publishing must never wait for either.
	publish := func(from, to int64) {
		done := make(chan struct{})
		go func() {
			for i := from; i <= to; i++ {
				b.publish(&domain.Change{Seq: i, Entity: domain.EntityMuseum})
			}
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("publishing blocked on a stuck subscriber")
		}
	}
	publish(1, Buffer)
	for want := int64(1); want <= Buffer; want++ {
		if seq := <-got; seq != want {
			t.Fatalf("reader got seq %d, want %d", seq, want)
		}
	}
	publish(Buffer+1, Buffer+10)
	n := 0
	var last *domain.Change
	for c := range stuck.C {
		if c.Err == nil {
			n++
		}
		last = c
	}
	if n != Buffer || last == nil || last.Err == nil || !errors.Is(last.Err, ErrTooSlow) {
		t.Errorf("stuck subscriber: %d changes then %v, want %d then ErrTooSlow as its last value", n, last, Buffer)
	}
	var end *EndError
	if errors.As(last.Err, &end) && end.Resume != domain.EncodeChangeCursor(Buffer) {
		t.Errorf("resume cursor %q, want that of seq %d", end.Resume, Buffer)
	}
	if b.Count() != 1 {
		t.Errorf("%d subscribers left, want the reader only", b.Count())
	}
	deadline := time.After(5 * time.Second)
	for want := int64(Buffer + 1); want <= Buffer+10; want++ {
		select {
		case seq := <-got:
			if seq != want {
				t.Fatalf("reader got seq %d, want %d", seq, want)
			}
		case <-deadline:
			t.Fatalf("reader stopped at %d", want)
		}
	}
}

func TestTypesFilterAndShutdown(t *testing.T) {
	b := newTestBroker()
	sub, _, _ := b.subscribe(context.Background(), []domain.Entity{domain.EntityEvent}, nil)
	b.publish(&domain.Change{Seq: 1, Entity: domain.EntityMuseum})
	b.publish(&domain.Change{Seq: 2, Entity: domain.EntityEvent})
	b.close()
	var seqs []int64
	var end error
	for c := range sub.C {
		if c.Err == nil {
			seqs = append(seqs, c.Seq)
		}
		end = c.Err
	}
	if len(seqs) != 1 || seqs[0] != 2 || !errors.Is(end, ErrClosed) {
		t.Errorf("got %v then %v, want [2] then ErrClosed", seqs, end)
	}
	if _, _, err := b.subscribe(context.Background(), nil, nil); !errors.Is(err, ErrClosed) {
		t.Errorf("subscribing after shutdown: %v, want ErrClosed", err)
	}
}

// TestOutageEndsSubscribersWithResume: when the feed cannot be read, subscribers are ended
// with ErrDown and where to resume, new ones are refused, and both recover with the
// database.
func TestOutageEndsSubscribersWithResume(t *testing.T) {
	b := newTestBroker()
	sub, _, _ := b.subscribe(context.Background(), nil, nil)
	b.publish(&domain.Change{Seq: 7, Entity: domain.EntityMuseum})
	b.setDown(true)
	var last *domain.Change
	n := 0
	for c := range sub.C {
		n++
		last = c
	}
	var end *EndError
	if n != 2 || !errors.As(last.Err, &end) || !errors.Is(end, domain.ErrUnavailable) || end.Resume != domain.EncodeChangeCursor(7) {
		t.Fatalf("subscriber got %d values ending in %v, want the change then ErrDown resuming after seq 7", n, last.Err)
	}
	if _, _, err := b.subscribe(context.Background(), nil, nil); !errors.Is(err, ErrDown) {
		t.Errorf("subscribing while down: %v, want ErrDown", err)
	}
	b.setDown(false)
	if _, _, err := b.subscribe(context.Background(), nil, nil); err != nil {
		t.Errorf("subscribing after the database came back: %v", err)
	}
}

// TestFollowLeavesOutWhatTheCallerMayNotSee: live changes of RESTRICTED records reach only
// the callers who may read them, and the broker does the filtering as it publishes.
func TestFollowLeavesOutWhatTheCallerMayNotSee(t *testing.T) {
	for _, tc := range []struct {
		name   string
		caller domain.Caller
		want   []int64
	}{
		{"Anonymous", domain.AnonymousCaller, []int64{1}},
		{"EditorOfOtherMuseum", domain.Caller{Role: domain.Editor, Museums: []string{"mus_b"}}, []int64{1}},
		{"EditorOfMuseum", domain.Caller{Role: domain.Editor, Museums: []string{"mus_a"}}, []int64{1, 2}},
		{"Researcher", domain.Caller{Role: domain.Researcher}, []int64{1, 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newTestBroker()
			ctx, cancel := context.WithCancel(domain.WithCaller(context.Background(), tc.caller))
			defer cancel()
			feed, err := b.Follow(ctx, -1, nil)
			if err != nil {
				t.Fatal(err)
			}
			b.publish(&domain.Change{Seq: 1, Entity: domain.EntityEvent, MuseumID: "mus_a"})
			b.publish(&domain.Change{Seq: 2, Entity: domain.EntityEvent, MuseumID: "mus_a", Restricted: true})
			b.close()
			var got []int64
			for c := range feed {
				if c.Err == nil {
					got = append(got, c.Seq)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got changes %v, want %v", got, tc.want)
			}
		})
	}
}
