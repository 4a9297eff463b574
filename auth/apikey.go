package auth

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/participation-graph/participation-graph/domain"
)

// APIKey is a credential an administrator gave to a person or a program. Only the hash of
// its secret is stored. Revoking a key archives it.
type APIKey struct {
	domain.Meta `bson:",inline"`
	Name        string      `bson:"name"`
	Role        domain.Role `bson:"role"`
	MuseumIDs   []string    `bson:"museumIds"`
	Hash        string      `bson:"hash"`
	// CreatedBy is the id of the key that created this one ("admin-token" for the
	// ADMIN_TOKEN).
	CreatedBy string `bson:"createdBy"`
}

// RevokedAt returns when the key was revoked, or nil.
func (k *APIKey) RevokedAt() *time.Time { return k.ArchivedAt }

// Revoked reports whether the key was revoked.
func (k *APIKey) Revoked() bool { return k.Archived }

// APIKeyFilter selects API keys.
type APIKeyFilter struct {
	Role           *domain.Role
	IncludeRevoked *bool
}

// CreateAPIKeyInput is the input of createApiKey.
type CreateAPIKeyInput struct {
	Name      string
	Role      domain.Role
	MuseumIDs []string
}

// RevokeAPIKeyInput is the input of revokeApiKey.
type RevokeAPIKeyInput struct {
	ID string
}

// Check validates the input of createApiKey: a name, a role a key can have, and museums
// exactly when the role is EDITOR, each one a museum that exists.
func (in *CreateAPIKeyInput) Check(v *domain.Validator) {
	v.Name("name", &in.Name)
	if !in.Role.Valid() {
		v.Add("role", "must be RESEARCHER, EDITOR or ADMIN")
	}
	in.MuseumIDs = domain.Unique(in.MuseumIDs)
	switch {
	case in.Role == domain.Editor && len(in.MuseumIDs) == 0:
		v.Add("museumIds", "an EDITOR key needs the ids of the museums it may edit")
	case in.Role != domain.Editor && len(in.MuseumIDs) > 0:
		v.Add("museumIds", "only an EDITOR key is scoped to museums; leave museumIds out for a %s key", in.Role)
	}
	v.RefList("museumIds", domain.EntityMuseum, &in.MuseumIDs)
}

// Keys finds API keys by id; a missing key is domain.ErrNotFound.
type Keys interface {
	APIKey(ctx context.Context, id string) (*APIKey, error)
}

// Authenticate returns the caller a bearer token stands for. A token equal to adminToken
// (when set) is an administrator; otherwise it must be the secret of an API key that is
// not revoked. Anything else is domain.ErrUnauthenticated, with the same message whatever
// was wrong, so a caller learns nothing about which keys exist.
func Authenticate(ctx context.Context, keys Keys, token, adminToken string) (domain.Caller, error) {
	bad := fmt.Errorf("%w: the API key is not valid or was revoked", domain.ErrUnauthenticated)
	if MatchesToken(token, adminToken) {
		return domain.Caller{KeyID: domain.AdminTokenID, Role: domain.Admin}, nil
	}
	id, err := ParseSecret(token)
	if err != nil {
		return domain.AnonymousCaller, bad
	}
	if e, ok := domain.EntityOf(id); !ok || e != domain.EntityAPIKey {
		return domain.AnonymousCaller, bad
	}
	k, err := keys.APIKey(ctx, id)
	switch {
	case domain.IsNotFound(err):
		return domain.AnonymousCaller, bad
	case err != nil:
		return domain.AnonymousCaller, err
	case k.Revoked() || !MatchesHash(token, k.Hash):
		return domain.AnonymousCaller, bad
	}
	return domain.Caller{KeyID: k.ID, Role: k.Role, Museums: slices.Clone(k.MuseumIDs)}, nil
}
