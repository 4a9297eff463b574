package api_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/participation-graph/participation-graph/internal/gqltest"
)

// TestSubscriptionsLeaveNothingBehind connects, subscribes and disconnects many times; the
// goroutines come back to where they started.
func TestSubscriptionsLeaveNothingBehind(t *testing.T) {
	e := newEnv(t)
	settle := func() int {
		time.Sleep(300 * time.Millisecond)
		return runtime.NumGoroutine()
	}
	cycle := func() {
		ws := gqltest.DialWS(t, e.gql.URL, gqltest.TransportWS)
		ws.Subscribe(t, "1", subChanges, nil)
		ws.Close()
	}
	cycle() // warm up pools and caches
	base := settle()
	for i := 0; i < 30; i++ {
		cycle()
	}
	var now int
	for try := 0; try < 10; try++ {
		if now = settle(); now <= base+2 {
			break
		}
	}
	if now > base+2 {
		t.Errorf("%d goroutines after 30 connect/disconnect cycles, %d before", now, base)
	}
}
