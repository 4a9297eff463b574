package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/participation-graph/participation-graph/internal/gqltest"
)

// world is what the access tests work on: two museums (A, the editor's own, and B), each
// with a community in partnership, a person who took part in one of its decision events, an
// activity, a reflection and a publication; and one key of each role.
type world struct {
	e                  *env
	museum             [2]string // A, B
	community          [2]string
	partnership        [2]string
	person             [2]string
	event              [2]string
	programme, outcome string
	researcher, editor string // secrets; the editor edits museum A
}

// call runs a mutation as a client and returns its data, decoded, or its error.
func call(t *testing.T, c gqltest.Client, query string, vars map[string]any) (map[string]any, *gqltest.Error) {
	t.Helper()
	r := c.Do(t, query, vars)
	if len(r.Errors) > 0 {
		return nil, &r.Errors[0]
	}
	var data map[string]any
	if err := json.Unmarshal(r.Data, &data); err != nil {
		t.Fatalf("decoding %s: %v", r.Data, err)
	}
	return data, nil
}

// id digs the id out of a payload such as {"createMuseum": {"museum": {"id": …}}}.
func id(t *testing.T, data map[string]any) string {
	t.Helper()
	for _, payload := range data {
		for _, rec := range payload.(map[string]any) {
			if m, ok := rec.(map[string]any); ok {
				if s, ok := m["id"].(string); ok {
					return s
				}
			}
		}
	}
	t.Fatalf("no id in %v", data)
	return ""
}

// must runs a mutation as an administrator and returns the id of the record it wrote.
func (w *world) must(t *testing.T, query string, in map[string]any) string {
	t.Helper()
	data, err := call(t, w.e.gql, query, map[string]any{"in": in})
	if err != nil {
		t.Fatalf("setting up: %s: %+v", strings.Fields(query)[1], err)
	}
	return id(t, data)
}

func newWorld(t *testing.T) *world {
	w := &world{e: newEnv(t)}
	var museums struct {
		Museums struct{ Nodes []struct{ ID string } }
	}
	w.e.gql.Must(t, `{ museums(first: 2) { nodes { id } } }`, nil, &museums)
	var prg struct {
		Programmes struct {
			Nodes []struct {
				ID       string
				Outcomes []struct{ ID string }
			}
		}
	}
	w.e.gql.Must(t, `{ programmes { nodes { id outcomes { id } } } }`, nil, &prg)
	w.programme, w.outcome = prg.Programmes.Nodes[0].ID, prg.Programmes.Nodes[0].Outcomes[0].ID
	for i := range 2 {
		w.museum[i] = museums.Museums.Nodes[i].ID
		w.community[i] = w.must(t, `mutation($in: CreateCommunityInput!) { createCommunity(input: $in) { community { id } } }`,
			map[string]any{"name": fmt.Sprint("Community ", i), "kind": "NEIGHBOURHOOD"})
		w.partnership[i] = w.must(t, `mutation($in: StartPartnershipInput!) { startPartnership(input: $in) { partnership { id } } }`,
			map[string]any{"title": fmt.Sprint("Partnership ", i), "museumId": w.museum[i], "communityId": w.community[i]})
		w.person[i] = w.must(t, `mutation($in: CreatePersonInput!) { createPerson(input: $in) { person { id } } }`,
			map[string]any{"pseudonym": fmt.Sprint("Member ", i), "displayName": fmt.Sprint("Marker Name ", i), "email": fmt.Sprintf("marker%d@example.org", i),
				"communityId": w.community[i], "consent": map[string]any{"recordParticipation": true, "publishName": false, "contact": false}})
		w.event[i] = w.must(t, mutRecordEvent, map[string]any{"title": fmt.Sprint("Panel ", i), "kind": "ADVISORY_PANEL",
			"occurredAt": "2014-03-01T18:00:00Z", "museumId": w.museum[i], "partnershipId": w.partnership[i], "participationLevel": "COLLABORATE",
			"participants": []map[string]any{{"personId": w.person[i], "communityId": w.community[i], "role": "COMMUNITY_MEMBER"}}})
	}
	w.researcher = w.key(t, "RESEARCHER", nil)
	w.editor = w.key(t, "EDITOR", []string{w.museum[0]})
	return w
}

