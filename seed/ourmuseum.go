// Package seed loads data into an empty database: the Our Museum programme as it was (its
// outcomes, member organisations and their dates, quoted from the programme's own
// description), and, only when asked, fictional sample data for exploring and
// benchmarking, marked as sample in every record.
package seed

import (
	"context"
	"fmt"

	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/store"
)

// OurMuseumSource is where the programme's and outcomes' descriptions are quoted from.
const OurMuseumSource = "Our Museum programme website, \"About the initiative\" (Paul Hamlyn Foundation)"

// OurMuseumProgrammeID is the id the Our Museum programme always has.
var OurMuseumProgrammeID = domain.StableID(domain.EntityProgramme, "our-museum")

type member struct {
	key, name, description, city, region, website string
	kind                                          domain.OrganisationKind
	end                                           domain.Date
}

// The nine organisations of Our Museum, with the last day of their membership: the
// programme ran January 2012 – December 2015; Ryedale Folk Museum took part until June
// 2014 and the Museum of East Anglian Life until February 2015.
var members = []member{
	{"hackney-museum", "Hackney Museum", "The local history museum of the London Borough of Hackney.", "London", "London", "https://www.hackney.gov.uk/hackney-museum", "MUSEUM", "2015-12-31"},
	{"bristol-culture", "Bristol Culture", "Bristol City Council's museums, galleries and archives service.", "Bristol", "South West England", "https://www.bristolmuseums.org.uk", "MUSEUM_SERVICE", "2015-12-31"},
	{"the-lightbox", "The Lightbox", "Gallery and museum in Woking, Surrey.", "Woking", "South East England", "https://www.thelightbox.org.uk", "GALLERY", "2015-12-31"},
	{"national-museum-wales", "Amgueddfa Cymru – National Museum Wales", "The national museums of Wales.", "Cardiff", "Wales", "https://museum.wales", "MUSEUM_SERVICE", "2015-12-31"},
	{"belfast-exposed", "Belfast Exposed", "Photography gallery and archive in Belfast.", "Belfast", "Northern Ireland", "https://www.belfastexposed.org", "GALLERY", "2015-12-31"},
	{"tyne-wear-archives-museums", "Tyne & Wear Archives & Museums", "Museums, galleries and archives service of Tyneside and Sunderland.", "Newcastle upon Tyne", "North East England", "https://www.twmuseums.org.uk", "MUSEUM_SERVICE", "2015-12-31"},
	{"glasgow-museums", "Glasgow Museums", "The museums service of the city of Glasgow.", "Glasgow", "Scotland", "https://www.glasgowlife.org.uk/museums", "MUSEUM_SERVICE", "2015-12-31"},
	{"ryedale-folk-museum", "Ryedale Folk Museum", "Folk museum in Hutton-le-Hole, North Yorkshire.", "Hutton-le-Hole", "Yorkshire and the Humber", "https://www.ryedalefolkmuseum.co.uk", "MUSEUM", "2014-06-30"},
	{"museum-of-east-anglian-life", "Museum of East Anglian Life", "Rural life museum in Stowmarket, Suffolk.", "Stowmarket", "East of England", "", "MUSEUM", "2015-02-28"},
}

type outcome struct {
	number             int
	code, title, quote string
}

// The four outcomes, their statements quoted from the programme's description of itself.
var outcomes = []outcome{
	{1, "ROOTED_IN_LOCAL_NEEDS", "Rooted in local needs", "Museums and galleries understand their role within their localities: they are effectively informed of, and respond to, the range of their communities’ needs and values, and are aware of and initiate opportunities for partnerships with communities and other sectors to meet local needs."},
	{2, "COMMUNITY_AGENCY", "Community agency", "Communities are sustainable at the core of all the values, strategies, structures and work of museums and galleries: actively and regularly participating and collaborating in dialogue and decision-making about the work of the museum/gallery."},
	{3, "CAPABILITY_BUILDING", "Capability-building", "Museums and galleries play an effective role in developing community skills, capabilities and creativity: preparing and helping people to be engaged in their communities, to articulate their voices, to find employment or volunteering opportunities in the heritage sector and elsewhere; and supporting staff to learn how to work with communities."},
	{4, "REFLECTION", "Reflection", "Museums and galleries embed reflective practice into their work: internally, with community partners, and across the sector, to ensure ongoing reflection, dialogue and openness to challenge, alternative values and working methods."},
}

