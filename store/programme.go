package store

import (
	"cmp"
	"context"
	"maps"
	"regexp"
	"slices"

	"github.com/99designs/gqlgen/graphql"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// ProgrammeFilter selects programmes.
type ProgrammeFilter struct {
	Search          *string
	Funder          *string
	ActiveOn        *Date
	IncludeArchived *bool
}

func programmeQuery(_ context.Context, f *ProgrammeFilter) (bson.D, error) {
	b := common(nil, f.IncludeArchived)
	b.search(f.Search, "name", "description")
	eq(b, "funder", f.Funder)
	b.activeOn(f.ActiveOn, "startDate", "endDate")
	return b.build(), nil
}

// CreateProgrammeInput is the input of createProgramme.
type CreateProgrammeInput struct {
	Name        string
	Description *string
	Funder      *string
	Website     *string
	StartDate   *Date
	EndDate     *Date
}

// UpdateProgrammeInput is the input of updateProgramme: absent fields stay, null clears.
type UpdateProgrammeInput struct {
	ID              string
	ExpectedVersion *int
	Name            graphql.Omittable[*string]
	Description     graphql.Omittable[*string]
	Funder          graphql.Omittable[*string]
	Website         graphql.Omittable[*string]
	StartDate       graphql.Omittable[*Date]
	EndDate         graphql.Omittable[*Date]
}

func (p *Programme) check(v *validator) {
	v.name("name", &p.Name)
	v.text("description", &p.Description)
	v.shortText("funder", &p.Funder)
	v.url("website", &p.Website)
	v.dates("startDate", p.StartDate, "endDate", p.EndDate)
	p.SortStart = ""
	if p.StartDate != nil {
		p.SortStart = string(*p.StartDate)
	}
}

// CreateProgramme validates and stores a new programme.
func (s *Store) CreateProgramme(ctx context.Context, in CreateProgrammeInput) (*Programme, error) {
	p := &Programme{Name: in.Name, Description: in.Description, Funder: in.Funder, Website: in.Website,
		StartDate: in.StartDate, EndDate: in.EndDate}
	return create(ctx, s.Programmes, p, p.check)
}

// UpdateProgramme changes a programme; ErrNotFound, ErrConflict or a *ValidationError.
func (s *Store) UpdateProgramme(ctx context.Context, in UpdateProgrammeInput) (*Programme, error) {
	return update(ctx, s.Programmes, OpUpdated, in.ID, in.ExpectedVersion, func(p *Programme, v *validator) {
		patchValue(&p.Name, in.Name)
		patch(&p.Description, in.Description)
		patch(&p.Funder, in.Funder)
		patch(&p.Website, in.Website)
		patch(&p.StartDate, in.StartDate)
		patch(&p.EndDate, in.EndDate)
		p.check(v)
	})
}

// ArchiveProgramme archives a programme.
func (s *Store) ArchiveProgramme(ctx context.Context, in ArchiveInput) (*Programme, error) {
	return archive(ctx, s.Programmes, in)
}

// CreateOutcomeInput is the input of createOutcome.
type CreateOutcomeInput struct {
	ProgrammeID string
	Number      int
	Code        string
	Title       string
	Description *string
	Source      *string
}

// UpdateOutcomeInput is the input of updateOutcome.
type UpdateOutcomeInput struct {
	ID              string
	ExpectedVersion *int
	Number          graphql.Omittable[*int]
	Code            graphql.Omittable[*string]
	Title           graphql.Omittable[*string]
	Description     graphql.Omittable[*string]
	Source          graphql.Omittable[*string]
}

var codePattern = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)

func (o *Outcome) check(v *validator) {
	if o.Number < 1 || o.Number > 99 {
		v.add("number", "must be between 1 and 99")
	}
	v.name("code", &o.Code)
	if !codePattern.MatchString(o.Code) {
		v.add("code", "must be upper-case letters, digits and underscores, for example COMMUNITY_AGENCY")
	}
	v.name("title", &o.Title)
	v.text("description", &o.Description)
	v.textUpTo("source", &o.Source, 2000)
}

// CreateOutcome adds an outcome to a programme. Number and code are unique within the
// programme (ErrConflict otherwise).
func (s *Store) CreateOutcome(ctx context.Context, in CreateOutcomeInput) (*Outcome, error) {
	o := &Outcome{ProgrammeID: in.ProgrammeID, Number: in.Number, Code: in.Code, Title: in.Title,
		Description: in.Description, Source: in.Source}
	return create(ctx, s.Outcomes, o, func(v *validator) {
		v.ref("programmeId", EntityProgramme, o.ProgrammeID)
		o.check(v)
	})
}

