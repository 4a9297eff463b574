package graph

import (
	"context"

	"github.com/participation-graph/participation-graph/auth"
	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/graph/generated"
	"github.com/participation-graph/participation-graph/graph/model"
	"github.com/participation-graph/participation-graph/loader"
	"github.com/participation-graph/participation-graph/store"
)

func (r *apiKeyResolver) Museums(ctx context.Context, obj *auth.APIKey) ([]*domain.Museum, error) {
	return loader.Many(ctx, loaders(ctx).Museum, obj, func(o *auth.APIKey) []string { return o.MuseumIDs })
}

func (r *auditEntryResolver) Entity(ctx context.Context, obj *domain.AuditEntry) (string, error) {
	return string(obj.Entity), nil
}

func (r *mutationResolver) CreateAPIKey(ctx context.Context, input auth.CreateAPIKeyInput) (*model.CreateAPIKeyPayload, error) {
	k, secret, err := r.Store.CreateAPIKey(ctx, input)
	if err != nil {
		return nil, err
	}
	return &model.CreateAPIKeyPayload{APIKey: k, Secret: secret}, nil
}

func (r *mutationResolver) RevokeAPIKey(ctx context.Context, input auth.RevokeAPIKeyInput) (*model.RevokeAPIKeyPayload, error) {
	k, err := r.Store.RevokeAPIKey(ctx, input)
	if err != nil {
		return nil, err
	}
	r.Revocations.Revoke(k.ID)
	return &model.RevokeAPIKeyPayload{APIKey: k}, nil
}

func (r *queryResolver) Viewer(ctx context.Context) (*model.Viewer, error) {
	c := domain.CallerOf(ctx)
	v := &model.Viewer{Role: string(c.Role)}
	if c.KeyID != "" {
		v.KeyID = &c.KeyID
	}
	museums, err := loader.GetAll(ctx, loaders(ctx).Museum, c.Museums)
	v.Museums = museums
	return v, err
}

func (r *queryResolver) APIKeys(ctx context.Context, first *int, after *string, last *int, before *string, filter *auth.APIKeyFilter) (*store.Page[auth.APIKey], error) {
	return r.Store.APIKeys.List(ctx, filter, nil, pageArgs(first, after, last, before))
}

func (r *queryResolver) AuditTrail(ctx context.Context, first *int, after *string, last *int, before *string, filter *domain.AuditFilter) (*store.Page[domain.AuditEntry], error) {
	return r.Store.Audit.List(ctx, filter, nil, pageArgs(first, after, last, before))
}

func (r *auditFilterResolver) Entity(ctx context.Context, obj *domain.AuditFilter, data *string) error {
	if data != nil {
		e := domain.Entity(*data)
		obj.Entity = &e
	}
	return nil
}

func (r *Resolver) ApiKey() generated.ApiKeyResolver { return &apiKeyResolver{r} }

func (r *Resolver) AuditEntry() generated.AuditEntryResolver { return &auditEntryResolver{r} }

func (r *Resolver) AuditFilter() generated.AuditFilterResolver { return &auditFilterResolver{r} }

type (
	apiKeyResolver      struct{ *Resolver }
	auditEntryResolver  struct{ *Resolver }
	auditFilterResolver struct{ *Resolver }
)
