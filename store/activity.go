package store

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// ActivityFilter selects activities.
type ActivityFilter struct {
	Search          *string
	MuseumID        *string
	PartnershipID   *string
	Kinds           []ActivityKind
	Skill           *string
	StartedAfter    *Date
	StartedBefore   *Date
	OutcomeCodes    []string
	Sample          *bool
	IncludeArchived *bool
}

func (s *Store) activityQuery(ctx context.Context, f *ActivityFilter) (bson.D, error) {
	b := common(f.Sample, f.IncludeArchived)
	b.search(f.Search, "title", "description")
	eq(b, "museumId", f.MuseumID)
	eq(b, "partnershipId", f.PartnershipID)
	in(b, "kind", f.Kinds)
	if f.Skill != nil {
		b.add("skillKeys", skillKey(*f.Skill))
	}
	cmpOp(b, "startDate", "$gte", f.StartedAfter)
	cmpOp(b, "startDate", "$lte", f.StartedBefore)
	if err := s.outcomeFilter(ctx, b, f.OutcomeCodes); err != nil {
		return nil, err
	}
	return b.build(), nil
}

// RecordActivityInput is the input of recordActivity.
type RecordActivityInput struct {
	Kind             ActivityKind
	Title            string
	Description      *string
	MuseumID         string
	PartnershipID    *string
	StartDate        Date
	EndDate          *Date
	ParticipantCount *int
	Hours            *float64
	Skills           []string
	OutcomeIDs       []string
}

// UpdateActivityInput is the input of updateActivity.
type UpdateActivityInput struct {
	ID               string
	ExpectedVersion  *int
	Kind             graphql.Omittable[*ActivityKind]
	Title            graphql.Omittable[*string]
	Description      graphql.Omittable[*string]
	PartnershipID    graphql.Omittable[*string]
	StartDate        graphql.Omittable[*Date]
	EndDate          graphql.Omittable[*Date]
	ParticipantCount graphql.Omittable[*int]
	Hours            graphql.Omittable[*float64]
	Skills           graphql.Omittable[[]string]
	OutcomeIDs       graphql.Omittable[[]string]
}

func (a *Activity) check(v *validator) {
	enumField(v, "kind", ActivityKinds, a.Kind)
	v.name("title", &a.Title)
	v.text("description", &a.Description)
	v.ref("museumId", EntityMuseum, a.MuseumID)
	v.optRef("partnershipId", EntityPartner, a.PartnershipID)
	v.sameMuseum("partnershipId", EntityPartner, a.PartnershipID, a.MuseumID)
	v.requiredDate("startDate", a.StartDate)
	v.dates("startDate", &a.StartDate, "endDate", a.EndDate)
	v.count("participantCount", a.ParticipantCount)
	if a.Hours != nil && (*a.Hours < 0 || *a.Hours > 1e6) {
		v.add("hours", "must be between 0 and 1,000,000")
	}
	if a.Skills == nil {
		a.Skills = []string{}
	}
	v.list("skills", &a.Skills)
	a.SkillKeys = make([]string, len(a.Skills))
	for i, s := range a.Skills {
		a.SkillKeys[i] = skillKey(s)
	}
	if a.OutcomeIDs == nil {
		a.OutcomeIDs = []string{}
	}
	v.refList("outcomeIds", EntityOutcome, &a.OutcomeIDs)
}

// RecordActivity validates and stores a new activity.
func (s *Store) RecordActivity(ctx context.Context, in RecordActivityInput) (*Activity, error) {
	a := &Activity{Kind: in.Kind, Title: in.Title, Description: in.Description, MuseumID: in.MuseumID,
		PartnershipID: in.PartnershipID, StartDate: in.StartDate, EndDate: in.EndDate,
		ParticipantCount: in.ParticipantCount, Hours: in.Hours, Skills: in.Skills, OutcomeIDs: in.OutcomeIDs}
	return create(ctx, s.Activities, a, a.check)
}

