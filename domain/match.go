package domain

import (
	"regexp"
	"slices"
	"strings"
)

// Refs are the references a filter names by something other than an id, resolved: the
// ids of the live outcomes with the filter's outcome codes, and the museums of a
// programme. A nil set means the filter has no such condition; an empty one matches
// nothing.
type Refs struct {
	Outcomes map[string]bool
	Museums  map[string]bool
}

// text is a search made ready: a literal, case-insensitive substring test, as the
// database's $regex with the i option applies the pattern searchPattern builds. An ASCII
// search is compared byte by byte, folding the case of ASCII letters, which gives the
// same answer as the pattern on any text (Unicode folds an ASCII letter only to ASCII
// letters and to the Kelvin and long-s signs; the bytes of any other character beyond
// ASCII never equal an ASCII byte) unless the text holds one of those two signs and the
// search a k or an s; a list with a search tests every record for its total.
type text struct {
	re    *regexp.Regexp
	lower string // the text searched for, in lower case, when it is ASCII
	ascii bool
	// ks: the text has a k or an s, which Unicode folds from letters beyond ASCII too
	// (see FoldsToASCII)
	ks bool
}

func newText(q *string) text {
	pattern, ok := SearchPattern(q)
	if !ok {
		return text{}
	}
	t := text{re: regexp.MustCompile("(?i)" + pattern)}
	if lit := strings.ToLower(strings.TrimSpace(SearchText(*q))); isASCII(lit) && len(lit) <= MaxSearch && regexp.QuoteMeta(lit) == strings.ToLower(pattern) {
		t.lower, t.ascii, t.ks = lit, true, strings.ContainsAny(lit, "ks")
	}
	return t
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// matches reports whether v contains the search.
func (t text) matches(v string) bool {
	if !t.ascii || (t.ks && FoldsToASCII(v)) {
		return t.re.MatchString(v)
	}
	return containsFold(v, t.lower)
}

// FoldsToASCII reports whether v holds one of the two letters beyond ASCII that Unicode
// folds to ASCII ones, the Kelvin sign (k) and the long s (s). Any other byte of a
// character beyond ASCII is 0x80 or above in UTF-8, so it never equals a byte of an
// ASCII search, and comparing bytes then gives the pattern's answer on any text.
func FoldsToASCII(v string) bool {
	return strings.Contains(v, "\u212a") || strings.Contains(v, "\u017f")
}

// containsFold reports whether v contains lower (ASCII, in lower case), folding the case
// of v's ASCII letters. It jumps, with strings.IndexByte, between the places where
// lower's first letter occurs in either case, and compares only there.
func containsFold(v, lower string) bool {
	n := len(lower)
	if n > len(v) {
		return false
	}
	b, upper := lower[0], lower[0]
	if 'a' <= b && b <= 'z' {
		upper = b - 'a' + 'A'
	}
	s := v[:len(v)-n+1] // where a match can start
	// The next place of each form of the letter at or after i, -1 for none left.
	lo, up := -2, -2
	if upper == b {
		up = -1
	}
	for i := 0; i < len(s); {
		if lo != -1 && lo < i {
			lo = indexFrom(s, i, b)
		}
		if up != -1 && up < i {
			up = indexFrom(s, i, upper)
		}
		j := lo
		if j < 0 || (up >= 0 && up < j) {
			j = up
		}
		if j < 0 {
			return false
		}
		if equalFold(v[j:j+n], lower) {
			return true
		}
		i = j + 1
	}
	return false
}

// equalFold reports whether v equals lower, folding the case of v's ASCII letters.
func equalFold(v, lower string) bool {
	for k := range len(lower) {
		if lowerASCII(v[k]) != lower[k] {
			return false
		}
	}
	return true
}

// indexFrom is the index in s of the first c at or after from, -1 when there is none.
func indexFrom(s string, from int, c byte) int {
	if j := strings.IndexByte(s[from:], c); j >= 0 {
		return from + j
	}
	return -1
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// over reports whether any of the texts a record is searched in contains the search. No
// search matches everything.
func (t text) over(texts func(yield func(string) bool)) bool {
	if t.re == nil {
		return true
	}
	for v := range texts {
		if t.matches(v) {
			return true
		}
	}
	return false
}

// live is the condition every list shares: archived records only when asked for, and
// the sample data or the real data when asked for.
func live(m *Meta, sample, includeArchived *bool) bool {
	return (!m.Archived || includeArchived != nil && *includeArchived) && (sample == nil || m.Sample == *sample)
}

// eqPtr reports whether an optional condition holds: no condition, or a set value equal
// to it.
func eqPtr[V comparable](want, have *V) bool { return want == nil || have != nil && *have == *want }

func eqVal[V comparable](want *V, have V) bool { return want == nil || have == *want }

func oneOf[V comparable](want []V, have V) bool { return len(want) == 0 || slices.Contains(want, have) }

func oneOfPtr[V comparable](want []V, have *V) bool {
	return len(want) == 0 || have != nil && slices.Contains(want, *have)
}

func holds[V comparable](want *V, have []V) bool { return want == nil || slices.Contains(have, *want) }

// anyIn reports whether a set condition holds: no set, or any id in it.
func anyIn(set map[string]bool, ids []string) bool {
	return set == nil || slices.ContainsFunc(ids, func(id string) bool { return set[id] })
}

// ordered reports lo <= v <= hi for the bounds given, on values that compare as the
// database compares them.
func atLeast[V ~string | ~int](lo *V, v V) bool { return lo == nil || v >= *lo }

func atMost[V ~string | ~int](hi *V, v V) bool { return hi == nil || v <= *hi }

// activeOn reports whether a record that started on start and ended on end (either
// unknown) was running on day d: started on or before it and not ended before it. A
// record with no start date was never running.
func activeOn(d, start, end *Date) bool {
	return d == nil || start != nil && *start <= *d && (end == nil || *end >= *d)
}

// Match returns the test of f: whether a programme passes it.
func (f *ProgrammeFilter) Match(Refs) func(*Programme) bool {
	search := newText(f.Search)
	return func(p *Programme) bool {
		return live(&p.Meta, nil, f.IncludeArchived) && search.over(p.Searched) &&
			eqPtr(f.Funder, p.Funder) && activeOn(f.ActiveOn, p.StartDate, p.EndDate)
	}
}

// Match returns the test of f: whether a museum passes it. r.Museums are the museums of
// f.ProgrammeID.
func (f *MuseumFilter) Match(r Refs) func(*Museum) bool {
	search := newText(f.Search)
	return func(m *Museum) bool {
		return live(&m.Meta, f.Sample, f.IncludeArchived) && search.over(m.Searched) &&
			oneOf(f.Kinds, m.Kind) && eqPtr(f.City, m.City) && eqPtr(f.Region, m.Region) &&
			eqPtr(f.Country, m.Country) && eqPtr(f.ParentID, m.ParentID) &&
			(f.ProgrammeID == nil || r.Museums[m.ID])
	}
}

// Match returns the test of f: whether a community passes it.
func (f *CommunityFilter) Match(Refs) func(*Community) bool {
	search := newText(f.Search)
	return func(c *Community) bool {
		return live(&c.Meta, f.Sample, f.IncludeArchived) && search.over(c.Searched) &&
			oneOf(f.Kinds, c.Kind) && eqPtr(f.Area, c.Area)
	}
}

// Match returns the test of f: whether a person passes it. The search looks at
// pseudonyms only, never at personal data.
func (f *PersonFilter) Match(Refs) func(*Person) bool {
	search := newText(f.Search)
	return func(p *Person) bool {
		return live(&p.Meta, f.Sample, f.IncludeArchived) && search.over(p.Searched) && eqPtr(f.CommunityID, p.CommunityID)
	}
}

// Match returns the test of f: whether a partnership passes it. r.Outcomes are the
// outcomes of f.OutcomeCodes.
func (f *PartnershipFilter) Match(r Refs) func(*Partnership) bool {
	search := newText(f.Search)
	return func(p *Partnership) bool {
		return live(&p.Meta, f.Sample, f.IncludeArchived) && search.over(p.Searched) &&
			eqVal(f.MuseumID, p.MuseumID) && eqVal(f.CommunityID, p.CommunityID) && eqPtr(f.ProgrammeID, p.ProgrammeID) &&
			oneOf(f.Statuses, p.Status) && oneOfPtr(f.ParticipationModels, p.ParticipationModel) &&
			activeOn(f.ActiveOn, p.StartDate, p.EndDate) &&
			(f.StartedAfter == nil || p.StartDate != nil && *p.StartDate >= *f.StartedAfter) &&
			(f.StartedBefore == nil || p.StartDate != nil && *p.StartDate <= *f.StartedBefore) &&
			anyIn(r.Outcomes, p.OutcomeIDs)
	}
}

// Match returns the test of f: whether a decision event passes it. r.Outcomes are the
// outcomes of f.OutcomeCodes.
func (f *DecisionEventFilter) Match(r Refs) func(*DecisionEvent) bool {
	search := newText(f.Search)
	return func(e *DecisionEvent) bool {
		return live(&e.Meta, f.Sample, f.IncludeArchived) &&
			eqVal(f.MuseumID, e.MuseumID) && holds(f.CommunityID, e.CommunityIDs) && eqPtr(f.PartnershipID, e.PartnershipID) &&
			oneOf(f.Kinds, e.Kind) && oneOf(f.Levels, e.ParticipationLevel) &&
			(f.MinLevel == nil || e.LevelRank >= f.MinLevel.Rank()) && oneOfPtr(f.Rungs, e.AssessedRung) &&
			(f.OccurredAfter == nil || e.OccurredAt.After(*f.OccurredAfter)) &&
			(f.OccurredBefore == nil || e.OccurredAt.Before(*f.OccurredBefore)) &&
			eqVal(f.EmpowermentGap, e.EmpowermentGap) && (f.Assessed == nil || (e.RungRank > 0) == *f.Assessed) &&
			eqVal(f.Visibility, e.Visibility) && search.over(e.Searched) && anyIn(r.Outcomes, e.OutcomeIDs)
	}
}

// Match returns the test of f: whether an activity passes it. r.Outcomes are the
// outcomes of f.OutcomeCodes.
func (f *ActivityFilter) Match(r Refs) func(*Activity) bool {
	search := newText(f.Search)
	var skill *string
	if f.Skill != nil {
		k := SkillKey(*f.Skill)
		skill = &k
	}
	return func(a *Activity) bool {
		return live(&a.Meta, f.Sample, f.IncludeArchived) && search.over(a.Searched) &&
			eqVal(f.MuseumID, a.MuseumID) && eqPtr(f.PartnershipID, a.PartnershipID) && oneOf(f.Kinds, a.Kind) &&
			holds(skill, a.SkillKeys) && atLeast(f.StartedAfter, a.StartDate) && atMost(f.StartedBefore, a.StartDate) &&
			anyIn(r.Outcomes, a.OutcomeIDs)
	}
}

// SkillKey is how skills are compared: without case or surrounding space.
func SkillKey(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Match returns the test of f: whether a reflection passes it.
func (f *ReflectionFilter) Match(Refs) func(*Reflection) bool {
	search := newText(f.Search)
	return func(r *Reflection) bool {
		return live(&r.Meta, f.Sample, f.IncludeArchived) && search.over(r.Searched) &&
			eqVal(f.MuseumID, r.MuseumID) && eqPtr(f.PartnershipID, r.PartnershipID) &&
			eqPtr(f.DecisionEventID, r.DecisionEventID) && oneOf(f.Authors, r.Author) &&
			atLeast(f.WrittenAfter, r.WrittenOn) && atMost(f.WrittenBefore, r.WrittenOn) && eqVal(f.Visibility, r.Visibility)
	}
}

// Match returns the test of f: whether a publication passes it.
func (f *PublicationFilter) Match(Refs) func(*Publication) bool {
	search := newText(f.Search)
	return func(p *Publication) bool {
		return live(&p.Meta, f.Sample, f.IncludeArchived) && search.over(p.Searched) &&
			eqPtr(f.ProgrammeID, p.ProgrammeID) && holds(f.MuseumID, p.MuseumIDs) && oneOf(f.Kinds, p.Kind) &&
			atLeast(f.YearFrom, p.Year) && atMost(f.YearTo, p.Year)
	}
}

// MatchLive is the test of collections without a filter: live records.
func MatchLive[T any](meta func(*T) *Meta) func(*struct{}, Refs) func(*T) bool {
	return func(*struct{}, Refs) func(*T) bool {
		return func(t *T) bool { return !meta(t).Archived }
	}
}
