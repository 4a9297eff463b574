package network

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/participation-graph/participation-graph/store"
)

// None is the key of the bucket of events that have no value in the dimension: no
// community, or no (live) outcome.
const None = "NONE"

// Summary groups the decision events that match f (with decisionEvents' filter
// semantics) and that view v may see, by the dimension by, and returns one bucket per
// value that has events. An event with several communities or outcomes counts in the
// bucket of each. Buckets of years come in ascending order, of levels and kinds in the
// enums' order, of museums, communities and outcomes by label (NONE last).
//
// Everything is counted from the projection's per-event facts, cached per version; only
// a search (a text match, which the projection does not keep) asks the database for the
// matching ids. Errors are the store's; it waits for the projection to load.
func (p *Projection) Summary(ctx context.Context, f *store.DecisionEventFilter, by Dimension, v View) ([]*Bucket, error) {
	if f == nil {
		f = &store.DecisionEventFilter{}
	}
	if err := p.wait(ctx); err != nil {
		return nil, err
	}
	if f.Search != nil && strings.TrimSpace(*f.Search) != "" {
		if p.s == nil {
			return nil, errors.New("network: a summary with a search needs the database")
		}
		ids, err := p.s.Events.IDs(ctx, f)
		if err != nil {
			return nil, err
		}
		p.mu.RLock()
		defer p.mu.RUnlock()
		return p.group(func(yield func(*eventFact) bool) {
			for _, id := range ids {
				i, ok := p.eventIndex[id]
				if !ok {
					continue // not applied here yet
				}
				if e := &p.facts[i]; (v.Restricted || !e.restricted) && !yield(e) {
					return
				}
			}
		}, by), nil
	}
	key, err := json.Marshal(f)
	if err != nil {
		return nil, err
	}
	val, err := p.cached(ctx, "summary|"+string(by)+"|"+strconv.FormatBool(v.Restricted)+"|"+string(key), func() any {
		p.mu.RLock()
		defer p.mu.RUnlock()
		match := p.eventMatcher(f, v)
		return p.group(func(yield func(*eventFact) bool) {
			for i := range p.facts {
				if e := &p.facts[i]; match(e) && !yield(e) {
					return
				}
			}
		}, by)
	})
	if err != nil {
		return nil, err
	}
	return val.([]*Bucket), nil
}

// eventMatcher returns f as a test on event facts, exactly as the database evaluates
// decisionEvents' filter (search aside), and hiding restricted events from a view that
// may not see them. The caller holds the read lock.
func (p *Projection) eventMatcher(f *store.DecisionEventFilter, v View) func(*eventFact) bool {
	var outcomes map[int32]bool
	if len(f.OutcomeCodes) > 0 {
		outcomes = map[int32]bool{}
		for id := range p.outcomeIDs(f.OutcomeCodes) {
			outcomes[p.lookup(id)] = true
		}
	}
	// References become symbols; an id no event refers to matches nothing.
	ref := func(id *string) int32 {
		if id == nil {
			return noSym
		}
		if n := p.lookup(*id); n != noSym {
			return n
		}
		return -2
	}
	museum, community, partnership := ref(f.MuseumID), ref(f.CommunityID), ref(f.PartnershipID)
	var kinds map[int8]bool
	if len(f.Kinds) > 0 {
		kinds = map[int8]bool{}
		for _, k := range f.Kinds {
			kinds[int8(slices.Index(store.DecisionEventKinds, k))] = true
		}
	}
	ranks := func(n int, rank func(int) int) map[int8]bool {
		if n == 0 {
			return nil
		}
		m := map[int8]bool{}
		for i := range n {
			m[int8(rank(i))] = true
		}
		return m
	}
	levels := ranks(len(f.Levels), func(i int) int { return f.Levels[i].Rank() })
	rungs := ranks(len(f.Rungs), func(i int) int { return f.Rungs[i].Rank() })
	minRank := 0
	if f.MinLevel != nil {
		minRank = f.MinLevel.Rank()
	}
	var after, before *int64
	if f.OccurredAfter != nil {
		ms := f.OccurredAfter.UnixMilli()
		after = &ms
	}
	if f.OccurredBefore != nil {
		ms := f.OccurredBefore.UnixMilli()
		before = &ms
	}
	archived := f.IncludeArchived != nil && *f.IncludeArchived
	return func(e *eventFact) bool {
		switch {
		case e.restricted && !v.Restricted,
			e.archived && !archived,
			f.Sample != nil && e.sample != *f.Sample,
			f.MuseumID != nil && e.museum != museum,
			f.CommunityID != nil && !slices.Contains(p.communities(e), community),
			f.PartnershipID != nil && e.partnership != partnership,
			kinds != nil && !kinds[e.kind],
			levels != nil && !levels[e.level],
			int(e.level) < minRank,
			rungs != nil && (e.rung == 0 || !rungs[e.rung]),
			after != nil && e.at <= *after,
			before != nil && e.at >= *before,
			f.EmpowermentGap != nil && e.gap != *f.EmpowermentGap,
			f.Assessed != nil && (e.rung > 0) != *f.Assessed,
			f.Visibility != nil && e.restricted != (*f.Visibility == store.VisibilityRestricted),
			outcomes != nil && !slices.ContainsFunc(p.outcomesOf(e), func(o int32) bool { return outcomes[o] }):
			return false
		}
		return true
	}
}

