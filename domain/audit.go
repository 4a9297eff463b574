package domain

import (
	"time"
)

// AuditEntry is one write in the audit trail. CreatedAt is when it happened.
type AuditEntry struct {
	Meta `bson:",inline"`
	// KeyID is the API key that made the write ("admin-token" for the ADMIN_TOKEN, empty
	// for the server itself).
	KeyID string `bson:"keyId"`
	Role  Role   `bson:"role"`
	// Operation is the mutation that made the write (empty for the server's own writes).
	Operation     string `bson:"operation"`
	Action        string `bson:"action"`
	Entity        Entity `bson:"entity"`
	RecordID      string `bson:"recordId"`
	RecordVersion int    `bson:"recordVersion"`
	// Fields are the names of the stored fields the write set or changed.
	Fields []string `bson:"fields"`
}

// At returns when the write happened.
func (a *AuditEntry) At() time.Time { return a.CreatedAt }

// AuditFilter selects audit entries.
type AuditFilter struct {
	KeyID     *string
	RecordID  *string
	Entity    *Entity
	Operation *string
	From      *time.Time
	To        *time.Time
}