const programmeDescription = "Our Museum: Communities and Museums as Active Partners is a Paul Hamlyn Foundation programme to facilitate a process of development and organisational change within museums and galleries committed to active partnership with their communities, with the ambition of affecting the museum sector more widely."

func opt(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// OurMuseum loads the Our Museum programme, its outcomes, its nine member organisations
// and their memberships, unless the programme is already there. It reports whether it
// loaded anything. Records left by an interrupted earlier load are kept and the rest is
// added; the programme itself is written last, so its presence means the load finished.
func OurMuseum(ctx context.Context, s *store.Store) (bool, error) {
	if _, err := s.Programmes.Get(ctx, OurMuseumProgrammeID); err == nil {
		return false, nil
	} else if !domain.IsNotFound(err) {
		return false, err
	}
	start, end := domain.Date("2012-01-01"), domain.Date("2015-12-31")
	var outs []*domain.Outcome
	for _, o := range outcomes {
		rec := &domain.Outcome{ProgrammeID: OurMuseumProgrammeID, Number: o.number, Code: o.code, Title: o.title,
			Description: opt(o.quote), Source: opt(OurMuseumSource)}
		rec.ID = domain.StableID(domain.EntityOutcome, "our-museum/"+o.code)
		outs = append(outs, rec)
	}
	var museums []*domain.Museum
	var memberships []*domain.ProgrammeMembership
	for _, m := range members {
		rec := &domain.Museum{Name: m.name, Kind: m.kind, Description: opt(m.description), City: opt(m.city),
			Region: opt(m.region), Country: opt("United Kingdom"), Website: opt(m.website)}
		rec.ID = domain.StableID(domain.EntityMuseum, m.key)
		museums = append(museums, rec)
		endDate := m.end
		ms := &domain.ProgrammeMembership{ProgrammeID: OurMuseumProgrammeID, MuseumID: rec.ID, StartDate: start, EndDate: &endDate}
		ms.ID = domain.StableID(domain.EntityMembership, "our-museum/"+m.key)
		memberships = append(memberships, ms)
	}
	pubs := []*domain.Publication{
		{Title: "Whose cake is it anyway? A collaborative investigation into engagement and participation in 12 museums and galleries in the UK",
			Authors: []string{"Bernadette Lynch"}, Year: 2011, Kind: "RESEARCH", Publisher: opt("Paul Hamlyn Foundation")},
		{Title: "No longer us and them: How to change into a participatory museum and gallery. Learning from the Our Museum programme",
			Authors: []string{"Piotr Bienkowski"}, Year: 2016, Kind: "LEARNING_REPORT", Publisher: opt("Paul Hamlyn Foundation"),
			ProgrammeID: &OurMuseumProgrammeID},
	}
	for i, p := range pubs {
		p.ID = domain.StableID(domain.EntityPublic, fmt.Sprintf("our-museum/publication/%d", i))
	}
	prog := &domain.Programme{Name: "Our Museum: Communities and Museums as Active Partners",
		Description: opt(programmeDescription), Funder: opt("Paul Hamlyn Foundation"),
		StartDate: &start, EndDate: &end}
	prog.ID = OurMuseumProgrammeID
	steps := []func() error{
		func() error { return store.InsertMissing(ctx, s.Outcomes, outs) },
		func() error { return store.InsertMissing(ctx, s.Museums, museums) },
		func() error { return store.InsertMissing(ctx, s.Memberships, memberships) },
		func() error { return store.InsertMissing(ctx, s.Publications, pubs) },
		func() error { return store.Insert(ctx, s.Programmes, []*domain.Programme{prog}) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return false, fmt.Errorf("seed: Our Museum: %w", err)
		}
	}
	return true, nil
}
