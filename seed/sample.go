package seed

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/internal/progress"
	"github.com/participation-graph/participation-graph/store"
)

// SampleStats says how many records of each kind Sample loaded.
type SampleStats struct {
	Programmes, Outcomes, Museums, Communities, People, Partnerships, Events, Activities, Reflections, Publications int
}

// ErrSampleLoaded is returned when the sample data is already in the database.
var ErrSampleLoaded = errors.New("seed: the sample data of this scale is already loaded")

// The largest scale Sample accepts.
const sampleMaxScale = 1_000_000

// sampleStream is the second half of the random generator's seed; the first is the scale.
const sampleStream = 0x5a4d_504c_4544_4154

// sampleChunk is how many records are generated and inserted at a time, so that memory
// stays bounded whatever the scale.
const sampleChunk = 5000

// samplePrefix begins every description of the sample data.
const samplePrefix = "Sample data (fictional): "

// Sample loads fictional sample data with `scale` decision events (scale >= 1, <= 1_000_000;
// otherwise an error). Every record is marked Sample and invented: fictional museums,
// communities, people and a fictional programme, never real organisations. The data is the
// same on every run with the same scale, ids and timestamps included, and is sized from
// the scale: max(8, scale/2500) museums, max(20, scale/100) communities, max(30, scale/40)
// partnerships, max(20, scale/20) people, and max(10, scale/10) activities and reflections.
//
// When the sample programme of this scale is already stored, Sample writes nothing and
// returns ErrSampleLoaded. The programme is written last, so its presence means an earlier
// load finished; after an interrupted load, Sample keeps what was stored and adds the rest.
// Samples of different scales have different ids and can coexist.
func Sample(ctx context.Context, s *store.Store, scale int, opts ...SampleOption) (SampleStats, error) {
	if scale < 1 || scale > sampleMaxScale {
		return SampleStats{}, fmt.Errorf("seed: sample scale must be between 1 and %d, not %d", sampleMaxScale, scale)
	}
	g := newSampleGen(scale)
	for _, o := range opts {
		o(g)
	}
	if _, err := s.Programmes.Get(ctx, g.programmeID); err == nil {
		return SampleStats{}, ErrSampleLoaded
	} else if !domain.IsNotFound(err) {
		return SampleStats{}, fmt.Errorf("seed: sample: %w", err)
	}
	// Outcomes are written first: when the first one is there, an earlier load was
	// interrupted, and only the missing records are added.
	resume := false
	if _, err := s.Outcomes.Get(ctx, g.outcomeIDs[0]); err == nil {
		resume = true
	} else if !domain.IsNotFound(err) {
		return SampleStats{}, fmt.Errorf("seed: sample: %w", err)
	}
	st, err := g.load(ctx, s, resume)
	if err != nil {
		return SampleStats{}, fmt.Errorf("seed: sample: %w", err)
	}
	return st, nil
}

// SampleOption changes how Sample loads the data.
type SampleOption func(*sampleGen)

// WithProgress has Sample report to r the records it inserts in bulk — people, decision
// events, activities and reflections, which are nearly all of them — with their total
// set at the start. Sample does not call r.Done.
func WithProgress(r *progress.Reporter) SampleOption {
	return func(g *sampleGen) { g.progress = r }
}

// sampleGen generates the sample data of one scale. It draws every random choice from one
// generator in a fixed order, so the same scale always gives the same data.
type sampleGen struct {
	scale    int
	r        *rand.Rand
	progress *progress.Reporter

	programmeID string
	outcomeIDs  [4]string

	nMuseums, nCommunities, nPeople, nPartnerships, nEvents, nActivities, nReflections int

	museums     []*domain.Museum
	memStart    []int // first day of each museum's membership, in days since sampleStart
	memEnd      []int
	communities []*domain.Community
	// eligible lists, per community, the people who may be named at events (consent to
	// record participation, not erased), sorted by the day they gave consent.
	eligible [][]samplePersonRef

	partnerships []*domain.Partnership
	pMuseum      []int
	pCommunity   []int
	pFirst       []int // the days a partnership's events may fall on, inclusive
	pLast        []int
	live         []int   // partnerships that may have events and activities
	byMuseum     [][]int // each museum's live partnerships
	byMonth      [][]int // the live partnerships whose event days overlap each month
	monthStart   []int   // the first day of each month, and one past the last day

	// What later records need to know of each event.
	evPartnership []int32
	evDay         []int32
	evRestricted  []bool
}

type samplePersonRef struct {
	index int
	day   int
}

// sampleStart is day 0 of the sample data; sampleLastDay is its last day, 2025-12-31.
var (
	sampleStart   = time.Date(2012, 1, 1, 0, 0, 0, 0, time.UTC)
	sampleLastDay = int(time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC).Sub(sampleStart) / (24 * time.Hour))
)

func sampleDayTime(d int) time.Time { return sampleStart.AddDate(0, 0, d) }

func sampleDate(d int) domain.Date { return domain.DateOf(sampleDayTime(d)) }

func sampleDatePtr(d int) *domain.Date {
	v := sampleDate(d)
	return &v
}

func sampleStr(s string) *string { return &s }

// id returns the id of the i-th record of a kind in the sample of this scale.
func (g *sampleGen) id(e domain.Entity, kind string, i int) string {
	return domain.StableID(e, fmt.Sprintf("sample/%d/%s/%d", g.scale, kind, i))
}

