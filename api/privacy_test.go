package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/participation-graph/participation-graph/internal/gqltest"
)

// restrictedWorld adds, for museum A, a RESTRICTED decision event and a RESTRICTED
// reflection about it, and an editor key for museum B.
type restrictedWorld struct {
	*world
	event, reflection, editorB string
	cursor                     string // the feed position before they were written
}

func newRestrictedWorld(t *testing.T) *restrictedWorld {
	w := &restrictedWorld{world: newWorld(t)}
	var c struct {
		Changes struct{ PageInfo struct{ EndCursor string } }
	}
	w.e.gql.Must(t, `{ changes(first: 1000) { pageInfo { endCursor } } }`, nil, &c)
	w.cursor = c.Changes.PageInfo.EndCursor
	in := eventInput(w.world, 0)
	in["title"], in["visibility"] = "Closed session", "RESTRICTED"
	w.event = w.must(t, mutRecordEvent, in)
	rin := reflectionInput(w.world, 0)
	rin["decisionEventId"], rin["visibility"], rin["text"] = w.event, "RESTRICTED", "Closed reflection"
	w.reflection = w.must(t, `mutation($in: AddReflectionInput!) { addReflection(input: $in) { reflection { id } } }`, rin)
	w.editorB = w.key(t, "EDITOR", []string{w.museum[1]})
	return w
}

