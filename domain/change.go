package domain

import (
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"
)

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

// Change is one committed write in the change feed.
type Change struct {
	Seq      int64     `bson:"_id"`
	Op       Op        `bson:"op"`
	Entity   Entity    `bson:"entity"`
	EntityID string    `bson:"entityId"`
	Version  int       `bson:"version"`
	At       time.Time `bson:"at"`
	// MuseumID and Restricted record whether the changed record was RESTRICTED, and whose,
	// so that the feed shows the change only to callers who may see the record.
	MuseumID   string `bson:"museumId,omitempty"`
	Restricted bool   `bson:"restricted,omitempty"`
	// Err, on a change delivered to a live subscriber, means the subscription ended
	// instead (the change carries no data then). It is never stored.
	Err error `bson:"-"`
}

// ErrCursorExpired is returned when a change-feed position is older than what is kept.
var ErrCursorExpired = errors.New("cursor expired")

// MaxChangesPage is the largest page of the change feed.
const MaxChangesPage = 1000

// EncodeChangeCursor returns the opaque cursor of feed position seq.
func EncodeChangeCursor(seq int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("change:" + strconv.FormatInt(seq, 10)))
}

// DecodeChangeCursor reads a cursor made by EncodeChangeCursor; anything else is a
// *ValidationError on after.
func DecodeChangeCursor(s string) (int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	rest, ok := strings.CutPrefix(string(b), "change:")
	seq, perr := strconv.ParseInt(rest, 10, 64)
	if err != nil || !ok || perr != nil || seq < 0 {
		return 0, Invalid("after", "is not a change-feed cursor: pass the cursor or endCursor a changes read returned")
	}
	return seq, nil
}