func newSampleGen(scale int) *sampleGen {
	g := &sampleGen{scale: scale, r: rand.New(rand.NewPCG(uint64(scale), sampleStream))}
	g.programmeID = g.id(domain.EntityProgramme, "programme", 0)
	for i := range g.outcomeIDs {
		g.outcomeIDs[i] = g.id(domain.EntityOutcome, "outcome", i+1)
	}
	g.nMuseums = max(8, scale/2500)
	g.nCommunities = max(20, scale/100)
	g.nPeople = max(20, scale/20)
	g.nPartnerships = max(30, scale/40)
	g.nEvents = scale
	g.nActivities = max(10, scale/10)
	g.nReflections = max(10, scale/10)
	for m := 0; ; m++ {
		d := int(time.Date(2012, time.Month(1+m), 1, 0, 0, 0, 0, time.UTC).Sub(sampleStart) / (24 * time.Hour))
		g.monthStart = append(g.monthStart, d)
		if d > sampleLastDay {
			break
		}
	}
	return g
}

// pick returns an index drawn with the given weights.
func (g *sampleGen) pick(weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := g.r.IntN(total)
	for i, w := range weights {
		if n < w {
			return i
		}
		n -= w
	}
	return len(weights) - 1
}

func (g *sampleGen) chance(percent int) bool { return g.r.IntN(100) < percent }

// between returns a day in [lo, hi].
func (g *sampleGen) between(lo, hi int) int {
	if hi <= lo {
		return lo
	}
	return lo + g.r.IntN(hi-lo+1)
}

func sampleOne[E any](g *sampleGen, vals []E) E { return vals[g.r.IntN(len(vals))] }

// sampleSome returns between lo and hi distinct items of vals, in the order of vals.
func sampleSome[E any](g *sampleGen, vals []E, lo, hi int) []E {
	n := lo + g.r.IntN(hi-lo+1)
	idx := g.r.Perm(len(vals))[:min(n, len(vals))]
	slices.Sort(idx)
	out := make([]E, len(idx))
	for i, j := range idx {
		out[i] = vals[j]
	}
	return out
}

// load generates every kind of record in turn and inserts it, the programme last.
func (g *sampleGen) load(ctx context.Context, s *store.Store, resume bool) (SampleStats, error) {
	var st SampleStats
	g.progress.SetTotal(int64(g.nPeople + g.nEvents + g.nActivities + g.nReflections))
	steps := []struct {
		name string
		run  func() (int, error)
		dst  *int
	}{
		{"outcomes", func() (int, error) { return sampleLoad(ctx, s.Outcomes, g.outcomes(), resume) }, &st.Outcomes},
		{"museums", func() (int, error) { return sampleLoad(ctx, s.Museums, g.genMuseums(), resume) }, &st.Museums},
		{"memberships", func() (int, error) { return sampleLoad(ctx, s.Memberships, g.memberships(), resume) }, nil},
		{"communities", func() (int, error) { return sampleLoad(ctx, s.Communities, g.genCommunities(), resume) }, &st.Communities},
		{"people", func() (int, error) {
			n, err := sampleChunks(ctx, s.People, g.nPeople, g.person, resume, g.progress)
			for _, e := range g.eligible {
				sort.SliceStable(e, func(a, b int) bool { return e[a].day < e[b].day })
			}
			return n, err
		}, &st.People},
		{"partnerships", func() (int, error) { return sampleLoad(ctx, s.Partnerships, g.genPartnerships(), resume) }, &st.Partnerships},
		{"decision events", func() (int, error) {
			g.evPartnership, g.evDay, g.evRestricted = make([]int32, g.nEvents), make([]int32, g.nEvents), make([]bool, g.nEvents)
			return sampleChunks(ctx, s.Events, g.nEvents, g.event, resume, g.progress)
		}, &st.Events},
		{"activities", func() (int, error) {
			return sampleChunks(ctx, s.Activities, g.nActivities, g.activity, resume, g.progress)
		}, &st.Activities},
		{"reflections", func() (int, error) {
			return sampleChunks(ctx, s.Reflections, g.nReflections, g.reflection, resume, g.progress)
		}, &st.Reflections},
		{"publications", func() (int, error) { return sampleLoad(ctx, s.Publications, g.publications(), resume) }, &st.Publications},
		{"programme", func() (int, error) { return sampleLoad(ctx, s.Programmes, []*domain.Programme{g.programme()}, false) }, &st.Programmes},
	}
	for _, step := range steps {
		n, err := step.run()
		if err != nil {
			return SampleStats{}, fmt.Errorf("%s: %w", step.name, err)
		}
		if step.dst != nil {
			*step.dst = n
		}
	}
	return st, nil
}

// sampleChunks generates n records with gen, a chunk at a time, and inserts each chunk
// before generating the next, counting each in p. It returns n.
func sampleChunks[T, F any](ctx context.Context, c *store.Collection[T, F], n int, gen func(i int) *T, resume bool, p *progress.Reporter) (int, error) {
	recs := make([]*T, 0, min(n, sampleChunk))
	for start := 0; start < n; start += sampleChunk {
		recs = recs[:0]
		for i := start; i < min(n, start+sampleChunk); i++ {
			recs = append(recs, gen(i))
		}
		if _, err := sampleLoad(ctx, c, recs, resume); err != nil {
			return 0, err
		}
		p.Add(len(recs))
	}
	return n, nil
}

