package store

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Entity names a kind of record. The values match the API's ChangeEntity names where the
// API has one.
type Entity string

// The entities the store keeps, one collection each.
const (
	EntityProgramme  Entity = "PROGRAMME"
	EntityOutcome    Entity = "OUTCOME"
	EntityMembership Entity = "PROGRAMME_MEMBERSHIP"
	EntityMuseum     Entity = "MUSEUM"
	EntityCommunity  Entity = "COMMUNITY"
	EntityPerson     Entity = "PERSON"
	EntityPartner    Entity = "PARTNERSHIP"
	EntityEvent      Entity = "DECISION_EVENT"
	EntityActivity   Entity = "ACTIVITY"
	EntityReflection Entity = "REFLECTION"
	EntityPublic     Entity = "PUBLICATION"
	// EntityAPIKey and EntityAudit are not records of the domain: they are neither nodes
	// nor in the change feed.
	EntityAPIKey Entity = "API_KEY"
	EntityAudit  Entity = "AUDIT_ENTRY"
	// EntityWebhook names webhooks in the audit trail (they keep their own collection).
	EntityWebhook Entity = "WEBHOOK"
)

type entityInfo struct {
	prefix     string
	collection string
	label      string
}

var entityInfos = map[Entity]entityInfo{
	EntityProgramme:  {"prg", "programmes", "programme"},
	EntityOutcome:    {"out", "outcomes", "outcome"},
	EntityMembership: {"mem", "memberships", "programme membership"},
	EntityMuseum:     {"mus", "museums", "museum"},
	EntityCommunity:  {"com", "communities", "community"},
	EntityPerson:     {"per", "people", "person"},
	EntityPartner:    {"prt", "partnerships", "partnership"},
	EntityEvent:      {"evt", "decision_events", "decision event"},
	EntityActivity:   {"act", "activities", "activity"},
	EntityReflection: {"ref", "reflections", "reflection"},
	EntityPublic:     {"pub", "publications", "publication"},
	EntityAPIKey:     {"key", "api_keys", "API key"},
	EntityAudit:      {"aud", "audit_trail", "audit entry"},
}

func (e Entity) label() string { return entityInfos[e].label }

// EntityOf returns the entity an id belongs to, or false when the id is not one of ours.
// Ids are opaque to clients; the store alone reads their prefix.
func EntityOf(id string) (Entity, bool) {
	prefix, rest, ok := strings.Cut(id, "_")
	if !ok || len(rest) != 24 {
		return "", false
	}
	if _, err := hex.DecodeString(rest); err != nil {
		return "", false
	}
	for e, info := range entityInfos {
		if info.prefix == prefix {
			return e, true
		}
	}
	return "", false
}

// newID returns a fresh id for a record of entity e. Ids begin with a time-ordered
// ObjectID, so they are unique across processes without coordination.
func newID(e Entity) string {
	return entityInfos[e].prefix + "_" + bson.NewObjectID().Hex()
}

// StableID returns the id that entity e's record with the given natural key always gets.
// Seeded data uses it so that loading twice finds the same records.
func StableID(e Entity, key string) string {
	sum := sha256.Sum256([]byte(string(e) + "\x00" + key))
	return entityInfos[e].prefix + "_" + hex.EncodeToString(sum[:12])
}
