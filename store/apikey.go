package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/participation-graph/participation-graph/auth"
	"github.com/participation-graph/participation-graph/domain"
)

func apiKeyQuery(_ context.Context, f *auth.APIKeyFilter) (bson.D, error) {
	b := common(nil, f.IncludeRevoked)
	eq(b, "role", f.Role)
	return b.build(), nil
}

// CreateAPIKey stores a new key and returns it with its secret, which is shown this once
// and never again. Only administrators may create keys; an editor's key needs at least one
// museum, and other roles none. It returns domain.ErrUnauthenticated, domain.ErrForbidden or a
// *ValidationError.
func (s *Store) CreateAPIKey(ctx context.Context, in auth.CreateAPIKeyInput) (*auth.APIKey, string, error) {
	if err := domain.RequireAdmin(ctx, "creating an API key"); err != nil {
		return nil, "", err
	}
	v := s.Validator()
	in.Check(v)
	if err := v.Err(ctx); err != nil {
		return nil, "", err
	}
	now := s.clock()
	k := &auth.APIKey{Name: in.Name, Role: in.Role, MuseumIDs: in.MuseumIDs, CreatedBy: domain.CallerOf(ctx).KeyID}
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
func (s *Store) RevokeAPIKey(ctx context.Context, in auth.RevokeAPIKeyInput) (*auth.APIKey, error) {
	if err := domain.RequireAdmin(ctx, "revoking an API key"); err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		k, err := s.revokeAPIKeyOnce(ctx, in.ID)
		switch {
		case errors.Is(err, ErrStale) && attempt < MaxRetries:
			continue
		case errors.Is(err, ErrStale):
			return nil, fmt.Errorf("%w: API key %q changed while it was being revoked; try again", domain.ErrConflict, in.ID)
		}
		return k, err
	}
}

func (s *Store) revokeAPIKeyOnce(ctx context.Context, id string) (*auth.APIKey, error) {
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

// APIKey returns the key with the given id, whoever the caller is: looking a key up to
// authenticate a request is the server's own work. A missing key is ErrNotFound.
func (s *Store) APIKey(ctx context.Context, id string) (*auth.APIKey, error) {
	return s.APIKeys.Get(domain.WithCaller(ctx, domain.Caller{Role: domain.System}), id)
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