// sampleLoad inserts recs, or with resume only those not stored yet, and returns len(recs).
func sampleLoad[T, F any](ctx context.Context, c *store.Collection[T, F], recs []*T, resume bool) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	insert := store.Insert[T, F]
	if resume {
		insert = store.InsertMissing[T, F]
	}
	if err := insert(ctx, c, recs); err != nil {
		return 0, err
	}
	return len(recs), nil
}

// meta returns the fields every sample record shares.
func (g *sampleGen) meta(e domain.Entity, kind string, i int, created time.Time) domain.Meta {
	return domain.Meta{ID: g.id(e, kind, i), CreatedAt: created.UTC().Truncate(time.Second), Sample: true}
}

func (g *sampleGen) programme() *domain.Programme {
	start, end := sampleDate(0), sampleDate(sampleLastDay)
	return &domain.Programme{
		Meta: g.meta(domain.EntityProgramme, "programme", 0, sampleDayTime(0).Add(-30*24*time.Hour)),
		Name: "Sample Partners Programme",
		Description: sampleStr(samplePrefix + "an invented funding programme through which invented museums work with " +
			"invented communities, so that the Participation Graph can be explored and benchmarked without real data."),
		Funder:    sampleStr("Sample Foundation (fictional)"),
		Website:   sampleStr("https://example.org/sample/programme"),
		StartDate: &start,
		EndDate:   &end,
	}
}

var sampleOutcomes = []struct{ code, title, text string }{
	{"ROOTED_IN_LOCAL_NEEDS", "Rooted in local needs", "the museums know their neighbourhoods and shape their work around what local people need and value."},
	{"COMMUNITY_AGENCY", "Community agency", "community partners take part regularly in conversations and in the decisions the museums make."},
	{"CAPABILITY_BUILDING", "Capability-building", "the museums help community members gain skills, volunteering and work experience, and help staff learn to work with communities."},
	{"REFLECTION", "Reflection", "the museums reflect on their practice, on their own and with their partners, and welcome challenge."},
}

func (g *sampleGen) outcomes() []*domain.Outcome {
	out := make([]*domain.Outcome, len(sampleOutcomes))
	for i, o := range sampleOutcomes {
		out[i] = &domain.Outcome{
			Meta:        g.meta(domain.EntityOutcome, "outcome", i+1, sampleDayTime(0).Add(-30*24*time.Hour+time.Duration(i+1)*time.Minute)),
			ProgrammeID: g.programmeID,
			Number:      i + 1,
			Code:        o.code,
			Title:       o.title,
			Description: sampleStr(samplePrefix + o.text),
		}
		out[i].ID = g.outcomeIDs[i]
	}
	return out
}

var sampleMuseumNames = []struct {
	name, city, region string
	kind               domain.OrganisationKind
}{
	{"Harbourside Museum", "Harbourside", "North Coast", "MUSEUM"},
	{"Millbrook Gallery", "Millbrook", "Riverlands", "GALLERY"},
	{"Kestrel Hill Archive", "Kestrel Hill", "Uplands", "ARCHIVE"},
	{"Lantern Bay Museums Service", "Lantern Bay", "North Coast", "MUSEUM_SERVICE"},
	{"Old Ropeworks Heritage Trust", "Saltmarsh", "Eastern Fens", "HERITAGE_ORGANISATION"},
	{"Wrenmoor Museum of Everyday Life", "Wrenmoor", "Uplands", "MUSEUM"},
	{"Stillwater Print Gallery", "Stillwater", "Riverlands", "GALLERY"},
	{"Quarry End Museum", "Quarry End", "Eastern Fens", "MUSEUM"},
}

func sampleSlug(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r
		case r >= 'A' && r <= 'Z':
			return r - 'A' + 'a'
		}
		return '-'
	}, s)
}

func (g *sampleGen) genMuseums() []*domain.Museum {
	g.museums = make([]*domain.Museum, g.nMuseums)
	for i := range g.museums {
		base := sampleMuseumNames[i%len(sampleMuseumNames)]
		name := base.name
		if i >= len(sampleMuseumNames) {
			name = fmt.Sprintf("%s %d", base.name, i/len(sampleMuseumNames)+1)
		}
		m := &domain.Museum{
			Meta: g.meta(domain.EntityMuseum, "museum", i, sampleDayTime(0).Add(-20*24*time.Hour+time.Duration(i)*time.Second)),
			Name: name,
			Kind: base.kind,
			Description: sampleStr(fmt.Sprintf("%san invented %s in the invented town of %s.", samplePrefix,
				strings.ToLower(strings.ReplaceAll(string(base.kind), "_", " ")), base.city)),
			City:    sampleStr(base.city),
			Region:  sampleStr(base.region),
			Country: sampleStr("Sampleland (fictional)"),
			Website: sampleStr("https://example.org/sample/museums/" + sampleSlug(name)),
		}
		// Some of the numbered museums belong to the first museums service.
		if i >= len(sampleMuseumNames) && base.kind != "MUSEUM_SERVICE" && i%3 == 0 {
			m.ParentID = sampleStr(g.museums[3].ID)
		}
		g.museums[i] = m
	}
	return g.museums
}