// key creates an API key and returns its secret.
func (w *world) key(t *testing.T, role string, museums []string) string {
	t.Helper()
	in := map[string]any{"name": "test " + role, "role": role}
	if museums != nil {
		in["museumIds"] = museums
	}
	var out struct{ CreateApiKey struct{ Secret string } }
	w.e.gql.Must(t, `mutation($in: CreateApiKeyInput!) { createApiKey(input: $in) { secret apiKey { id } } }`, map[string]any{"in": in}, &out)
	return out.CreateApiKey.Secret
}

// mutationCase is one mutation, with a way to make its input against museum A (own) or
// B (other); adminOnly ones are refused to editors even for their own museum.
type mutationCase struct {
	name      string
	adminOnly bool
	// anyEditor: a new community or person belongs to no museum yet, so any editor may
	// record one.
	anyEditor bool
	input     func(t *testing.T, w *world, m int) map[string]any
	query     string
}

func mutationCases() []mutationCase {
	q := func(name, input, field string) string {
		return fmt.Sprintf("mutation($in: %s!) { %s(input: $in) { %s { id } } }", input, name, field)
	}
	fresh := func(make func(t *testing.T, w *world, m int) string) func(t *testing.T, w *world, m int) map[string]any {
		return func(t *testing.T, w *world, m int) map[string]any { return map[string]any{"id": make(t, w, m)} }
	}
	newPartnership := func(t *testing.T, w *world, m int) string {
		return w.must(t, q("startPartnership", "StartPartnershipInput", "partnership"),
			map[string]any{"title": "Fresh", "museumId": w.museum[m], "communityId": w.community[m]})
	}
	newEvent := func(t *testing.T, w *world, m int) string {
		return w.must(t, q("recordDecisionEvent", "RecordDecisionEventInput", "decisionEvent"), eventInput(w, m))
	}
	newActivity := func(t *testing.T, w *world, m int) string {
		return w.must(t, q("recordActivity", "RecordActivityInput", "activity"), activityInput(w, m))
	}
	newReflection := func(t *testing.T, w *world, m int) string {
		return w.must(t, q("addReflection", "AddReflectionInput", "reflection"), reflectionInput(w, m))
	}
	newPublication := func(t *testing.T, w *world, m int) string {
		return w.must(t, q("createPublication", "CreatePublicationInput", "publication"), publicationInput(w, m))
	}
	newProgramme := func(t *testing.T, w *world, m int) string {
		return w.must(t, q("createProgramme", "CreateProgrammeInput", "programme"), map[string]any{"name": "Fresh programme"})
	}
	newOutcome := func(t *testing.T, w *world, m int) string {
		return w.must(t, q("createOutcome", "CreateOutcomeInput", "outcome"), outcomeInput(t, w))
	}
	newMembership := func(t *testing.T, w *world, m int) string {
		return w.must(t, q("createProgrammeMembership", "CreateProgrammeMembershipInput", "programmeMembership"), membershipInput(t, w, m))
	}
	newWebhook := func(t *testing.T, w *world, m int) string {
		return w.must(t, q("createWebhook", "CreateWebhookInput", "webhook"), map[string]any{"url": "http://127.0.0.1:9/hook"})
	}
	// People and communities are shared: one tied to museum m by a decision event or a
	// partnership.
	newPerson := func(t *testing.T, w *world, m int) string {
		p := w.must(t, q("createPerson", "CreatePersonInput", "person"), map[string]any{"pseudonym": "Fresh", "communityId": w.community[m],
			"consent": map[string]any{"recordParticipation": true, "publishName": false, "contact": false}})
		in := eventInput(w, m)
		in["participants"] = []map[string]any{{"personId": p, "communityId": w.community[m], "role": "COMMUNITY_MEMBER"}}
		w.must(t, q("recordDecisionEvent", "RecordDecisionEventInput", "decisionEvent"), in)
		return p
	}
	newCommunity := func(t *testing.T, w *world, m int) string {
		c := w.must(t, q("createCommunity", "CreateCommunityInput", "community"), map[string]any{"name": "Fresh", "kind": "OTHER"})
		w.must(t, q("startPartnership", "StartPartnershipInput", "partnership"), map[string]any{"title": "Tie", "museumId": w.museum[m], "communityId": c})
		return c
	}
	with := func(f func(t *testing.T, w *world, m int) map[string]any, extra map[string]any) func(t *testing.T, w *world, m int) map[string]any {
		return func(t *testing.T, w *world, m int) map[string]any {
			in := f(t, w, m)
			for k, v := range extra {
				in[k] = v
			}
			return in
		}
	}
	static := func(in func(w *world, m int) map[string]any) func(t *testing.T, w *world, m int) map[string]any {
		return func(_ *testing.T, w *world, m int) map[string]any { return in(w, m) }
	}
	return []mutationCase{
		{name: "createMuseum", adminOnly: true, query: q("createMuseum", "CreateMuseumInput", "museum"),
			input: static(func(*world, int) map[string]any { return map[string]any{"name": "New museum", "kind": "MUSEUM"} })},
		{name: "updateMuseum", query: q("updateMuseum", "UpdateMuseumInput", "museum"),
			input: static(func(w *world, m int) map[string]any {
				return map[string]any{"id": w.museum[m], "description": "Changed"}
			})},
		{name: "archiveMuseum", query: q("archiveMuseum", "ArchiveInput", "museum"),
			input: fresh(func(t *testing.T, w *world, m int) string {
				// A museum of the editor's own is needed: the editor's key lists museum A
				// only, so "own" archives A itself, after the other cases have run.
				return w.museum[m]
			})},
		{name: "createCommunity", anyEditor: true, query: q("createCommunity", "CreateCommunityInput", "community"),
			input: static(func(*world, int) map[string]any { return map[string]any{"name": "New community", "kind": "YOUTH"} })},
		{name: "updateCommunity", query: q("updateCommunity", "UpdateCommunityInput", "community"),
			input: with(fresh(newCommunity), map[string]any{"description": "Changed"})},
		{name: "archiveCommunity", query: q("archiveCommunity", "ArchiveInput", "community"), input: fresh(newCommunity)},
		{name: "createPerson", anyEditor: true, query: q("createPerson", "CreatePersonInput", "person"),
			input: static(func(*world, int) map[string]any { return map[string]any{"pseudonym": "New"} })},
		{name: "updatePerson", query: q("updatePerson", "UpdatePersonInput", "person"), input: with(fresh(newPerson), map[string]any{"pseudonym": "Changed"})},
		{name: "archivePerson", query: q("archivePerson", "ArchiveInput", "person"), input: fresh(newPerson)},
		{name: "recordConsent", query: q("recordConsent", "RecordConsentInput", "person"),
			input: func(t *testing.T, w *world, m int) map[string]any {
				return map[string]any{"personId": newPerson(t, w, m), "recordParticipation": true, "publishName": true, "contact": false}
			}},
		{name: "erasePerson", query: q("erasePerson", "ErasePersonInput", "person"), input: fresh(newPerson)},
		{name: "createPartnership", query: q("createPartnership", "CreatePartnershipInput", "partnership"),
			input: static(func(w *world, m int) map[string]any {
				return map[string]any{"title": "New", "museumId": w.museum[m], "communityId": w.community[m]}
			})},
		{name: "startPartnership", query: q("startPartnership", "StartPartnershipInput", "partnership"),
			input: static(func(w *world, m int) map[string]any {
				return map[string]any{"title": "New", "museumId": w.museum[m], "communityId": w.community[m]}
			})},
		{name: "updatePartnership", query: q("updatePartnership", "UpdatePartnershipInput", "partnership"),
			input: with(fresh(newPartnership), map[string]any{"purpose": "Changed"})},
		{name: "endPartnership", query: q("endPartnership", "EndPartnershipInput", "partnership"), input: fresh(newPartnership)},
		{name: "archivePartnership", query: q("archivePartnership", "ArchiveInput", "partnership"), input: fresh(newPartnership)},
		{name: "recordDecisionEvent", query: q("recordDecisionEvent", "RecordDecisionEventInput", "decisionEvent"), input: static(eventInput)},
		{name: "createDecisionEvent", query: q("createDecisionEvent", "RecordDecisionEventInput", "decisionEvent"), input: static(eventInput)},
		{name: "updateDecisionEvent", query: q("updateDecisionEvent", "UpdateDecisionEventInput", "decisionEvent"),
			input: with(fresh(newEvent), map[string]any{"title": "Changed"})},
		{name: "archiveDecisionEvent", query: q("archiveDecisionEvent", "ArchiveInput", "decisionEvent"), input: fresh(newEvent)},
		{name: "recordActivity", query: q("recordActivity", "RecordActivityInput", "activity"), input: static(activityInput)},
		{name: "createActivity", query: q("createActivity", "RecordActivityInput", "activity"), input: static(activityInput)},
		{name: "updateActivity", query: q("updateActivity", "UpdateActivityInput", "activity"),
			input: with(fresh(newActivity), map[string]any{"title": "Changed"})},
		{name: "archiveActivity", query: q("archiveActivity", "ArchiveInput", "activity"), input: fresh(newActivity)},
		{name: "addReflection", query: q("addReflection", "AddReflectionInput", "reflection"), input: static(reflectionInput)},
		{name: "createReflection", query: q("createReflection", "AddReflectionInput", "reflection"), input: static(reflectionInput)},
		{name: "updateReflection", query: q("updateReflection", "UpdateReflectionInput", "reflection"),
			input: with(fresh(newReflection), map[string]any{"text": "Changed"})},
		{name: "archiveReflection", query: q("archiveReflection", "ArchiveInput", "reflection"), input: fresh(newReflection)},
		{name: "createPublication", query: q("createPublication", "CreatePublicationInput", "publication"), input: static(publicationInput)},
		{name: "updatePublication", query: q("updatePublication", "UpdatePublicationInput", "publication"),
			input: with(fresh(newPublication), map[string]any{"title": "Changed"})},
		{name: "archivePublication", query: q("archivePublication", "ArchiveInput", "publication"), input: fresh(newPublication)},
		{name: "createProgramme", adminOnly: true, query: q("createProgramme", "CreateProgrammeInput", "programme"),
			input: static(func(*world, int) map[string]any { return map[string]any{"name": "New programme"} })},
		{name: "updateProgramme", adminOnly: true, query: q("updateProgramme", "UpdateProgrammeInput", "programme"),
			input: with(fresh(newProgramme), map[string]any{"description": "Changed"})},
		{name: "archiveProgramme", adminOnly: true, query: q("archiveProgramme", "ArchiveInput", "programme"), input: fresh(newProgramme)},
		{name: "createOutcome", adminOnly: true, query: q("createOutcome", "CreateOutcomeInput", "outcome"),
			input: func(t *testing.T, w *world, _ int) map[string]any { return outcomeInput(t, w) }},
		{name: "updateOutcome", adminOnly: true, query: q("updateOutcome", "UpdateOutcomeInput", "outcome"),
			input: with(fresh(newOutcome), map[string]any{"title": "Changed"})},
		{name: "archiveOutcome", adminOnly: true, query: q("archiveOutcome", "ArchiveInput", "outcome"), input: fresh(newOutcome)},
		{name: "createProgrammeMembership", adminOnly: true, query: q("createProgrammeMembership", "CreateProgrammeMembershipInput", "programmeMembership"),
			input: membershipInput},
		{name: "updateProgrammeMembership", adminOnly: true, query: q("updateProgrammeMembership", "UpdateProgrammeMembershipInput", "programmeMembership"),
			input: with(fresh(newMembership), map[string]any{"endDate": "2016-12-31"})},
		{name: "createWebhook", adminOnly: true, query: q("createWebhook", "CreateWebhookInput", "webhook"),
			input: static(func(*world, int) map[string]any {
				return map[string]any{"url": "http://127.0.0.1:9/hook", "types": []string{"MUSEUM"}}
			})},
		{name: "updateWebhook", adminOnly: true, query: q("updateWebhook", "UpdateWebhookInput", "webhook"),
			input: with(fresh(newWebhook), map[string]any{"enabled": false})},
		{name: "deleteWebhook", adminOnly: true, query: "mutation($in: DeleteWebhookInput!) { deleteWebhook(input: $in) { id } }", input: fresh(newWebhook)},
		{name: "archiveProgrammeMembership", adminOnly: true, query: q("archiveProgrammeMembership", "ArchiveInput", "programmeMembership"), input: fresh(newMembership)},
	}
}

