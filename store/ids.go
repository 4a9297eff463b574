package store

import (
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/participation-graph/participation-graph/domain"
)

// newID returns a fresh id for a record of entity e. Ids begin with a time-ordered
// ObjectID, so they are unique across processes without coordination.
func newID(e domain.Entity) string {
	return e.Prefix() + "_" + bson.NewObjectID().Hex()
}

// collections names the collection of each entity's records.
var collections = map[domain.Entity]string{
	domain.EntityProgramme:  "programmes",
	domain.EntityOutcome:    "outcomes",
	domain.EntityMembership: "memberships",
	domain.EntityMuseum:     "museums",
	domain.EntityCommunity:  "communities",
	domain.EntityPerson:     "people",
	domain.EntityPartner:    "partnerships",
	domain.EntityEvent:      "decision_events",
	domain.EntityActivity:   "activities",
	domain.EntityReflection: "reflections",
	domain.EntityPublic:     "publications",
	domain.EntityAPIKey:     "api_keys",
	domain.EntityAudit:      "audit_trail",
}
