package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/participation-graph/participation-graph/internal/gqltest"
)

// childEnv, set in a child process's environment, makes the test binary run the server
// (main) instead of the tests, so that tests can start the real server as a process of
// its own and kill it.
const childEnv = "PARTICIPATION_GRAPH_TEST_SERVER"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// child is the server running as a separate process.
type child struct {
	cmd  *exec.Cmd
	base string
	done chan struct{} // closed when the process has exited
	err  error         // how it exited, once done is closed
}

// startChild starts the server as a child process with env and waits until it is ready.
func startChild(t *testing.T, env map[string]string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), childEnv+"=1", "ADMIN_TOKEN="+testAdminToken)
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	logs, err := os.CreateTemp(t.TempDir(), "log")
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, base: "http://127.0.0.1:" + env["PORT"], done: make(chan struct{})}
	go func() { c.err = cmd.Wait(); close(c.done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-c.done
	})
	deadline := time.Now().Add(60 * time.Second)
	for status(t, c.base+"/readyz") != http.StatusOK {
		select {
		case <-c.done:
			b, _ := os.ReadFile(logs.Name())
			t.Fatalf("server exited: %v\n%s", c.err, b)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("server did not become ready")
		}
		time.Sleep(50 * time.Millisecond)
	}
	return c
}

// TestAcknowledgedWritesSurviveKill writes from several clients at once, kills the server
// with SIGKILL in the middle, starts it again on the same files and checks that every
// write the API acknowledged is there, and in the change feed exactly once.
func TestAcknowledgedWritesSurviveKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills a server process")
	}
	dir := t.TempDir()
	srv := startChild(t, map[string]string{"PORT": strconv.Itoa(freePort(t)), "DATA_DIR": dir})

	const writers = 8
	var (
		mu    sync.Mutex
		acked []string
	)
	ctx, stopWriting := context.WithCancel(context.Background())
	defer stopWriting()
	var wg sync.WaitGroup
	began := time.Now()
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ctx.Err() == nil; n++ {
				id, err := createCommunity(ctx, srv.base, fmt.Sprintf("Writer %d no. %d", w, n))
				if err != nil {
					return // the server is gone: what was not acknowledged may be lost
				}
				mu.Lock()
				acked = append(acked, id)
				mu.Unlock()
			}
		}()
	}
	// Kill once writes are flowing from every writer, so some are in flight.
	deadline := time.Now().Add(20 * time.Second)
	for {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 150 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := srv.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	loaded := time.Since(began)
	<-srv.done
	stopWriting()
	wg.Wait()
	if len(acked) < 50 {
		t.Fatalf("only %d writes were acknowledged before the kill; the load did not run", len(acked))
	}
	t.Logf("%d writes acknowledged in %v before SIGKILL", len(acked), loaded.Round(time.Millisecond))

	srv = startChild(t, map[string]string{"PORT": strconv.Itoa(freePort(t)), "DATA_DIR": dir})
	gql := gqltest.Client{URL: srv.base + "/graphql", Token: testAdminToken}
	for start := 0; start < len(acked); start += 100 {
		ids := acked[start:min(start+100, len(acked))]
		var got struct{ Nodes []*struct{ ID string } }
		gql.Must(t, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": ids}, &got)
		for i, n := range got.Nodes {
			if n == nil || n.ID != ids[i] {
				t.Errorf("acknowledged community %s is missing after the restart", ids[i])
			}
		}
	}
	created := map[string]int{}
	var after any
	var prevSeq int
	for {
		var page struct {
			Changes struct {
				Nodes []struct {
					Seq            int
					EntityID, Kind string
				}
				PageInfo struct{ EndCursor string }
			}
		}
		gql.Must(t, `query($after: String) { changes(after: $after, first: 1000) { nodes { seq entityId kind } pageInfo { endCursor } } }`,
			map[string]any{"after": after}, &page)
		for _, c := range page.Changes.Nodes {
			if c.Seq != prevSeq+1 {
				t.Fatalf("the change feed goes from seq %d to %d, want no gap", prevSeq, c.Seq)
			}
			prevSeq = c.Seq
			if c.Kind == "CREATED" {
				created[c.EntityID]++
			}
		}
		if len(page.Changes.Nodes) < 1000 {
			break
		}
		after = page.Changes.PageInfo.EndCursor
	}
	for _, id := range acked {
		if created[id] != 1 {
			t.Errorf("acknowledged community %s is in the change feed %d times, want once", id, created[id])
		}
	}
}

// createCommunity creates a community through the API and returns its id; any failure
// to get an acknowledgement is an error.
func createCommunity(ctx context.Context, base, name string) (string, error) {
	var resp struct {
		Data *struct {
			CreateCommunity struct{ Community struct{ ID string } }
		}
		Errors []gqltest.Error
	}
	err := postJSON(ctx, base+"/graphql", map[string]any{
		"query":     `mutation($name: String!) { createCommunity(input: {name: $name, kind: OTHER}) { community { id } } }`,
		"variables": map[string]any{"name": name},
	}, &resp)
	if err != nil {
		return "", err
	}
	if len(resp.Errors) > 0 || resp.Data == nil || resp.Data.CreateCommunity.Community.ID == "" {
		return "", fmt.Errorf("not acknowledged: %+v", resp.Errors)
	}
	return resp.Data.CreateCommunity.Community.ID, nil
}

// postJSON posts body as JSON and decodes the JSON answer into out.
func postJSON(ctx context.Context, url string, body, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(out)
}
