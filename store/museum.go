package store

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/participation-graph/participation-graph/domain"
)

func (s *Store) museumQuery(ctx context.Context, f *domain.MuseumFilter) (bson.D, error) {
	b := common(f.Sample, f.IncludeArchived)
	b.search(f.Search, "name", "description")
	in(b, "kind", f.Kinds)
	eq(b, "city", f.City)
	eq(b, "region", f.Region)
	eq(b, "country", f.Country)
	eq(b, "parentId", f.ParentID)
	if f.ProgrammeID != nil {
		ms, err := s.Memberships.find(ctx, bson.D{{Key: "programmeId", Value: *f.ProgrammeID}, {Key: "archived", Value: false}}, nil, 0, nil)
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

// CreateMuseum validates and stores a new museum.
func (s *Store) CreateMuseum(ctx context.Context, in domain.CreateMuseumInput) (*domain.Museum, error) {
	m := &domain.Museum{Name: in.Name, Kind: in.Kind, Description: in.Description, City: in.City, Region: in.Region,
		Country: in.Country, Website: in.Website, ParentID: in.ParentID}
	return create(ctx, s.Museums, m, m.Check)
}

// UpdateMuseum changes a museum. A museum cannot become its own ancestor.
func (s *Store) UpdateMuseum(ctx context.Context, in domain.UpdateMuseumInput) (*domain.Museum, error) {
	return update(ctx, s.Museums, domain.OpUpdated, in.ID, in.ExpectedVersion, func(m *domain.Museum, v *domain.Validator) {
		domain.PatchValue(&m.Name, in.Name)
		domain.PatchValue(&m.Kind, in.Kind)
		domain.Patch(&m.Description, in.Description)
		domain.Patch(&m.City, in.City)
		domain.Patch(&m.Region, in.Region)
		domain.Patch(&m.Country, in.Country)
		domain.Patch(&m.Website, in.Website)
		domain.Patch(&m.ParentID, in.ParentID)
		m.Check(v)
		if m.ParentID != nil {
			id, parent := m.ID, *m.ParentID
			v.After(func(ctx context.Context) error { return s.checkNoCycle(ctx, v, id, parent) })
		}
	})
}

// checkNoCycle refuses a parent that is the museum itself or one of its descendants. It
// runs under the museum's update lock, once the parent is known to exist.
func (s *Store) checkNoCycle(ctx context.Context, v *domain.Validator, id, parent string) error {
	seen := map[string]bool{}
	for cur := parent; cur != ""; {
		if cur == id {
			v.Add("parentId", "a museum cannot be its own parent or ancestor")
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
func (s *Store) ArchiveMuseum(ctx context.Context, in domain.ArchiveInput) (*domain.Museum, error) {
	return archive(ctx, s.Museums, in)
}

func communityQuery(_ context.Context, f *domain.CommunityFilter) (bson.D, error) {
	b := common(f.Sample, f.IncludeArchived)
	b.search(f.Search, "name", "description", "area")
	in(b, "kind", f.Kinds)
	eq(b, "area", f.Area)
	return b.build(), nil
}

// CreateCommunity validates and stores a new community.
func (s *Store) CreateCommunity(ctx context.Context, in domain.CreateCommunityInput) (*domain.Community, error) {
	c := &domain.Community{Name: in.Name, Kind: in.Kind, Description: in.Description, Area: in.Area}
	return create(ctx, s.Communities, c, c.Check)
}

// UpdateCommunity changes a community.
func (s *Store) UpdateCommunity(ctx context.Context, in domain.UpdateCommunityInput) (*domain.Community, error) {
	return update(ctx, s.Communities, domain.OpUpdated, in.ID, in.ExpectedVersion, func(c *domain.Community, v *domain.Validator) {
		domain.PatchValue(&c.Name, in.Name)
		domain.PatchValue(&c.Kind, in.Kind)
		domain.Patch(&c.Description, in.Description)
		domain.Patch(&c.Area, in.Area)
		c.Check(v)
	})
}

// ArchiveCommunity archives a community.
func (s *Store) ArchiveCommunity(ctx context.Context, in domain.ArchiveInput) (*domain.Community, error) {
	return archive(ctx, s.Communities, in)
}

func personQuery(_ context.Context, f *domain.PersonFilter) (bson.D, error) {
	b := common(f.Sample, f.IncludeArchived)
	b.search(f.Search, "pseudonym")
	eq(b, "communityId", f.CommunityID)
	return b.build(), nil
}

// CreatePerson validates and stores a new person.
func (s *Store) CreatePerson(ctx context.Context, in domain.CreatePersonInput) (*domain.Person, error) {
	p := &domain.Person{Pseudonym: in.Pseudonym, DisplayName: in.DisplayName, Email: in.Email, CommunityID: in.CommunityID}
	if in.Consent != nil {
		p.SetConsent(*in.Consent, s.clock())
	}
	return create(ctx, s.People, p, p.Check)
}

// UpdatePerson changes a person.
func (s *Store) UpdatePerson(ctx context.Context, in domain.UpdatePersonInput) (*domain.Person, error) {
	return update(ctx, s.People, domain.OpUpdated, in.ID, in.ExpectedVersion, func(p *domain.Person, v *domain.Validator) {
		domain.PatchValue(&p.Pseudonym, in.Pseudonym)
		domain.Patch(&p.DisplayName, in.DisplayName)
		domain.Patch(&p.Email, in.Email)
		domain.Patch(&p.CommunityID, in.CommunityID)
		p.Check(v)
	})
}

// RecordConsent records what a person agrees to now; withdrawal takes effect at once.
func (s *Store) RecordConsent(ctx context.Context, in domain.RecordConsentInput) (*domain.Person, error) {
	return update(ctx, s.People, domain.OpUpdated, in.PersonID, in.ExpectedVersion, func(p *domain.Person, v *domain.Validator) {
		if p.Erased && (in.RecordParticipation || in.PublishName || in.Contact) {
			v.Add("personId", "this person's data was erased; record a new person instead")
		}
		p.SetConsent(domain.ConsentInput{RecordParticipation: in.RecordParticipation, PublishName: in.PublishName, Contact: in.Contact}, s.clock())
	})
}

// ErasePerson removes a person's name and e-mail for good and withdraws every consent. The
// person's pseudonym, community and participation in events stay, so anonymous counts do
// not change.
func (s *Store) ErasePerson(ctx context.Context, in domain.ErasePersonInput) (*domain.Person, error) {
	return update(ctx, s.People, domain.OpErased, in.ID, nil, func(p *domain.Person, _ *domain.Validator) {
		now := s.clock()
		p.DisplayName, p.Email = nil, nil
		p.SetConsent(domain.ConsentInput{}, now)
		if !p.Erased {
			p.Erased, p.ErasedAt = true, &now
		}
	})
}

// ArchivePerson archives a person.
func (s *Store) ArchivePerson(ctx context.Context, in domain.ArchiveInput) (*domain.Person, error) {
	return archive(ctx, s.People, in)
}