func eventInput(w *world, m int) map[string]any {
	return map[string]any{"title": "New panel", "kind": "WORKSHOP", "occurredAt": "2014-05-01T10:00:00Z",
		"museumId": w.museum[m], "partnershipId": w.partnership[m], "participationLevel": "INVOLVE"}
}

func activityInput(w *world, m int) map[string]any {
	return map[string]any{"kind": "TRAINING", "title": "New training", "museumId": w.museum[m], "startDate": "2014-05-01"}
}

func reflectionInput(w *world, m int) map[string]any {
	return map[string]any{"museumId": w.museum[m], "author": "STAFF", "writtenOn": "2014-06-01", "text": "New reflection"}
}

func publicationInput(w *world, m int) map[string]any {
	return map[string]any{"title": "New report", "authors": []string{"A. Author"}, "year": 2015, "kind": "LEARNING_REPORT",
		"museumIds": []string{w.museum[m]}}
}

var outcomeNumber = 10

func outcomeInput(_ *testing.T, w *world) map[string]any {
	outcomeNumber++
	return map[string]any{"programmeId": w.programme, "number": outcomeNumber, "code": fmt.Sprint("EXTRA_", outcomeNumber), "title": "Extra outcome"}
}

func membershipInput(t *testing.T, w *world, _ int) map[string]any {
	prg := w.must(t, "mutation($in: CreateProgrammeInput!) { createProgramme(input: $in) { programme { id } } }", map[string]any{"name": "Another programme"})
	return map[string]any{"programmeId": prg, "museumId": w.museum[1], "startDate": "2016-01-01"}
}

