package graph

import (
	"context"

	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/graph/generated"
	"github.com/participation-graph/participation-graph/graph/model"
	"github.com/participation-graph/participation-graph/loader"
	"github.com/participation-graph/participation-graph/store"
)

func (r *mutationResolver) CreatePerson(ctx context.Context, input domain.CreatePersonInput) (*model.PersonPayload, error) {
	rec, err := r.Store.CreatePerson(ctx, input)
	return payload(rec, err, func(p *domain.Person) *model.PersonPayload { return &model.PersonPayload{Person: p} })
}

func (r *mutationResolver) UpdatePerson(ctx context.Context, input domain.UpdatePersonInput) (*model.PersonPayload, error) {
	rec, err := r.Store.UpdatePerson(ctx, input)
	return payload(rec, err, func(p *domain.Person) *model.PersonPayload { return &model.PersonPayload{Person: p} })
}

func (r *mutationResolver) ArchivePerson(ctx context.Context, input domain.ArchiveInput) (*model.PersonPayload, error) {
	rec, err := r.Store.ArchivePerson(ctx, input)
	return payload(rec, err, func(p *domain.Person) *model.PersonPayload { return &model.PersonPayload{Person: p} })
}

func (r *mutationResolver) RecordConsent(ctx context.Context, input domain.RecordConsentInput) (*model.PersonPayload, error) {
	rec, err := r.Store.RecordConsent(ctx, input)
	return payload(rec, err, func(p *domain.Person) *model.PersonPayload { return &model.PersonPayload{Person: p} })
}

func (r *mutationResolver) ErasePerson(ctx context.Context, input domain.ErasePersonInput) (*model.PersonPayload, error) {
	rec, err := r.Store.ErasePerson(ctx, input)
	return payload(rec, err, func(p *domain.Person) *model.PersonPayload { return &model.PersonPayload{Person: p} })
}

// DisplayName is personal data: it is shown to administrators and to editors of a museum
// the person took part with, and to everyone while the person's consent to publish their
// name stands.
func (r *personResolver) DisplayName(ctx context.Context, obj *domain.Person) (*string, error) {
	if obj.Erased {
		return nil, nil
	}
	if obj.Consent.PublishName && obj.Consent.WithdrawnAt == nil {
		return obj.DisplayName, nil
	}
	return personal(ctx, obj, obj.DisplayName)
}

// Email is personal data that only an administrator, or an editor of a museum the person
// took part with, may see.
func (r *personResolver) Email(ctx context.Context, obj *domain.Person) (*string, error) {
	if obj.Erased {
		return nil, nil
	}
	return personal(ctx, obj, obj.Email)
}

func (r *personResolver) Community(ctx context.Context, obj *domain.Person) (*domain.Community, error) {
	return loader.One(ctx, loaders(ctx).Community, obj, func(o *domain.Person) *string { return o.CommunityID })
}

func (r *queryResolver) Person(ctx context.Context, id string) (*domain.Person, error) {
	return orNull(loader.Get(ctx, loaders(ctx).Person, &id))
}

func (r *queryResolver) People(ctx context.Context, first *int, after *string, last *int, before *string, filter *domain.PersonFilter, orderBy *store.Order) (*store.Page[domain.Person], error) {
	return loader.List(ctx, r.Store.People, filter, orderBy, pageArgs(first, after, last, before))
}

func (r *Resolver) Person() generated.PersonResolver { return &personResolver{r} }

type personResolver struct{ *Resolver }
