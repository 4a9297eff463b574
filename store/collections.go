package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

func str[T any](f func(*T) string) func(*T) any { return func(t *T) any { return f(t) } }

// metaOrders are the orders every list offers, plus its own.
func metaOrders[T any](meta func(*T) *Meta, own map[OrderField]orderKey[T]) map[OrderField]orderKey[T] {
	own["CREATED_AT"] = orderKey[T]{"createdAt", kindTime, func(t *T) any { return meta(t).CreatedAt }}
	own["UPDATED_AT"] = orderKey[T]{"updatedAt", kindTime, func(t *T) any { return meta(t).UpdatedAt }}
	return own
}

func newCollection[T, F any](s *Store, e Entity, meta func(*T) *Meta, def Order, orders map[OrderField]orderKey[T],
	filter func(context.Context, *F) (bson.D, error), match func(*F, Refs) func(*T) bool,
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
	s.byEntity = map[Entity]getter{}
	s.Programmes = newCollection(s, EntityProgramme, func(p *Programme) *Meta { return &p.Meta }, Order{"NAME", Asc},
		map[OrderField]orderKey[Programme]{
			"NAME":       {"name", kindString, str(func(p *Programme) string { return p.Name })},
			"START_DATE": {"sortStart", kindString, str(func(p *Programme) string { return p.SortStart })},
		}, programmeQuery, (*ProgrammeFilter).Match, nil)
	s.Outcomes = newCollection(s, EntityOutcome, func(o *Outcome) *Meta { return &o.Meta }, Order{"CREATED_AT", Asc},
		map[OrderField]orderKey[Outcome]{}, nil, matchLive(func(o *Outcome) *Meta { return &o.Meta }),
		map[Parent]func(*Outcome) []string{ByProgramme: func(o *Outcome) []string { return one(o.ProgrammeID) }})
	s.Memberships = newCollection(s, EntityMembership, func(m *ProgrammeMembership) *Meta { return &m.Meta }, Order{"CREATED_AT", Asc},
		map[OrderField]orderKey[ProgrammeMembership]{}, nil, matchLive(func(m *ProgrammeMembership) *Meta { return &m.Meta }),
		map[Parent]func(*ProgrammeMembership) []string{
			ByProgramme: func(m *ProgrammeMembership) []string { return one(m.ProgrammeID) },
			ByMuseum:    func(m *ProgrammeMembership) []string { return one(m.MuseumID) },
		})
	s.Museums = newCollection(s, EntityMuseum, func(m *Museum) *Meta { return &m.Meta }, Order{"NAME", Asc},
		map[OrderField]orderKey[Museum]{
			"NAME": {"name", kindString, str(func(m *Museum) string { return m.Name })},
		}, s.museumQuery, (*MuseumFilter).Match, nil)
	s.Museums.refsOf = func(f *MuseumFilter) ([]string, *string) { return nil, f.ProgrammeID }
	s.Communities = newCollection(s, EntityCommunity, func(c *Community) *Meta { return &c.Meta }, Order{"NAME", Asc},
		map[OrderField]orderKey[Community]{
			"NAME": {"name", kindString, str(func(c *Community) string { return c.Name })},
		}, communityQuery, (*CommunityFilter).Match, nil)
	s.People = newCollection(s, EntityPerson, func(p *Person) *Meta { return &p.Meta }, Order{"PSEUDONYM", Asc},
		map[OrderField]orderKey[Person]{
			"PSEUDONYM": {"pseudonym", kindString, str(func(p *Person) string { return p.Pseudonym })},
		}, personQuery, (*PersonFilter).Match,
		map[Parent]func(*Person) []string{ByCommunity: func(p *Person) []string { return opt(p.CommunityID) }})
	s.Partnerships = newCollection(s, EntityPartner, func(p *Partnership) *Meta { return &p.Meta }, Order{"TITLE", Asc},
		map[OrderField]orderKey[Partnership]{
			"TITLE":      {"title", kindString, str(func(p *Partnership) string { return p.Title })},
			"START_DATE": {"sortStart", kindString, str(func(p *Partnership) string { return p.SortStart })},
		}, s.partnershipQuery, (*PartnershipFilter).Match,
		map[Parent]func(*Partnership) []string{
			ByMuseum:    func(p *Partnership) []string { return one(p.MuseumID) },
			ByCommunity: func(p *Partnership) []string { return one(p.CommunityID) },
			ByProgramme: func(p *Partnership) []string { return opt(p.ProgrammeID) },
		})
	s.Partnerships.refsOf = func(f *PartnershipFilter) ([]string, *string) { return f.OutcomeCodes, nil }
	s.Events = newCollection(s, EntityEvent, func(e *DecisionEvent) *Meta { return &e.Meta }, Order{"OCCURRED_AT", Desc},
		map[OrderField]orderKey[DecisionEvent]{
			"OCCURRED_AT": {"occurredAt", kindTime, func(e *DecisionEvent) any { return e.OccurredAt }},
			"TITLE":       {"title", kindString, str(func(e *DecisionEvent) string { return e.Title })},
			"LEVEL":       {"levelRank", kindInt, func(e *DecisionEvent) any { return e.LevelRank }},
		}, s.eventQuery, (*DecisionEventFilter).Match,
		map[Parent]func(*DecisionEvent) []string{
			ByMuseum:      func(e *DecisionEvent) []string { return one(e.MuseumID) },
			ByPartnership: func(e *DecisionEvent) []string { return opt(e.PartnershipID) },
			ByCommunities: func(e *DecisionEvent) []string { return e.CommunityIDs },
			byParticipant: func(e *DecisionEvent) []string { return participantIDs(e) },
		})
	s.Events.refsOf = func(f *DecisionEventFilter) ([]string, *string) { return f.OutcomeCodes, nil }
	s.Activities = newCollection(s, EntityActivity, func(a *Activity) *Meta { return &a.Meta }, Order{"START_DATE", Desc},
		map[OrderField]orderKey[Activity]{
			"START_DATE": {"startDate", kindString, str(func(a *Activity) string { return string(a.StartDate) })},
			"TITLE":      {"title", kindString, str(func(a *Activity) string { return a.Title })},
		}, s.activityQuery, (*ActivityFilter).Match,
		map[Parent]func(*Activity) []string{
			ByMuseum:      func(a *Activity) []string { return one(a.MuseumID) },
			ByPartnership: func(a *Activity) []string { return opt(a.PartnershipID) },
		})
	s.Activities.refsOf = func(f *ActivityFilter) ([]string, *string) { return f.OutcomeCodes, nil }
	s.Reflections = newCollection(s, EntityReflection, func(r *Reflection) *Meta { return &r.Meta }, Order{"WRITTEN_ON", Desc},
		map[OrderField]orderKey[Reflection]{
			"WRITTEN_ON": {"writtenOn", kindString, str(func(r *Reflection) string { return string(r.WrittenOn) })},
		}, reflectionQuery, (*ReflectionFilter).Match,
		map[Parent]func(*Reflection) []string{
			ByMuseum:        func(r *Reflection) []string { return one(r.MuseumID) },
			ByPartnership:   func(r *Reflection) []string { return opt(r.PartnershipID) },
			ByDecisionEvent: func(r *Reflection) []string { return opt(r.DecisionEventID) },
		})
	s.Publications = newCollection(s, EntityPublic, func(p *Publication) *Meta { return &p.Meta }, Order{"YEAR", Desc},
		map[OrderField]orderKey[Publication]{
			"YEAR":  {"year", kindInt, func(p *Publication) any { return p.Year }},
			"TITLE": {"title", kindString, str(func(p *Publication) string { return p.Title })},
		}, publicationQuery, (*PublicationFilter).Match,
		map[Parent]func(*Publication) []string{
			ByProgramme: func(p *Publication) []string { return opt(p.ProgrammeID) },
			ByMuseums:   func(p *Publication) []string { return p.MuseumIDs },
		})
	// API keys and the audit trail are not in the read model (administrators' reads, and
	// audit entries are not in the change feed): their lists are database queries.
	s.APIKeys = newCollection(s, EntityAPIKey, func(k *APIKey) *Meta { return &k.Meta }, Order{"CREATED_AT", Desc},
		map[OrderField]orderKey[APIKey]{}, apiKeyQuery, nil, nil)
	s.Audit = newCollection(s, EntityAudit, func(a *AuditEntry) *Meta { return &a.Meta }, Order{"CREATED_AT", Desc},
		map[OrderField]orderKey[AuditEntry]{}, auditQuery, nil, nil)
	// Neither is a node: node(id) must not find them.
	delete(s.byEntity, EntityAPIKey)
	delete(s.byEntity, EntityAudit)
	s.setupAccess()
}

