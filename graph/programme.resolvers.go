package graph

import (
	"context"

	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/graph/generated"
	"github.com/participation-graph/participation-graph/graph/model"
	"github.com/participation-graph/participation-graph/loader"
	"github.com/participation-graph/participation-graph/store"
)

func (r *mutationResolver) CreateProgramme(ctx context.Context, input domain.CreateProgrammeInput) (*model.ProgrammePayload, error) {
	rec, err := r.Store.CreateProgramme(ctx, input)
	return payload(rec, err, func(p *domain.Programme) *model.ProgrammePayload { return &model.ProgrammePayload{Programme: p} })
}

func (r *mutationResolver) UpdateProgramme(ctx context.Context, input domain.UpdateProgrammeInput) (*model.ProgrammePayload, error) {
	rec, err := r.Store.UpdateProgramme(ctx, input)
	return payload(rec, err, func(p *domain.Programme) *model.ProgrammePayload { return &model.ProgrammePayload{Programme: p} })
}

func (r *mutationResolver) ArchiveProgramme(ctx context.Context, input domain.ArchiveInput) (*model.ProgrammePayload, error) {
	rec, err := r.Store.ArchiveProgramme(ctx, input)
	return payload(rec, err, func(p *domain.Programme) *model.ProgrammePayload { return &model.ProgrammePayload{Programme: p} })
}

func (r *mutationResolver) CreateOutcome(ctx context.Context, input domain.CreateOutcomeInput) (*model.OutcomePayload, error) {
	rec, err := r.Store.CreateOutcome(ctx, input)
	return payload(rec, err, func(o *domain.Outcome) *model.OutcomePayload { return &model.OutcomePayload{Outcome: o} })
}

func (r *mutationResolver) UpdateOutcome(ctx context.Context, input domain.UpdateOutcomeInput) (*model.OutcomePayload, error) {
	rec, err := r.Store.UpdateOutcome(ctx, input)
	return payload(rec, err, func(o *domain.Outcome) *model.OutcomePayload { return &model.OutcomePayload{Outcome: o} })
}

func (r *mutationResolver) ArchiveOutcome(ctx context.Context, input domain.ArchiveInput) (*model.OutcomePayload, error) {
	rec, err := r.Store.ArchiveOutcome(ctx, input)
	return payload(rec, err, func(o *domain.Outcome) *model.OutcomePayload { return &model.OutcomePayload{Outcome: o} })
}

func (r *mutationResolver) CreateProgrammeMembership(ctx context.Context, input domain.CreateProgrammeMembershipInput) (*model.ProgrammeMembershipPayload, error) {
	rec, err := r.Store.CreateProgrammeMembership(ctx, input)
	return payload(rec, err, func(m *domain.ProgrammeMembership) *model.ProgrammeMembershipPayload {
		return &model.ProgrammeMembershipPayload{ProgrammeMembership: m}
	})
}

func (r *mutationResolver) UpdateProgrammeMembership(ctx context.Context, input domain.UpdateProgrammeMembershipInput) (*model.ProgrammeMembershipPayload, error) {
	rec, err := r.Store.UpdateProgrammeMembership(ctx, input)
	return payload(rec, err, func(m *domain.ProgrammeMembership) *model.ProgrammeMembershipPayload {
		return &model.ProgrammeMembershipPayload{ProgrammeMembership: m}
	})
}

func (r *mutationResolver) ArchiveProgrammeMembership(ctx context.Context, input domain.ArchiveInput) (*model.ProgrammeMembershipPayload, error) {
	rec, err := r.Store.ArchiveProgrammeMembership(ctx, input)
	return payload(rec, err, func(m *domain.ProgrammeMembership) *model.ProgrammeMembershipPayload {
		return &model.ProgrammeMembershipPayload{ProgrammeMembership: m}
	})
}

func (r *outcomeResolver) Programme(ctx context.Context, obj *domain.Outcome) (*domain.Programme, error) {
	return loader.One(ctx, loaders(ctx).Programme, obj, func(o *domain.Outcome) *string { return &o.ProgrammeID })
}

func (r *programmeResolver) Outcomes(ctx context.Context, obj *domain.Programme) ([]*domain.Outcome, error) {
	return loader.One(ctx, loaders(ctx).ProgrammeOutcomes, obj, func(o *domain.Programme) *string { return &o.ID })
}

func (r *programmeResolver) Memberships(ctx context.Context, obj *domain.Programme) ([]*domain.ProgrammeMembership, error) {
	ms, err := loader.One(ctx, loaders(ctx).ProgrammeMemberships, obj, func(o *domain.Programme) *string { return &o.ID })
	if err != nil {
		return nil, err
	}
	return byMuseumName(ctx, ms)
}

func (r *programmeResolver) Publications(ctx context.Context, obj *domain.Programme) ([]*domain.Publication, error) {
	return loader.One(ctx, loaders(ctx).ProgrammePublications, obj, func(o *domain.Programme) *string { return &o.ID })
}

func (r *programmeMembershipResolver) Programme(ctx context.Context, obj *domain.ProgrammeMembership) (*domain.Programme, error) {
	return loader.One(ctx, loaders(ctx).Programme, obj, func(o *domain.ProgrammeMembership) *string { return &o.ProgrammeID })
}

func (r *programmeMembershipResolver) Museum(ctx context.Context, obj *domain.ProgrammeMembership) (*domain.Museum, error) {
	return loader.One(ctx, loaders(ctx).Museum, obj, func(o *domain.ProgrammeMembership) *string { return &o.MuseumID })
}

func (r *queryResolver) Programme(ctx context.Context, id string) (*domain.Programme, error) {
	return orNull(loader.Get(ctx, loaders(ctx).Programme, &id))
}

func (r *queryResolver) Programmes(ctx context.Context, first *int, after *string, last *int, before *string, filter *domain.ProgrammeFilter, orderBy *store.Order) (*store.Page[domain.Programme], error) {
	return loader.List(ctx, r.Store.Programmes, filter, orderBy, pageArgs(first, after, last, before))
}

func (r *Resolver) Outcome() generated.OutcomeResolver { return &outcomeResolver{r} }

func (r *Resolver) Programme() generated.ProgrammeResolver { return &programmeResolver{r} }

func (r *Resolver) ProgrammeMembership() generated.ProgrammeMembershipResolver {
	return &programmeMembershipResolver{r}
}

type (
	outcomeResolver             struct{ *Resolver }
	programmeResolver           struct{ *Resolver }
	programmeMembershipResolver struct{ *Resolver }
)