// TestRestrictedRecordsAreInvisibleToAnonymousCallers looks for a RESTRICTED event and
// reflection through every read path as each role.
func TestRestrictedRecordsAreInvisibleToAnonymousCallers(t *testing.T) {
	w := newRestrictedWorld(t)
	const query = `query($id: ID!, $ref: ID!, $museum: ID!, $partnership: ID!, $after: String) {
  decisionEvents(filter: {museumId: $museum}) { totalCount nodes { id } }
  reflections(filter: {museumId: $museum}) { totalCount nodes { id } }
  decisionEvent(id: $id) { id }
  reflection(id: $ref) { id }
  nodes(ids: [$id, $ref]) { id }
  museum(id: $museum) { decisionEvents { totalCount nodes { id } } reflections { totalCount nodes { id } } }
  partnership(id: $partnership) { decisionEvents { totalCount nodes { id } } }
  changes(after: $after, first: 1000) { nodes { entityId node { id } } }
}`
	vars := map[string]any{"id": w.event, "ref": w.reflection, "museum": w.museum[0], "partnership": w.partnership[0], "after": w.cursor}
	for _, c := range []struct {
		name   string
		client gqltest.Client
		sees   bool
	}{
		{"Anonymous", w.e.anon, false},
		{"EditorOfAnotherMuseum", w.e.anon.As(w.editorB), false},
		{"EditorOfTheMuseum", w.e.anon.As(w.editor), true},
		{"Researcher", w.e.anon.As(w.researcher), true},
		{"Admin", w.e.gql, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := c.client.Do(t, query, vars)
			if len(r.Errors) > 0 {
				t.Fatalf("errors: %+v", r.Errors)
			}
			body := string(r.Data)
			for _, id := range []string{w.event, w.reflection} {
				if got := strings.Contains(body, id); got != c.sees {
					t.Errorf("%s in the answer: %v, want %v\n%s", id, got, c.sees, body)
				}
			}
			var d struct {
				DecisionEvents, Reflections struct{ TotalCount int }
				Museum                      struct{ DecisionEvents, Reflections struct{ TotalCount int } }
				Partnership                 struct{ DecisionEvents struct{ TotalCount int } }
			}
			_ = json.Unmarshal(r.Data, &d)
			events, reflections := 1, 0 // museum A's public event from newWorld
			if c.sees {
				events, reflections = 2, 1
			}
			for name, got := range map[string][2]int{
				"decisionEvents":             {d.DecisionEvents.TotalCount, events},
				"reflections":                {d.Reflections.TotalCount, reflections},
				"museum.decisionEvents":      {d.Museum.DecisionEvents.TotalCount, events},
				"museum.reflections":         {d.Museum.Reflections.TotalCount, reflections},
				"partnership.decisionEvents": {d.Partnership.DecisionEvents.TotalCount, events},
			} {
				if got[0] != got[1] {
					t.Errorf("%s totalCount = %d, want %d", name, got[0], got[1])
				}
			}
		})
	}
	t.Run("NetworkSummaryAndExport", func(t *testing.T) {
		const summary = `query($m: ID!) { participationSummary(groupBy: MUSEUM, filter: {museumId: $m}) { key eventCount } }`
		count := func(c gqltest.Client) int {
			var got struct{ ParticipationSummary []struct{ EventCount int } }
			c.Must(t, summary, map[string]any{"m": w.museum[0]}, &got)
			if len(got.ParticipationSummary) == 0 {
				return 0
			}
			return got.ParticipationSummary[0].EventCount
		}
		// The projection follows the feed: wait until it has the restricted event.
		for deadline := time.Now().Add(5 * time.Second); count(w.e.gql) < 2 && time.Now().Before(deadline); {
			time.Sleep(50 * time.Millisecond)
		}
		weight := func(token string) (int, string) {
			req, _ := http.NewRequest(http.MethodGet, w.e.base+"/export/network.json?museumIds="+w.museum[0], nil)
			if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			var n struct{ Edges []struct{ Weight int } }
			_ = json.Unmarshal(body, &n)
			total := 0
			for _, e := range n.Edges {
				total += e.Weight
			}
			return total, string(body)
		}
		for _, c := range []struct {
			name   string
			client gqltest.Client
			want   int
		}{{"Anonymous", w.e.anon, 1}, {"Researcher", w.e.anon.As(w.researcher), 2}, {"Admin", w.e.gql, 2}} {
			if got := count(c.client); got != c.want {
				t.Errorf("%s: participationSummary counts %d events of museum A, want %d", c.name, got, c.want)
			}
			if got, body := weight(c.client.Token); got != c.want {
				t.Errorf("%s: the exported network weighs museum A's partnership at %d, want %d: %.300s", c.name, got, c.want, body)
			}
		}
	})
	t.Run("Subscription", func(t *testing.T) {
		ws := gqltest.DialWS(t, w.e.gql.URL, gqltest.TransportWS) // anonymous: no credentials
		defer ws.Close()
		ws.Subscribe(t, "1", subChanges, map[string]any{"after": w.cursor, "types": []string{"DECISION_EVENT", "REFLECTION"}})
		time.Sleep(100 * time.Millisecond)
		in := eventInput(w.world, 0)
		in["visibility"] = "RESTRICTED"
		hidden := w.must(t, mutRecordEvent, in)
		public := w.must(t, mutRecordEvent, eventInput(w.world, 0))
		var got changeMsg
		ws.Data(t, 5*time.Second, &got)
		if got.Changes.EntityID != public {
			t.Fatalf("first change seen by an anonymous subscriber: %s, want %s (the public one; %s, %s and %s are RESTRICTED)",
				got.Changes.EntityID, public, w.event, w.reflection, hidden)
		}
	})
}

