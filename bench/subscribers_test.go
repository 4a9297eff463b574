package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/participation-graph/participation-graph/api"
	"github.com/participation-graph/participation-graph/changefeed"
	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/internal/dbtest"
)

// subscribersProfile, when set, is a directory where BenchmarkSubscribers writes the
// server's heap and goroutine profiles while every subscriber is connected and idle, and
// a CPU profile of the writes and their fan-out.
var subscribersProfile = flag.String("subscribers.profile", "", "directory for the server's profiles: heap and goroutines with all subscribers idle, CPU during the fan-out")

// TestMain runs the tests, or, when the test binary is started by BenchmarkSubscribers
// with swarmEnv set, the swarm of subscribing clients instead, or, when started by
// BenchmarkMongoPath with dbHostEnv set, its database process.
func TestMain(m *testing.M) {
	if scale := os.Getenv(dbHostEnv); scale != "" {
		if err := runDBHost(scale, os.Stdin, os.Stdout); err != nil {
			fmt.Fprintf(os.Stderr, "database process: %v\n", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	if spec := os.Getenv(swarmEnv); spec != "" {
		if err := runSwarm(spec, os.Stdin, os.Stdout); err != nil {
			fmt.Fprintf(os.Stdout, "error %v\n", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// BenchmarkSubscribers holds many idle WebSocket subscribers of the change feed and
// measures the server's memory and goroutines per subscriber, and how long a write takes
// to reach all of them. The clients run in a second process (this test binary started
// again as a swarm), so the server's numbers are its own and each connection costs the
// server one file descriptor.
func BenchmarkSubscribers(b *testing.B) {
	for _, tc := range []struct{ n, perConn int }{{1000, 1}, {10000, 1}, {10000, 10}} {
		b.Run(fmt.Sprintf("subscribers=%d/per-connection=%d", tc.n, tc.perConn), func(b *testing.B) { benchSubscribers(b, tc.n, tc.perConn) })
	}
}

func benchSubscribers(b *testing.B, n, perConn int) {
	memRate := runtime.MemProfileRate
	if *subscribersProfile != "" {
		// Every allocation while the subscribers connect, so that per-connection buffers
		// of a few KB all show.
		runtime.MemProfileRate = 1
	}
	s, _ := dbtest.Open(b)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	feed := changefeed.New(s, time.Hour) // local writes wake it; no polling needed here
	go func() { _ = feed.Run(ctx) }()
	srv := httptest.NewServer(api.New(api.Options{Store: s, Feed: feed}))
	defer srv.Close()

	heap0, stack0 := serverMemory()
	goroutines := runtime.NumGoroutine()
	sw, err := startSwarm(swarmSpec{URL: "ws" + strings.TrimPrefix(srv.URL, "http") + "/graphql", Connections: n / perConn, PerConnection: perConn})
	if err != nil {
		b.Fatal(err)
	}
	defer sw.kill()
	if line, err := sw.next(2 * time.Minute); err != nil || line != "ready" {
		b.Fatalf("swarm: got %q, %v; want ready", line, err)
	}
	for feed.Count() < n {
		time.Sleep(10 * time.Millisecond)
	}
	heap, stack := serverMemory()
	heapPerSub, stackPerSub := float64(heap-heap0)/float64(n), float64(stack-stack0)/float64(n)
	perSubG := float64(runtime.NumGoroutine()-goroutines) / float64(n)
	if *subscribersProfile != "" {
		writeProfiles(b, *subscribersProfile, fmt.Sprintf("%d-%d", n, perConn))
		runtime.MemProfileRate = memRate
	}

	if *subscribersProfile != "" {
		f, err := os.Create(filepath.Join(*subscribersProfile, fmt.Sprintf("cpu-%d-%d.pprof", n, perConn)))
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			b.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	starts := map[string]int64{}
	var clientCPU []int64 // the swarm's CPU time as each write had reached every subscriber
	serverCPU := cpuTime()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		start := time.Now().UnixNano()
		c, err := s.CreateCommunity(ctx, domain.CreateCommunityInput{Name: fmt.Sprintf("Fan-out %d", i), Kind: "OTHER"})
		if err != nil {
			b.Fatal(err)
		}
		starts[c.ID] = start
		line, err := sw.next(30 * time.Second)
		f := strings.Fields(line)
		if err != nil || len(f) != 3 || f[0] != "all" || f[1] != c.ID {
			b.Fatalf("write %d: swarm said %q, %v; want all %s <cpu>", i, line, err, c.ID)
		}
		cpu, err := strconv.ParseInt(f[2], 10, 64)
		if err != nil {
			b.Fatalf("write %d: swarm said %q", i, line)
		}
		clientCPU = append(clientCPU, cpu)
	}
	b.StopTimer()
	serverCPU = cpuTime() - serverCPU
	lat, err := sw.receipts(starts)
	if err != nil {
		b.Fatal(err)
	}
	if want := len(starts) * n; len(lat) != want {
		b.Fatalf("got %d receipts, want %d", len(lat), want)
	}
	b.ReportMetric(heapPerSub+stackPerSub, "B/subscriber")
	b.ReportMetric(heapPerSub, "heap-B/subscriber")
	b.ReportMetric(stackPerSub, "stack-B/subscriber")
	b.ReportMetric(perSubG, "goroutines/subscriber")
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	// CPU time per delivery does not depend on what else the machine runs, unlike the
	// latencies; the server's includes the writes themselves.
	b.ReportMetric(float64(serverCPU)/1000/float64(len(lat)), "server-cpu-µs/delivery")
	if k := len(clientCPU); k > 1 {
		b.ReportMetric(float64(clientCPU[k-1]-clientCPU[0])/1000/float64((k-1)*n), "client-cpu-µs/receipt")
	}
}

// cpuTime returns the CPU time, user and system, this process has used, in nanoseconds.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// serverMemory returns the bytes of heap spans and of goroutine stacks in use after a
// collection.
func serverMemory() (heap, stack uint64) {
	for range 4 {
		runtime.GC()
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse, m.StackInuse
}

func writeProfiles(b *testing.B, dir, suffix string) {
	for _, name := range []string{"heap", "goroutine"} {
		f, err := os.Create(filepath.Join(dir, name+"-"+suffix+".pprof"))
		if err != nil {
			b.Fatal(err)
		}
		if err := pprof.Lookup(name).WriteTo(f, 0); err != nil {
			b.Fatal(err)
		}
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// swarm is the client process of BenchmarkSubscribers, spoken to over its stdin and
// stdout (see runSwarm).
type swarm struct {
	cmd   *exec.Cmd
	in    io.WriteCloser
	lines chan string
}

func startSwarm(spec swarmSpec) (*swarm, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	js, _ := json.Marshal(spec)
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), swarmEnv+"="+string(js))
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	sw := &swarm{cmd: cmd, in: in, lines: make(chan string, 1024)}
	go func() {
		defer close(sw.lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			sw.lines <- sc.Text()
		}
	}()
	return sw, nil
}

// next returns the swarm's next line; an error line or the end of its output is an error.
func (sw *swarm) next(wait time.Duration) (string, error) {
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case line, ok := <-sw.lines:
		if !ok {
			return "", fmt.Errorf("swarm ended: %v", sw.cmd.Wait())
		}
		if msg, isErr := strings.CutPrefix(line, "error "); isErr {
			return "", fmt.Errorf("swarm: %s", msg)
		}
		return line, nil
	case <-t.C:
		return "", fmt.Errorf("swarm said nothing for %v", wait)
	}
}

// receipts ends the swarm and returns the latency of every receipt it recorded, from the
// start of the write of the entity it names.
func (sw *swarm) receipts(starts map[string]int64) ([]time.Duration, error) {
	if err := sw.in.Close(); err != nil {
		return nil, err
	}
	var lat []time.Duration
	for {
		line, err := sw.next(time.Minute)
		if err != nil {
			return nil, err
		}
		if line == "end" {
			for range sw.lines {
				// Wait may close the pipe only once its output has been read.
			}
			return lat, sw.cmd.Wait()
		}
		f := strings.Fields(line)
		if len(f) != 3 || f[0] != "recv" {
			return nil, fmt.Errorf("swarm: unexpected %q", line)
		}
		at, err := strconv.ParseInt(f[2], 10, 64)
		start, ok := starts[f[1]]
		if err != nil || !ok {
			return nil, fmt.Errorf("swarm: unexpected %q", line)
		}
		lat = append(lat, time.Duration(at-start))
	}
}

func (sw *swarm) kill() {
	if sw.cmd.ProcessState == nil {
		_ = sw.cmd.Process.Kill()
		_ = sw.cmd.Wait()
	}
}
