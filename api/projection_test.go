package api_test

import (
	"context"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/participation-graph/participation-graph/api"
	"github.com/participation-graph/participation-graph/internal/dbtest"
	"github.com/participation-graph/participation-graph/internal/gqltest"
	"github.com/participation-graph/participation-graph/store"
)

// eventFields and partnershipFields select every field of a decision event and of a
// partnership, references included.
const (
	eventFields = `id version createdAt updatedAt archived archivedAt sample title description kind occurredAt
    museum { id } partnership { id title } communities { id name } participationLevel assessedRung
    participants { person { id pseudonym } community { id } role } communityParticipantCount staffParticipantCount
    decisions { text decidedBy result implemented implementationNote } outcomes { id code } empowermentGap
    evidence { kind title url note } visibility`
	partnershipFields = `id version createdAt updatedAt archived archivedAt sample title museum { id } community { id name }
    purpose status startDate endDate participationModel programme { id } outcomes { id }`
)

// Nested lists read from the database fetch only the fields their records are asked for;
// whatever is asked, and however (nodes, edges, fragments), the answer is the read
// model's, which holds whole records.
func TestNestedListsReadWhatTheyAreAskedFor(t *testing.T) {
	e := networkEnv(t) // the read model answers, over the Our Museum data and a sample
	ctx := context.Background()
	if err := e.store.Model().Wait(ctx); err != nil {
		t.Fatal(err)
	}
	for ok, _ := e.store.Model().Ready(); !ok; ok, _ = e.store.Model().Ready() {
		time.Sleep(time.Millisecond)
	}
	off, err := store.Open(ctx, store.Options{URI: dbtest.URI(t), Database: e.store.Name(), ReadModel: store.ReadModelOff})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = off.Close(ctx) })
	srv := httptest.NewServer(api.New(api.Options{Store: off, AdminToken: adminToken}))
	t.Cleanup(srv.Close)
	fromDB := gqltest.Client{URL: srv.URL + "/graphql"}

	queries := map[string]string{
		"EveryField": `{ museums(first: 8) { nodes { id partnerships(first: 5) { totalCount nodes { ` + partnershipFields + `
      decisionEvents(first: 6) { totalCount nodes { ` + eventFields + ` } } } } } } }`,
		"Edges": `{ museums(first: 8) { nodes { partnerships(first: 5) { edges { cursor node { title
      decisionEvents(first: 4, orderBy: {field: LEVEL, direction: DESC}) { edges { cursor node { title participationLevel museum { name } } } pageInfo { hasNextPage endCursor } } } } } } } }`,
		"Fragments": `{ museums(first: 8) { nodes { decisionEvents(first: 10) { nodes { ...E ... on Node { id } ... on Record { version } } } } } }
      fragment E on DecisionEvent { title communities { name } decisions { result } }`,
		"AFewFields": `{ communities(first: 10) { nodes { partnerships(first: 3) { nodes { title } }
      decisionEvents(first: 3) { nodes { occurredAt evidence { title } } } } } }`,
		"TotalsOnly": `{ museums(first: 8) { nodes { partnerships(first: 5) { totalCount } decisionEvents(first: 2) { totalCount } } } }`,
	}
	for name, q := range queries {
		for _, who := range []string{"anonymous", "admin"} {
			t.Run(name+"/"+who, func(t *testing.T) {
				model, db := e.anon, fromDB
				if who == "admin" {
					model, db = model.As(adminToken), db.As(adminToken)
				}
				var want, got any
				model.Must(t, q, nil, &want)
				db.Must(t, q, nil, &got)
				if !reflect.DeepEqual(want, got) {
					t.Errorf("the database's answer differs from the read model's:\nmodel:    %.600v\ndatabase: %.600v", want, got)
				}
			})
		}
	}
}