// TestPersonalDataNeverLeaks plants a marker name and e-mail on a person who did not agree
// to publish them, and searches every answer an anonymous caller, a researcher and an
// editor of another museum can get for them: lists, lookups, nested fields, search, the
// change feed, subscriptions and errors.
func TestPersonalDataNeverLeaks(t *testing.T) {
	w := newRestrictedWorld(t)
	markers := []string{"Marker Name 0", "marker0@example.org"}
	leaks := func(t *testing.T, what, body string) {
		t.Helper()
		for _, m := range markers {
			if strings.Contains(body, m) {
				t.Errorf("%s shows %q: %s", what, m, body)
			}
		}
	}
	personFields := `id pseudonym displayName email consent { recordParticipation publishName contact givenAt withdrawnAt } community { id name }`
	queries := map[string]string{
		"people":          `{ people(first: 100) { nodes { ` + personFields + ` } } }`,
		"search":          `{ people(filter: {search: "Marker"}) { totalCount nodes { id } } b: people(filter: {search: "marker0@"}) { totalCount } }`,
		"person":          `query($p: ID!) { person(id: $p) { ` + personFields + ` } }`,
		"node":            `query($p: ID!) { node(id: $p) { ... on Person { ` + personFields + ` } } }`,
		"participants":    `{ decisionEvents(first: 100) { nodes { participants { role person { ` + personFields + ` } community { name } } } } }`,
		"communityPeople": `query($c: ID!) { community(id: $c) { name } }`,
		"changes":         `{ changes(first: 1000) { nodes { entityId node { ... on Person { ` + personFields + ` } } } } }`,
		"badInput":        `mutation { updatePerson(input: {id: "per_000000000000000000000000", displayName: "Marker Name 0"}) { person { id } } }`,
		"badLookup":       `{ person(id: "Marker Name 0") { id } }`,
	}
	vars := map[string]any{"p": w.person[0], "c": w.community[0]}
	clients := map[string]gqltest.Client{"Anonymous": w.e.anon, "Researcher": w.e.anon.As(w.researcher), "EditorOfAnotherMuseum": w.e.anon.As(w.editorB)}
	for who, client := range clients {
		for name, q := range queries {
			t.Run(who+"/"+name, func(t *testing.T) {
				r := client.Do(t, q, vars)
				if name == "badInput" {
					r.Data = nil // the error is what is checked
				}
				raw, _ := json.Marshal(r)
				leaks(t, who+" "+name, string(raw))
			})
		}
	}
	t.Run("Exports", func(t *testing.T) {
		for _, ext := range []string{"graphml", "gexf", "json"} {
			resp, err := http.Get(w.e.base + "/export/network." + ext)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("export %s: %d", ext, resp.StatusCode)
			}
			leaks(t, "export "+ext, string(body))
		}
	})
	t.Run("EditorOfTheMuseumSeesThem", func(t *testing.T) {
		var got struct {
			Person struct{ DisplayName, Email *string }
		}
		w.e.anon.As(w.editor).Must(t, `query($p: ID!) { person(id: $p) { displayName email } }`, map[string]any{"p": w.person[0]}, &got)
		if got.Person.DisplayName == nil || *got.Person.DisplayName != markers[0] || got.Person.Email == nil || *got.Person.Email != markers[1] {
			t.Errorf("the editor of the museum the person took part with got %+v", got)
		}
	})
	t.Run("Subscription", func(t *testing.T) {
		ws := gqltest.DialWS(t, w.e.gql.URL, gqltest.TransportWS)
		defer ws.Close()
		ws.Subscribe(t, "1", `subscription { changes(types: [PERSON]) { entityId node { ... on Person { `+personFields+` } } } }`, nil)
		time.Sleep(100 * time.Millisecond)
		w.must(t, `mutation($in: UpdatePersonInput!) { updatePerson(input: $in) { person { id } } }`, map[string]any{"id": w.person[0], "pseudonym": "Member 0 again"})
		m := ws.Read(t, 5*time.Second)
		if m.Type != "next" {
			t.Fatalf("got %s %s, want next", m.Type, m.Payload)
		}
		leaks(t, "subscription", string(m.Payload))
		if !strings.Contains(string(m.Payload), w.person[0]) {
			t.Errorf("the change of %s did not arrive: %s", w.person[0], m.Payload)
		}
	})
	t.Run("AuditTrailHoldsNamesNotValues", func(t *testing.T) {
		r := w.e.gql.Do(t, `{ auditTrail(first: 100) { nodes { operation entity recordId fields } } }`, nil)
		leaks(t, "audit trail", string(r.Data))
		if !strings.Contains(string(r.Data), `"displayName"`) {
			t.Errorf("the audit trail does not name the fields a write set: %s", r.Data)
		}
	})
}

