package store

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"go.mongodb.org/mongo-driver/v2/bson"
)

func (p *Partnership) museum() string { return p.MuseumID }

// PartnershipFilter selects partnerships.
type PartnershipFilter struct {
	Search              *string
	MuseumID            *string
	CommunityID         *string
	ProgrammeID         *string
	Statuses            []PartnershipStatus
	ParticipationModels []ParticipationModel
	ActiveOn            *Date
	StartedAfter        *Date
	StartedBefore       *Date
	OutcomeCodes        []string
	Sample              *bool
	IncludeArchived     *bool
}

func (s *Store) partnershipQuery(ctx context.Context, f *PartnershipFilter) (bson.D, error) {
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

// CreatePartnershipInput is the input of createPartnership.
type CreatePartnershipInput struct {
	Title              string
	MuseumID           string
	CommunityID        string
	Purpose            *string
	Status             *PartnershipStatus
	StartDate          *Date
	EndDate            *Date
	ParticipationModel *ParticipationModel
	ProgrammeID        *string
	OutcomeIDs         []string
}

// StartPartnershipInput is the input of startPartnership.
type StartPartnershipInput struct {
	Title              string
	MuseumID           string
	CommunityID        string
	Purpose            *string
	StartDate          *Date
	ParticipationModel *ParticipationModel
	ProgrammeID        *string
	OutcomeIDs         []string
}

// UpdatePartnershipInput is the input of updatePartnership. A partnership stays with its
// museum.
type UpdatePartnershipInput struct {
	ID                 string
	ExpectedVersion    *int
	Title              graphql.Omittable[*string]
	CommunityID        graphql.Omittable[*string]
	Purpose            graphql.Omittable[*string]
	Status             graphql.Omittable[*PartnershipStatus]
	StartDate          graphql.Omittable[*Date]
	EndDate            graphql.Omittable[*Date]
	ParticipationModel graphql.Omittable[*ParticipationModel]
	ProgrammeID        graphql.Omittable[*string]
	OutcomeIDs         graphql.Omittable[[]string]
}

// EndPartnershipInput is the input of endPartnership.
type EndPartnershipInput struct {
	ID              string
	EndDate         *Date
	ExpectedVersion *int
}

func (p *Partnership) check(v *validator) {
	v.name("title", &p.Title)
	v.ref("museumId", EntityMuseum, p.MuseumID)
	v.ref("communityId", EntityCommunity, p.CommunityID)
	v.text("purpose", &p.Purpose)
	enumField(v, "status", PartnershipStatuses, p.Status)
	optEnum(v, "participationModel", ParticipationModels, p.ParticipationModel)
	v.dates("startDate", p.StartDate, "endDate", p.EndDate)
	if p.Status == StatusEnded && p.EndDate == nil {
		v.add("endDate", "is required when status is ENDED")
	}
	v.optRef("programmeId", EntityProgramme, p.ProgrammeID)
	if p.OutcomeIDs == nil {
		p.OutcomeIDs = []string{}
	}
	v.refList("outcomeIds", EntityOutcome, &p.OutcomeIDs)
	v.outcomesOfProgramme("outcomeIds", p.OutcomeIDs, p.ProgrammeID)
	p.SortStart = ""
	if p.StartDate != nil {
		p.SortStart = string(*p.StartDate)
	}
}

// outcomesOfProgramme checks, once references resolve, that outcomes belong to the given
// programme when there is one.
func (v *validator) outcomesOfProgramme(field string, ids []string, programmeID *string) {
	if programmeID == nil || len(ids) == 0 {
		return
	}
	v.after(func(ctx context.Context) error {
		outs, errs := v.s.Outcomes.GetMany(ctx, ids)
		for i, o := range outs {
			if errs[i] != nil {
				return errs[i]
			}
			if o.ProgrammeID != *programmeID {
				v.add(field, "outcome %q belongs to another programme than programmeId", o.ID)
			}
		}
		return nil
	})
}

// CreatePartnership validates and stores a new partnership (PROPOSED unless a status is
// given).
func (s *Store) CreatePartnership(ctx context.Context, in CreatePartnershipInput) (*Partnership, error) {
	p := &Partnership{Title: in.Title, MuseumID: in.MuseumID, CommunityID: in.CommunityID, Purpose: in.Purpose,
		Status: StatusProposed, StartDate: in.StartDate, EndDate: in.EndDate, ParticipationModel: in.ParticipationModel,
		ProgrammeID: in.ProgrammeID, OutcomeIDs: in.OutcomeIDs}
	if in.Status != nil {
		p.Status = *in.Status
	}
	return create(ctx, s.Partnerships, p, p.check)
}

// StartPartnership creates an ACTIVE partnership starting on the given day (today when
// omitted).
func (s *Store) StartPartnership(ctx context.Context, in StartPartnershipInput) (*Partnership, error) {
	start := DateOf(s.clock())
	if in.StartDate != nil {
		start = *in.StartDate
	}
	return s.CreatePartnership(ctx, CreatePartnershipInput{Title: in.Title, MuseumID: in.MuseumID,
		CommunityID: in.CommunityID, Purpose: in.Purpose, Status: ptr(StatusActive), StartDate: &start,
		ParticipationModel: in.ParticipationModel, ProgrammeID: in.ProgrammeID, OutcomeIDs: in.OutcomeIDs})
}

// UpdatePartnership changes a partnership.
func (s *Store) UpdatePartnership(ctx context.Context, in UpdatePartnershipInput) (*Partnership, error) {
	return update(ctx, s.Partnerships, OpUpdated, in.ID, in.ExpectedVersion, func(p *Partnership, v *validator) {
		patchValue(&p.Title, in.Title)
		patchValue(&p.CommunityID, in.CommunityID)
		patch(&p.Purpose, in.Purpose)
		patchValue(&p.Status, in.Status)
		patch(&p.StartDate, in.StartDate)
		patch(&p.EndDate, in.EndDate)
		patch(&p.ParticipationModel, in.ParticipationModel)
		patch(&p.ProgrammeID, in.ProgrammeID)
		patch(&p.OutcomeIDs, in.OutcomeIDs)
		p.check(v)
	})
}

// EndPartnership ends a partnership on the given day (today when omitted).
func (s *Store) EndPartnership(ctx context.Context, in EndPartnershipInput) (*Partnership, error) {
	end := DateOf(s.clock())
	if in.EndDate != nil {
		end = *in.EndDate
	}
	return update(ctx, s.Partnerships, OpUpdated, in.ID, in.ExpectedVersion, func(p *Partnership, v *validator) {
		p.Status, p.EndDate = StatusEnded, &end
		p.check(v)
	})
}

// ArchivePartnership archives a partnership.
func (s *Store) ArchivePartnership(ctx context.Context, in ArchiveInput) (*Partnership, error) {
	return archive(ctx, s.Partnerships, in)
}

func ptr[T any](v T) *T { return &v }
