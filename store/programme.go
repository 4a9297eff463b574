package store

import (
	"cmp"
	"context"
	"maps"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/participation-graph/participation-graph/domain"
)

func programmeQuery(_ context.Context, f *domain.ProgrammeFilter) (bson.D, error) {
	b := common(nil, f.IncludeArchived)
	b.search(f.Search, "name", "description")
	eq(b, "funder", f.Funder)
	b.activeOn(f.ActiveOn, "startDate", "endDate")
	return b.build(), nil
}

// CreateProgramme validates and stores a new programme.
func (s *Store) CreateProgramme(ctx context.Context, in domain.CreateProgrammeInput) (*domain.Programme, error) {
	p := &domain.Programme{Name: in.Name, Description: in.Description, Funder: in.Funder, Website: in.Website,
		StartDate: in.StartDate, EndDate: in.EndDate}
	return create(ctx, s.Programmes, p, p.Check)
}

// UpdateProgramme changes a programme; ErrNotFound, ErrConflict or a *ValidationError.
func (s *Store) UpdateProgramme(ctx context.Context, in domain.UpdateProgrammeInput) (*domain.Programme, error) {
	return update(ctx, s.Programmes, domain.OpUpdated, in.ID, in.ExpectedVersion, func(p *domain.Programme, v *domain.Validator) {
		domain.PatchValue(&p.Name, in.Name)
		domain.Patch(&p.Description, in.Description)
		domain.Patch(&p.Funder, in.Funder)
		domain.Patch(&p.Website, in.Website)
		domain.Patch(&p.StartDate, in.StartDate)
		domain.Patch(&p.EndDate, in.EndDate)
		p.Check(v)
	})
}

// ArchiveProgramme archives a programme.
func (s *Store) ArchiveProgramme(ctx context.Context, in domain.ArchiveInput) (*domain.Programme, error) {
	return archive(ctx, s.Programmes, in)
}

// CreateOutcome adds an outcome to a programme. Number and code are unique within the
// programme (ErrConflict otherwise).
func (s *Store) CreateOutcome(ctx context.Context, in domain.CreateOutcomeInput) (*domain.Outcome, error) {
	o := &domain.Outcome{ProgrammeID: in.ProgrammeID, Number: in.Number, Code: in.Code, Title: in.Title,
		Description: in.Description, Source: in.Source}
	return create(ctx, s.Outcomes, o, func(v *domain.Validator) {
		v.Ref("programmeId", domain.EntityProgramme, o.ProgrammeID)
		o.Check(v)
	})
}

// UpdateOutcome changes an outcome.
func (s *Store) UpdateOutcome(ctx context.Context, in domain.UpdateOutcomeInput) (*domain.Outcome, error) {
	return update(ctx, s.Outcomes, domain.OpUpdated, in.ID, in.ExpectedVersion, func(o *domain.Outcome, v *domain.Validator) {
		domain.PatchValue(&o.Number, in.Number)
		domain.PatchValue(&o.Code, in.Code)
		domain.PatchValue(&o.Title, in.Title)
		domain.Patch(&o.Description, in.Description)
		domain.Patch(&o.Source, in.Source)
		o.Check(v)
	})
}

// ArchiveOutcome archives an outcome.
func (s *Store) ArchiveOutcome(ctx context.Context, in domain.ArchiveInput) (*domain.Outcome, error) {
	return archive(ctx, s.Outcomes, in)
}

// OutcomesOf returns each programme's outcomes, ordered by number, in one command.
func (s *Store) OutcomesOf(ctx context.Context, programmeIDs []string) ([][]*domain.Outcome, []error) {
	return groupAll(ctx, s.Outcomes, ByProgramme, programmeIDs, bson.D{{Key: "number", Value: 1}},
		func(a, b *domain.Outcome) int { return cmp.Compare(a.Number, b.Number) })
}

// OutcomeIDsByCode returns the ids of the live outcomes with any of the given codes.
func (s *Store) OutcomeIDsByCode(ctx context.Context, codes []string) ([]string, error) {
	if _, done, ok := s.Outcomes.model(); ok {
		defer done()
		return slices.Sorted(maps.Keys(s.model.refs(codes, nil).Outcomes)), nil
	}
	recs, err := s.Outcomes.find(ctx, bson.D{{Key: "code", Value: bson.D{{Key: "$in", Value: codes}}}, {Key: "archived", Value: false}}, nil, 0, nil)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(recs))
	for i, o := range recs {
		ids[i] = o.ID
	}
	return ids, nil
}

