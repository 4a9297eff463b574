package main

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/participation-graph/participation-graph/internal/gqltest"
)

// status returns the HTTP status of GET url, or 0 when the request itself failed.
func status(t *testing.T, url string) int {
	t.Helper()
	c := http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestDatabaseOutage runs a second server on the first's embedded database, stops the
// first, and checks that the second fails fast and honestly while its database is gone
// (UNAVAILABLE within 5 s, not ready but alive, subscriptions ended with a cursor to
// resume from) and recovers by itself once the first is back on the same address.
func TestDatabaseOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and stops servers")
	}
	dataDir, dbAddr := t.TempDir(), "127.0.0.1:"+strconv.Itoa(freePort(t))
	firstEnv := map[string]string{"PORT": strconv.Itoa(freePort(t)), "DATA_DIR": dataDir, "EMBEDDED_LISTEN": dbAddr}
	first, stopFirst := start(t, firstEnv)
	second, stopSecond := start(t, map[string]string{"PORT": strconv.Itoa(freePort(t)), "MONGODB_URI": "mongodb://" + dbAddr + "/"})
	defer stopSecond()
	gql := gqltest.Client{URL: second + "/graphql", Token: testAdminToken}
	const create = `mutation($name: String!) { createCommunity(input: {name: $name, kind: OTHER}) { community { id } } }`
	var created struct {
		CreateCommunity struct{ Community struct{ ID string } }
	}
	ws := gqltest.DialWS(t, second+"/graphql", gqltest.TransportWS)
	defer ws.Close()
	ws.Subscribe(t, "1", `subscription { changes(types: [COMMUNITY]) { entityId seq } }`, nil)
	time.Sleep(300 * time.Millisecond)
	gqltest.Client{URL: first + "/graphql", Token: testAdminToken}.Must(t, create, map[string]any{"name": "Seen live"}, &created)
	var live struct{ Changes struct{ EntityID string } }
	ws.Data(t, 5*time.Second, &live)
	if live.Changes.EntityID != created.CreateCommunity.Community.ID {
		t.Fatalf("the subscriber got %s, want the community just written", live.Changes.EntityID)
	}

	stopFirst()

	t.Run("RequestsFailFast", func(t *testing.T) {
		// The read model answers until it notices it cannot follow the change feed (the
		// feed's next poll), then queries go to the database and fail.
		began := time.Now()
		var r gqltest.Response
		for {
			r = gql.Do(t, `{ communities(first: 1) { nodes { id } } }`, nil)
			if len(r.Errors) > 0 || time.Since(began) > 5*time.Second {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		took := time.Since(began)
		if len(r.Errors) == 0 || r.Errors[0].Code() != "UNAVAILABLE" {
			t.Errorf("a query with the database down got %+v, want UNAVAILABLE", r.Errors)
		}
		if took > 5*time.Second {
			t.Errorf("the query failed after %v, want within 5s", took)
		}
		began = time.Now()
		r = gql.Do(t, create, map[string]any{"name": "During the outage"})
		if len(r.Errors) == 0 || r.Errors[0].Code() != "UNAVAILABLE" || time.Since(began) > 5*time.Second {
			t.Errorf("a mutation with the database down got %+v after %v, want UNAVAILABLE within 5s", r.Errors, time.Since(began))
		}
		t.Logf("a query failed after %v", took.Round(time.Millisecond))
	})
	t.Run("ProbesSayNotReadyButAlive", func(t *testing.T) {
		if got := status(t, second+"/readyz"); got != http.StatusServiceUnavailable {
			t.Errorf("/readyz = %d, want 503", got)
		}
		if got := status(t, second+"/healthz"); got != http.StatusOK {
			t.Errorf("/healthz = %d, want 200", got)
		}
	})
	var resume string
	t.Run("SubscriptionEndsResumable", func(t *testing.T) {
		m := ws.Read(t, 10*time.Second)
		var r gqltest.Response
		_ = json.Unmarshal(m.Payload, &r)
		if m.Type != "next" || len(r.Errors) != 1 || r.Errors[0].Code() != "UNAVAILABLE" {
			t.Fatalf("the subscriber got %s %s, want an UNAVAILABLE error", m.Type, m.Payload)
		}
		resume, _ = r.Errors[0].Extensions["resumeAfter"].(string)
		if resume == "" {
			t.Errorf("the error %s has no resumeAfter cursor", m.Payload)
		}
		if m := ws.Read(t, 5*time.Second); m.Type != "complete" {
			t.Errorf("after the error the subscriber got %s, want complete", m.Type)
		}
	})

	_, stopFirst = start(t, firstEnv)
	defer stopFirst()

	t.Run("Recovers", func(t *testing.T) {
		deadline := time.Now().Add(20 * time.Second)
		for status(t, second+"/readyz") != http.StatusOK {
			if time.Now().After(deadline) {
				t.Fatal("the second server did not become ready again within 20s of the database's return")
			}
			time.Sleep(100 * time.Millisecond)
		}
		var after struct {
			CreateCommunity struct{ Community struct{ ID string } }
		}
		gql.Must(t, create, map[string]any{"name": "After the outage"}, &after)
		// Resuming from the cursor the outage gave delivers what was written since,
		// nothing twice and nothing missing.
		if resume == "" {
			t.Fatal("no resume cursor")
		}
		ws2 := gqltest.DialWS(t, second+"/graphql", gqltest.TransportWS)
		defer ws2.Close()
		ws2.Subscribe(t, "2", `subscription($after: String) { changes(after: $after, types: [COMMUNITY]) { entityId } }`,
			map[string]any{"after": resume})
		var got struct{ Changes struct{ EntityID string } }
		ws2.Data(t, 10*time.Second, &got)
		if got.Changes.EntityID != after.CreateCommunity.Community.ID {
			t.Errorf("resuming delivered %s first, want the community written after the outage %s",
				got.Changes.EntityID, after.CreateCommunity.Community.ID)
		}
	})
}
