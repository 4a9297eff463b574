package store

import (
	"context"
	"fmt"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/participation-graph/participation-graph/auth"
	"github.com/participation-graph/participation-graph/domain"
)

// Access control is enforced here, below every path that reads or writes records, so no
// resolver, loader, nested list, total or feed can forget it. The caller travels in the
// context (domain.WithCaller); a context without one is the server itself.
//
// Reads: RESTRICTED decision events and reflections are left out of every query for
// callers that may not see them (a condition added to the query, so totals and pages agree)
// and a lookup by id of one answers ErrNotFound, exactly as for an id that does not exist.
//
// Writes: administrators write everything. Editors write the records of their museums:
// partnerships, decision events, activities and reflections of those museums, the museums
// themselves, and publications all of whose museums are theirs; they cannot move a record
// to another museum. Communities and people are shared between museums: any editor may
// record one, and change one that works with none of the museums yet or with one of theirs
// (a partnership with the community, a decision event the person took part in).
// Programmes, outcomes, memberships, new museums and publications of no museum are
// administrators' work. Researchers and anonymous callers write nothing.

// access describes how the rules apply to one collection's records.
type access[T any] struct {
	// owners returns the museums a record belongs to; nil for records that belong to
	// none (administrators' records, or shared ones when ties is set).
	owners func(*T) []string
	// createAdminOnly keeps creation to administrators even when owners is set (museums).
	createAdminOnly bool
	// ties returns the museums a shared record works with.
	ties func(ctx context.Context, rec *T) ([]string, error)
	// restriction returns the museum a record belongs to and whether it is RESTRICTED
	// (see domain.Restricted); nil when the type has no visibility.
	restriction func(*T) (museum string, restricted bool)
	// adminReads, when set, makes every read of the collection an administrator's only;
	// it names the reading for the error ("reading the audit trail").
	adminReads string
}

// permit checks that the caller may make write op to rec (the record as it will be
// stored; for an update it is checked before the change too).
func (c *Collection[T, F]) permit(ctx context.Context, op domain.Op, rec *T) error {
	caller := domain.CallerOf(ctx)
	if caller.Trusted() {
		return nil
	}
	if !caller.Authenticated() {
		return fmt.Errorf("%w: changing records needs an API key; send the header Authorization: Bearer <key>", domain.ErrUnauthenticated)
	}
	if caller.Role != domain.Editor {
		return domain.Forbidden("a %s key reads records but cannot change them", caller.Role)
	}
	a := c.access
	switch {
	case a.owners != nil && a.createAdminOnly && op == domain.OpCreated:
		return domain.Forbidden("only an administrator can create a %s", c.entity.Label())
	case a.owners != nil:
		owners := a.owners(rec)
		if len(owners) == 0 {
			return domain.Forbidden("only an administrator can change a %s that belongs to no museum", c.entity.Label())
		}
		for _, m := range owners {
			if !caller.EditsMuseum(m) {
				return domain.Forbidden("the %s belongs to museum %q, which this key does not edit", c.entity.Label(), m)
			}
		}
		return nil
	case a.ties != nil:
		if op == domain.OpCreated {
			return nil
		}
		ties, err := a.ties(ctx, rec)
		if err != nil {
			return err
		}
		if len(ties) == 0 || slices.ContainsFunc(ties, caller.EditsMuseum) {
			return nil
		}
		return domain.Forbidden("the %s %q works only with museums this key does not edit", c.entity.Label(), c.meta(rec).ID)
	}
	return domain.Forbidden("only an administrator can change a %s", c.entity.Label())
}

// permitRead refuses every read of an administrators' collection to anyone else.
func (c *Collection[T, F]) permitRead(ctx context.Context) error {
	if c.access.adminReads == "" {
		return nil
	}
	return domain.RequireAdmin(ctx, c.access.adminReads)
}

// visibility is the condition that keeps the records the caller may not see out of a
// query, or nil when the caller sees them all.
func (c *Collection[T, F]) visibility(ctx context.Context) bson.D {
	if c.access.restriction == nil {
		return nil
	}
	return restrictedClause(domain.CallerOf(ctx))
}

// restrictedClause keeps RESTRICTED records out for callers that may not see them.
func restrictedClause(caller domain.Caller) bson.D {
	return restrictedCondition(caller, bson.D{{Key: "visibility", Value: domain.VisibilityPublic}})
}

// restrictedCondition is domain.Caller.RestrictedMuseums as a query condition: nil when
// the caller sees everything, otherwise public (the documents that are not RESTRICTED)
// or a museum of the caller's.
func restrictedCondition(caller domain.Caller, public bson.D) bson.D {
	all, museums := caller.RestrictedMuseums()
	switch {
	case all:
		return nil
	case len(museums) > 0:
		return bson.D{{Key: "$or", Value: bson.A{public, bson.D{{Key: "museumId", Value: bson.D{{Key: "$in", Value: museums}}}}}}}
	}
	return public
}

// hidden reports whether the caller may not see rec.
func (c *Collection[T, F]) hidden(ctx context.Context, rec *T) bool {
	museum, restricted := c.scope(rec)
	return restricted && !domain.CallerOf(ctx).SeesRestricted(museum)
}