// group sums events into buckets by dimension; the caller holds the read lock.
func (p *Projection) group(events func(yield func(*eventFact) bool), by Dimension) []*Bucket {
	buckets := map[string]*Bucket{}
	agency := map[string]int{}
	add := func(key string, e *eventFact) {
		b := buckets[key]
		if b == nil {
			b = &Bucket{Key: key, Levels: make([]*LevelCount, len(store.ParticipationLevels))}
			for i, l := range store.ParticipationLevels {
				b.Levels[i] = &LevelCount{Level: l}
			}
			buckets[key] = b
		}
		b.EventCount++
		b.DecisionCount += int(e.decisions)
		b.ImplementedCount += int(e.implemented)
		b.CommunityParticipants += int(e.participants)
		if e.level > 0 {
			b.Levels[e.level-1].Count++
		}
		if e.level >= int8(store.LevelCollaborate.Rank()) {
			agency[key]++
		}
		if e.gap {
			b.EmpowermentGapCount++
		}
	}
	var codes []string
	for e := range events {
		switch by {
		case ByMuseum:
			add(p.names[e.museum], e)
		case ByCommunity:
			cs := p.communities(e)
			if len(cs) == 0 {
				add(None, e)
			}
			for _, c := range cs {
				add(p.names[c], e)
			}
		case ByYear:
			add(strconv.Itoa(time.UnixMilli(e.at).UTC().Year()), e)
		case ByLevel:
			add(string(store.ParticipationLevels[max(e.level, 1)-1]), e)
		case ByKind:
			add(string(store.DecisionEventKinds[max(e.kind, 0)]), e)
		case ByOutcome:
			codes = codes[:0]
			for _, id := range p.outcomesOf(e) {
				if o := p.outcomes[p.names[id]]; o != nil && !o.archived && !slices.Contains(codes, o.code) {
					codes = append(codes, o.code)
				}
			}
			if len(codes) == 0 {
				add(None, e)
			}
			for _, c := range codes {
				add(c, e)
			}
		}
	}
	out := make([]*Bucket, 0, len(buckets))
	for key, b := range buckets {
		b.AgencyShare = float64(agency[key]) / float64(b.EventCount)
		b.Label = p.label(by, key)
		out = append(out, b)
	}
	slices.SortFunc(out, func(a, b *Bucket) int { return compareBuckets(by, a, b) })
	return out
}

// label names a bucket for people; the caller holds the read lock.
func (p *Projection) label(by Dimension, key string) string {
	switch {
	case key == None && by == ByCommunity:
		return "No community"
	case key == None && by == ByOutcome:
		return "No outcome"
	case by == ByMuseum || by == ByCommunity:
		if n := p.nodes[key]; n != nil {
			return n.label
		}
	case by == ByOutcome:
		// Outcomes of different programmes may share a code; the title of the first by id
		// names them all.
		var first *outcomeRec
		for _, o := range p.outcomes {
			if o.code == key && !o.archived && (first == nil || o.id < first.id) {
				first = o
			}
		}
		if first != nil {
			return first.title
		}
	case by == ByLevel || by == ByKind:
		return humanise(key)
	}
	return key
}

// humanise turns an enum value such as ADVISORY_PANEL into "Advisory panel".
func humanise(s string) string {
	if s == "CO_CURATION" {
		return "Co-curation"
	}
	s = strings.ToLower(strings.ReplaceAll(s, "_", " "))
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func compareBuckets(by Dimension, a, b *Bucket) int {
	switch by {
	case ByYear:
		x, _ := strconv.Atoi(a.Key)
		y, _ := strconv.Atoi(b.Key)
		return cmp.Compare(x, y)
	case ByLevel:
		return cmp.Compare(store.ParticipationLevel(a.Key).Rank(), store.ParticipationLevel(b.Key).Rank())
	case ByKind:
		return cmp.Compare(slices.Index(store.DecisionEventKinds, store.DecisionEventKind(a.Key)),
			slices.Index(store.DecisionEventKinds, store.DecisionEventKind(b.Key)))
	}
	return cmp.Or(cmp.Compare(b2i(a.Key == None), b2i(b.Key == None)), cmp.Compare(a.Label, b.Label), cmp.Compare(a.Key, b.Key))
}
