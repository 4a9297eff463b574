package bench

import (
	"context"
	"fmt"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/participation-graph/participation-graph/api"
	"github.com/participation-graph/participation-graph/changefeed"
	"github.com/participation-graph/participation-graph/internal/dbtest"
	"github.com/participation-graph/participation-graph/store"
)

type wsMsg struct {
	ID      string `json:"id,omitempty"`
	Type    string `json:"type"`
	Payload any    `json:"payload,omitempty"`
}

// BenchmarkSubscribers holds many idle WebSocket subscribers of the change feed and
// measures the memory they take and how long a write takes to reach all of them. Clients
// and server share the process, so the memory per subscriber includes the client side of
// each connection (an upper bound for the server's share).
func BenchmarkSubscribers(b *testing.B) {
	// Each connection takes two descriptors here (client and server side).
	var lim syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim) == nil {
		want := syscall.Rlimit{Cur: 1 << 16, Max: max(lim.Max, 1<<16)}
		if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want) != nil {
			lim.Cur = lim.Max
			_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
		}
	}
	// 10,000 connections would need more descriptors than this machine allows a process,
	// so there each connection carries two subscriptions.
	for _, tc := range []struct{ n, perConn int }{{1000, 1}, {10000, 2}} {
		b.Run(fmt.Sprintf("subscribers=%d/per-connection=%d", tc.n, tc.perConn), func(b *testing.B) { benchSubscribers(b, tc.n, tc.perConn) })
	}
}

func benchSubscribers(b *testing.B, n, perConn int) {
	s, _ := dbtest.Open(b)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	feed := changefeed.New(s, time.Hour) // local writes wake it; no polling needed here
	go func() { _ = feed.Run(ctx) }()
	srv := httptest.NewServer(api.New(api.Options{Store: s, Feed: feed}))
	defer srv.Close()
	url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/graphql"

	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapInuse + m.StackInuse
	}
	before, goroutines := heap(), runtime.NumGoroutine()
	received := make(chan time.Time, n)
	conns := make([]*websocket.Conn, n/perConn)
	var wg sync.WaitGroup
	for i := range conns {
		c, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
		if err != nil {
			b.Fatalf("dial %d: %v", i, err)
		}
		c.SetReadLimit(1 << 20)
		conns[i] = c
		if err := wsjson.Write(ctx, c, wsMsg{Type: "connection_init", Payload: map[string]any{}}); err != nil {
			b.Fatal(err)
		}
		var ack wsMsg
		if err := wsjson.Read(ctx, c, &ack); err != nil || ack.Type != "connection_ack" {
			b.Fatalf("ack %d: %v %+v", i, err, ack)
		}
		for k := 0; k < perConn; k++ {
			if err := wsjson.Write(ctx, c, wsMsg{ID: fmt.Sprint(k), Type: "subscribe", Payload: map[string]any{
				"query": `subscription { changes(types: [COMMUNITY]) { seq entityId } }`}}); err != nil {
				b.Fatal(err)
			}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				var m wsMsg
				if err := wsjson.Read(ctx, c, &m); err != nil {
					return
				}
				if m.Type == "next" {
					received <- time.Now()
				}
			}
		}()
	}
	for feed.Count() < n {
		time.Sleep(10 * time.Millisecond)
	}
	perSub := float64(heap()-before) / float64(n)
	perSubG := float64(runtime.NumGoroutine()-goroutines) / float64(n)

	var lat []time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		if _, err := s.CreateCommunity(ctx, store.CreateCommunityInput{Name: fmt.Sprintf("Fan-out %d", i), Kind: "OTHER"}); err != nil {
			b.Fatal(err)
		}
		for j := 0; j < n; j++ {
			select {
			case at := <-received:
				lat = append(lat, at.Sub(start))
			case <-time.After(30 * time.Second):
				b.Fatalf("write %d reached %d of %d subscribers", i, j, n)
			}
		}
	}
	b.StopTimer()
	b.ReportMetric(perSub, "B/subscriber")
	b.ReportMetric(perSubG, "goroutines/subscriber")
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	for _, c := range conns {
		_ = c.Close(websocket.StatusNormalClosure, "")
	}
	cancel()
	wg.Wait()
}