// memberships gives every museum a membership of the programme. Most joined at its start
// and stayed to its end; museum 0 always did, so that every month has a partnership.
func (g *sampleGen) memberships() []*domain.ProgrammeMembership {
	g.memStart, g.memEnd = make([]int, g.nMuseums), make([]int, g.nMuseums)
	out := make([]*domain.ProgrammeMembership, g.nMuseums)
	for i := range out {
		start, end := 0, sampleLastDay
		if i > 0 && !g.chance(60) {
			start = g.monthStart[1+g.r.IntN(47)] // February 2012 to December 2015
		}
		if i > 0 && g.chance(25) {
			end = g.between(start+4*365, sampleLastDay-1)
		}
		g.memStart[i], g.memEnd[i] = start, end
		out[i] = &domain.ProgrammeMembership{
			Meta:        g.meta(domain.EntityMembership, "membership", i, sampleDayTime(start).Add(9*time.Hour)),
			ProgrammeID: g.programmeID,
			MuseumID:    g.museums[i].ID,
			StartDate:   sampleDate(start),
			EndDate:     sampleDatePtr(end),
		}
	}
	return out
}

var sampleAreas = []string{"Northgate", "Eastbrook", "Saltmarsh", "Wrenmoor", "Kestrel Hill", "Stillwater",
	"Quarry End", "Lantern Bay", "Oakridge Estate", "Millbrook", "Harbourside", "Copper Lane"}

var sampleCommunityNouns = map[domain.CommunityKind]string{
	"NEIGHBOURHOOD":       "Residents' Association",
	"IDENTITY":            "Heritage Collective",
	"INTEREST":            "Local History Society",
	"YOUTH":               "Youth Forum",
	"OLDER_PEOPLE":        "Older People's Lunch Club",
	"FAITH":               "Interfaith Network",
	"DISABILITY":          "Disabled People's Access Group",
	"LANGUAGE":            "Community Language School",
	"REFUGEE_AND_MIGRANT": "Refugee and Migrant Welcome Group",
	"OTHER":               "Allotment Growers",
}

func (g *sampleGen) genCommunities() []*domain.Community {
	g.communities = make([]*domain.Community, g.nCommunities)
	kinds := domain.CommunityKinds
	for i := range g.communities {
		kind := kinds[i%len(kinds)]
		area := sampleAreas[(i/len(kinds))%len(sampleAreas)]
		noun, ok := sampleCommunityNouns[kind]
		if !ok {
			noun = "Community Group"
		}
		name := area + " " + noun
		if cycle := i / (len(kinds) * len(sampleAreas)); cycle > 0 {
			name = fmt.Sprintf("%s %d", name, cycle+1)
		}
		g.communities[i] = &domain.Community{
			Meta:        g.meta(domain.EntityCommunity, "community", i, sampleDayTime(0).Add(-10*24*time.Hour+time.Duration(i)*time.Second)),
			Name:        name,
			Kind:        kind,
			Description: sampleStr(fmt.Sprintf("%san invented %s in %s.", samplePrefix, strings.ToLower(noun), area)),
			Area:        sampleStr(area),
		}
	}
	g.eligible = make([][]samplePersonRef, g.nCommunities)
	return g.communities
}

var (
	sampleFirstNames = []string{"Alex", "Sam", "Jordan", "Robin", "Morgan", "Casey", "Jamie", "Taylor", "Avery",
		"Rowan", "Quinn", "Charlie", "Ellis", "Frankie", "Hayden", "Jesse", "Kit", "Lee", "Marley", "Nico"}
	sampleLastNames = []string{"Ashcombe", "Brightwell", "Cobbledick", "Dunmere", "Elderfield", "Fallowby",
		"Greystoke-Vane", "Hollowmere", "Inchbrook", "Juniperly", "Kettlewick", "Larchmont", "Mossbury", "Nettlefold",
		"Orchardson", "Pebblecombe", "Quillfeather", "Rushbrook", "Saltonstall", "Thistlewood"}
)

// person returns the i-th person, a member of community i mod the number of communities.
// Most consent to their participation being recorded; some do not, a few withdrew their
// consent, and a few had their personal data erased.
func (g *sampleGen) person(i int) *domain.Person {
	community := i % g.nCommunities
	given := g.between(0, sampleLastDay-2*365)
	givenAt := sampleDayTime(given).Add(time.Duration(9*60+g.r.IntN(9*60)) * time.Minute)
	first := sampleFirstNames[i%len(sampleFirstNames)]
	last := sampleLastNames[(i/len(sampleFirstNames)+i)%len(sampleLastNames)]
	p := &domain.Person{
		Meta:        g.meta(domain.EntityPerson, "person", i, givenAt),
		Pseudonym:   fmt.Sprintf("Participant %05d", i+1),
		DisplayName: sampleStr(first + " " + last + " (fictional)"),
		Email:       sampleStr(fmt.Sprintf("%s.%s.%05d@example.org", strings.ToLower(first), strings.ToLower(last), i+1)),
		CommunityID: sampleStr(g.communities[community].ID),
	}
	later := func() *time.Time {
		t := givenAt.Add(time.Duration(30+g.r.IntN(700)) * 24 * time.Hour).Truncate(time.Second)
		return &t
	}
	switch g.pick([]int{82, 10, 6, 2}) {
	case 0: // consents to being recorded
		p.Consent = domain.Consent{RecordParticipation: true, PublishName: g.chance(30), Contact: g.chance(60), GivenAt: &givenAt}
		g.eligible[community] = append(g.eligible[community], samplePersonRef{index: i, day: given})
	case 1: // agreed only to be contacted, or to nothing
		p.Consent = domain.Consent{Contact: g.chance(50)}
		if p.Consent.Contact {
			p.Consent.GivenAt = &givenAt
		}
	case 2: // withdrew consent
		p.Consent = domain.Consent{GivenAt: &givenAt, WithdrawnAt: later()}
	default: // asked to be erased
		at := later()
		p.DisplayName, p.Email = nil, nil
		p.Erased, p.ErasedAt = true, at
		p.Consent = domain.Consent{GivenAt: &givenAt, WithdrawnAt: at}
	}
	return p
}