// byParticipant groups decision events by the people who took part, for PeopleMuseums.
const byParticipant Parent = "participants.personId"

func participantIDs(e *DecisionEvent) []string {
	var out []string
	for _, p := range e.Participants {
		if p.PersonID != nil {
			out = append(out, *p.PersonID)
		}
	}
	return out
}

type indexSpec struct {
	entity Entity
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
	add := func(e Entity, fields ...string) { out = append(out, indexSpec{entity: e, keys: keys(fields...)}) }
	for e := range entityInfos {
		add(e, "archived", "createdAt", "_id")
		add(e, "archived", "updatedAt", "_id")
	}
	out = append(out,
		indexSpec{EntityOutcome, keys("programmeId", "number"), true},
		indexSpec{EntityOutcome, keys("programmeId", "code"), true},
	)
	add(EntityOutcome, "code", "archived")
	add(EntityAudit, "keyId", "createdAt", "_id")
	add(EntityAudit, "recordId", "createdAt", "_id")
	add(EntityMembership, "programmeId", "archived", "startDate")
	add(EntityMembership, "museumId", "archived", "startDate")
	add(EntityProgramme, "archived", "name", "_id")
	add(EntityProgramme, "archived", "sortStart", "_id")
	add(EntityProgramme, "funder")
	for _, f := range []string{"name", "kind", "city", "region", "country", "parentId"} {
		add(EntityMuseum, "archived", f, "_id")
	}
	for _, f := range []string{"name", "kind", "area"} {
		add(EntityCommunity, "archived", f, "_id")
	}
	add(EntityPerson, "archived", "pseudonym", "_id")
	add(EntityPerson, "communityId", "archived", "pseudonym", "_id")
	add(EntityPartner, "archived", "title", "_id")
	add(EntityPartner, "archived", "sortStart", "_id")
	for _, f := range []string{"museumId", "communityId", "programmeId"} {
		add(EntityPartner, f, "archived", "title", "_id")
	}
	for _, f := range []string{"status", "participationModel", "startDate", "outcomeIds"} {
		add(EntityPartner, "archived", f)
	}
	add(EntityEvent, "archived", "occurredAt", "_id")
	add(EntityEvent, "archived", "title", "_id")
	add(EntityEvent, "archived", "levelRank", "_id")
	for _, f := range []string{"museumId", "partnershipId", "communityIds"} {
		add(EntityEvent, f, "archived", "occurredAt", "_id")
	}
	for _, f := range []string{"kind", "participationLevel", "assessedRung", "rungRank", "empowermentGap", "outcomeIds", "visibility"} {
		add(EntityEvent, "archived", f, "occurredAt")
	}
	add(EntityActivity, "archived", "startDate", "_id")
	add(EntityActivity, "archived", "title", "_id")
	for _, f := range []string{"museumId", "partnershipId"} {
		add(EntityActivity, f, "archived", "startDate", "_id")
	}
	for _, f := range []string{"kind", "skillKeys", "outcomeIds"} {
		add(EntityActivity, "archived", f, "startDate")
	}
	add(EntityReflection, "archived", "writtenOn", "_id")
	for _, f := range []string{"museumId", "partnershipId", "decisionEventId"} {
		add(EntityReflection, f, "archived", "writtenOn", "_id")
	}
	add(EntityReflection, "archived", "author", "writtenOn")
	add(EntityReflection, "archived", "visibility", "writtenOn")
	add(EntityPublic, "archived", "year", "_id")
	add(EntityPublic, "archived", "title", "_id")
	add(EntityPublic, "programmeId", "archived", "year", "_id")
	add(EntityPublic, "museumIds", "archived", "year", "_id")
	add(EntityPublic, "archived", "kind", "year")
	return out
}

// EnsureIndexes creates every index the API's filters and sorts need. It is idempotent:
// it lists each collection's indexes and creates only those missing, so it runs at every
// start. (Asking FerretDB v1 to create indexes that already exist can crash its handler,
// so existing ones are never sent again.)
func (s *Store) EnsureIndexes(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	byEntity := map[Entity][]indexSpec{}
	for _, ix := range indexes() {
		byEntity[ix.entity] = append(byEntity[ix.entity], ix)
	}
	for _, set := range []map[string][]mongo.IndexModel{feedIndexes(), webhookIndexes()} {
		for name, models := range set {
			if err := s.ensure(ctx, s.db.Collection(name), models); err != nil {
				return err
			}
		}
	}
	for e, specs := range byEntity {
		have, err := s.indexKeys(ctx, s.coll(e))
		if err != nil {
			return fmt.Errorf("store: indexes of %s: %w", entityInfos[e].collection, err)
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
			return fmt.Errorf("store: indexes of %s: %w", entityInfos[e].collection, translate(err))
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
