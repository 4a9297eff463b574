package network

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/participation-graph/participation-graph/domain"
)

// Filter selects the partnerships of a network and the decision events that weigh them.
// Every condition given must hold (an empty filter selects every partnership):
//
//   - ProgrammeID: partnerships of that programme.
//   - ActiveOn: partnerships running that day: started on or before it, not ended before
//     it (as partnerships(filter: {activeOn}) does).
//   - From, To: partnerships whose [startDate, endDate] overlaps [From, To] (an open end
//     runs on); only the decision events that occurred within [From, To], whole days,
//     count towards weights and levels.
//   - MuseumIDs, CommunityIDs: partnerships of any of these museums; of any of these
//     communities.
//   - OutcomeCodes: partnerships serving any of these outcomes.
//   - MinLevel: only decision events declared at this level or higher count, and a
//     partnership needs at least one of them.
//   - Sample: partnerships of the fictional sample data (true) or real ones (false).
//
// A partnership with no start date has not started: any date condition leaves it out.
// Archived partnerships, and partnerships of an archived museum or community, are never
// part of a network; archived decision events never count.
type Filter struct {
	ProgrammeID  *string
	ActiveOn     *domain.Date
	From         *domain.Date
	To           *domain.Date
	MuseumIDs    []string
	CommunityIDs []string
	OutcomeCodes []string
	MinLevel     *domain.ParticipationLevel
	Sample       *bool
}

// MaxDepth is the largest neighbourhood depth.
const MaxDepth = 5

// check returns a *domain.ValidationError naming what is wrong with the filter.
func (f *Filter) check() error {
	if f.From != nil && f.To != nil && *f.To < *f.From {
		return &domain.ValidationError{Fields: []domain.FieldError{{Field: "filter.to", Message: "must not be before filter.from"}}}
	}
	return nil
}

// key is a canonical text of the filter, equal for filters that select the same things.
func (f *Filter) key() string {
	var b strings.Builder
	opt := func(name string, v *string) {
		if v != nil {
			fmt.Fprintf(&b, "%s=%q;", name, *v)
		}
	}
	list := func(name string, vs []string) {
		if len(vs) > 0 {
			s := slices.Clone(vs)
			slices.Sort(s)
			fmt.Fprintf(&b, "%s=%q;", name, slices.Compact(s))
		}
	}
	opt("programme", f.ProgrammeID)
	opt("activeOn", (*string)(f.ActiveOn))
	opt("from", (*string)(f.From))
	opt("to", (*string)(f.To))
	list("museums", f.MuseumIDs)
	list("communities", f.CommunityIDs)
	list("outcomes", f.OutcomeCodes)
	opt("minLevel", (*string)(f.MinLevel))
	if f.Sample != nil {
		fmt.Fprintf(&b, "sample=%t;", *f.Sample)
	}
	return b.String()
}

// matcher is a filter ready to test partnerships and events against one projection.
type matcher struct {
	f           *Filter
	museums     map[string]bool // nil: any
	communities map[string]bool
	outcomes    map[string]bool // outcome ids serving the codes; nil: any
	window      bool            // From or To restricts the events that count
	fromMs      int64           // events at or after this instant count
	toMs        int64           // events before this instant count
	minRank     int
}

func set(ids []string) map[string]bool {
	if len(ids) == 0 {
		return nil
	}
	m := make(map[string]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}

// partnership reports whether p passes the filter's partnership conditions.
func (m *matcher) partnership(p *partnershipRec) bool {
	f := m.f
	switch {
	case f.Sample != nil && p.sample != *f.Sample,
		f.ProgrammeID != nil && p.programmeID != *f.ProgrammeID,
		m.museums != nil && !m.museums[p.museumID],
		m.communities != nil && !m.communities[p.communityID],
		m.outcomes != nil && !slices.ContainsFunc(p.outcomeIDs, func(id string) bool { return m.outcomes[id] }):
		return false
	}
	if f.ActiveOn == nil && f.From == nil && f.To == nil {
		return true
	}
	if p.start == nil {
		return false
	}
	if d := f.ActiveOn; d != nil && (*p.start > *d || p.end != nil && *p.end < *d) {
		return false
	}
	if f.To != nil && *p.start > *f.To {
		return false
	}
	if f.From != nil && p.end != nil && *p.end < *f.From {
		return false
	}
	return true
}

// event reports whether e counts towards its edge's weight for view v.
func (m *matcher) event(e *eventFact, v View) bool {
	return !e.archived && (v.Restricted || !e.restricted) && int(e.level) >= m.minRank &&
		(!m.window || e.at >= m.fromMs && e.at < m.toMs)
}

// ParseQuery reads a filter from URL query parameters named as NetworkFilter's fields:
// programmeId, activeOn, from, to (YYYY-MM-DD), museumIds, communityIds, outcomeCodes
// (repeated, or comma-separated), minLevel (a ParticipationLevel) and sample (true or
// false). An unknown parameter or a bad value is an error whose message says which and
// why.
func ParseQuery(q url.Values) (Filter, error) {
	var f Filter
	names := slices.Sorted(maps.Keys(q))
	for _, name := range names {
		vals := q[name]
		var err error
		switch name {
		case "programmeId":
			f.ProgrammeID, err = single(name, vals)
		case "activeOn":
			f.ActiveOn, err = dateParam(name, vals)
		case "from":
			f.From, err = dateParam(name, vals)
		case "to":
			f.To, err = dateParam(name, vals)
		case "museumIds":
			f.MuseumIDs = listParam(vals)
		case "communityIds":
			f.CommunityIDs = listParam(vals)
		case "outcomeCodes":
			f.OutcomeCodes = listParam(vals)
		case "minLevel":
			f.MinLevel, err = enumParam[domain.ParticipationLevel](name, vals)
		case "sample":
			f.Sample, err = boolParam(name, vals)
		default:
			err = fmt.Errorf("unknown parameter %q; the filters are programmeId, activeOn, from, to, museumIds, communityIds, outcomeCodes, minLevel and sample", name)
		}
		if err != nil {
			return Filter{}, err
		}
	}
	if f.From != nil && f.To != nil && *f.To < *f.From {
		return Filter{}, fmt.Errorf("to: %s is before from (%s)", *f.To, *f.From)
	}
	return f, nil
}

func single(name string, vals []string) (*string, error) {
	if len(vals) != 1 || strings.TrimSpace(vals[0]) == "" {
		return nil, fmt.Errorf("%s: give exactly one non-empty value", name)
	}
	v := strings.TrimSpace(vals[0])
	return &v, nil
}

func dateParam(name string, vals []string) (*domain.Date, error) {
	s, err := single(name, vals)
	if err != nil {
		return nil, err
	}
	d, err := domain.ParseDate(*s)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &d, nil
}

func listParam(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

// dayStart returns the first instant of day d in Unix milliseconds.
func dayStart(d domain.Date) int64 { return d.Time().UnixMilli() }

// dayEnd returns the first instant after day d in Unix milliseconds.
func dayEnd(d domain.Date) int64 { return d.Time().Add(24 * time.Hour).UnixMilli() }
