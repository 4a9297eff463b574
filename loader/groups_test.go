package loader

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/participation-graph/participation-graph/domain"
)

// fetches records each batch a museum loader fetches.
type fetches struct{ batches [][]string }

func (f *fetches) loader() *Loader[string, *domain.Museum] {
	return newLoader(false, func(_ context.Context, ids []string) ([]*domain.Museum, []error) {
		f.batches = append(f.batches, slices.Clone(ids))
		out := make([]*domain.Museum, len(ids))
		for i, id := range ids {
			out[i] = &domain.Museum{Meta: domain.Meta{ID: id}, Name: "Museum " + id}
		}
		return out, make([]error, len(ids))
	})
}

func testLoaders() *Loaders {
	return &Loaders{groups: map[groupKey]*group{}, lists: map[groupKey]*group{}, pages: map[pageKey]pageResult{}}
}

// in returns ctx inside field f (nil: a context of no field) and, when index is not
// negative, inside element index of the list f returns.
func in(ctx context.Context, f *ast.Field, index int) context.Context {
	ctx = graphql.WithFieldContext(ctx, &graphql.FieldContext{Field: graphql.CollectedField{Field: f}})
	if index >= 0 {
		ctx = graphql.WithFieldContext(ctx, &graphql.FieldContext{Index: &index})
	}
	return ctx
}

func events(n int) []*domain.DecisionEvent {
	out := make([]*domain.DecisionEvent, n)
	for i := range out {
		out[i] = &domain.DecisionEvent{Meta: domain.Meta{ID: fmt.Sprint("evt_", i)}, MuseumID: fmt.Sprint("mus_", i%3)}
	}
	return out
}

func museumOf(e *domain.DecisionEvent) *string { return &e.MuseumID }

// TestOneLoadsForTheGroup resolves each event's museum, one event after another, for
// events read together, for the elements of one list, and for an event alone: the first
// two cost one fetch for every event's museum, the last one fetch of its own.
func TestOneLoadsForTheGroup(t *testing.T) {
	list, nodes, museum := &ast.Field{Alias: "events"}, &ast.Field{Alias: "nodes"}, &ast.Field{Alias: "museum"}
	for _, way := range []string{"read together", "one list", "alone"} {
		t.Run(way, func(t *testing.T) {
			l, f := testLoaders(), &fetches{}
			ld := f.loader()
			ctx := With(context.Background(), l)
			evs := events(7)
			read := in(ctx, list, -1)
			switch way {
			case "read together":
				recs := make([]any, len(evs))
				for i, e := range evs {
					recs[i] = e
				}
				l.register(read, recs)
			case "one list":
				Siblings(in(read, nodes, -1), evs)
			}
			for i, e := range evs {
				if way == "alone" && i > 0 {
					break
				}
				m, err := One(in(in(in(read, nodes, -1), nil, i), museum, -1), ld, e, museumOf)
				if err != nil || m.ID != e.MuseumID {
					t.Fatalf("event %d: museum %v, %v; want %s", i, m, err, e.MuseumID)
				}
			}
			want := "[[mus_0 mus_1 mus_2]]"
			if way == "alone" {
				want = "[[mus_0]]"
			}
			if fmt.Sprint(f.batches) != want {
				t.Errorf("fetched %v, want %v", f.batches, want)
			}
		})
	}
}

// TestEmbeddedGroupsThePage registers the participants of a page of events as one group:
// the people of every event's participants load in one fetch.
func TestEmbeddedGroupsThePage(t *testing.T) {
	l := testLoaders()
	var batches [][]string
	people := newLoader(false, func(_ context.Context, ids []string) ([]*domain.Person, []error) {
		batches = append(batches, slices.Clone(ids))
		out := make([]*domain.Person, len(ids))
		for i, id := range ids {
			out[i] = &domain.Person{Meta: domain.Meta{ID: id}}
		}
		return out, make([]error, len(ids))
	})
	ctx := With(context.Background(), l)
	page, participantsField, person := &ast.Field{Alias: "decisionEvents"}, &ast.Field{Alias: "participants"}, &ast.Field{Alias: "person"}
	evs := events(3)
	recs := make([]any, len(evs))
	for i, e := range evs {
		p1, p2 := fmt.Sprint("per_", i, "a"), fmt.Sprint("per_", i, "b")
		e.Participants = []domain.Participant{{PersonID: &p1}, {PersonID: &p2}}
		recs[i] = e
	}
	read := in(ctx, page, -1)
	l.register(read, recs)
	for i, e := range evs {
		at := in(in(read, nil, i), participantsField, -1)
		ps := Embedded(at, e, func(e *domain.DecisionEvent) []domain.Participant { return e.Participants })
		for j, p := range ps {
			got, err := One(in(in(at, nil, j), person, -1), people, p, func(p *domain.Participant) *string { return p.PersonID })
			if err != nil || got.ID != *e.Participants[j].PersonID {
				t.Fatalf("participant %d of event %d: %v, %v", j, i, got, err)
			}
		}
	}
	if want := "[[per_0a per_0b per_1a per_1b per_2a per_2b]]"; fmt.Sprint(batches) != want {
		t.Errorf("fetched %v, want %v", batches, want)
	}
}