var samplePurposes = []string{
	"to co-curate a display about the area's working lives",
	"to gather and share oral histories",
	"to plan a community-led programme of events",
	"to review how the collections describe local people",
	"to open the stores for a community collecting project",
	"to shape the redevelopment of a gallery",
	"to build a volunteering pathway into the museum",
	"to make the building and its programme more accessible",
}

// genPartnerships pairs museums with communities, each pair at most once. Every community
// gets at least one partnership and the museums take turns, so all of them have some.
func (g *sampleGen) genPartnerships() []*domain.Partnership {
	n := g.nPartnerships
	g.partnerships = make([]*domain.Partnership, n)
	g.pMuseum, g.pCommunity = make([]int, n), make([]int, n)
	g.pFirst, g.pLast = make([]int, n), make([]int, n)
	g.byMuseum = make([][]int, g.nMuseums)
	g.byMonth = make([][]int, len(g.monthStart)-1)
	pairs := make(map[[2]int]bool, n)
	statuses := []domain.PartnershipStatus{domain.StatusProposed, domain.StatusActive, domain.StatusPaused, domain.StatusEnded}
	for i := range g.partnerships {
		museum := i % g.nMuseums
		community := i
		if i >= g.nCommunities {
			for community = g.r.IntN(g.nCommunities); pairs[[2]int{museum, community}]; community = g.r.IntN(g.nCommunities) {
			}
		}
		pairs[[2]int{museum, community}] = true
		a, b := g.memStart[museum], g.memEnd[museum]
		status := statuses[g.pick([]int{8, 37, 10, 45})]
		if i < len(sampleFirstStatuses) {
			status = sampleFirstStatuses[i] // every status, whatever the scale
		}
		var start, first, last int
		var end *domain.Date
		switch status {
		case domain.StatusProposed:
			start = g.between(b-180, b)
			first, last = -1, -1
		case domain.StatusActive:
			start = g.between(a, b-180)
			first, last = start, sampleLastDay
		case domain.StatusPaused:
			start = g.between(a, b-180)
			first, last = start, min(start+365+g.r.IntN(3*365), sampleLastDay)
		default:
			start = g.between(a, b-180)
			first, last = start, min(start+180+g.r.IntN(6*365-180), b)
			end = sampleDatePtr(last)
		}
		if i == 0 {
			start, first = 0, 0
		}
		model := sampleOne(g, domain.ParticipationModels)
		k := 1 + g.r.IntN(3)
		outs := sampleSome(g, g.outcomeIDs[:], k, k)
		mus, com := g.museums[museum], g.communities[community]
		g.partnerships[i] = &domain.Partnership{
			Meta:               g.meta(domain.EntityPartner, "partnership", i, sampleDayTime(start).Add(-7*24*time.Hour+10*time.Hour)),
			Title:              mus.Name + " and " + com.Name,
			MuseumID:           mus.ID,
			CommunityID:        com.ID,
			Purpose:            sampleStr(samplePrefix + sampleOne(g, samplePurposes) + "."),
			Status:             status,
			StartDate:          sampleDatePtr(start),
			EndDate:            end,
			ParticipationModel: &model,
			ProgrammeID:        sampleStr(g.programmeID),
			OutcomeIDs:         outs,
		}
		g.pMuseum[i], g.pCommunity[i], g.pFirst[i], g.pLast[i] = museum, community, first, last
		if first < 0 {
			continue
		}
		g.live = append(g.live, i)
		g.byMuseum[museum] = append(g.byMuseum[museum], i)
		for m := range g.byMonth {
			if first < g.monthStart[m+1] && last >= g.monthStart[m] {
				g.byMonth[m] = append(g.byMonth[m], i)
			}
		}
	}
	return g.partnerships
}

// sampleFirstStatuses are the statuses of the first partnerships. The first is active from
// the programme's first day to its last, so that every month has a partnership for events.
var sampleFirstStatuses = []domain.PartnershipStatus{domain.StatusActive, domain.StatusEnded, domain.StatusPaused, domain.StatusProposed}

var sampleEventLabels = map[domain.DecisionEventKind]string{
	"ADVISORY_PANEL":     "Advisory panel",
	"CO_CURATION":        "Co-curation session",
	"GOVERNANCE_MEETING": "Governance meeting",
	"CONSULTATION":       "Consultation",
	"WORKSHOP":           "Workshop",
	"VOTE":               "Community vote",
	"OTHER":              "Meeting",
}

