package api_test

import (
	"context"
	"testing"
	"time"
)

const queryChanges = `query($after: String, $first: Int, $types: [ChangeEntity!]) {
  changes(after: $after, first: $first, types: $types) {
    nodes { cursor seq kind entity entityId node { id __typename } }
    pageInfo { hasNextPage endCursor }
  }
}`

type changesPage struct {
	Changes struct {
		Nodes []struct {
			Cursor, Kind, Entity, EntityID string
			Seq                            int
			Node                           *struct {
				ID       string
				Typename string `json:"__typename"`
			}
		}
		PageInfo struct {
			HasNextPage bool
			EndCursor   string
		}
	}
}

func TestChangesFeed(t *testing.T) {
	e := newEnv(t)
	id := record(t, e, "Feed") // museum, community, partnership, event: 4 changes
	var all changesPage
	e.gql.Must(t, queryChanges, map[string]any{"first": 3}, &all)
	if n := len(all.Changes.Nodes); n != 3 || !all.Changes.PageInfo.HasNextPage {
		t.Fatalf("first page: %d changes, hasNextPage %v; want 3 and more", n, all.Changes.PageInfo.HasNextPage)
	}
	first := all.Changes.Nodes[0]
	if first.Seq != 1 || first.Kind != "CREATED" || first.Entity != "MUSEUM" || first.EntityID != id.museum || first.Node == nil || first.Node.Typename != "Museum" {
		t.Errorf("first change = %+v, want the museum's creation with its node", first)
	}
	var rest changesPage
	e.gql.Must(t, queryChanges, map[string]any{"after": all.Changes.PageInfo.EndCursor}, &rest)
	if len(rest.Changes.Nodes) != 1 || rest.Changes.Nodes[0].EntityID != id.event || rest.Changes.Nodes[0].Entity != "DECISION_EVENT" {
		t.Fatalf("after the first page: %+v, want the event only", rest.Changes.Nodes)
	}
	// Polling with nothing new keeps the position.
	var empty changesPage
	e.gql.Must(t, queryChanges, map[string]any{"after": rest.Changes.PageInfo.EndCursor}, &empty)
	if len(empty.Changes.Nodes) != 0 || empty.Changes.PageInfo.EndCursor != rest.Changes.PageInfo.EndCursor {
		t.Errorf("an empty poll = %+v, want no changes and the same endCursor", empty.Changes)
	}
	var partnerships changesPage
	e.gql.Must(t, queryChanges, map[string]any{"types": []string{"PARTNERSHIP"}}, &partnerships)
	if len(partnerships.Changes.Nodes) != 1 || partnerships.Changes.Nodes[0].EntityID != id.partnership {
		t.Errorf("partnership changes = %+v", partnerships.Changes.Nodes)
	}
	if err := e.gql.Fail(t, queryChanges, map[string]any{"after": "bogus"}); err.Code() != "BAD_USER_INPUT" {
		t.Errorf("malformed cursor: %s, want BAD_USER_INPUT", err.Code())
	}
	if _, err := e.store.TrimChanges(context.Background(), time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := e.gql.Fail(t, queryChanges, map[string]any{"after": first.Cursor}); err.Code() != "CURSOR_EXPIRED" {
		t.Errorf("a trimmed cursor: %s (%s), want CURSOR_EXPIRED", err.Code(), err.Message)
	}
}
