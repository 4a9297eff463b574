package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/participation-graph/participation-graph/api"
	"github.com/participation-graph/participation-graph/embedded"
	"github.com/participation-graph/participation-graph/seed"
	"github.com/participation-graph/participation-graph/store"
)

// dbHostEnv, when set in the environment of this test binary, makes it the database
// process of BenchmarkMongoPath instead (see runDBHost); its value is the sample scale.
const dbHostEnv = "PG_BENCH_DBHOST_SCALE"

// mongoPathScale is the number of sample decision events BenchmarkMongoPath loads: 17
// museums (the nine of Our Museum have no partnerships), 30 partnerships and 1,000 events,
// so the page below returns 30 partnerships and 600 events.
const mongoPathScale = 1000

// queryMongoPath is the nested page the peer in ../shared/peer serves, with totalCount at
// every level.
const queryMongoPath = `{
  museums(first: 50) {
    totalCount
    nodes {
      name
      partnerships(first: 20) {
        totalCount
        nodes {
          title
          community { name }
          decisionEvents(first: 20) {
            totalCount
            nodes { title communities { name } museum { name } }
          }
        }
      }
    }
  }
}`

// BenchmarkMongoPath measures the read path the server takes on MongoDB: no list index,
// every list and reference read from the database, loaders batching as on MongoDB. The
// database is the embedded one served by another process (this test binary started
// again, see runDBHost), so none of its work is counted here: cpu-ms/op is this
// process's own CPU time (user and system) per request, commands/op and reply-bytes/op
// what it sent to and read from the database, goroutines/op how many goroutines a
// request started and peak-goroutines the most alive at once (sampled every
// millisecond). Allocations are this process's alone.
func BenchmarkMongoPath(b *testing.B) {
	uri := startDBHost(b, mongoPathScale)
	ctx := context.Background()
	var commands, replyBytes atomic.Int64
	var mu sync.Mutex
	byName := map[string][2]int64{} // commands and reply bytes by command name
	s, err := store.Open(ctx, store.Options{URI: uri, Database: "bench", ReadModel: store.ReadModelOff,
		OnCommand: func(string, string) { commands.Add(1) },
		OnReply: func(_, name string, size int) {
			replyBytes.Add(int64(size))
			mu.Lock()
			byName[name] = [2]int64{byName[name][0] + 1, byName[name][1] + int64(size)}
			mu.Unlock()
		}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close(context.Background()) })
	// As the server on MongoDB, with the peer comparison's cost limit.
	h := api.New(api.Options{Store: s, Limits: api.Limits{MaxCost: 1_000_000},
		Logger: slog.New(slog.DiscardHandler)})
	body, _ := json.Marshal(map[string]string{"query": queryMongoPath})
	var records int
	run := func() {
		if n := strings.Count(string(post(b, h, body)), `"title"`); n != records {
			b.Fatalf("%d partnerships and events on the page, then %d", records, n)
		}
	}
	// Warm the query cache and the connection pool.
	records = strings.Count(string(post(b, h, body)), `"title"`)
	if records < 400 {
		b.Fatalf("only %d partnerships and events on the page", records)
	}
	b.Logf("%d partnerships and events on the page", records)

	stop, peak := sampleGoroutines()
	created := goroutinesCreated()
	cmd0, bytes0 := commands.Load(), replyBytes.Load()
	mu.Lock()
	clear(byName)
	mu.Unlock()
	cpu0 := cpuTime()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		run()
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(float64(cpuTime()-cpu0)/1e6/n, "cpu-ms/op")
	b.ReportMetric(float64(commands.Load()-cmd0)/n, "commands/op")
	b.ReportMetric(float64(replyBytes.Load()-bytes0)/n, "reply-bytes/op")
	b.ReportMetric(float64(goroutinesCreated()-created)/n, "goroutines/op")
	stop()
	b.ReportMetric(float64(peak.Load()), "peak-goroutines")
	mu.Lock()
	defer mu.Unlock()
	for name, v := range byName {
		b.Logf("%s: %.1f replies, %.0f bytes per request", name, float64(v[0])/n, float64(v[1])/n)
	}
}

// goroutinesCreated returns how many goroutines this process has started so far.
func goroutinesCreated() uint64 {
	s := []metrics.Sample{{Name: "/sched/goroutines-created:goroutines"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// sampleGoroutines records the most goroutines alive at once, looking every millisecond,
// until stop is called.
func sampleGoroutines() (stop func(), peak *atomic.Int64) {
	peak = new(atomic.Int64)
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			if n := int64(runtime.NumGoroutine()); n > peak.Load() {
				peak.Store(n)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); <-finished }, peak
}

// startDBHost starts this test binary again as the database process, loaded with the Our
// Museum data and the sample at scale in the database "bench", and returns its URI. The
// process ends when the benchmark does.
func startDBHost(b *testing.B, scale int) string {
	b.Helper()
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d", dbHostEnv, scale), "TMPDIR="+b.TempDir())
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = in.Close() // the host stops when its stdin ends
		if err := cmd.Wait(); err != nil {
			b.Errorf("database process: %v", err)
		}
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	uri, ok := strings.CutPrefix(strings.TrimSpace(line), "ready ")
	if !ok {
		b.Fatalf("database process: %q, %v", line, err)
	}
	return uri
}

// runDBHost is the database process of BenchmarkMongoPath: it starts the embedded
// database on a free port in a temporary directory, prepares it as the server does, loads
// the data, writes "ready <uri>" and serves until its stdin ends.
func runDBHost(scaleEnv string, in io.Reader, out io.Writer) error {
	var scale int
	if _, err := fmt.Sscan(scaleEnv, &scale); err != nil {
		return err
	}
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "mongopath-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	db, err := embedded.Start(ctx, embedded.Config{Dir: dir})
	if err != nil {
		return err
	}
	defer db.Stop()
	s, err := store.Open(ctx, store.Options{URI: db.URI(), Database: "bench", ReadModel: store.ReadModelOff})
	if err != nil {
		return err
	}
	defer s.Close(ctx)
	if err := s.EnsureIndexes(ctx); err != nil {
		return err
	}
	if err := db.IndexIDLookups(ctx, "bench"); err != nil {
		return err
	}
	if _, err := seed.OurMuseum(ctx, s); err != nil {
		return err
	}
	if _, err := seed.Sample(ctx, s, scale); err != nil {
		return err
	}
	fmt.Fprintf(out, "ready %s\n", db.URI())
	_, err = io.Copy(io.Discard, in)
	return err
}
