package network

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/store"
)

// None is the key of the bucket of events that have no value in the dimension: no
// community, or no (live) outcome.
const None = "NONE"

// Summary groups the decision events that match f (DecisionEventFilter.Match, the rule
// decisionEvents applies) and that view v may see, by the dimension by, and returns one
// bucket per value that has events. An event with several communities or outcomes counts
// in the bucket of each. Buckets of years come in ascending order, of levels and kinds in
// the enums' order, of museums, communities and outcomes by label (NONE last).
//
// It is counted from the store's read model, cached per version, filter and view. Errors
// are the store's; it waits for the projection to load.
func (p *Projection) Summary(ctx context.Context, f *domain.DecisionEventFilter, by Dimension, v View) ([]*Bucket, error) {
	if f == nil {
		f = &domain.DecisionEventFilter{}
	}
	if err := p.wait(ctx); err != nil {
		return nil, err
	}
	if p.s == nil {
		return nil, errors.New("network: a summary needs the store's read model")
	}
	key, err := json.Marshal(f)
	if err != nil {
		return nil, err
	}
	val, err := p.cached(ctx, "summary|"+string(by)+"|"+strconv.FormatBool(v.Restricted)+"|"+string(key), func() any {
		var out []*Bucket
		p.s.Model().View(func(snap *store.Snapshot) {
			match := f.Match(snap.Refs(f.OutcomeCodes, nil))
			out = group(snap, func(yield func(*domain.DecisionEvent) bool) {
				snap.Events(func(e *domain.DecisionEvent) bool {
					if (v.Restricted || !domain.IsRestricted(e)) && match(e) {
						return yield(e)
					}
					return true
				})
			}, by)
		})
		return out
	})
	if err != nil {
		return nil, err
	}
	return val.([]*Bucket), nil
}

// group sums events into buckets by dimension.
func group(snap *store.Snapshot, events func(yield func(*domain.DecisionEvent) bool), by Dimension) []*Bucket {
	buckets := map[string]*Bucket{}
	agency := map[string]int{}
	add := func(key string, e *domain.DecisionEvent) {
		b := buckets[key]
		if b == nil {
			b = &Bucket{Key: key, Levels: make([]*LevelCount, len(domain.ParticipationLevels))}
			for i, l := range domain.ParticipationLevels {
				b.Levels[i] = &LevelCount{Level: l}
			}
			buckets[key] = b
		}
		b.EventCount++
		b.DecisionCount += e.DecisionCount
		b.ImplementedCount += e.ImplementedCount
		b.CommunityParticipants += e.CommunityParticipantCount
		if e.LevelRank > 0 {
			b.Levels[e.LevelRank-1].Count++
		}
		if e.LevelRank >= domain.LevelCollaborate.Rank() {
			agency[key]++
		}
		if e.EmpowermentGap {
			b.EmpowermentGapCount++
		}
	}
	var keys []string
	for e := range events {
		switch by {
		case ByMuseum:
			add(e.MuseumID, e)
		case ByCommunity:
			keys = append(keys[:0], e.CommunityIDs...)
			slices.Sort(keys)
			keys = slices.Compact(keys)
			if len(keys) == 0 {
				add(None, e)
			}
			for _, c := range keys {
				add(c, e)
			}
		case ByYear:
			add(strconv.Itoa(e.OccurredAt.UTC().Year()), e)
		case ByLevel:
			add(string(domain.ParticipationLevels[max(e.LevelRank, 1)-1]), e)
		case ByKind:
			add(string(domain.DecisionEventKinds[max(slices.Index(domain.DecisionEventKinds, e.Kind), 0)]), e)
		case ByOutcome:
			keys = keys[:0]
			for _, id := range e.OutcomeIDs {
				if o, ok := snap.Outcome(id); ok && !o.Archived && !slices.Contains(keys, o.Code) {
					keys = append(keys, o.Code)
				}
			}
			if len(keys) == 0 {
				add(None, e)
			}
			for _, c := range keys {
				add(c, e)
			}
		}
	}
	out := make([]*Bucket, 0, len(buckets))
	for key, b := range buckets {
		b.AgencyShare = float64(agency[key]) / float64(b.EventCount)
		b.Label = label(snap, by, key)
		out = append(out, b)
	}
	slices.SortFunc(out, func(a, b *Bucket) int { return compareBuckets(by, a, b) })
	return out
}

// label names a bucket for people.
func label(snap *store.Snapshot, by Dimension, key string) string {
	switch {
	case key == None && by == ByCommunity:
		return "No community"
	case key == None && by == ByOutcome:
		return "No outcome"
	case by == ByMuseum:
		if m, ok := snap.Museum(key); ok {
			return m.Name
		}
	case by == ByCommunity:
		if c, ok := snap.Community(key); ok {
			return c.Name
		}
	case by == ByOutcome:
		// Outcomes of different programmes may share a code; the title of the first by id
		// names them all.
		var first *domain.Outcome
		snap.Outcomes(func(o *domain.Outcome) {
			if o.Code == key && !o.Archived && (first == nil || o.ID < first.ID) {
				first = o
			}
		})
		if first != nil {
			return first.Title
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
		return cmp.Compare(domain.ParticipationLevel(a.Key).Rank(), domain.ParticipationLevel(b.Key).Rank())
	case ByKind:
		return cmp.Compare(slices.Index(domain.DecisionEventKinds, domain.DecisionEventKind(a.Key)),
			slices.Index(domain.DecisionEventKinds, domain.DecisionEventKind(b.Key)))
	}
	return cmp.Or(cmp.Compare(b2i(a.Key == None), b2i(b.Key == None)), cmp.Compare(a.Label, b.Label), cmp.Compare(a.Key, b.Key))
}
