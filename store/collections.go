package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/participation-graph/participation-graph/auth"
	"github.com/participation-graph/participation-graph/domain"
)

func str[T any](f func(*T) string) func(*T) any { return func(t *T) any { return f(t) } }

// metaOrders are the orders every list offers, plus its own.
func metaOrders[T any](meta func(*T) *domain.Meta, own map[domain.OrderField]orderKey[T]) map[domain.OrderField]orderKey[T] {
	own["CREATED_AT"] = orderKey[T]{"createdAt", kindTime, func(t *T) any { return meta(t).CreatedAt }}
	own["UPDATED_AT"] = orderKey[T]{"updatedAt", kindTime, func(t *T) any { return meta(t).UpdatedAt }}
	return own
}

func newCollection[T, F any](s *Store, e domain.Entity, meta func(*T) *domain.Meta, def Order, orders map[domain.OrderField]orderKey[T],
	filter func(context.Context, *F) (bson.D, error), match func(*F, domain.Refs) func(*T) bool,
	parents map[Parent]func(*T) []string) *Collection[T, F] {
	c := &Collection[T, F]{s: s, entity: e, c: s.coll(e), meta: meta, defaultOrder: def,
		orders: metaOrders(meta, orders), filter: filter, match: match, parentOf: parents,
		refsOf: func(*F) ([]string, *string) { return nil, nil }}
	s.byEntity[e] = c
	return c
}

// one and opt read a record's parent ids for nested lists.
func one(id string) []string { return []string{id} }

func opt(id *string) []string {
	if id == nil {
		return nil
	}
	return []string{*id}
}

