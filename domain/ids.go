package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
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
	prefix string // the start of every id of the entity's records
	label  string // the entity's name in messages
}

var entityInfos = map[Entity]entityInfo{
	EntityProgramme:  {"prg", "programme"},
	EntityOutcome:    {"out", "outcome"},
	EntityMembership: {"mem", "programme membership"},
	EntityMuseum:     {"mus", "museum"},
	EntityCommunity:  {"com", "community"},
	EntityPerson:     {"per", "person"},
	EntityPartner:    {"prt", "partnership"},
	EntityEvent:      {"evt", "decision event"},
	EntityActivity:   {"act", "activity"},
	EntityReflection: {"ref", "reflection"},
	EntityPublic:     {"pub", "publication"},
	EntityAPIKey:     {"key", "API key"},
	EntityAudit:      {"aud", "audit entry"},
}

// Label is the entity's name in messages ("decision event").
func (e Entity) Label() string { return entityInfos[e].label }

// Prefix is how every id of the entity's records begins, before an underscore.
func (e Entity) Prefix() string { return entityInfos[e].prefix }

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

// StableID returns the id that entity e's record with the given natural key always gets.
// Seeded data uses it so that loading twice finds the same records.
func StableID(e Entity, key string) string {
	sum := sha256.Sum256([]byte(string(e) + "\x00" + key))
	return entityInfos[e].prefix + "_" + hex.EncodeToString(sum[:12])
}
