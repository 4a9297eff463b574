package graph

import (
	"cmp"
	"context"
	"slices"

	"github.com/participation-graph/participation-graph/auth"
	"github.com/participation-graph/participation-graph/graph/model"
	"github.com/participation-graph/participation-graph/store"
)

// maxNodes bounds how many ids one nodes() call may ask for.
const maxNodes = 100

func activityPayload(a *store.Activity) *model.ActivityPayload {
	return &model.ActivityPayload{Activity: a}
}

func eventPayload(e *store.DecisionEvent) *model.DecisionEventPayload {
	return &model.DecisionEventPayload{DecisionEvent: e}
}

func partnershipPayload(p *store.Partnership) *model.PartnershipPayload {
	return &model.PartnershipPayload{Partnership: p}
}

func reflectionPayload(r *store.Reflection) *model.ReflectionPayload {
	return &model.ReflectionPayload{Reflection: r}
}

func publicationPayload(p *store.Publication) *model.PublicationPayload {
	return &model.PublicationPayload{Publication: p}
}

// byMuseumName orders a programme's memberships by museum name, as the schema promises,
// loading the museums through the request's loader (one command for all of them).
func byMuseumName(ctx context.Context, ms []*store.ProgrammeMembership) ([]*store.ProgrammeMembership, error) {
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.MuseumID
	}
	museums, err := loaders(ctx).Museum.LoadAll(ctx, ids)
	if err != nil {
		return nil, err
	}
	name := make(map[string]string, len(museums))
	for _, m := range museums {
		name[m.ID] = m.Name
	}
	out := slices.Clone(ms)
	slices.SortStableFunc(out, func(a, b *store.ProgrammeMembership) int {
		return cmp.Or(cmp.Compare(name[a.MuseumID], name[b.MuseumID]), cmp.Compare(a.StartDate, b.StartDate))
	})
	return out, nil
}

// changeEntity names a stored entity as the change feed's ChangeEntity does: outcomes and
// memberships belong to their programme.
func changeEntity(e store.Entity) model.ChangeEntity {
	switch e {
	case store.EntityOutcome, store.EntityMembership:
		return model.ChangeEntityProgramme
	}
	return model.ChangeEntity(e)
}

// storeEntities is the inverse of changeEntity for a types filter.
func storeEntities(types []model.ChangeEntity) []store.Entity {
	var out []store.Entity
	for _, t := range types {
		out = append(out, store.Entity(t))
		if t == model.ChangeEntityProgramme {
			out = append(out, store.EntityOutcome, store.EntityMembership)
		}
	}
	return out
}

// stream turns a feed of changes into a subscription's channel: convert picks and loads
// what to send for each change. It ends when the feed does; the feed's last value may
// carry the error that ended it, which convert skips (the changes subscription, which
// passes it on, uses the feed directly; see Change.seq).
func stream[T any](ctx context.Context, feed <-chan *store.Change, convert func(*store.Change) (*T, bool)) <-chan *T {
	out := make(chan *T)
	go func() {
		defer close(out)
		for c := range feed {
			v, ok := convert(c)
			if !ok {
				continue
			}
			select {
			case out <- v:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

// personal returns value, a person's personal data, when the caller may see it: an
// administrator, or an editor of a museum the person took part with. Anyone else gets
// null, never an error, so that a list does not reveal whose data is held.
func personal(ctx context.Context, p *store.Person, value *string) (*string, error) {
	caller := auth.From(ctx)
	switch {
	case value == nil:
		return nil, nil
	case caller.Trusted():
		return value, nil
	case caller.Role != auth.Editor:
		return nil, nil
	}
	museums, err := loaders(ctx).PersonMuseums.Load(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	if caller.SeesPersonalData(museums) {
		return value, nil
	}
	return nil, nil
}
