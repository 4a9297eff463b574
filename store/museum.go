package store

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"go.mongodb.org/mongo-driver/v2/bson"
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

func (s *Store) museumQuery(ctx context.Context, f *MuseumFilter) (bson.D, error) {
	b := common(f.Sample, f.IncludeArchived)
	b.search(f.Search, "name", "description")
	in(b, "kind", f.Kinds)
	eq(b, "city", f.City)
	eq(b, "region", f.Region)
	eq(b, "country", f.Country)
	eq(b, "parentId", f.ParentID)
	if f.ProgrammeID != nil {
		ms, err := s.Memberships.find(ctx, bson.D{{Key: "programmeId", Value: *f.ProgrammeID}, {Key: "archived", Value: false}}, nil, 0)
		if err != nil {
			return nil, err
		}
		ids := make([]string, len(ms))
		for i, m := range ms {
			ids[i] = m.MuseumID
		}
		if len(ids) == 0 {
			b.none()
		}
		in(b, "_id", ids)
	}
	return b.build(), nil
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

func (m *Museum) check(v *validator) {
	v.name("name", &m.Name)
	enumField(v, "kind", OrganisationKinds, m.Kind)
	v.text("description", &m.Description)
	v.shortText("city", &m.City)
	v.shortText("region", &m.Region)
	v.shortText("country", &m.Country)
	v.url("website", &m.Website)
	v.optRef("parentId", EntityMuseum, m.ParentID)
}

// CreateMuseum validates and stores a new museum.
func (s *Store) CreateMuseum(ctx context.Context, in CreateMuseumInput) (*Museum, error) {
	m := &Museum{Name: in.Name, Kind: in.Kind, Description: in.Description, City: in.City, Region: in.Region,
		Country: in.Country, Website: in.Website, ParentID: in.ParentID}
	return create(ctx, s.Museums, m, m.check)
}

// UpdateMuseum changes a museum. A museum cannot become its own ancestor.
func (s *Store) UpdateMuseum(ctx context.Context, in UpdateMuseumInput) (*Museum, error) {
	return update(ctx, s.Museums, OpUpdated, in.ID, in.ExpectedVersion, func(m *Museum, v *validator) {
		patchValue(&m.Name, in.Name)
		patchValue(&m.Kind, in.Kind)
		patch(&m.Description, in.Description)
		patch(&m.City, in.City)
		patch(&m.Region, in.Region)
		patch(&m.Country, in.Country)
		patch(&m.Website, in.Website)
		patch(&m.ParentID, in.ParentID)
		m.check(v)
		if m.ParentID != nil {
			id, parent := m.ID, *m.ParentID
			v.after(func(ctx context.Context) error { return s.checkNoCycle(ctx, v, id, parent) })
		}
	})
}

// checkNoCycle refuses a parent that is the museum itself or one of its descendants. It
// runs under the museum's update lock, once the parent is known to exist.
func (s *Store) checkNoCycle(ctx context.Context, v *validator, id, parent string) error {
	seen := map[string]bool{}
	for cur := parent; cur != ""; {
		if cur == id {
			v.add("parentId", "a museum cannot be its own parent or ancestor")
			return nil
		}
		if seen[cur] {
			return nil // an existing loop above; not this update's doing
		}
		seen[cur] = true
		m, err := s.Museums.Get(ctx, cur)
		if err != nil {
			return err
		}
		cur = ""
		if m.ParentID != nil {
			cur = *m.ParentID
		}
	}
	return nil
}

// ArchiveMuseum archives a museum. Its records stay, reachable by id.
func (s *Store) ArchiveMuseum(ctx context.Context, in ArchiveInput) (*Museum, error) {
	return archive(ctx, s.Museums, in)
}

// CommunityFilter selects communities.
type CommunityFilter struct {
	Search          *string
	Kinds           []CommunityKind
	Area            *string
	Sample          *bool
	IncludeArchived *bool
}

func communityQuery(_ context.Context, f *CommunityFilter) (bson.D, error) {
	b := common(f.Sample, f.IncludeArchived)
	b.search(f.Search, "name", "description", "area")
	in(b, "kind", f.Kinds)
	eq(b, "area", f.Area)
	return b.build(), nil
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

func (c *Community) check(v *validator) {
	v.name("name", &c.Name)
	enumField(v, "kind", CommunityKinds, c.Kind)
	v.text("description", &c.Description)
	v.shortText("area", &c.Area)
}

// CreateCommunity validates and stores a new community.
func (s *Store) CreateCommunity(ctx context.Context, in CreateCommunityInput) (*Community, error) {
	c := &Community{Name: in.Name, Kind: in.Kind, Description: in.Description, Area: in.Area}
	return create(ctx, s.Communities, c, c.check)
}

// UpdateCommunity changes a community.
func (s *Store) UpdateCommunity(ctx context.Context, in UpdateCommunityInput) (*Community, error) {
	return update(ctx, s.Communities, OpUpdated, in.ID, in.ExpectedVersion, func(c *Community, v *validator) {
		patchValue(&c.Name, in.Name)
		patchValue(&c.Kind, in.Kind)
		patch(&c.Description, in.Description)
		patch(&c.Area, in.Area)
		c.check(v)
	})
}

// ArchiveCommunity archives a community.
func (s *Store) ArchiveCommunity(ctx context.Context, in ArchiveInput) (*Community, error) {
	return archive(ctx, s.Communities, in)
}

// PersonFilter selects people. Search looks only at pseudonyms, never at personal data.
type PersonFilter struct {
	Search          *string
	CommunityID     *string
	Sample          *bool
	IncludeArchived *bool
}

func personQuery(_ context.Context, f *PersonFilter) (bson.D, error) {
	b := common(f.Sample, f.IncludeArchived)
	b.search(f.Search, "pseudonym")
	eq(b, "communityId", f.CommunityID)
	return b.build(), nil
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

func (p *Person) check(v *validator) {
	v.name("pseudonym", &p.Pseudonym)
	if p.Erased && (p.DisplayName != nil || p.Email != nil) {
		v.add("displayName", "this person's personal data was erased and cannot be set again")
	}
	v.shortText("displayName", &p.DisplayName)
	v.email("email", &p.Email)
	v.optRef("communityId", EntityCommunity, p.CommunityID)
}

// setConsent records what the person agrees to now, with when it was given or withdrawn.
func (p *Person) setConsent(c ConsentInput, now time.Time) {
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

// CreatePerson validates and stores a new person.
func (s *Store) CreatePerson(ctx context.Context, in CreatePersonInput) (*Person, error) {
	p := &Person{Pseudonym: in.Pseudonym, DisplayName: in.DisplayName, Email: in.Email, CommunityID: in.CommunityID}
	if in.Consent != nil {
		p.setConsent(*in.Consent, s.clock())
	}
	return create(ctx, s.People, p, p.check)
}

// UpdatePerson changes a person.
func (s *Store) UpdatePerson(ctx context.Context, in UpdatePersonInput) (*Person, error) {
	return update(ctx, s.People, OpUpdated, in.ID, in.ExpectedVersion, func(p *Person, v *validator) {
		patchValue(&p.Pseudonym, in.Pseudonym)
		patch(&p.DisplayName, in.DisplayName)
		patch(&p.Email, in.Email)
		patch(&p.CommunityID, in.CommunityID)
		p.check(v)
	})
}

// RecordConsent records what a person agrees to now; withdrawal takes effect at once.
func (s *Store) RecordConsent(ctx context.Context, in RecordConsentInput) (*Person, error) {
	return update(ctx, s.People, OpUpdated, in.PersonID, in.ExpectedVersion, func(p *Person, v *validator) {
		if p.Erased && (in.RecordParticipation || in.PublishName || in.Contact) {
			v.add("personId", "this person's data was erased; record a new person instead")
		}
		p.setConsent(ConsentInput{in.RecordParticipation, in.PublishName, in.Contact}, s.clock())
	})
}

// ErasePerson removes a person's name and e-mail for good and withdraws every consent. The
// person's pseudonym, community and participation in events stay, so anonymous counts do
// not change.
func (s *Store) ErasePerson(ctx context.Context, in ErasePersonInput) (*Person, error) {
	return update(ctx, s.People, OpErased, in.ID, nil, func(p *Person, _ *validator) {
		now := s.clock()
		p.DisplayName, p.Email = nil, nil
		p.setConsent(ConsentInput{}, now)
		if !p.Erased {
			p.Erased, p.ErasedAt = true, &now
		}
	})
}

// ArchivePerson archives a person.
func (s *Store) ArchivePerson(ctx context.Context, in ArchiveInput) (*Person, error) {
	return archive(ctx, s.People, in)
}