var sampleTopics = []string{
	"the new local history gallery", "the oral history archive", "the summer festival programme",
	"labels for the textile collection", "the community showcase space", "the museum's opening hours",
	"a collecting project on recent migration", "the learning programme for young people",
	"the access audit of the building", "the redisplay of the maritime objects", "the volunteer charter",
	"the photography commission", "the museum's five-year plan", "the café and welcome area",
	"the touring exhibition", "the digitisation priorities",
}

var sampleDecisionTexts = []string{
	"Choose the objects for the first display case",
	"Agree the wording of the gallery labels",
	"Set the dates of the community open days",
	"Decide which stories the exhibition tells first",
	"Allocate the community grant budget",
	"Name the new gallery",
	"Agree how participants are credited",
	"Select the photographs for the commission",
	"Change the opening hours on Thursdays",
	"Add a community member to the steering group",
	"Commission translations of the audio guide",
	"Remove an offensive description from the catalogue",
}

var sampleEvidenceTitles = map[domain.EvidenceKind]string{
	"MINUTES": "Minutes of the meeting",
	"SURVEY":  "Participant feedback survey",
	"QUOTE":   "What a participant said",
	"MEDIA":   "Photographs of the session",
	"REPORT":  "Session report",
	"OTHER":   "Facilitator's notes",
}

// The weights of the levels (towards the middle of the spectrum) and, for each level, of
// the rungs an evaluator assessed it at. About one event in seven is an empowerment gap.
var (
	sampleLevelWeights = []int{1, 3, 4, 3, 1}
	sampleRungWeights  = [][]int{
		{2, 3, 5, 1, 0, 0, 0, 0},
		{1, 1, 3, 5, 2, 0, 0, 0},
		{0, 0, 1, 3, 4, 2, 0, 0},
		{0, 0, 1, 3, 5, 5, 2, 0},
		{0, 0, 0, 1, 3, 2, 3, 2},
	}
)

// event returns the i-th decision event: a month drawn evenly from 2012–2025, a
// partnership active in it, and what happened.
func (g *sampleGen) event(i int) *domain.DecisionEvent {
	month := g.r.IntN(len(g.byMonth))
	cands := g.byMonth[month]
	p := cands[g.r.IntN(len(cands))]
	day := g.between(max(g.monthStart[month], g.pFirst[p]), min(g.monthStart[month+1]-1, g.pLast[p]))
	occurred := sampleDayTime(day).Add(time.Duration(9*60+15*g.r.IntN(40)) * time.Minute)
	part := g.partnerships[p]
	kind := sampleOne(g, domain.DecisionEventKinds)
	levelIdx := g.pick(sampleLevelWeights)
	level := domain.ParticipationLevels[levelIdx]
	var rung *domain.ArnsteinRung
	if g.chance(70) {
		weights := sampleRungWeights[min(levelIdx, len(sampleRungWeights)-1)]
		r := domain.ArnsteinRungs[min(g.pick(weights), len(domain.ArnsteinRungs)-1)]
		rung = &r
	}
	gap := rung != nil && domain.EmpowermentGap(level, *rung)

	communityIDs := []string{part.CommunityID}
	if others := g.byMuseum[g.pMuseum[p]]; len(others) > 1 && g.chance(10) {
		if o := others[g.r.IntN(len(others))]; g.pCommunity[o] != g.pCommunity[p] {
			communityIDs = append(communityIDs, g.partnerships[o].CommunityID)
		}
	}

	// Named participants: people of the partnership's community who had consented by then.
	pool := g.eligible[g.pCommunity[p]]
	n := sort.Search(len(pool), func(j int) bool { return pool[j].day > day })
	named := min(g.r.IntN(7), n)
	var participants []domain.Participant
	chosen := make(map[int]bool, named)
	for len(participants) < named {
		ref := pool[g.r.IntN(n)]
		if chosen[ref.index] {
			continue
		}
		chosen[ref.index] = true
		role := domain.ParticipantRole("COMMUNITY_MEMBER")
		if g.chance(20) {
			role = "COMMUNITY_REPRESENTATIVE"
		}
		participants = append(participants, domain.Participant{
			PersonID:    sampleStr(g.id(domain.EntityPerson, "person", ref.index)),
			CommunityID: sampleStr(part.CommunityID),
			Role:        role,
		})
	}

	decisions := make([]domain.Decision, g.r.IntN(5))
	for j := range decisions {
		var by domain.DecidedBy
		switch {
		case gap:
			by = domain.DecidedByValues[g.pick([]int{1, 8, 2})]
		case level.Shared():
			by = domain.DecidedByValues[g.pick([]int{4, 2, 5})]
		case level.Rank() == domain.LevelInvolve.Rank():
			by = domain.DecidedByValues[g.pick([]int{1, 5, 4})]
		default:
			by = domain.DecidedByValues[g.pick([]int{0, 8, 2})]
		}
		d := domain.Decision{
			Text:      sampleOne(g, sampleDecisionTexts),
			DecidedBy: by,
			Result:    domain.DecisionResults[g.pick([]int{5, 3, 1, 1})],
		}
		var implemented *bool
		switch {
		case d.Result == "REJECTED" || d.Result == "DEFERRED":
			if g.chance(50) {
				implemented = new(bool)
			}
		default:
			weights := []int{65, 15, 20}
			if gap {
				weights = []int{30, 45, 25}
			}
			switch g.pick(weights) {
			case 0:
				implemented = sampleBool(true)
			case 1:
				implemented = sampleBool(false)
			}
		}
		d.Implemented = implemented
		if implemented != nil && g.chance(40) {
			if *implemented {
				d.ImplementationNote = sampleStr(samplePrefix + "carried out as agreed.")
			} else {
				d.ImplementationNote = sampleStr(samplePrefix + "not acted upon yet; the community partner has asked why.")
			}
		}
		decisions[j] = d
	}

	evidence := make([]domain.Evidence, g.r.IntN(3))
	for j := range evidence {
		k := sampleOne(g, domain.EvidenceKinds)
		title, ok := sampleEvidenceTitles[k]
		if !ok {
			title = "Evidence"
		}
		evidence[j] = domain.Evidence{Kind: k, Title: title,
			URL: sampleStr(fmt.Sprintf("https://example.org/sample/%d/evidence/%d/%d", g.scale, i, j+1))}
		if g.chance(30) {
			evidence[j].Note = sampleStr(samplePrefix + "kept by the museum's community team.")
		}
	}

	outs := []int{g.pick([]int{2, 5, 1, 1})}
	if g.chance(40) {
		if o := g.r.IntN(len(g.outcomeIDs)); o != outs[0] {
			outs = append(outs, o)
		}
	}
	slices.Sort(outs)
	outcomeIDs := make([]string, len(outs))
	for j, o := range outs {
		outcomeIDs[j] = g.outcomeIDs[o]
	}

	visibility := domain.VisibilityPublic
	if g.chance(10) {
		visibility = domain.VisibilityRestricted
	}
	label, ok := sampleEventLabels[kind]
	if !ok {
		label = "Meeting"
	}
	topic := sampleOne(g, sampleTopics)
	created := occurred.Add(time.Duration(24+g.r.IntN(14*24)) * time.Hour)
	g.evPartnership[i], g.evDay[i], g.evRestricted[i] = int32(p), int32(day), visibility == domain.VisibilityRestricted
	return &domain.DecisionEvent{
		Meta:                           g.meta(domain.EntityEvent, "event", i, created),
		Title:                          label + ": " + topic,
		Description:                    sampleStr(fmt.Sprintf("%s%s of %s about %s.", samplePrefix, strings.ToLower(label), part.Title, topic)),
		Kind:                           kind,
		OccurredAt:                     occurred,
		MuseumID:                       part.MuseumID,
		PartnershipID:                  sampleStr(part.ID),
		CommunityIDs:                   communityIDs,
		ParticipationLevel:             level,
		AssessedRung:                   rung,
		Participants:                   participants,
		AnonymousCommunityParticipants: g.r.IntN(26),
		AnonymousStaffParticipants:     1 + g.r.IntN(6),
		Decisions:                      decisions,
		OutcomeIDs:                     outcomeIDs,
		Evidence:                       evidence,
		Visibility:                     visibility,
	}
}

