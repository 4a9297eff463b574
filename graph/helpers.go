package graph

import (
	"cmp"
	"context"
	"slices"

	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/graph/model"
	"github.com/participation-graph/participation-graph/loader"
	"github.com/participation-graph/participation-graph/network"
)

// callerView is what the caller may see of the partnership network and its summaries:
// RESTRICTED decision events count for researchers and administrators only (an editor's
// view of the whole network is the public one).
func callerView(ctx context.Context) network.View {
	return network.View{Restricted: domain.CallerOf(ctx).ReadsAllRestricted()}
}

// NetworkExport returns the partnership network selected by f as the caller may see it,
// for the export endpoints; its errors are those of partnershipNetwork.
func (r *Resolver) NetworkExport(ctx context.Context, f *network.Filter) (*network.Network, error) {
	return r.Network.Network(ctx, f, callerView(ctx))
}

// SummaryExport returns the participation summary of the events f selects, grouped by
// by, as the caller may see it, for the export endpoints; its errors are those of
// participationSummary.
func (r *Resolver) SummaryExport(ctx context.Context, f *domain.DecisionEventFilter, by network.Dimension) ([]*network.Bucket, error) {
	return r.Network.Summary(ctx, f, by, callerView(ctx))
}

// maxNodes bounds how many ids one nodes() call may ask for.
const maxNodes = 100

func activityPayload(a *domain.Activity) *model.ActivityPayload {
	return &model.ActivityPayload{Activity: a}
}

func eventPayload(e *domain.DecisionEvent) *model.DecisionEventPayload {
	return &model.DecisionEventPayload{DecisionEvent: e}
}

func partnershipPayload(p *domain.Partnership) *model.PartnershipPayload {
	return &model.PartnershipPayload{Partnership: p}
}

func reflectionPayload(r *domain.Reflection) *model.ReflectionPayload {
	return &model.ReflectionPayload{Reflection: r}
}

func publicationPayload(p *domain.Publication) *model.PublicationPayload {
	return &model.PublicationPayload{Publication: p}
}

// byMuseumName orders a programme's memberships by museum name, as the schema promises,
// loading the museums through the request's loader (one command for all of them).
func byMuseumName(ctx context.Context, ms []*domain.ProgrammeMembership) ([]*domain.ProgrammeMembership, error) {
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.MuseumID
	}
	if len(ms) > 0 {
		// The museums of the memberships of every programme read with this one, at once.
		if _, err := loader.Many(ctx, loaders(ctx).Museum, ms[0], func(m *domain.ProgrammeMembership) []string { return []string{m.MuseumID} }); err != nil {
			return nil, err
		}
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
	slices.SortStableFunc(out, func(a, b *domain.ProgrammeMembership) int {
		return cmp.Or(cmp.Compare(name[a.MuseumID], name[b.MuseumID]), cmp.Compare(a.StartDate, b.StartDate))
	})
	return out, nil
}

// changeEntity names a stored entity as the change feed's ChangeEntity does: outcomes and
// memberships belong to their programme.
func changeEntity(e domain.Entity) model.ChangeEntity {
	return model.ChangeEntity(domain.ChangeEntityOf(e))
}

// entitiesOf reads a types argument as the store's entity names.
func entitiesOf(types []model.ChangeEntity) []domain.Entity {
	out := make([]domain.Entity, len(types))
	for i, t := range types {
		out[i] = domain.Entity(t)
	}
	return out
}

// storeEntities is the inverse of changeEntity for a types filter.
func storeEntities(types []model.ChangeEntity) []domain.Entity {
	return domain.FeedEntities(entitiesOf(types))
}

// stream turns a feed of changes into a subscription's channel: convert picks and loads
// what to send for each change. It ends when the feed does; the feed's last value may
// carry the error that ended it, which convert may skip or pass on (see Change.seq).
func stream[T any](ctx context.Context, feed <-chan *domain.Change, convert func(*domain.Change) (*T, bool)) <-chan *T {
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
func personal(ctx context.Context, p *domain.Person, value *string) (*string, error) {
	if value == nil {
		return nil, nil
	}
	sees, err := domain.CallerOf(ctx).SeesPersonalData(func() ([]string, error) {
		return loader.One(ctx, loaders(ctx).PersonMuseums, p, func(p *domain.Person) *string { return &p.ID })
	})
	if err != nil || !sees {
		return nil, err
	}
	return value, nil
}

// feedPosition reads an optional change-feed cursor argument into dst; a malformed one is
// a validation error on field.
func feedPosition(field string, cursor *string, dst **int64) error {
	if cursor == nil {
		return nil
	}
	seq, err := domain.DecodeChangeCursor(*cursor)
	if err != nil {
		return &domain.ValidationError{Fields: []domain.FieldError{{Field: field, Message: "is not a change-feed cursor: pass a cursor or endCursor a changes read returned"}}}
	}
	*dst = &seq
	return nil
}