// UpdateActivity changes an activity.
func (s *Store) UpdateActivity(ctx context.Context, in UpdateActivityInput) (*Activity, error) {
	return update(ctx, s.Activities, OpUpdated, in.ID, in.ExpectedVersion, func(a *Activity, v *validator) {
		patchValue(&a.Kind, in.Kind)
		patchValue(&a.Title, in.Title)
		patch(&a.Description, in.Description)
		patch(&a.PartnershipID, in.PartnershipID)
		patchValue(&a.StartDate, in.StartDate)
		patch(&a.EndDate, in.EndDate)
		patch(&a.ParticipantCount, in.ParticipantCount)
		patch(&a.Hours, in.Hours)
		patch(&a.Skills, in.Skills)
		patch(&a.OutcomeIDs, in.OutcomeIDs)
		a.check(v)
	})
}

// ArchiveActivity archives an activity.
func (s *Store) ArchiveActivity(ctx context.Context, in ArchiveInput) (*Activity, error) {
	return archive(ctx, s.Activities, in)
}

// ReflectionFilter selects reflections.
type ReflectionFilter struct {
	Search          *string
	MuseumID        *string
	PartnershipID   *string
	DecisionEventID *string
	Authors         []ReflectionAuthor
	WrittenAfter    *Date
	WrittenBefore   *Date
	Visibility      *Visibility
	Sample          *bool
	IncludeArchived *bool
}

