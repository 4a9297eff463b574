package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/participation-graph/participation-graph/auth"
	"github.com/participation-graph/participation-graph/domain"
)

// APIKey is a credential an administrator gave to a person or a program. Only the hash of
// its secret is stored. Revoking a key archives it.
type APIKey struct {
	domain.Meta `bson:",inline"`
	Name        string    `bson:"name"`
	Role        auth.Role `bson:"role"`
	MuseumIDs   []string  `bson:"museumIds"`
	Hash        string    `bson:"hash"`
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
	Role           *auth.Role
	IncludeRevoked *bool
}

func apiKeyQuery(_ context.Context, f *APIKeyFilter) (bson.D, error) {
	b := common(nil, f.IncludeRevoked)
	eq(b, "role", f.Role)
	return b.build(), nil
}

// CreateAPIKeyInput is the input of createApiKey.
type CreateAPIKeyInput struct {
	Name      string
	Role      auth.Role
	MuseumIDs []string
}

// RevokeAPIKeyInput is the input of revokeApiKey.
type RevokeAPIKeyInput struct {
	ID string
}

// requireAdmin returns nil when the caller in ctx is an administrator (or the server),
// auth.ErrUnauthenticated for an anonymous caller and auth.ErrForbidden for another role.
// what names the operation in the error message.
func requireAdmin(ctx context.Context, what string) error {
	caller := auth.From(ctx)
	switch {
	case caller.Trusted():
		return nil
	case !caller.Authenticated():
		return fmt.Errorf("%w: %s needs an administrator's API key; send the header Authorization: Bearer <key>", auth.ErrUnauthenticated, what)
	}
	return forbidden("%s needs an administrator's API key, and this key is a %s key", what, caller.Role)
}

// CreateAPIKey stores a new key and returns it with its secret, which is shown this once
// and never again. Only administrators may create keys; an editor's key needs at least one
// museum, and other roles none. It returns auth.ErrUnauthenticated, auth.ErrForbidden or a
// *ValidationError.
func (s *Store) CreateAPIKey(ctx context.Context, in CreateAPIKeyInput) (*APIKey, string, error) {
	if err := requireAdmin(ctx, "creating an API key"); err != nil {
		return nil, "", err
	}
	v := s.validator()
	v.Name("name", &in.Name)
	if !in.Role.Valid() {
		v.Add("role", "must be RESEARCHER, EDITOR or ADMIN")
	}
	in.MuseumIDs = domain.Unique(in.MuseumIDs)
	switch {
	case in.Role == auth.Editor && len(in.MuseumIDs) == 0:
		v.Add("museumIds", "an EDITOR key needs the ids of the museums it may edit")
	case in.Role != auth.Editor && len(in.MuseumIDs) > 0:
		v.Add("museumIds", "only an EDITOR key is scoped to museums; leave museumIds out for a %s key", in.Role)
	}
	v.RefList("museumIds", domain.EntityMuseum, &in.MuseumIDs)
	if err := v.Err(ctx); err != nil {
		return nil, "", err
	}
	now := s.clock()
	k := &APIKey{Name: in.Name, Role: in.Role, MuseumIDs: in.MuseumIDs, CreatedBy: auth.From(ctx).KeyID}
	k.ID = newID(domain.EntityAPIKey)
	k.Version, k.CreatedAt, k.UpdatedAt = 1, now, now
	secret, hash := auth.NewSecret(k.ID)
	k.Hash = hash
	// Once the key is stored the secret is returned, whatever becomes of the audit entry:
	// the intent sees it audited.
	if err := s.commit(ctx, write{entity: domain.EntityAPIKey, op: domain.OpCreated, meta: &k.Meta, doc: k, adminOnly: true,
		operation: "createApiKey", fields: []string{"name", "role", "museumIds"}}); err != nil {
		return nil, "", err
	}
	return k, secret, nil
}

// RevokeAPIKey revokes a key at once: the next request with it is refused. Revoking a
// revoked key changes nothing. It returns ErrNotFound for an unknown id.
func (s *Store) RevokeAPIKey(ctx context.Context, in RevokeAPIKeyInput) (*APIKey, error) {
	if err := requireAdmin(ctx, "revoking an API key"); err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		k, err := s.revokeAPIKeyOnce(ctx, in.ID)
		switch {
		case errors.Is(err, errStale) && attempt < maxRetries:
			continue
		case errors.Is(err, errStale):
			return nil, fmt.Errorf("%w: API key %q changed while it was being revoked; try again", domain.ErrConflict, in.ID)
		}
		return k, err
	}
}

func (s *Store) revokeAPIKeyOnce(ctx context.Context, id string) (*APIKey, error) {
	unlock, err := s.lockRecord(ctx, id)
	if err != nil {
		return nil, err
	}
	defer unlock()
	k, err := s.APIKeys.stored(ctx, id)
	if err != nil || k.Revoked() {
		return k, err
	}
	prev, now := k.Version, s.clock()
	k.Version, k.Archived, k.ArchivedAt, k.UpdatedAt = prev+1, true, &now, now
	if err := s.commit(ctx, write{entity: domain.EntityAPIKey, op: domain.OpRevoked, meta: &k.Meta, prev: prev, doc: k, adminOnly: true,
		operation: "revokeApiKey", fields: []string{"archived"}}); err != nil {
		return nil, err
	}
	return k, nil
}

// Authenticate returns the caller a bearer token stands for. A token equal to adminToken
// (when set) is an administrator; otherwise it must be the secret of an API key that is
// not revoked. Anything else is auth.ErrUnauthenticated, with the same message whatever
// was wrong, so a caller learns nothing about which keys exist.
func (s *Store) Authenticate(ctx context.Context, token, adminToken string) (auth.Caller, error) {
	bad := fmt.Errorf("%w: the API key is not valid or was revoked", auth.ErrUnauthenticated)
	if auth.MatchesToken(token, adminToken) {
		return auth.Caller{KeyID: auth.AdminTokenID, Role: auth.Admin}, nil
	}
	id, err := auth.ParseSecret(token)
	if err != nil {
		return auth.AnonymousCaller, bad
	}
	if _, ok := domain.EntityOf(id); !ok || !isKeyID(id) {
		return auth.AnonymousCaller, bad
	}
	// Looking the key up is the server's own work, whoever the request claims to be.
	k, err := s.APIKeys.Get(auth.WithCaller(ctx, auth.Caller{Role: auth.System}), id)
	switch {
	case domain.IsNotFound(err):
		return auth.AnonymousCaller, bad
	case err != nil:
		return auth.AnonymousCaller, err
	case k.Revoked() || !auth.MatchesHash(token, k.Hash):
		return auth.AnonymousCaller, bad
	}
	return auth.Caller{KeyID: k.ID, Role: k.Role, Museums: slices.Clone(k.MuseumIDs)}, nil
}

func isKeyID(id string) bool {
	e, _ := domain.EntityOf(id)
	return e == domain.EntityAPIKey
}

// RevokedSince returns the ids of the keys revoked at or after t, so that a server can end
// the subscriptions another server's revocation concerns.
func (s *Store) RevokedSince(ctx context.Context, t time.Time) ([]string, error) {
	ctx, cancel := s.opCtx(ctx)
	defer cancel()
	cur, err := s.coll(domain.EntityAPIKey).Find(ctx, bson.D{{Key: "archived", Value: true}, {Key: "archivedAt", Value: bson.D{{Key: "$gte", Value: t}}}},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, translate(err)
	}
	var docs []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, translate(err)
	}
	ids := make([]string, len(docs))
	for i, d := range docs {
		ids[i] = d.ID
	}
	return ids, nil
}