func sampleBool(b bool) *bool { return &b }

var sampleSkills = []string{"oral history", "object handling", "exhibition design", "digital photography",
	"cataloguing", "event planning", "audio recording", "conservation basics", "tour guiding", "social media",
	"facilitation", "community research"}

var sampleActivityLabels = map[domain.ActivityKind]string{
	"VOLUNTEERING":       "Volunteering",
	"TRAINING":           "Training",
	"PLACEMENT":          "Placement",
	"APPRENTICESHIP":     "Apprenticeship",
	"EMPLOYMENT_SUPPORT": "Employment support",
	"STAFF_DEVELOPMENT":  "Staff development",
}

// activity returns the i-th activity: most with a partnership, some staff development of a
// museum on its own.
func (g *sampleGen) activity(i int) *domain.Activity {
	a := &domain.Activity{}
	var first, last int
	if g.chance(85) {
		p := g.live[g.r.IntN(len(g.live))]
		part := g.partnerships[p]
		a.MuseumID, a.PartnershipID = part.MuseumID, sampleStr(part.ID)
		a.Kind = sampleOne(g, domain.ActivityKinds)
		first, last = g.pFirst[p], g.pLast[p]
	} else {
		m := g.r.IntN(g.nMuseums)
		a.MuseumID = g.museums[m].ID
		a.Kind = "STAFF_DEVELOPMENT"
		first, last = g.memStart[m], g.memEnd[m]
	}
	start := g.between(first, last)
	a.StartDate = sampleDate(start)
	if !g.chance(10) {
		a.EndDate = sampleDatePtr(min(start+7+g.r.IntN(180), sampleLastDay))
	}
	a.Skills = sampleSome(g, sampleSkills, 1, 3)
	label, ok := sampleActivityLabels[a.Kind]
	if !ok {
		label = "Activity"
	}
	a.Title = label + ": " + a.Skills[0]
	a.Description = sampleStr(fmt.Sprintf("%s%s in %s.", samplePrefix, strings.ToLower(label), strings.Join(a.Skills, ", ")))
	count := 1 + g.r.IntN(30)
	hours := float64(count*(4+g.r.IntN(77))) / 2
	a.ParticipantCount, a.Hours = &count, &hours
	a.OutcomeIDs = []string{g.outcomeIDs[2]}
	if g.chance(30) {
		if o := g.r.IntN(len(g.outcomeIDs)); o != 2 {
			a.OutcomeIDs = append(a.OutcomeIDs, g.outcomeIDs[o])
		}
	}
	a.Meta = g.meta(domain.EntityActivity, "activity", i, sampleDayTime(start).Add(-3*24*time.Hour+11*time.Hour))
	return a
}

