package domain

// Op is the kind of change a write makes to a record.
type Op string

// ArchiveInput identifies a record to archive.
type ArchiveInput struct {
	ID              string
	ExpectedVersion *int
}

// The kinds of change.
const (
	OpCreated  Op = "CREATED"
	OpUpdated  Op = "UPDATED"
	OpArchived Op = "ARCHIVED"
	OpErased   Op = "ERASED"
	// OpRevoked and OpDeleted are changes of administrative configuration: an API key's
	// revocation and a webhook's deletion. Like every write of API keys and webhooks they
	// reach the audit trail only, never the change feed.
	OpRevoked Op = "REVOKED"
	OpDeleted Op = "DELETED"
)