// UpdateOutcome changes an outcome.
func (s *Store) UpdateOutcome(ctx context.Context, in UpdateOutcomeInput) (*Outcome, error) {
	return update(ctx, s.Outcomes, OpUpdated, in.ID, in.ExpectedVersion, func(o *Outcome, v *validator) {
		patchValue(&o.Number, in.Number)
		patchValue(&o.Code, in.Code)
		patchValue(&o.Title, in.Title)
		patch(&o.Description, in.Description)
		patch(&o.Source, in.Source)
		o.check(v)
	})
}

// ArchiveOutcome archives an outcome.
func (s *Store) ArchiveOutcome(ctx context.Context, in ArchiveInput) (*Outcome, error) {
	return archive(ctx, s.Outcomes, in)
}

// OutcomesOf returns each programme's outcomes, ordered by number, in one command.
func (s *Store) OutcomesOf(ctx context.Context, programmeIDs []string) ([][]*Outcome, []error) {
	return groupAll(ctx, s.Outcomes, ByProgramme, programmeIDs, bson.D{{Key: "number", Value: 1}},
		func(a, b *Outcome) int { return cmp.Compare(a.Number, b.Number) })
}

// OutcomeIDsByCode returns the ids of the live outcomes with any of the given codes.
func (s *Store) OutcomeIDsByCode(ctx context.Context, codes []string) ([]string, error) {
	if _, done, ok := s.Outcomes.model(); ok {
		defer done()
		return slices.Sorted(maps.Keys(s.model.refs(codes, nil).Outcomes)), nil
	}
	recs, err := s.Outcomes.find(ctx, bson.D{{Key: "code", Value: bson.D{{Key: "$in", Value: codes}}}, {Key: "archived", Value: false}}, nil, 0)
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

// CreateProgrammeMembershipInput is the input of createProgrammeMembership.
type CreateProgrammeMembershipInput struct {
	ProgrammeID string
	MuseumID    string
	StartDate   Date
	EndDate     *Date
}

// UpdateProgrammeMembershipInput is the input of updateProgrammeMembership.
type UpdateProgrammeMembershipInput struct {
	ID              string
	ExpectedVersion *int
	StartDate       graphql.Omittable[*Date]
	EndDate         graphql.Omittable[*Date]
}

func (m *ProgrammeMembership) check(v *validator) {
	v.requiredDate("startDate", m.StartDate)
	v.dates("startDate", &m.StartDate, "endDate", m.EndDate)
}

// CreateProgrammeMembership records that a museum took part in a programme.
func (s *Store) CreateProgrammeMembership(ctx context.Context, in CreateProgrammeMembershipInput) (*ProgrammeMembership, error) {
	m := &ProgrammeMembership{ProgrammeID: in.ProgrammeID, MuseumID: in.MuseumID, StartDate: in.StartDate, EndDate: in.EndDate}
	return create(ctx, s.Memberships, m, func(v *validator) {
		v.ref("programmeId", EntityProgramme, m.ProgrammeID)
		v.ref("museumId", EntityMuseum, m.MuseumID)
		m.check(v)
	})
}

// UpdateProgrammeMembership changes a membership's dates.
func (s *Store) UpdateProgrammeMembership(ctx context.Context, in UpdateProgrammeMembershipInput) (*ProgrammeMembership, error) {
	return update(ctx, s.Memberships, OpUpdated, in.ID, in.ExpectedVersion, func(m *ProgrammeMembership, v *validator) {
		patchValue(&m.StartDate, in.StartDate)
		patch(&m.EndDate, in.EndDate)
		m.check(v)
	})
}

// ArchiveProgrammeMembership archives a membership.
func (s *Store) ArchiveProgrammeMembership(ctx context.Context, in ArchiveInput) (*ProgrammeMembership, error) {
	return archive(ctx, s.Memberships, in)
}

// MembershipsOf returns the live memberships of each programme or museum (parent is
// ByProgramme or ByMuseum), oldest first, in one command.
func (s *Store) MembershipsOf(ctx context.Context, parent Parent, ids []string) ([][]*ProgrammeMembership, []error) {
	return groupAll(ctx, s.Memberships, parent, ids, bson.D{{Key: "startDate", Value: 1}, {Key: "_id", Value: 1}},
		func(a, b *ProgrammeMembership) int {
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
	recs, err := c.find(ctx, bson.D{{Key: string(parent), Value: bson.D{{Key: "$in", Value: uniq(ids)}}}, {Key: "archived", Value: false}}, sort, 0)
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
func (s *Store) PublicationsOf(ctx context.Context, programmeIDs []string) ([][]*Publication, []error) {
	return groupAll(ctx, s.Publications, ByProgramme, programmeIDs, bson.D{{Key: "year", Value: -1}, {Key: "_id", Value: 1}},
		func(a, b *Publication) int { return cmp.Or(cmp.Compare(b.Year, a.Year), cmp.Compare(a.ID, b.ID)) })
}
