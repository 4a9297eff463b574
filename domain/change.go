package domain

// ChangeEntities are the entity names the change feed's API uses (ChangeEntity).
var ChangeEntities = EnumValues[Entity]{EntityProgramme, EntityMuseum, EntityCommunity, EntityPerson, EntityPartner,
	EntityEvent, EntityActivity, EntityReflection, EntityPublic}

// ChangeEntityOf returns the ChangeEntity name under which the feed reports changes of
// stored entity e: outcomes and programme memberships are part of their programme.
func ChangeEntityOf(e Entity) Entity {
	switch e {
	case EntityOutcome, EntityMembership:
		return EntityProgramme
	}
	return e
}

// FeedEntities returns the stored entities a filter of ChangeEntity names covers, for
// ChangesAfter and the change-feed broker (PROGRAMME brings outcomes and memberships). An
// empty filter stays empty: every entity.
func FeedEntities(types []Entity) []Entity {
	var out []Entity
	for _, t := range types {
		out = append(out, t)
		if t == EntityProgramme {
			out = append(out, EntityOutcome, EntityMembership)
		}
	}
	return out
}