// setup describes every collection: its orders, filters and the fields nested lists group by.
func (s *Store) setup() {
	s.byEntity = map[domain.Entity]getter{}
	s.Programmes = newCollection(s, domain.EntityProgramme, func(p *domain.Programme) *domain.Meta { return &p.Meta }, Order{"NAME", domain.Asc},
		map[domain.OrderField]orderKey[domain.Programme]{
			"NAME":       {"name", kindString, str(func(p *domain.Programme) string { return p.Name })},
			"START_DATE": {"sortStart", kindString, str(func(p *domain.Programme) string { return p.SortStart })},
		}, programmeQuery, (*domain.ProgrammeFilter).Match, nil)
	s.Outcomes = newCollection(s, domain.EntityOutcome, func(o *domain.Outcome) *domain.Meta { return &o.Meta }, Order{"CREATED_AT", domain.Asc},
		map[domain.OrderField]orderKey[domain.Outcome]{}, nil, domain.MatchLive(func(o *domain.Outcome) *domain.Meta { return &o.Meta }),
		map[Parent]func(*domain.Outcome) []string{ByProgramme: func(o *domain.Outcome) []string { return one(o.ProgrammeID) }})
	s.Memberships = newCollection(s, domain.EntityMembership, func(m *domain.ProgrammeMembership) *domain.Meta { return &m.Meta }, Order{"CREATED_AT", domain.Asc},
		map[domain.OrderField]orderKey[domain.ProgrammeMembership]{}, nil, domain.MatchLive(func(m *domain.ProgrammeMembership) *domain.Meta { return &m.Meta }),
		map[Parent]func(*domain.ProgrammeMembership) []string{
			ByProgramme: func(m *domain.ProgrammeMembership) []string { return one(m.ProgrammeID) },
			ByMuseum:    func(m *domain.ProgrammeMembership) []string { return one(m.MuseumID) },
		})
	s.Museums = newCollection(s, domain.EntityMuseum, func(m *domain.Museum) *domain.Meta { return &m.Meta }, Order{"NAME", domain.Asc},
		map[domain.OrderField]orderKey[domain.Museum]{
			"NAME": {"name", kindString, str(func(m *domain.Museum) string { return m.Name })},
		}, s.museumQuery, (*domain.MuseumFilter).Match, nil)
	s.Museums.refsOf = func(f *domain.MuseumFilter) ([]string, *string) { return nil, f.ProgrammeID }
	s.Communities = newCollection(s, domain.EntityCommunity, func(c *domain.Community) *domain.Meta { return &c.Meta }, Order{"NAME", domain.Asc},
		map[domain.OrderField]orderKey[domain.Community]{
			"NAME": {"name", kindString, str(func(c *domain.Community) string { return c.Name })},
		}, communityQuery, (*domain.CommunityFilter).Match, nil)
	s.People = newCollection(s, domain.EntityPerson, func(p *domain.Person) *domain.Meta { return &p.Meta }, Order{"PSEUDONYM", domain.Asc},
		map[domain.OrderField]orderKey[domain.Person]{
			"PSEUDONYM": {"pseudonym", kindString, str(func(p *domain.Person) string { return p.Pseudonym })},
		}, personQuery, (*domain.PersonFilter).Match,
		map[Parent]func(*domain.Person) []string{ByCommunity: func(p *domain.Person) []string { return opt(p.CommunityID) }})
	s.Partnerships = newCollection(s, domain.EntityPartner, func(p *domain.Partnership) *domain.Meta { return &p.Meta }, Order{"TITLE", domain.Asc},
		map[domain.OrderField]orderKey[domain.Partnership]{
			"TITLE":      {"title", kindString, str(func(p *domain.Partnership) string { return p.Title })},
			"START_DATE": {"sortStart", kindString, str(func(p *domain.Partnership) string { return p.SortStart })},
		}, s.partnershipQuery, (*domain.PartnershipFilter).Match,
		map[Parent]func(*domain.Partnership) []string{
			ByMuseum:    func(p *domain.Partnership) []string { return one(p.MuseumID) },
			ByCommunity: func(p *domain.Partnership) []string { return one(p.CommunityID) },
			ByProgramme: func(p *domain.Partnership) []string { return opt(p.ProgrammeID) },
		})
	s.Partnerships.refsOf = func(f *domain.PartnershipFilter) ([]string, *string) { return f.OutcomeCodes, nil }
	s.Events = newCollection(s, domain.EntityEvent, func(e *domain.DecisionEvent) *domain.Meta { return &e.Meta }, Order{"OCCURRED_AT", domain.Desc},
		map[domain.OrderField]orderKey[domain.DecisionEvent]{
			"OCCURRED_AT": {"occurredAt", kindTime, func(e *domain.DecisionEvent) any { return e.OccurredAt }},
			"TITLE":       {"title", kindString, str(func(e *domain.DecisionEvent) string { return e.Title })},
			"LEVEL":       {"levelRank", kindInt, func(e *domain.DecisionEvent) any { return e.LevelRank }},
		}, s.eventQuery, (*domain.DecisionEventFilter).Match,
		map[Parent]func(*domain.DecisionEvent) []string{
			ByMuseum:      func(e *domain.DecisionEvent) []string { return one(e.MuseumID) },
			ByPartnership: func(e *domain.DecisionEvent) []string { return opt(e.PartnershipID) },
			ByCommunities: func(e *domain.DecisionEvent) []string { return e.CommunityIDs },
			byParticipant: func(e *domain.DecisionEvent) []string { return participantIDs(e) },
		})
	s.Events.refsOf = func(f *domain.DecisionEventFilter) ([]string, *string) { return f.OutcomeCodes, nil }
	s.Activities = newCollection(s, domain.EntityActivity, func(a *domain.Activity) *domain.Meta { return &a.Meta }, Order{"START_DATE", domain.Desc},
		map[domain.OrderField]orderKey[domain.Activity]{
			"START_DATE": {"startDate", kindString, str(func(a *domain.Activity) string { return string(a.StartDate) })},
			"TITLE":      {"title", kindString, str(func(a *domain.Activity) string { return a.Title })},
		}, s.activityQuery, (*domain.ActivityFilter).Match,
		map[Parent]func(*domain.Activity) []string{
			ByMuseum:      func(a *domain.Activity) []string { return one(a.MuseumID) },
			ByPartnership: func(a *domain.Activity) []string { return opt(a.PartnershipID) },
		})
	s.Activities.refsOf = func(f *domain.ActivityFilter) ([]string, *string) { return f.OutcomeCodes, nil }
	s.Reflections = newCollection(s, domain.EntityReflection, func(r *domain.Reflection) *domain.Meta { return &r.Meta }, Order{"WRITTEN_ON", domain.Desc},
		map[domain.OrderField]orderKey[domain.Reflection]{
			"WRITTEN_ON": {"writtenOn", kindString, str(func(r *domain.Reflection) string { return string(r.WrittenOn) })},
		}, reflectionQuery, (*domain.ReflectionFilter).Match,
		map[Parent]func(*domain.Reflection) []string{
			ByMuseum:        func(r *domain.Reflection) []string { return one(r.MuseumID) },
			ByPartnership:   func(r *domain.Reflection) []string { return opt(r.PartnershipID) },
			ByDecisionEvent: func(r *domain.Reflection) []string { return opt(r.DecisionEventID) },
		})
	s.Publications = newCollection(s, domain.EntityPublic, func(p *domain.Publication) *domain.Meta { return &p.Meta }, Order{"YEAR", domain.Desc},
		map[domain.OrderField]orderKey[domain.Publication]{
			"YEAR":  {"year", kindInt, func(p *domain.Publication) any { return p.Year }},
			"TITLE": {"title", kindString, str(func(p *domain.Publication) string { return p.Title })},
		}, publicationQuery, (*domain.PublicationFilter).Match,
		map[Parent]func(*domain.Publication) []string{
			ByProgramme: func(p *domain.Publication) []string { return opt(p.ProgrammeID) },
			ByMuseums:   func(p *domain.Publication) []string { return p.MuseumIDs },
		})
	// API keys and the audit trail are not in the read model (administrators' reads, and
	// audit entries are not in the change feed): their lists are database queries.
	s.APIKeys = newCollection(s, domain.EntityAPIKey, func(k *auth.APIKey) *domain.Meta { return &k.Meta }, Order{"CREATED_AT", domain.Desc},
		map[domain.OrderField]orderKey[auth.APIKey]{}, apiKeyQuery, nil, nil)
	s.Audit = newCollection(s, domain.EntityAudit, func(a *domain.AuditEntry) *domain.Meta { return &a.Meta }, Order{"CREATED_AT", domain.Desc},
		map[domain.OrderField]orderKey[domain.AuditEntry]{}, auditQuery, nil, nil)
	// Neither is a node: node(id) must not find them.
	delete(s.byEntity, domain.EntityAPIKey)
	delete(s.byEntity, domain.EntityAudit)
	s.setupAccess()
}

