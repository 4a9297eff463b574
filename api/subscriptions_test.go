package api_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/participation-graph/participation-graph/internal/gqltest"
)

const subChanges = `subscription($after: String, $types: [ChangeEntity!]) {
  changes(after: $after, types: $types) { cursor seq kind entity entityId node { id } }
}`

type changeMsg struct {
	Changes struct {
		Cursor, Kind, Entity, EntityID string
		Seq                            int
	}
}

func createCommunity(t *testing.T, e *env, name string) string {
	t.Helper()
	var c struct {
		CreateCommunity struct{ Community struct{ ID string } }
	}
	e.gql.Must(t, mutCreateCommunity, map[string]any{"in": map[string]any{"name": name, "kind": "OTHER"}}, &c)
	return c.CreateCommunity.Community.ID
}

// TestChangesSubscriptionResumes is the integrator's story: receive live changes,
// disconnect, miss five writes, resubscribe with the last cursor, get exactly those five,
// then live ones again.
func TestChangesSubscriptionResumes(t *testing.T) {
	e := newEnv(t)
	for _, protocol := range []string{gqltest.TransportWS, gqltest.LegacyWS} {
		t.Run(protocol, func(t *testing.T) {
			ws := gqltest.DialWS(t, e.gql.URL, protocol)
			ws.Subscribe(t, "1", subChanges, map[string]any{"types": []string{"COMMUNITY"}})
			time.Sleep(100 * time.Millisecond) // let the subscription register
			first := createCommunity(t, e, protocol+" first")
			var got changeMsg
			ws.Data(t, 5*time.Second, &got)
			if got.Changes.EntityID != first || got.Changes.Kind != "CREATED" {
				t.Fatalf("live change = %+v, want the creation of %s", got.Changes, first)
			}
			ws.Close()

			var missed []string
			for i := 0; i < 5; i++ {
				missed = append(missed, createCommunity(t, e, fmt.Sprintf("%s missed %d", protocol, i)))
			}
			ws = gqltest.DialWS(t, e.gql.URL, protocol)
			defer ws.Close()
			ws.Subscribe(t, "2", subChanges, map[string]any{"after": got.Changes.Cursor, "types": []string{"COMMUNITY"}})
			for i, want := range missed {
				var m changeMsg
				ws.Data(t, 5*time.Second, &m)
				if m.Changes.EntityID != want {
					t.Fatalf("replayed change %d = %s, want %s", i, m.Changes.EntityID, want)
				}
			}
			live := createCommunity(t, e, protocol+" live")
			var m changeMsg
			ws.Data(t, 5*time.Second, &m)
			if m.Changes.EntityID != live {
				t.Errorf("after the replay got %s, want the live change %s (no duplicate, no gap)", m.Changes.EntityID, live)
			}
		})
	}
}

func TestDecisionEventRecordedFilters(t *testing.T) {
	e := newEnv(t)
	mine := record(t, e, "Watched")
	other := record(t, e, "Other")
	ws := gqltest.DialWS(t, e.gql.URL, gqltest.TransportWS)
	defer ws.Close()
	ws.Subscribe(t, "1", `subscription($m: ID!) { decisionEventRecorded(filter: {museumId: $m, minLevel: COLLABORATE}) { id title museum { id } } }`,
		map[string]any{"m": mine.museum})
	time.Sleep(100 * time.Millisecond)
	event := func(museum, title, level string) {
		var out struct {
			RecordDecisionEvent struct{ DecisionEvent struct{ ID string } }
		}
		e.gql.Must(t, mutRecordEvent, map[string]any{"in": map[string]any{"title": title, "kind": "VOTE",
			"occurredAt": "2024-03-05T18:30:00Z", "museumId": museum, "participationLevel": level}}, &out)
	}
	event(other.museum, "elsewhere", "EMPOWER")
	event(mine.museum, "too low", "CONSULT")
	event(mine.museum, "wanted", "COLLABORATE")
	var got struct {
		DecisionEventRecorded struct{ Title string }
	}
	ws.Data(t, 5*time.Second, &got)
	if got.DecisionEventRecorded.Title != "wanted" {
		t.Errorf("first event delivered = %q, want only the matching one (wanted)", got.DecisionEventRecorded.Title)
	}
}

func TestPartnershipChangedOverSSE(t *testing.T) {
	e := newEnv(t)
	id := record(t, e, "SSE")
	body, _ := json.Marshal(map[string]any{"query": `subscription($m: ID) { partnershipChanged(museumId: $m) { kind partnership { id status } } }`,
		"variables": map[string]any{"m": id.museum}})
	req, _ := http.NewRequest(http.MethodPost, e.gql.URL, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("content type %q, want an event stream", resp.Header.Get("Content-Type"))
	}
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	time.Sleep(100 * time.Millisecond)
	e.gql.Must(t, `mutation($id: ID!) { endPartnership(input: {id: $id}) { partnership { id } } }`, map[string]any{"id": id.partnership}, &struct{}{})
	deadline := time.After(5 * time.Second)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("the stream ended before the change arrived")
			}
			if strings.HasPrefix(l, "data:") && strings.Contains(l, `"status":"ENDED"`) && strings.Contains(l, id.partnership) {
				return
			}
		case <-deadline:
			t.Fatal("no partnershipChanged event within 5s")
		}
	}
}

// TestSubscriptionEventsAreReadFresh updates one record twice: each event shows the record
// as that change left it, not a copy cached for the connection.
func TestSubscriptionEventsAreReadFresh(t *testing.T) {
	e := newEnv(t)
	id := createCommunity(t, e, "Before")
	ws := gqltest.DialWS(t, e.gql.URL, gqltest.TransportWS)
	defer ws.Close()
	ws.Subscribe(t, "1", `subscription { changes(types: [COMMUNITY]) { kind entityId node { ... on Community { name version } } } }`, nil)
	time.Sleep(100 * time.Millisecond)
	for _, name := range []string{"First", "Second"} {
		e.gql.Must(t, `mutation($id: ID!, $n: String) { updateCommunity(input: {id: $id, name: $n}) { community { id } } }`,
			map[string]any{"id": id, "n": name}, &struct{}{})
		var got struct {
			Changes struct {
				Kind string
				Node struct{ Name string }
			}
		}
		// On a slow machine the subscription may start before the feed has delivered the
		// community's creation; that change comes first then.
		for ws.Data(t, 5*time.Second, &got); got.Changes.Kind == "CREATED"; ws.Data(t, 5*time.Second, &got) {
		}
		if got.Changes.Node.Name != name {
			t.Errorf("event after renaming to %q shows %q", name, got.Changes.Node.Name)
		}
	}
}
