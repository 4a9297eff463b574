package store

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/participation-graph/participation-graph/domain"
)

func (s *Store) partnershipQuery(ctx context.Context, f *domain.PartnershipFilter) (bson.D, error) {
	b := common(f.Sample, f.IncludeArchived)
	b.search(f.Search, "title", "purpose")
	eq(b, "museumId", f.MuseumID)
	eq(b, "communityId", f.CommunityID)
	eq(b, "programmeId", f.ProgrammeID)
	in(b, "status", f.Statuses)
	in(b, "participationModel", f.ParticipationModels)
	b.activeOn(f.ActiveOn, "startDate", "endDate")
	cmpOp(b, "startDate", "$gte", f.StartedAfter)
	cmpOp(b, "startDate", "$lte", f.StartedBefore)
	if err := s.outcomeFilter(ctx, b, f.OutcomeCodes); err != nil {
		return nil, err
	}
	return b.build(), nil
}

// CreatePartnership validates and stores a new partnership (PROPOSED unless a status is
// given).
func (s *Store) CreatePartnership(ctx context.Context, in domain.CreatePartnershipInput) (*domain.Partnership, error) {
	p := &domain.Partnership{Title: in.Title, MuseumID: in.MuseumID, CommunityID: in.CommunityID, Purpose: in.Purpose,
		Status: domain.StatusProposed, StartDate: in.StartDate, EndDate: in.EndDate, ParticipationModel: in.ParticipationModel,
		ProgrammeID: in.ProgrammeID, OutcomeIDs: in.OutcomeIDs}
	if in.Status != nil {
		p.Status = *in.Status
	}
	return create(ctx, s.Partnerships, p, p.Check)
}

// StartPartnership creates an ACTIVE partnership starting on the given day (today when
// omitted).
func (s *Store) StartPartnership(ctx context.Context, in domain.StartPartnershipInput) (*domain.Partnership, error) {
	start := domain.DateOf(s.clock())
	if in.StartDate != nil {
		start = *in.StartDate
	}
	return s.CreatePartnership(ctx, domain.CreatePartnershipInput{Title: in.Title, MuseumID: in.MuseumID,
		CommunityID: in.CommunityID, Purpose: in.Purpose, Status: ptr(domain.StatusActive), StartDate: &start,
		ParticipationModel: in.ParticipationModel, ProgrammeID: in.ProgrammeID, OutcomeIDs: in.OutcomeIDs})
}

// UpdatePartnership changes a partnership.
func (s *Store) UpdatePartnership(ctx context.Context, in domain.UpdatePartnershipInput) (*domain.Partnership, error) {
	return update(ctx, s.Partnerships, domain.OpUpdated, in.ID, in.ExpectedVersion, func(p *domain.Partnership, v *domain.Validator) {
		domain.PatchValue(&p.Title, in.Title)
		domain.PatchValue(&p.CommunityID, in.CommunityID)
		domain.Patch(&p.Purpose, in.Purpose)
		domain.PatchValue(&p.Status, in.Status)
		domain.Patch(&p.StartDate, in.StartDate)
		domain.Patch(&p.EndDate, in.EndDate)
		domain.Patch(&p.ParticipationModel, in.ParticipationModel)
		domain.Patch(&p.ProgrammeID, in.ProgrammeID)
		domain.Patch(&p.OutcomeIDs, in.OutcomeIDs)
		p.Check(v)
	})
}

// EndPartnership ends a partnership on the given day (today when omitted).
func (s *Store) EndPartnership(ctx context.Context, in domain.EndPartnershipInput) (*domain.Partnership, error) {
	end := domain.DateOf(s.clock())
	if in.EndDate != nil {
		end = *in.EndDate
	}
	return update(ctx, s.Partnerships, domain.OpUpdated, in.ID, in.ExpectedVersion, func(p *domain.Partnership, v *domain.Validator) {
		p.Status, p.EndDate = domain.StatusEnded, &end
		p.Check(v)
	})
}

// ArchivePartnership archives a partnership.
func (s *Store) ArchivePartnership(ctx context.Context, in domain.ArchiveInput) (*domain.Partnership, error) {
	return archive(ctx, s.Partnerships, in)
}

func ptr[T any](v T) *T { return &v }
