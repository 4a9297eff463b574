package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/participation-graph/participation-graph/store"
)

// A nested list read from the database fetches only the stored fields its records are
// asked for: most of a decision event's bytes (participants, decisions, evidence) are not
// on most pages. storedFields maps each GraphQL field of a type to the stored fields it
// reads; a field missing here is read from the whole record, so a field added to the
// schema is never answered from a partial one.
var storedFields = map[string]map[string][]string{
	"DecisionEvent": withRecord(map[string][]string{
		"title": {"title"}, "description": {"description"}, "kind": {"kind"}, "occurredAt": {"occurredAt"},
		"museum": {"museumId"}, "partnership": {"partnershipId"}, "communities": {"communityIds"},
		"participationLevel": {"participationLevel"}, "assessedRung": {"assessedRung"}, "participants": {"participants"},
		"communityParticipantCount": {"communityParticipantCount"}, "staffParticipantCount": {"staffParticipantCount"},
		"decisions": {"decisions"}, "outcomes": {"outcomeIds"}, "empowermentGap": {"empowermentGap"},
		"evidence": {"evidence"}, "visibility": {"visibility"},
	}),
	"Partnership": withRecord(map[string][]string{
		"title": {"title"}, "museum": {"museumId"}, "community": {"communityId"}, "purpose": {"purpose"},
		"status": {"status"}, "startDate": {"startDate"}, "endDate": {"endDate"},
		"participationModel": {"participationModel"}, "programme": {"programmeId"}, "outcomes": {"outcomeIds"},
		// Nested lists of a partnership need its id only.
		"decisionEvents": nil, "activities": nil, "reflections": nil,
	}),
}

// withRecord adds the fields every record has, which the store always fetches
// (store.RecordFields; the id is stored as _id), and __typename.
func withRecord(m map[string][]string) map[string][]string {
	m["__typename"], m["id"] = nil, nil
	for _, f := range store.RecordFields {
		m[f] = nil
	}
	return m
}

// nodeFields returns the stored fields that the records of the connection being resolved
// in ctx are asked for (through nodes or edges { node }), or nil when the whole records
// are needed, or come from the read model anyway.
func nodeFields(ctx context.Context, typeName string) []string {
	known := storedFields[typeName]
	if known == nil || loaders(ctx).Direct() {
		return nil // the read model's records are whole
	}
	opCtx := graphql.GetOperationContext(ctx)
	fields := []string{"_id"}
	add := func(sel []graphql.CollectedField) bool {
		for _, f := range sel {
			stored, ok := known[f.Name]
			if !ok {
				return false
			}
			fields = append(fields, stored...)
		}
		return true
	}
	for _, f := range graphql.CollectFieldsCtx(ctx, nil) {
		switch f.Name {
		case "nodes":
			if !add(graphql.CollectFields(opCtx, f.Selections, []string{typeName, "Node", "Record"})) {
				return nil
			}
		case "edges":
			for _, e := range graphql.CollectFields(opCtx, f.Selections, nil) {
				if e.Name == "node" && !add(graphql.CollectFields(opCtx, e.Selections, []string{typeName, "Node", "Record"})) {
					return nil
				}
			}
		}
	}
	return fields
}