// TestEveryMutationChecksRoleAndMuseum runs every mutation as every role, against the
// editor's own museum and another: anonymous callers are UNAUTHENTICATED, researchers
// FORBIDDEN, editors allowed for their own museum's records only, administrators always;
// a refused mutation writes nothing.
func TestEveryMutationChecksRoleAndMuseum(t *testing.T) {
	w := newWorld(t)
	roles := []struct {
		name   string
		client gqltest.Client
	}{
		{"Anonymous", w.e.anon},
		{"Researcher", w.e.anon.As(w.researcher)},
		{"Editor", w.e.anon.As(w.editor)},
		{"Admin", w.e.gql},
	}
	cases := mutationCases()
	// Archiving the museums themselves goes last, since the other cases need them.
	for i, c := range cases {
		if c.name == "archiveMuseum" {
			cases = append(append(cases[:i:i], cases[i+1:]...), c)
			break
		}
	}
	seen := map[string]bool{}
	for _, c := range cases {
		seen[c.name] = true
		for _, target := range []struct {
			name string
			m    int
		}{{"Own", 0}, {"Other", 1}} {
			for _, role := range roles {
				if c.name == "archiveMuseum" && role.name == "Admin" {
					continue // archiving the museums would leave nothing for the editor cases
				}
				t.Run(c.name+"/"+target.name+"/"+role.name, func(t *testing.T) {
					in := c.input(t, w, target.m)
					before, _ := w.e.store.LastSeq(context.Background())
					_, err := call(t, role.client, c.query, map[string]any{"in": in})
					want := ""
					switch {
					case role.name == "Anonymous":
						want = "UNAUTHENTICATED"
					case role.name == "Researcher":
						want = "FORBIDDEN"
					case role.name == "Editor" && (c.adminOnly || (target.m == 1 && !c.anyEditor)):
						want = "FORBIDDEN"
					}
					got := ""
					if err != nil {
						got = err.Code()
					}
					if got != want {
						t.Fatalf("got %q (%+v), want %q", got, err, want)
					}
					after, _ := w.e.store.LastSeq(context.Background())
					if want != "" && after != before {
						t.Errorf("a refused %s wrote %d changes", c.name, after-before)
					}
				})
			}
		}
	}
	// Every mutation of the schema but the key management (tested on its own) is here.
	var schema struct {
		Schema struct {
			MutationType struct{ Fields []struct{ Name string } }
		} `json:"__schema"`
	}
	w.e.gql.Must(t, `{ __schema { mutationType { fields { name } } } }`, nil, &schema)
	for _, f := range schema.Schema.MutationType.Fields {
		if !seen[f.Name] && !strings.HasSuffix(f.Name, "ApiKey") {
			t.Errorf("mutation %s is not covered by the access table", f.Name)
		}
	}
}
