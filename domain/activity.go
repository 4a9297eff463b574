package domain

import (
	"time"

	"github.com/99designs/gqlgen/graphql"
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

func (a *Activity) Check(v *Validator) {
	EnumField(v, "kind", ActivityKinds, a.Kind)
	v.Name("title", &a.Title)
	v.Text("description", &a.Description)
	v.Ref("museumId", EntityMuseum, a.MuseumID)
	v.OptRef("partnershipId", EntityPartner, a.PartnershipID)
	v.SameMuseum("partnershipId", EntityPartner, a.PartnershipID, a.MuseumID)
	v.RequiredDate("startDate", a.StartDate)
	v.Dates("startDate", &a.StartDate, "endDate", a.EndDate)
	v.Count("participantCount", a.ParticipantCount)
	if a.Hours != nil && (*a.Hours < 0 || *a.Hours > 1e6) {
		v.Add("hours", "must be between 0 and 1,000,000")
	}
	if a.Skills == nil {
		a.Skills = []string{}
	}
	v.List("skills", &a.Skills)
	a.SkillKeys = make([]string, len(a.Skills))
	for i, s := range a.Skills {
		a.SkillKeys[i] = SkillKey(s)
	}
	if a.OutcomeIDs == nil {
		a.OutcomeIDs = []string{}
	}
	v.RefList("outcomeIds", EntityOutcome, &a.OutcomeIDs)
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

func (r *Reflection) Check(v *Validator) {
	v.Ref("museumId", EntityMuseum, r.MuseumID)
	v.OptRef("partnershipId", EntityPartner, r.PartnershipID)
	v.SameMuseum("partnershipId", EntityPartner, r.PartnershipID, r.MuseumID)
	v.OptRef("decisionEventId", EntityEvent, r.DecisionEventID)
	v.SameMuseum("decisionEventId", EntityEvent, r.DecisionEventID, r.MuseumID)
	EnumField(v, "author", ReflectionAuthors, r.Author)
	v.RequiredDate("writtenOn", r.WrittenOn)
	if r.WrittenOn > DateOf(v.Now.Add(24*time.Hour)) {
		v.Add("writtenOn", "must not be in the future")
	}
	v.RequiredText("text", &r.Text)
	if r.ChallengesRaised == nil {
		r.ChallengesRaised = []string{}
	}
	if r.ChangesAgreed == nil {
		r.ChangesAgreed = []string{}
	}
	v.List("challengesRaised", &r.ChallengesRaised)
	v.List("changesAgreed", &r.ChangesAgreed)
	EnumField(v, "visibility", Visibilities, r.Visibility)
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

func (p *Publication) Check(v *Validator) {
	v.Name("title", &p.Title)
	v.List("authors", &p.Authors)
	if len(p.Authors) == 0 {
		v.Add("authors", "must name at least one author (an organisation will do)")
	}
	if p.Year < 1800 || p.Year > v.Now.Year()+1 {
		v.Add("year", "must be between 1800 and next year")
	}
	EnumField(v, "kind", PublicationKinds, p.Kind)
	v.URL("url", &p.URL)
	v.ShortText("publisher", &p.Publisher)
	v.OptRef("programmeId", EntityProgramme, p.ProgrammeID)
	if p.MuseumIDs == nil {
		p.MuseumIDs = []string{}
	}
	v.RefList("museumIds", EntityMuseum, &p.MuseumIDs)
}
