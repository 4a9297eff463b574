package domain

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
)

// Role is what a caller may do.
type Role string

// The roles, from least to most trusted.
const (
	// Anonymous callers read published, non-personal data only.
	Anonymous Role = "ANONYMOUS"
	// Researcher callers read all non-personal data, RESTRICTED records included.
	Researcher Role = "RESEARCHER"
	// Editor callers write the records of their museums, and read RESTRICTED records of
	// their museums and personal data of the people who took part with them.
	Editor Role = "EDITOR"
	// Admin callers read and write everything and manage API keys.
	Admin Role = "ADMIN"
	// System is the server itself (no caller in the context).
	System Role = "SYSTEM"
)

// Valid reports whether r is a role an API key can have.
func (r Role) Valid() bool { return r == Researcher || r == Editor || r == Admin }

// Caller is who makes a request.
type Caller struct {
	// KeyID is the id of the API key used, "admin-token" for the ADMIN_TOKEN, empty for
	// anonymous callers and the server itself.
	KeyID string
	// Role is what the caller may do.
	Role Role
	// Museums are the ids of the museums an editor works for.
	Museums []string
}

// AdminTokenID is the KeyID of callers that presented the ADMIN_TOKEN.
const AdminTokenID = "admin-token"

// AnonymousCaller is the caller of a request without credentials.
var AnonymousCaller = Caller{Role: Anonymous}

type ctxKey struct{}

// WithCaller returns ctx carrying c.
func WithCaller(ctx context.Context, c Caller) context.Context {
	return context.WithValue(ctx, ctxKey{}, c)
}

// From returns the caller in ctx: the server itself when there is none.
func CallerOf(ctx context.Context) Caller {
	if c, ok := ctx.Value(ctxKey{}).(Caller); ok {
		return c
	}
	return Caller{Role: System}
}

// Authenticated reports whether the caller presented valid credentials (or is the server).
func (c Caller) Authenticated() bool { return c.Role != Anonymous }

// Trusted reports whether the caller may read and write everything.
func (c Caller) Trusted() bool { return c.Role == Admin || c.Role == System }

// ReadsAllRestricted reports whether the caller sees every RESTRICTED record.
func (c Caller) ReadsAllRestricted() bool { return c.Trusted() || c.Role == Researcher }

// EditsMuseum reports whether the caller may write records of museum id.
func (c Caller) EditsMuseum(id string) bool {
	return c.Trusted() || (c.Role == Editor && slices.Contains(c.Museums, id))
}

// RestrictedMuseums is the one rule of RESTRICTED records: researchers and admins read
// all of them (all), editors those of their own museums, and other callers none. Every
// check of a record, query condition and feed filter derives from it.
func (c Caller) RestrictedMuseums() (all bool, museums []string) {
	switch {
	case c.ReadsAllRestricted():
		return true, nil
	case c.Role == Editor:
		return false, c.Museums
	}
	return false, nil
}

// SeesRestricted reports whether the caller may read a RESTRICTED record that belongs to
// one of the given museums (see RestrictedMuseums).
func (c Caller) SeesRestricted(museums ...string) bool {
	all, mine := c.RestrictedMuseums()
	return all || slices.ContainsFunc(museums, func(m string) bool { return slices.Contains(mine, m) })
}

// Restricted is a record that can be RESTRICTED: decision events and reflections.
type Restricted interface {
	// Restriction returns the museum the record belongs to and whether it is RESTRICTED.
	Restriction() (museum string, restricted bool)
}

// IsRestricted reports whether rec is a RESTRICTED record.
func IsRestricted(rec any) bool {
	r, ok := rec.(Restricted)
	if !ok {
		return false
	}
	_, restricted := r.Restriction()
	return restricted
}

// SeesPersonalData reports whether the caller may read the personal data (name, e-mail)
// of a person: admins always, editors of a museum the person took part with (museums is
// called for those only), no one else.
func (c Caller) SeesPersonalData(museums func() ([]string, error)) (bool, error) {
	switch {
	case c.Trusted():
		return true, nil
	case c.Role != Editor:
		return false, nil
	}
	ms, err := museums()
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(ms, func(m string) bool { return slices.Contains(c.Museums, m) }), nil
}

// operationKey carries the name of the mutation being run, for the audit trail.
type operationKey struct{}

// WithOperation returns ctx carrying the name of the operation (the mutation field) that
// makes the writes done under it.
func WithOperation(ctx context.Context, name string) context.Context {
	return context.WithValue(ctx, operationKey{}, name)
}

// Operation returns the name given to WithOperation, or "".
func Operation(ctx context.Context) string {
	s, _ := ctx.Value(operationKey{}).(string)
	return s
}

// ErrUnauthenticated is returned when an operation needs credentials the caller did not
// present, or presented credentials that are not valid.
var ErrUnauthenticated = errors.New("unauthenticated")

// ErrForbidden is returned when the caller's role or museums do not allow an operation.
var ErrForbidden = errors.New("forbidden")

// MarshalGQL writes the role as a GraphQL enum value.
func (r Role) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(r))) }

// UnmarshalGQL reads a GraphQL enum value; only the roles a key can have are accepted.
func (r *Role) UnmarshalGQL(v any) error {
	s, _ := v.(string)
	if !Role(s).Valid() {
		return fmt.Errorf("%q is not a role; use RESEARCHER, EDITOR or ADMIN", s)
	}
	*r = Role(s)
	return nil
}

// RequireAdmin returns nil when the caller in ctx is an administrator (or the server),
// domain.ErrUnauthenticated for an anonymous caller and domain.ErrForbidden for another role.
// what names the operation in the error message.
func RequireAdmin(ctx context.Context, what string) error {
	caller := CallerOf(ctx)
	switch {
	case caller.Trusted():
		return nil
	case !caller.Authenticated():
		return fmt.Errorf("%w: %s needs an administrator's API key; send the header Authorization: Bearer <key>", ErrUnauthenticated, what)
	}
	return Forbidden("%s needs an administrator's API key, and this key is a %s key", what, caller.Role)
}

func Forbidden(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrForbidden, fmt.Sprintf(format, args...))
}