// TestConsentWithdrawalHidesTheNameAtOnce publishes a name, then withdraws consent.
func TestConsentWithdrawalHidesTheNameAtOnce(t *testing.T) {
	w := newWorld(t)
	const consent = `mutation($in: RecordConsentInput!) { recordConsent(input: $in) { person { id } } }`
	read := func() *string {
		var got struct{ Person struct{ DisplayName *string } }
		w.e.anon.Must(t, `query($p: ID!) { person(id: $p) { displayName } }`, map[string]any{"p": w.person[0]}, &got)
		return got.Person.DisplayName
	}
	w.must(t, consent, map[string]any{"personId": w.person[0], "recordParticipation": true, "publishName": true, "contact": false})
	if got := read(); got == nil {
		t.Fatal("a published name is not shown")
	}
	w.must(t, consent, map[string]any{"personId": w.person[0], "recordParticipation": true, "publishName": false, "contact": false})
	if got := read(); got != nil {
		t.Errorf("after consent to publish was withdrawn the name is still shown: %q", *got)
	}
}

// TestAPIKeys covers the life of a key: created by an administrator with its secret shown
// once, usable at once with its role, listed without the secret, revoked with immediate
// effect on requests and open subscriptions.
func TestAPIKeys(t *testing.T) {
	w := newWorld(t)
	t.Run("OnlyAdministratorsManageKeys", func(t *testing.T) {
		const create = `mutation { createApiKey(input: {name: "x", role: RESEARCHER}) { secret } }`
		for who, c := range map[string]struct {
			client gqltest.Client
			code   string
		}{"Anonymous": {w.e.anon, "UNAUTHENTICATED"}, "Researcher": {w.e.anon.As(w.researcher), "FORBIDDEN"}, "Editor": {w.e.anon.As(w.editor), "FORBIDDEN"}} {
			if err := c.client.Fail(t, create, nil); err.Code() != c.code {
				t.Errorf("%s creating a key: %s, want %s", who, err.Code(), c.code)
			}
			if err := c.client.Fail(t, `{ apiKeys { totalCount } }`, nil); err.Code() != c.code {
				t.Errorf("%s listing keys: %s, want %s", who, err.Code(), c.code)
			}
			if err := c.client.Fail(t, `{ auditTrail { totalCount } }`, nil); err.Code() != c.code {
				t.Errorf("%s reading the audit trail: %s, want %s", who, err.Code(), c.code)
			}
		}
	})
	t.Run("BadInput", func(t *testing.T) {
		for name, in := range map[string]map[string]any{
			"EditorWithoutMuseums":  {"name": "e", "role": "EDITOR"},
			"ResearcherWithMuseums": {"name": "r", "role": "RESEARCHER", "museumIds": []string{w.museum[0]}},
			"UnknownMuseum":         {"name": "e", "role": "EDITOR", "museumIds": []string{"mus_000000000000000000000000"}},
		} {
			err := w.e.gql.Fail(t, `mutation($in: CreateApiKeyInput!) { createApiKey(input: $in) { secret } }`, map[string]any{"in": in})
			if err.Code() != "BAD_USER_INPUT" || len(err.Fields()) != 1 || !strings.HasPrefix(err.Fields()[0], "museumIds") {
				t.Errorf("%s: %s %v, want BAD_USER_INPUT on museumIds", name, err.Code(), err.Fields())
			}
		}
	})
	var created struct {
		CreateApiKey struct {
			Secret string
			ApiKey struct {
				ID, Role string
				Museums  []struct{ ID string }
			}
		}
	}
	w.e.gql.Must(t, `mutation($m: ID!) { createApiKey(input: {name: "Editors of A", role: EDITOR, museumIds: [$m]}) { secret apiKey { id role museums { id } } } }`,
		map[string]any{"m": w.museum[0]}, &created)
	k := created.CreateApiKey
	if !strings.HasPrefix(k.Secret, "pgk_"+k.ApiKey.ID+"_") || k.ApiKey.Role != "EDITOR" || len(k.ApiKey.Museums) != 1 {
		t.Fatalf("created %+v", k)
	}
	client := w.e.anon.As(k.Secret)
	var viewer struct{ Viewer struct{ Role, KeyID string } }
	client.Must(t, `{ viewer { role keyId } }`, nil, &viewer)
	if viewer.Viewer.Role != "EDITOR" || viewer.Viewer.KeyID != k.ApiKey.ID {
		t.Errorf("viewer = %+v", viewer.Viewer)
	}
	stored, err := w.e.store.APIKeys.Get(t.Context(), k.ApiKey.ID)
	if err != nil || strings.Contains(stored.Hash, k.Secret) || stored.Hash == "" {
		t.Errorf("stored key %+v, %v: want only a hash of the secret", stored, err)
	}
	listed := w.e.gql.Do(t, `{ apiKeys(first: 100) { totalCount nodes { id name role createdBy revoked } } }`, nil)
	if strings.Contains(string(listed.Data), k.Secret[len(k.Secret)-20:]) || !strings.Contains(string(listed.Data), k.ApiKey.ID) {
		t.Errorf("listing keys: %s", listed.Data)
	}

	// An open subscription of the key, over each transport's way of authenticating.
	payload, _ := json.Marshal(map[string]string{"authorization": "Bearer " + k.Secret})
	ws, ack := gqltest.DialWSInit(t, w.e.gql.URL, gqltest.TransportWS, payload)
	if ack.Type != "connection_ack" {
		t.Fatalf("connection_init with the key: %s %s", ack.Type, ack.Payload)
	}
	defer ws.Close()
	ws.Subscribe(t, "1", subChanges, nil)
	time.Sleep(100 * time.Millisecond)

	w.e.gql.Must(t, `mutation($id: ID!) { revokeApiKey(input: {id: $id}) { apiKey { revoked revokedAt } } }`, map[string]any{"id": k.ApiKey.ID}, &struct{}{})
	r := client.Do(t, `{ viewer { role } }`, nil)
	if r.Status != 401 || len(r.Errors) != 1 || r.Errors[0].Code() != "UNAUTHENTICATED" {
		t.Errorf("a request with the revoked key: %d %+v, want 401 UNAUTHENTICATED", r.Status, r.Errors)
	}
	// The connection ends (or at least the subscription completes) at once.
	if m, err := ws.TryRead(t, 5*time.Second); err == nil && m.Type != "complete" {
		t.Errorf("the revoked key's subscription went on: %s %s", m.Type, m.Payload)
	} else if err != nil && strings.Contains(err.Error(), "deadline") {
		t.Errorf("the revoked key's subscription stayed open: %v", err)
	}
	if _, ack := gqltest.DialWSInit(t, w.e.gql.URL, gqltest.TransportWS, payload); ack.Type == "connection_ack" {
		t.Error("connection_init with a revoked key was accepted")
	}
	for name, header := range map[string]string{"Malformed": "Basic abc", "Unknown": "Bearer pgk_key_000000000000000000000000_" + strings.Repeat("A", 43)} {
		resp := w.e.anon.Raw(t, `{ viewer { role } }`, header)
		if resp.Status != 401 || len(resp.Errors) != 1 || resp.Errors[0].Code() != "UNAUTHENTICATED" {
			t.Errorf("%s credentials: %d %+v, want 401 UNAUTHENTICATED", name, resp.Status, resp.Errors)
		}
	}

	var audit struct {
		AuditTrail struct {
			Nodes []struct{ Operation, Action, Entity, RecordID, KeyID, Role string }
		}
	}
	w.e.gql.Must(t, `query($id: ID!) { auditTrail(filter: {recordId: $id}) { nodes { operation action entity recordId keyId role } } }`,
		map[string]any{"id": k.ApiKey.ID}, &audit)
	if n := audit.AuditTrail.Nodes; len(n) != 2 || n[0].Action != "REVOKED" || n[1].Operation != "createApiKey" || n[0].KeyID != "admin-token" || n[0].Role != "ADMIN" {
		t.Errorf("audit trail of the key: %+v, want its revocation then its creation by the admin token", n)
	}
}