// outcomeFilter narrows b to records serving any of the outcome codes.
func (s *Store) outcomeFilter(ctx context.Context, b *filterBuilder, codes []string) error {
	if len(codes) == 0 {
		return nil
	}
	ids, err := s.OutcomeIDsByCode(ctx, codes)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		b.none()
		return nil
	}
	in(b, "outcomeIds", ids)
	return nil
}

// CreateProgrammeMembership records that a museum took part in a programme.
func (s *Store) CreateProgrammeMembership(ctx context.Context, in domain.CreateProgrammeMembershipInput) (*domain.ProgrammeMembership, error) {
	m := &domain.ProgrammeMembership{ProgrammeID: in.ProgrammeID, MuseumID: in.MuseumID, StartDate: in.StartDate, EndDate: in.EndDate}
	return create(ctx, s.Memberships, m, func(v *domain.Validator) {
		v.Ref("programmeId", domain.EntityProgramme, m.ProgrammeID)
		v.Ref("museumId", domain.EntityMuseum, m.MuseumID)
		m.Check(v)
	})
}

// UpdateProgrammeMembership changes a membership's dates.
func (s *Store) UpdateProgrammeMembership(ctx context.Context, in domain.UpdateProgrammeMembershipInput) (*domain.ProgrammeMembership, error) {
	return update(ctx, s.Memberships, domain.OpUpdated, in.ID, in.ExpectedVersion, func(m *domain.ProgrammeMembership, v *domain.Validator) {
		domain.PatchValue(&m.StartDate, in.StartDate)
		domain.Patch(&m.EndDate, in.EndDate)
		m.Check(v)
	})
}

// ArchiveProgrammeMembership archives a membership.
func (s *Store) ArchiveProgrammeMembership(ctx context.Context, in domain.ArchiveInput) (*domain.ProgrammeMembership, error) {
	return archive(ctx, s.Memberships, in)
}

// MembershipsOf returns the live memberships of each programme or museum (parent is
// ByProgramme or ByMuseum), oldest first, in one command.
func (s *Store) MembershipsOf(ctx context.Context, parent Parent, ids []string) ([][]*domain.ProgrammeMembership, []error) {
	return groupAll(ctx, s.Memberships, parent, ids, bson.D{{Key: "startDate", Value: 1}, {Key: "_id", Value: 1}},
		func(a, b *domain.ProgrammeMembership) int {
			return cmp.Or(cmp.Compare(a.StartDate, b.StartDate), cmp.Compare(a.ID, b.ID))
		})
}

// groupAll returns, for each parent id, every live record whose parent field holds it, in
// the order sort (for the database) and order (for the read model) give, with one command
// or none. It serves short lists that have no paging.
func groupAll[T, F any](ctx context.Context, c *Collection[T, F], parent Parent, ids []string, sort bson.D, order func(a, b *T) int) ([][]*T, []error) {
	out, errs := make([][]*T, len(ids)), make([]error, len(ids))
	if t, done, ok := c.model(); ok {
		defer done()
		sees := c.seer(ctx)
		for i, id := range ids {
			for _, e := range t.kids[parent][id] {
				if !c.meta(e.rec).Archived && (sees == nil || sees(e.rec)) {
					out[i] = append(out[i], e.rec)
				}
			}
			slices.SortFunc(out[i], order)
		}
		return out, errs
	}
	recs, err := c.find(ctx, bson.D{{Key: string(parent), Value: bson.D{{Key: "$in", Value: domain.Unique(ids)}}}, {Key: "archived", Value: false}}, sort, 0, nil)
	if err != nil {
		for i := range errs {
			errs[i] = err
		}
		return out, errs
	}
	idx := map[string][]int{}
	for i, id := range ids {
		idx[id] = append(idx[id], i)
	}
	for _, r := range recs {
		for _, pid := range c.parentOf[parent](r) {
			for _, i := range idx[pid] {
				out[i] = append(out[i], r)
			}
		}
	}
	return out, errs
}

// PublicationsOf returns each programme's live publications, newest first, in one command.
func (s *Store) PublicationsOf(ctx context.Context, programmeIDs []string) ([][]*domain.Publication, []error) {
	return groupAll(ctx, s.Publications, ByProgramme, programmeIDs, bson.D{{Key: "year", Value: -1}, {Key: "_id", Value: 1}},
		func(a, b *domain.Publication) int {
			return cmp.Or(cmp.Compare(b.Year, a.Year), cmp.Compare(a.ID, b.ID))
		})
}