// byParticipant groups decision events by the people who took part, for PeopleMuseums.
const byParticipant Parent = "participants.personId"

func participantIDs(e *domain.DecisionEvent) []string {
	var out []string
	for _, p := range e.Participants {
		if p.PersonID != nil {
			out = append(out, *p.PersonID)
		}
	}
	return out
}

type indexSpec struct {
	entity domain.Entity
	keys   bson.D
	unique bool
}

func keys(fields ...string) bson.D {
	d := make(bson.D, len(fields))
	for i, f := range fields {
		d[i] = bson.E{Key: f, Value: 1}
	}
	return d
}

// indexes lists an index for every filter and sort the API offers. Lists filter on
// archived first, so it leads; nested lists group by a reference field, so it leads theirs.
func indexes() []indexSpec {
	var out []indexSpec
	add := func(e domain.Entity, fields ...string) {
		out = append(out, indexSpec{entity: e, keys: keys(fields...)})
	}
	for e := range collections {
		add(e, "archived", "createdAt", "_id")
		add(e, "archived", "updatedAt", "_id")
	}
	out = append(out,
		indexSpec{domain.EntityOutcome, keys("programmeId", "number"), true},
		indexSpec{domain.EntityOutcome, keys("programmeId", "code"), true},
	)
	add(domain.EntityOutcome, "code", "archived")
	add(domain.EntityAudit, "keyId", "createdAt", "_id")
	add(domain.EntityAudit, "recordId", "createdAt", "_id")
	add(domain.EntityMembership, "programmeId", "archived", "startDate")
	add(domain.EntityMembership, "museumId", "archived", "startDate")
	add(domain.EntityProgramme, "archived", "name", "_id")
	add(domain.EntityProgramme, "archived", "sortStart", "_id")
	add(domain.EntityProgramme, "funder")
	for _, f := range []string{"name", "kind", "city", "region", "country", "parentId"} {
		add(domain.EntityMuseum, "archived", f, "_id")
	}
	for _, f := range []string{"name", "kind", "area"} {
		add(domain.EntityCommunity, "archived", f, "_id")
	}
	add(domain.EntityPerson, "archived", "pseudonym", "_id")
	add(domain.EntityPerson, "communityId", "archived", "pseudonym", "_id")
	add(domain.EntityPartner, "archived", "title", "_id")
	add(domain.EntityPartner, "archived", "sortStart", "_id")
	for _, f := range []string{"museumId", "communityId", "programmeId"} {
		add(domain.EntityPartner, f, "archived", "title", "_id")
	}
	for _, f := range []string{"status", "participationModel", "startDate", "outcomeIds"} {
		add(domain.EntityPartner, "archived", f)
	}
	add(domain.EntityEvent, "archived", "occurredAt", "_id")
	add(domain.EntityEvent, "archived", "title", "_id")
	add(domain.EntityEvent, "archived", "levelRank", "_id")
	for _, f := range []string{"museumId", "partnershipId", "communityIds"} {
		add(domain.EntityEvent, f, "archived", "occurredAt", "_id")
	}
	for _, f := range []string{"kind", "participationLevel", "assessedRung", "rungRank", "empowermentGap", "outcomeIds", "visibility"} {
		add(domain.EntityEvent, "archived", f, "occurredAt")
	}
	add(domain.EntityActivity, "archived", "startDate", "_id")
	add(domain.EntityActivity, "archived", "title", "_id")
	for _, f := range []string{"museumId", "partnershipId"} {
		add(domain.EntityActivity, f, "archived", "startDate", "_id")
	}
	for _, f := range []string{"kind", "skillKeys", "outcomeIds"} {
		add(domain.EntityActivity, "archived", f, "startDate")
	}
	add(domain.EntityReflection, "archived", "writtenOn", "_id")
	for _, f := range []string{"museumId", "partnershipId", "decisionEventId"} {
		add(domain.EntityReflection, f, "archived", "writtenOn", "_id")
	}
	add(domain.EntityReflection, "archived", "author", "writtenOn")
	add(domain.EntityReflection, "archived", "visibility", "writtenOn")
	add(domain.EntityPublic, "archived", "year", "_id")
	add(domain.EntityPublic, "archived", "title", "_id")
	add(domain.EntityPublic, "programmeId", "archived", "year", "_id")
	add(domain.EntityPublic, "museumIds", "archived", "year", "_id")
	add(domain.EntityPublic, "archived", "kind", "year")
	return out
}

