package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/graph/generated"
	"github.com/participation-graph/participation-graph/graph/model"
	"github.com/participation-graph/participation-graph/webhook"
)

func (r *mutationResolver) CreateWebhook(ctx context.Context, input webhook.CreateWebhookInput) (*model.CreateWebhookPayload, error) {
	w, secret, err := r.Hooks.CreateWebhook(ctx, input)
	if err != nil {
		return nil, err
	}
	return &model.CreateWebhookPayload{Webhook: w, Secret: secret}, nil
}

func (r *mutationResolver) UpdateWebhook(ctx context.Context, input webhook.UpdateWebhookInput) (*model.UpdateWebhookPayload, error) {
	w, secret, err := r.Hooks.UpdateWebhook(ctx, input)
	if err != nil {
		return nil, err
	}
	p := &model.UpdateWebhookPayload{Webhook: w}
	if secret != "" {
		p.Secret = &secret
	}
	return p, nil
}

func (r *mutationResolver) DeleteWebhook(ctx context.Context, input model.DeleteWebhookInput) (*model.DeleteWebhookPayload, error) {
	if err := r.Hooks.DeleteWebhook(ctx, input.ID); err != nil {
		return nil, err
	}
	return &model.DeleteWebhookPayload{ID: input.ID}, nil
}

func (r *queryResolver) Webhooks(ctx context.Context) ([]*webhook.Webhook, error) {
	return r.Hooks.ListWebhooks(ctx)
}

func (r *queryResolver) Webhook(ctx context.Context, id string) (*webhook.Webhook, error) {
	return orNull(r.Hooks.GetWebhook(ctx, id))
}

func (r *webhookResolver) Types(ctx context.Context, obj *webhook.Webhook) ([]model.ChangeEntity, error) {
	out := make([]model.ChangeEntity, len(obj.Types))
	for i, t := range obj.Types {
		out[i] = changeEntity(t)
	}
	return out, nil
}

func (r *webhookResolver) DeliveredThrough(ctx context.Context, obj *webhook.Webhook) (string, error) {
	return domain.EncodeChangeCursor(obj.DeliveredThrough), nil
}

func (r *webhookResolver) DeliveredThroughSeq(ctx context.Context, obj *webhook.Webhook) (int, error) {
	return int(obj.DeliveredThrough), nil
}

func (r *createWebhookInputResolver) Types(ctx context.Context, obj *webhook.CreateWebhookInput, data []model.ChangeEntity) error {
	obj.Types = entitiesOf(data)
	return nil
}

func (r *createWebhookInputResolver) StartAfter(ctx context.Context, obj *webhook.CreateWebhookInput, data *string) error {
	return feedPosition("startAfter", data, &obj.StartAfter)
}

func (r *updateWebhookInputResolver) Types(ctx context.Context, obj *webhook.UpdateWebhookInput, data []model.ChangeEntity) error {
	obj.Types = graphql.OmittableOf(entitiesOf(data))
	return nil
}

func (r *updateWebhookInputResolver) ResumeAfter(ctx context.Context, obj *webhook.UpdateWebhookInput, data *string) error {
	return feedPosition("resumeAfter", data, &obj.ResumeAfter)
}

func (r *Resolver) Webhook() generated.WebhookResolver { return &webhookResolver{r} }

func (r *Resolver) CreateWebhookInput() generated.CreateWebhookInputResolver {
	return &createWebhookInputResolver{r}
}

func (r *Resolver) UpdateWebhookInput() generated.UpdateWebhookInputResolver {
	return &updateWebhookInputResolver{r}
}

type (
	webhookResolver            struct{ *Resolver }
	createWebhookInputResolver struct{ *Resolver }
	updateWebhookInputResolver struct{ *Resolver }
)