func reflectionQuery(_ context.Context, f *ReflectionFilter) (bson.D, error) {
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

// AddReflectionInput is the input of addReflection.
type AddReflectionInput struct {
	MuseumID         string
	PartnershipID    *string
	DecisionEventID  *string
	Author           ReflectionAuthor
	WrittenOn        Date
	Text             string
	ChallengesRaised []string
	ChangesAgreed    []string
	Visibility       *Visibility
}

// UpdateReflectionInput is the input of updateReflection.
type UpdateReflectionInput struct {
	ID               string
	ExpectedVersion  *int
	PartnershipID    graphql.Omittable[*string]
	DecisionEventID  graphql.Omittable[*string]
	Author           graphql.Omittable[*ReflectionAuthor]
	WrittenOn        graphql.Omittable[*Date]
	Text             graphql.Omittable[*string]
	ChallengesRaised graphql.Omittable[[]string]
	ChangesAgreed    graphql.Omittable[[]string]
	Visibility       graphql.Omittable[*Visibility]
}

func (r *Reflection) check(v *validator) {
	v.ref("museumId", EntityMuseum, r.MuseumID)
	v.optRef("partnershipId", EntityPartner, r.PartnershipID)
	v.sameMuseum("partnershipId", EntityPartner, r.PartnershipID, r.MuseumID)
	v.optRef("decisionEventId", EntityEvent, r.DecisionEventID)
	v.sameMuseum("decisionEventId", EntityEvent, r.DecisionEventID, r.MuseumID)
	enumField(v, "author", ReflectionAuthors, r.Author)
	v.requiredDate("writtenOn", r.WrittenOn)
	if r.WrittenOn > DateOf(v.s.clock().Add(24*time.Hour)) {
		v.add("writtenOn", "must not be in the future")
	}
	v.requiredText("text", &r.Text)
	if r.ChallengesRaised == nil {
		r.ChallengesRaised = []string{}
	}
	if r.ChangesAgreed == nil {
		r.ChangesAgreed = []string{}
	}
	v.list("challengesRaised", &r.ChallengesRaised)
	v.list("changesAgreed", &r.ChangesAgreed)
	enumField(v, "visibility", Visibilities, r.Visibility)
}

// AddReflection validates and stores a new reflection (PUBLIC unless said otherwise).
func (s *Store) AddReflection(ctx context.Context, in AddReflectionInput) (*Reflection, error) {
	r := &Reflection{MuseumID: in.MuseumID, PartnershipID: in.PartnershipID, DecisionEventID: in.DecisionEventID,
		Author: in.Author, WrittenOn: in.WrittenOn, Text: in.Text, ChallengesRaised: in.ChallengesRaised,
		ChangesAgreed: in.ChangesAgreed, Visibility: VisibilityPublic}
	if in.Visibility != nil {
		r.Visibility = *in.Visibility
	}
	return create(ctx, s.Reflections, r, r.check)
}

// UpdateReflection changes a reflection.
func (s *Store) UpdateReflection(ctx context.Context, in UpdateReflectionInput) (*Reflection, error) {
	return update(ctx, s.Reflections, OpUpdated, in.ID, in.ExpectedVersion, func(r *Reflection, v *validator) {
		patch(&r.PartnershipID, in.PartnershipID)
		patch(&r.DecisionEventID, in.DecisionEventID)
		patchValue(&r.Author, in.Author)
		patchValue(&r.WrittenOn, in.WrittenOn)
		patchValue(&r.Text, in.Text)
		patch(&r.ChallengesRaised, in.ChallengesRaised)
		patch(&r.ChangesAgreed, in.ChangesAgreed)
		patchValue(&r.Visibility, in.Visibility)
		r.check(v)
	})
}

// ArchiveReflection archives a reflection.
func (s *Store) ArchiveReflection(ctx context.Context, in ArchiveInput) (*Reflection, error) {
	return archive(ctx, s.Reflections, in)
}

// PublicationFilter selects publications.
type PublicationFilter struct {
	Search          *string
	ProgrammeID     *string
	MuseumID        *string
	Kinds           []PublicationKind
	YearFrom        *int
	YearTo          *int
	Sample          *bool
	IncludeArchived *bool
}

func publicationQuery(_ context.Context, f *PublicationFilter) (bson.D, error) {
	b := common(f.Sample, f.IncludeArchived)
	b.search(f.Search, "title", "authors")
	eq(b, "programmeId", f.ProgrammeID)
	eq(b, "museumIds", f.MuseumID)
	in(b, "kind", f.Kinds)
	cmpOp(b, "year", "$gte", f.YearFrom)
	cmpOp(b, "year", "$lte", f.YearTo)
	return b.build(), nil
}

// CreatePublicationInput is the input of createPublication.
type CreatePublicationInput struct {
	Title       string
	Authors     []string
	Year        int
	Kind        PublicationKind
	URL         *string
	Publisher   *string
	ProgrammeID *string
	MuseumIDs   []string
}

// UpdatePublicationInput is the input of updatePublication.
type UpdatePublicationInput struct {
	ID              string
	ExpectedVersion *int
	Title           graphql.Omittable[*string]
	Authors         graphql.Omittable[[]string]
	Year            graphql.Omittable[*int]
	Kind            graphql.Omittable[*PublicationKind]
	URL             graphql.Omittable[*string]
	Publisher       graphql.Omittable[*string]
	ProgrammeID     graphql.Omittable[*string]
	MuseumIDs       graphql.Omittable[[]string]
}

func (p *Publication) check(v *validator) {
	v.name("title", &p.Title)
	v.list("authors", &p.Authors)
	if len(p.Authors) == 0 {
		v.add("authors", "must name at least one author (an organisation will do)")
	}
	if p.Year < 1800 || p.Year > v.s.clock().Year()+1 {
		v.add("year", "must be between 1800 and next year")
	}
	enumField(v, "kind", PublicationKinds, p.Kind)
	v.url("url", &p.URL)
	v.shortText("publisher", &p.Publisher)
	v.optRef("programmeId", EntityProgramme, p.ProgrammeID)
	if p.MuseumIDs == nil {
		p.MuseumIDs = []string{}
	}
	v.refList("museumIds", EntityMuseum, &p.MuseumIDs)
}

// CreatePublication validates and stores a new publication.
func (s *Store) CreatePublication(ctx context.Context, in CreatePublicationInput) (*Publication, error) {
	p := &Publication{Title: in.Title, Authors: in.Authors, Year: in.Year, Kind: in.Kind, URL: in.URL,
		Publisher: in.Publisher, ProgrammeID: in.ProgrammeID, MuseumIDs: in.MuseumIDs}
	return create(ctx, s.Publications, p, p.check)
}

// UpdatePublication changes a publication.
func (s *Store) UpdatePublication(ctx context.Context, in UpdatePublicationInput) (*Publication, error) {
	return update(ctx, s.Publications, OpUpdated, in.ID, in.ExpectedVersion, func(p *Publication, v *validator) {
		patchValue(&p.Title, in.Title)
		patch(&p.Authors, in.Authors)
		patchValue(&p.Year, in.Year)
		patchValue(&p.Kind, in.Kind)
		patch(&p.URL, in.URL)
		patch(&p.Publisher, in.Publisher)
		patch(&p.ProgrammeID, in.ProgrammeID)
		patch(&p.MuseumIDs, in.MuseumIDs)
		p.check(v)
	})
}

// ArchivePublication archives a publication.
func (s *Store) ArchivePublication(ctx context.Context, in ArchiveInput) (*Publication, error) {
	return archive(ctx, s.Publications, in)
}