// EnsureIndexes creates every index the API's filters and sorts need. It is idempotent:
// it lists each collection's indexes and creates only those missing, so it runs at every
// start. (Asking FerretDB v1 to create indexes that already exist can crash its handler,
// so existing ones are never sent again.)
func (s *Store) EnsureIndexes(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	byEntity := map[domain.Entity][]indexSpec{}
	for _, ix := range indexes() {
		byEntity[ix.entity] = append(byEntity[ix.entity], ix)
	}
	for _, set := range []map[string][]mongo.IndexModel{feedIndexes()} {
		for name, models := range set {
			if err := s.ensure(ctx, s.db.Collection(name), models); err != nil {
				return err
			}
		}
	}
	for e, specs := range byEntity {
		have, err := s.indexKeys(ctx, s.coll(e))
		if err != nil {
			return fmt.Errorf("store: indexes of %s: %w", collections[e], err)
		}
		var models []mongo.IndexModel
		for _, ix := range specs {
			if have[keyString(ix.keys)] {
				continue
			}
			m := mongo.IndexModel{Keys: ix.keys}
			if ix.unique {
				m.Options = options.Index().SetUnique(true)
			}
			models = append(models, m)
		}
		if len(models) == 0 {
			continue
		}
		if _, err := s.coll(e).Indexes().CreateMany(ctx, models); err != nil {
			return fmt.Errorf("store: indexes of %s: %w", collections[e], translate(err))
		}
	}
	return nil
}

// ensure creates those of models that c lacks.
func (s *Store) ensure(ctx context.Context, c *mongo.Collection, models []mongo.IndexModel) error {
	have, err := s.indexKeys(ctx, c)
	if err != nil {
		return fmt.Errorf("store: indexes of %s: %w", c.Name(), err)
	}
	var missing []mongo.IndexModel
	for _, m := range models {
		if !have[keyString(m.Keys.(bson.D))] {
			missing = append(missing, m)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if _, err := c.Indexes().CreateMany(ctx, missing); err != nil {
		return fmt.Errorf("store: indexes of %s: %w", c.Name(), translate(err))
	}
	return nil
}

// indexKeys returns the key specifications of a collection's existing indexes.
func (s *Store) indexKeys(ctx context.Context, c *mongo.Collection) (map[string]bool, error) {
	cur, err := c.Indexes().List(ctx)
	if err != nil {
		return nil, translate(err)
	}
	var specs []struct {
		Key bson.D `bson:"key"`
	}
	if err := cur.All(ctx, &specs); err != nil {
		return nil, translate(err)
	}
	have := make(map[string]bool, len(specs))
	for _, sp := range specs {
		have[keyString(sp.Key)] = true
	}
	return have, nil
}

// keyString writes an index key specification as "field:1,field:-1".
func keyString(keys bson.D) string {
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%s:%v", k.Key, k.Value)
	}
	return b.String()
}