// scope returns what the change feed keeps of rec to decide who may see its changes.
func (c *Collection[T, F]) scope(rec *T) (museum string, restricted bool) {
	if c.access.restriction == nil {
		return "", false
	}
	return c.access.restriction(rec)
}

// setupAccess gives each collection its rules.
func (s *Store) setupAccess() {
	one := func(id string) []string { return []string{id} }
	s.APIKeys.access = access[auth.APIKey]{adminReads: "reading API keys"}
	s.Audit.access = access[domain.AuditEntry]{adminReads: "reading the audit trail"}
	s.Museums.access = access[domain.Museum]{owners: func(m *domain.Museum) []string { return one(m.ID) }, createAdminOnly: true}
	s.Partnerships.access = access[domain.Partnership]{owners: func(p *domain.Partnership) []string { return one(p.MuseumID) }}
	s.Events.access = access[domain.DecisionEvent]{owners: func(e *domain.DecisionEvent) []string { return one(e.MuseumID) },
		restriction: (*domain.DecisionEvent).Restriction}
	s.Activities.access = access[domain.Activity]{owners: func(a *domain.Activity) []string { return one(a.MuseumID) }}
	s.Reflections.access = access[domain.Reflection]{owners: func(r *domain.Reflection) []string { return one(r.MuseumID) },
		restriction: (*domain.Reflection).Restriction}
	s.Publications.access = access[domain.Publication]{owners: func(p *domain.Publication) []string { return p.MuseumIDs }}
	s.Communities.access = access[domain.Community]{ties: func(ctx context.Context, c *domain.Community) ([]string, error) {
		return s.distinctMuseums(ctx, domain.EntityPartner, bson.D{{Key: "communityId", Value: c.ID}}, "museumId")
	}}
	s.People.access = access[domain.Person]{ties: func(ctx context.Context, p *domain.Person) ([]string, error) {
		return s.distinctMuseums(ctx, domain.EntityEvent, bson.D{{Key: "participants.personId", Value: p.ID}}, "museumId")
	}}
}

// distinctMuseums returns the distinct values of field (a museum id) over the records of
// entity matching q, whoever the caller is.
func (s *Store) distinctMuseums(ctx context.Context, e domain.Entity, q bson.D, field string) ([]string, error) {
	ctx, cancel := s.opCtx(ctx)
	defer cancel()
	cur, err := s.coll(e).Find(ctx, q, options.Find().SetProjection(bson.D{{Key: field, Value: 1}}).SetBatchSize(s.batchSize(0)))
	if err != nil {
		return nil, translate(err)
	}
	defer cur.Close(ctx)
	var out []string
	for cur.Next(ctx) {
		if m, ok := cur.Current.Lookup(field).StringValueOK(); ok && !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out, translate(cur.Err())
}

// PeopleMuseums returns, for each person id, the museums of the decision events the
// person took part in, in one database command for all of them. It decides who may see a
// person's personal data.
func (s *Store) PeopleMuseums(ctx context.Context, ids []string) ([][]string, []error) {
	out, errs := make([][]string, len(ids)), make([]error, len(ids))
	if t, done, ok := s.Events.model(); ok {
		// Whoever the caller is: the museums decide who sees the data, not what is shown.
		defer done()
		for i, id := range ids {
			for _, e := range t.kids[byParticipant][id] {
				if !slices.Contains(out[i], e.rec.MuseumID) {
					out[i] = append(out[i], e.rec.MuseumID)
				}
			}
		}
		return out, errs
	}
	octx, cancel := s.opCtx(ctx)
	defer cancel()
	want := make(map[string][]int, len(ids))
	for i, id := range ids {
		want[id] = append(want[id], i)
	}
	proj := bson.D{{Key: "museumId", Value: 1}, {Key: "participants.personId", Value: 1}}
	cur, err := s.coll(domain.EntityEvent).Find(octx, bson.D{{Key: "participants.personId", Value: bson.D{{Key: "$in", Value: domain.Unique(ids)}}}},
		options.Find().SetProjection(proj).SetBatchSize(s.batchSize(0)))
	if err == nil {
		defer cur.Close(octx)
		for cur.Next(octx) {
			var ev struct {
				MuseumID     string `bson:"museumId"`
				Participants []struct {
					PersonID string `bson:"personId"`
				} `bson:"participants"`
			}
			if err = cur.Decode(&ev); err != nil {
				break
			}
			for _, p := range ev.Participants {
				for _, i := range want[p.PersonID] {
					if !slices.Contains(out[i], ev.MuseumID) {
						out[i] = append(out[i], ev.MuseumID)
					}
				}
			}
		}
		if err == nil {
			err = cur.Err()
		}
	}
	if err = translate(err); err != nil {
		for i := range errs {
			errs[i] = err
		}
	}
	return out, errs
}

// ChangeVisible reports whether the caller in ctx may see change c: changes of RESTRICTED
// records only reach callers that may see the record.
func ChangeVisible(ctx context.Context, c *domain.Change) bool {
	return !c.Restricted || domain.CallerOf(ctx).SeesRestricted(c.MuseumID)
}

// changeVisibility is ChangeVisible as a query condition on the feed.
func changeVisibility(ctx context.Context) bson.D {
	return restrictedCondition(domain.CallerOf(ctx), bson.D{{Key: "restricted", Value: bson.D{{Key: "$ne", Value: true}}}})
}
