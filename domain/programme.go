package domain

import (
	"regexp"

	"github.com/99designs/gqlgen/graphql"
)

// ProgrammeFilter selects programmes.
type ProgrammeFilter struct {
	Search          *string
	Funder          *string
	ActiveOn        *Date
	IncludeArchived *bool
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

func (p *Programme) Check(v *Validator) {
	v.Name("name", &p.Name)
	v.Text("description", &p.Description)
	v.ShortText("funder", &p.Funder)
	v.URL("website", &p.Website)
	v.Dates("startDate", p.StartDate, "endDate", p.EndDate)
	p.SortStart = ""
	if p.StartDate != nil {
		p.SortStart = string(*p.StartDate)
	}
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

func (o *Outcome) Check(v *Validator) {
	if o.Number < 1 || o.Number > 99 {
		v.Add("number", "must be between 1 and 99")
	}
	v.Name("code", &o.Code)
	if !codePattern.MatchString(o.Code) {
		v.Add("code", "must be upper-case letters, digits and underscores, for example COMMUNITY_AGENCY")
	}
	v.Name("title", &o.Title)
	v.Text("description", &o.Description)
	v.TextUpTo("source", &o.Source, 2000)
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

func (m *ProgrammeMembership) Check(v *Validator) {
	v.RequiredDate("startDate", m.StartDate)
	v.Dates("startDate", &m.StartDate, "endDate", m.EndDate)
}
