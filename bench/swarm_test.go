package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
)

// swarmEnv names the environment variable that makes the test binary a swarm of
// subscribing clients (runSwarm); its value is a JSON swarmSpec.
const swarmEnv = "PARTICIPATION_BENCH_SWARM"

// subscribersQuery is what every subscriber of BenchmarkSubscribers asks for.
const subscribersQuery = `subscription { changes(types: [COMMUNITY]) { seq entityId } }`

// swarmSpec says what the swarm dials: Connections WebSocket connections to URL, each
// carrying PerConnection subscriptions of subscribersQuery.
type swarmSpec struct {
	URL           string `json:"url"`
	Connections   int    `json:"connections"`
	PerConnection int    `json:"perConnection"`
}

// swarmMsg is a graphql-transport-ws message.
type swarmMsg struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// receipt is one subscriber's receipt of the change of an entity, in Unix nanoseconds.
type receipt struct {
	entity string
	at     int64
}

// runSwarm is the client side of BenchmarkSubscribers, run in its own process. It dials
// spec.Connections connections, starts spec.PerConnection subscriptions on each and
// records when each change reaches each subscriber. It reports on out, a line at a time:
// "ready" once every subscription is sent, "all <entity id> <cpu ns>" once every
// subscriber has the change of that entity (with the CPU time the swarm has used so far),
// and, when in ends, "recv <entity id> <unix ns>" for every receipt followed by "end".
func runSwarm(specJSON string, in io.Reader, out io.Writer) error {
	var spec swarmSpec
	if err := json.Unmarshal([]byte(specJSON), &spec); err != nil {
		return fmt.Errorf("swarm spec: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := bufio.NewWriter(out)
	var mu sync.Mutex // guards w and count
	say := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(w, format+"\n", args...)
		_ = w.Flush()
	}

	conns, err := dialSwarm(ctx, spec)
	if err != nil {
		return err
	}
	total := spec.Connections * spec.PerConnection
	count := map[string]int{}
	got := make([][]receipt, len(conns))
	fatal := make(chan error, 1)
	stopping := make(chan struct{})
	var readers sync.WaitGroup
	for i, c := range conns {
		readers.Go(func() {
			for {
				_, data, err := c.Read(ctx)
				at := time.Now().UnixNano()
				if err != nil {
					select {
					case <-stopping:
					case fatal <- fmt.Errorf("connection %d: %w", i, err):
					default:
					}
					return
				}
				id := nextEntity(data)
				if id == "" {
					select {
					case fatal <- fmt.Errorf("connection %d: unexpected %s", i, data):
					default:
					}
					return
				}
				got[i] = append(got[i], receipt{id, at})
				mu.Lock()
				count[id]++
				if count[id] == total {
					fmt.Fprintf(w, "all %s %d\n", id, cpuTime())
					_ = w.Flush()
				}
				mu.Unlock()
			}
		})
	}
	say("ready")

	inDone := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, in)
		close(inDone)
	}()
	select {
	case err := <-fatal:
		return err
	case <-inDone:
	}
	close(stopping)
	for _, c := range conns {
		_ = c.CloseNow()
	}
	readers.Wait()
	for _, rs := range got {
		for _, r := range rs {
			fmt.Fprintf(w, "recv %s %s\n", r.entity, strconv.FormatInt(r.at, 10))
		}
	}
	fmt.Fprintln(w, "end")
	return w.Flush()
}

// nextEntity returns the entity id of a "next" message, or "" for any other message. It
// looks for the two fields rather than decoding the message: the swarm shares the
// machine's cores with the server it measures, and should take as little of them as it
// can.
func nextEntity(msg []byte) string {
	if !bytes.Contains(msg, []byte(`"type":"next"`)) {
		return ""
	}
	_, rest, ok := bytes.Cut(msg, []byte(`"entityId":"`))
	if !ok {
		return ""
	}
	id, _, ok := bytes.Cut(rest, []byte(`"`))
	if !ok {
		return ""
	}
	return string(id)
}

// dialSwarm opens the swarm's connections, a few at a time, and subscribes on each.
func dialSwarm(ctx context.Context, spec swarmSpec) ([]*websocket.Conn, error) {
	conns := make([]*websocket.Conn, spec.Connections)
	errs := make([]error, spec.Connections)
	next := make(chan int)
	var dialers sync.WaitGroup
	for range 8 {
		dialers.Go(func() {
			for i := range next {
				conns[i], errs[i] = dialSubscriber(ctx, spec)
			}
		})
	}
	for i := range conns {
		next <- i
	}
	close(next)
	dialers.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("connection %d: %w", i, err)
		}
	}
	return conns, nil
}

// dialSubscriber opens one connection, completes the graphql-transport-ws handshake and
// starts spec.PerConnection subscriptions.
func dialSubscriber(ctx context.Context, spec swarmSpec) (*websocket.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	c, _, err := websocket.Dial(ctx, spec.URL, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		return nil, err
	}
	if err := wsjson.Write(ctx, c, swarmMsg{Type: "connection_init", Payload: json.RawMessage(`{}`)}); err != nil {
		return nil, err
	}
	var ack swarmMsg
	if err := wsjson.Read(ctx, c, &ack); err != nil {
		return nil, err
	}
	if ack.Type != "connection_ack" {
		return nil, errors.New("got " + ack.Type + ", want connection_ack")
	}
	payload, _ := json.Marshal(map[string]string{"query": subscribersQuery})
	for k := range spec.PerConnection {
		if err := wsjson.Write(ctx, c, swarmMsg{ID: strconv.Itoa(k), Type: "subscribe", Payload: payload}); err != nil {
			return nil, err
		}
	}
	return c, nil
}