var (
	sampleReflectionTexts = []string{
		"We asked for views after the main decisions had already been taken.",
		"The panel's choices changed the exhibition more than we expected.",
		"Community members chaired the session for the first time.",
		"We need to report back on what happened to last season's proposals.",
		"Staff found it hard to let go of the final say on the labels.",
		"The partnership agreed a shared budget, which changed the conversation.",
		"Attendance fell when sessions moved to weekday afternoons.",
		"A critical friend pointed out that the same voices dominate every meeting.",
	}
	sampleChallenges = []string{"decisions made before consultation", "too little time to respond",
		"jargon in the papers", "meetings at inaccessible times", "no feedback on earlier proposals",
		"budget held by the museum alone"}
	sampleChanges = []string{"share papers two weeks ahead", "report back on every proposal",
		"community co-chair for the panel", "pay participants for their time", "hold sessions in the evening",
		"publish the minutes"}
)

// reflection returns the i-th reflection: half about a decision event, most of the rest
// about a partnership, a few about a museum's practice as a whole.
func (g *sampleGen) reflection(i int) *domain.Reflection {
	r := &domain.Reflection{}
	var day int
	restricted := false
	switch g.pick([]int{50, 40, 10}) {
	case 0:
		e := g.r.IntN(g.nEvents)
		p := int(g.evPartnership[e])
		part := g.partnerships[p]
		r.MuseumID, r.PartnershipID = part.MuseumID, sampleStr(part.ID)
		r.DecisionEventID = sampleStr(g.id(domain.EntityEvent, "event", e))
		day = min(int(g.evDay[e])+g.r.IntN(31), sampleLastDay)
		restricted = g.evRestricted[e]
	case 1:
		p := g.live[g.r.IntN(len(g.live))]
		part := g.partnerships[p]
		r.MuseumID, r.PartnershipID = part.MuseumID, sampleStr(part.ID)
		day = g.between(g.pFirst[p], g.pLast[p])
	default:
		m := g.r.IntN(g.nMuseums)
		r.MuseumID = g.museums[m].ID
		day = g.between(g.memStart[m], g.memEnd[m])
	}
	r.Author = sampleOne(g, domain.ReflectionAuthors)
	r.WrittenOn = sampleDate(day)
	r.Text = samplePrefix + sampleOne(g, sampleReflectionTexts)
	r.ChallengesRaised = sampleSome(g, sampleChallenges, 0, 2)
	r.ChangesAgreed = sampleSome(g, sampleChanges, 0, 2)
	r.Visibility = domain.VisibilityPublic
	if g.chance(15) {
		restricted = true
	}
	if restricted {
		r.Visibility = domain.VisibilityRestricted
	}
	r.Meta = g.meta(domain.EntityReflection, "reflection", i, sampleDayTime(day).Add(time.Duration(12*60+g.r.IntN(6*60))*time.Minute))
	return r
}

func (g *sampleGen) publications() []*domain.Publication {
	few := g.museums[:min(len(g.museums), 8)]
	ids := func(ms []*domain.Museum) []string {
		out := make([]string, len(ms))
		for i, m := range ms {
			out[i] = m.ID
		}
		return out
	}
	pubs := []struct {
		title   string
		authors []string
		year    int
		kind    domain.PublicationKind
		museums []*domain.Museum
	}{
		{"Sample Partners Programme: baseline study (fictional)", []string{"Sample Evaluation Team (fictional)"}, 2013, "EVALUATION", few},
		{"Sharing the say: interim learning from the Sample Partners Programme (fictional)", []string{"R. Hollowmere (fictional)", "K. Inchbrook (fictional)"}, 2016, "LEARNING_REPORT", few},
		{"Co-curating the harbour: a case study (fictional)", []string{"Harbourside Museum community team (fictional)"}, 2018, "CASE_STUDY", few[:1]},
		{"Who decides? Participation and power in small museums (fictional)", []string{"J. Fallowby (fictional)"}, 2021, "RESEARCH", few[:4]},
		{"Sample Partners Programme: final evaluation (fictional)", []string{"Sample Evaluation Team (fictional)"}, 2025, "EVALUATION", few},
	}
	out := make([]*domain.Publication, len(pubs))
	for i, p := range pubs {
		out[i] = &domain.Publication{
			Meta:        g.meta(domain.EntityPublic, "publication", i, time.Date(p.year, 6, 1, 10, 0, 0, 0, time.UTC)),
			Title:       p.title,
			Authors:     p.authors,
			Year:        p.year,
			Kind:        p.kind,
			URL:         sampleStr(fmt.Sprintf("https://example.org/sample/%d/publications/%d", g.scale, i+1)),
			Publisher:   sampleStr("Sample Foundation (fictional)"),
			ProgrammeID: sampleStr(g.programmeID),
			MuseumIDs:   ids(p.museums),
		}
	}
	return out
}
