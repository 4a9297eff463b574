package store

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/participation-graph/participation-graph/domain"
)

func (s *Store) activityQuery(ctx context.Context, f *domain.ActivityFilter) (bson.D, error) {
	b := common(f.Sample, f.IncludeArchived)
	b.search(f.Search, "title", "description")
	eq(b, "museumId", f.MuseumID)
	eq(b, "partnershipId", f.PartnershipID)
	in(b, "kind", f.Kinds)
	if f.Skill != nil {
		b.add("skillKeys", domain.SkillKey(*f.Skill))
	}
	cmpOp(b, "startDate", "$gte", f.StartedAfter)
	cmpOp(b, "startDate", "$lte", f.StartedBefore)
	if err := s.outcomeFilter(ctx, b, f.OutcomeCodes); err != nil {
		return nil, err
	}
	return b.build(), nil
}

// RecordActivity validates and stores a new activity.
func (s *Store) RecordActivity(ctx context.Context, in domain.RecordActivityInput) (*domain.Activity, error) {
	a := &domain.Activity{Kind: in.Kind, Title: in.Title, Description: in.Description, MuseumID: in.MuseumID,
		PartnershipID: in.PartnershipID, StartDate: in.StartDate, EndDate: in.EndDate,
		ParticipantCount: in.ParticipantCount, Hours: in.Hours, Skills: in.Skills, OutcomeIDs: in.OutcomeIDs}
	return create(ctx, s.Activities, a, a.Check)
}

// UpdateActivity changes an activity.
func (s *Store) UpdateActivity(ctx context.Context, in domain.UpdateActivityInput) (*domain.Activity, error) {
	return update(ctx, s.Activities, domain.OpUpdated, in.ID, in.ExpectedVersion, func(a *domain.Activity, v *domain.Validator) {
		domain.PatchValue(&a.Kind, in.Kind)
		domain.PatchValue(&a.Title, in.Title)
		domain.Patch(&a.Description, in.Description)
		domain.Patch(&a.PartnershipID, in.PartnershipID)
		domain.PatchValue(&a.StartDate, in.StartDate)
		domain.Patch(&a.EndDate, in.EndDate)
		domain.Patch(&a.ParticipantCount, in.ParticipantCount)
		domain.Patch(&a.Hours, in.Hours)
		domain.Patch(&a.Skills, in.Skills)
		domain.Patch(&a.OutcomeIDs, in.OutcomeIDs)
		a.Check(v)
	})
}

// ArchiveActivity archives an activity.
func (s *Store) ArchiveActivity(ctx context.Context, in domain.ArchiveInput) (*domain.Activity, error) {
	return archive(ctx, s.Activities, in)
}

func reflectionQuery(_ context.Context, f *domain.ReflectionFilter) (bson.D, error) {
	b := common(f.Sample, f.IncludeArchived)
	b.search(f.Search, "text")
	eq(b, "museumId", f.MuseumID)
	eq(b, "partnershipId", f.PartnershipID)
	eq(b, "decisionEventId", f.DecisionEventID)
	in(b, "author", f.Authors)
	cmpOp(b, "writtenOn", "$gte", f.WrittenAfter)
	cmpOp(b, "writtenOn", "$lte", f.WrittenBefore)
	eq(b, "visibility", f.Visibility)
	return b.build(), nil
}

// AddReflection validates and stores a new reflection (PUBLIC unless said otherwise).
func (s *Store) AddReflection(ctx context.Context, in domain.AddReflectionInput) (*domain.Reflection, error) {
	r := &domain.Reflection{MuseumID: in.MuseumID, PartnershipID: in.PartnershipID, DecisionEventID: in.DecisionEventID,
		Author: in.Author, WrittenOn: in.WrittenOn, Text: in.Text, ChallengesRaised: in.ChallengesRaised,
		ChangesAgreed: in.ChangesAgreed, Visibility: domain.VisibilityPublic}
	if in.Visibility != nil {
		r.Visibility = *in.Visibility
	}
	return create(ctx, s.Reflections, r, r.Check)
}

// UpdateReflection changes a reflection.
func (s *Store) UpdateReflection(ctx context.Context, in domain.UpdateReflectionInput) (*domain.Reflection, error) {
	return update(ctx, s.Reflections, domain.OpUpdated, in.ID, in.ExpectedVersion, func(r *domain.Reflection, v *domain.Validator) {
		domain.Patch(&r.PartnershipID, in.PartnershipID)
		domain.Patch(&r.DecisionEventID, in.DecisionEventID)
		domain.PatchValue(&r.Author, in.Author)
		domain.PatchValue(&r.WrittenOn, in.WrittenOn)
		domain.PatchValue(&r.Text, in.Text)
		domain.Patch(&r.ChallengesRaised, in.ChallengesRaised)
		domain.Patch(&r.ChangesAgreed, in.ChangesAgreed)
		domain.PatchValue(&r.Visibility, in.Visibility)
		r.Check(v)
	})
}

// ArchiveReflection archives a reflection.
func (s *Store) ArchiveReflection(ctx context.Context, in domain.ArchiveInput) (*domain.Reflection, error) {
	return archive(ctx, s.Reflections, in)
}

func publicationQuery(_ context.Context, f *domain.PublicationFilter) (bson.D, error) {
	b := common(f.Sample, f.IncludeArchived)
	b.search(f.Search, "title", "authors")
	eq(b, "programmeId", f.ProgrammeID)
	eq(b, "museumIds", f.MuseumID)
	in(b, "kind", f.Kinds)
	cmpOp(b, "year", "$gte", f.YearFrom)
	cmpOp(b, "year", "$lte", f.YearTo)
	return b.build(), nil
}

// CreatePublication validates and stores a new publication.
func (s *Store) CreatePublication(ctx context.Context, in domain.CreatePublicationInput) (*domain.Publication, error) {
	p := &domain.Publication{Title: in.Title, Authors: in.Authors, Year: in.Year, Kind: in.Kind, URL: in.URL,
		Publisher: in.Publisher, ProgrammeID: in.ProgrammeID, MuseumIDs: in.MuseumIDs}
	return create(ctx, s.Publications, p, p.Check)
}

// UpdatePublication changes a publication.
func (s *Store) UpdatePublication(ctx context.Context, in domain.UpdatePublicationInput) (*domain.Publication, error) {
	return update(ctx, s.Publications, domain.OpUpdated, in.ID, in.ExpectedVersion, func(p *domain.Publication, v *domain.Validator) {
		domain.PatchValue(&p.Title, in.Title)
		domain.Patch(&p.Authors, in.Authors)
		domain.PatchValue(&p.Year, in.Year)
		domain.PatchValue(&p.Kind, in.Kind)
		domain.Patch(&p.URL, in.URL)
		domain.Patch(&p.Publisher, in.Publisher)
		domain.Patch(&p.ProgrammeID, in.ProgrammeID)
		domain.Patch(&p.MuseumIDs, in.MuseumIDs)
		p.Check(v)
	})
}

// ArchivePublication archives a publication.
func (s *Store) ArchivePublication(ctx context.Context, in domain.ArchiveInput) (*domain.Publication, error) {
	return archive(ctx, s.Publications, in)
}
