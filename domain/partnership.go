package domain

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
)

func (p *Partnership) OwnerMuseum() string { return p.MuseumID }

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

func (p *Partnership) Check(v *Validator) {
	v.Name("title", &p.Title)
	v.Ref("museumId", EntityMuseum, p.MuseumID)
	v.Ref("communityId", EntityCommunity, p.CommunityID)
	v.Text("purpose", &p.Purpose)
	EnumField(v, "status", PartnershipStatuses, p.Status)
	OptEnum(v, "participationModel", ParticipationModels, p.ParticipationModel)
	v.Dates("startDate", p.StartDate, "endDate", p.EndDate)
	if p.Status == StatusEnded && p.EndDate == nil {
		v.Add("endDate", "is required when status is ENDED")
	}
	v.OptRef("programmeId", EntityProgramme, p.ProgrammeID)
	if p.OutcomeIDs == nil {
		p.OutcomeIDs = []string{}
	}
	v.RefList("outcomeIds", EntityOutcome, &p.OutcomeIDs)
	v.OutcomesOfProgramme("outcomeIds", p.OutcomeIDs, p.ProgrammeID)
	p.SortStart = ""
	if p.StartDate != nil {
		p.SortStart = string(*p.StartDate)
	}
}

// OutcomesOfProgramme checks, once references resolve, that outcomes belong to the given
// programme when there is one.
func (v *Validator) OutcomesOfProgramme(field string, ids []string, programmeID *string) {
	if programmeID == nil || len(ids) == 0 {
		return
	}
	v.After(func(ctx context.Context) error {
		outs, errs := v.Records.Records(ctx, EntityOutcome, ids)
		for i, rec := range outs {
			if errs[i] != nil {
				return errs[i]
			}
			o := rec.(*Outcome)
			if o.ProgrammeID != *programmeID {
				v.Add(field, "outcome %q belongs to another programme than programmeId", o.ID)
			}
		}
		return nil
	})
}
