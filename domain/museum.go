package domain

import (
	"time"

	"github.com/99designs/gqlgen/graphql"
)

// MuseumFilter selects museums.
type MuseumFilter struct {
	Search          *string
	Kinds           []OrganisationKind
	City            *string
	Region          *string
	Country         *string
	ProgrammeID     *string
	ParentID        *string
	Sample          *bool
	IncludeArchived *bool
}

// CreateMuseumInput is the input of createMuseum.
type CreateMuseumInput struct {
	Name        string
	Kind        OrganisationKind
	Description *string
	City        *string
	Region      *string
	Country     *string
	Website     *string
	ParentID    *string
}

// UpdateMuseumInput is the input of updateMuseum: absent fields stay, null clears.
type UpdateMuseumInput struct {
	ID              string
	ExpectedVersion *int
	Name            graphql.Omittable[*string]
	Kind            graphql.Omittable[*OrganisationKind]
	Description     graphql.Omittable[*string]
	City            graphql.Omittable[*string]
	Region          graphql.Omittable[*string]
	Country         graphql.Omittable[*string]
	Website         graphql.Omittable[*string]
	ParentID        graphql.Omittable[*string]
}

func (m *Museum) Check(v *Validator) {
	v.Name("name", &m.Name)
	EnumField(v, "kind", OrganisationKinds, m.Kind)
	v.Text("description", &m.Description)
	v.ShortText("city", &m.City)
	v.ShortText("region", &m.Region)
	v.ShortText("country", &m.Country)
	v.URL("website", &m.Website)
	v.OptRef("parentId", EntityMuseum, m.ParentID)
}

// CommunityFilter selects communities.
type CommunityFilter struct {
	Search          *string
	Kinds           []CommunityKind
	Area            *string
	Sample          *bool
	IncludeArchived *bool
}

// CreateCommunityInput is the input of createCommunity.
type CreateCommunityInput struct {
	Name        string
	Kind        CommunityKind
	Description *string
	Area        *string
}

// UpdateCommunityInput is the input of updateCommunity.
type UpdateCommunityInput struct {
	ID              string
	ExpectedVersion *int
	Name            graphql.Omittable[*string]
	Kind            graphql.Omittable[*CommunityKind]
	Description     graphql.Omittable[*string]
	Area            graphql.Omittable[*string]
}

func (c *Community) Check(v *Validator) {
	v.Name("name", &c.Name)
	EnumField(v, "kind", CommunityKinds, c.Kind)
	v.Text("description", &c.Description)
	v.ShortText("area", &c.Area)
}

// PersonFilter selects people. Search looks only at pseudonyms, never at personal data.
type PersonFilter struct {
	Search          *string
	CommunityID     *string
	Sample          *bool
	IncludeArchived *bool
}

// ConsentInput is what a person agrees to.
type ConsentInput struct {
	RecordParticipation bool
	PublishName         bool
	Contact             bool
}

// CreatePersonInput is the input of createPerson.
type CreatePersonInput struct {
	Pseudonym   string
	DisplayName *string
	Email       *string
	CommunityID *string
	Consent     *ConsentInput
}

// UpdatePersonInput is the input of updatePerson.
type UpdatePersonInput struct {
	ID              string
	ExpectedVersion *int
	Pseudonym       graphql.Omittable[*string]
	DisplayName     graphql.Omittable[*string]
	Email           graphql.Omittable[*string]
	CommunityID     graphql.Omittable[*string]
}

// RecordConsentInput is the input of recordConsent.
type RecordConsentInput struct {
	PersonID            string
	ExpectedVersion     *int
	RecordParticipation bool
	PublishName         bool
	Contact             bool
}

// ErasePersonInput is the input of erasePerson.
type ErasePersonInput struct {
	ID string
}

func (p *Person) Check(v *Validator) {
	v.Name("pseudonym", &p.Pseudonym)
	if p.Erased && (p.DisplayName != nil || p.Email != nil) {
		v.Add("displayName", "this person's personal data was erased and cannot be set again")
	}
	v.ShortText("displayName", &p.DisplayName)
	v.Email("email", &p.Email)
	v.OptRef("communityId", EntityCommunity, p.CommunityID)
}

// SetConsent records what the person agrees to now, with when it was given or withdrawn.
func (p *Person) SetConsent(c ConsentInput, now time.Time) {
	was := p.Consent.RecordParticipation || p.Consent.PublishName || p.Consent.Contact
	is := c.RecordParticipation || c.PublishName || c.Contact
	p.Consent.RecordParticipation, p.Consent.PublishName, p.Consent.Contact = c.RecordParticipation, c.PublishName, c.Contact
	switch {
	case is:
		p.Consent.GivenAt, p.Consent.WithdrawnAt = &now, nil
	case was:
		p.Consent.WithdrawnAt = &now
	}
}
