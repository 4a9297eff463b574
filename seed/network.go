package seed

import (
	"fmt"
	"sort"
)

// SampleNetwork generates in memory the records of the sample data of a scale that make
// up the partnership network — outcomes, museums, communities, partnerships and decision
// events, derived fields included — equal to those Sample stores for the same scale, so
// that benchmarks can build the network at any scale without loading the database. The
// scale's limits are Sample's.
func SampleNetwork(scale int) ([]any, error) {
	if scale < 1 || scale > sampleMaxScale {
		return nil, fmt.Errorf("seed: sample scale must be between 1 and %d, not %d", sampleMaxScale, scale)
	}
	g := newSampleGen(scale)
	var out []any
	// The generators run in Sample's order, people included, since each one draws from
	// the same random sequence.
	for _, o := range g.outcomes() {
		out = append(out, o)
	}
	for _, m := range g.genMuseums() {
		out = append(out, m)
	}
	g.memberships()
	for _, c := range g.genCommunities() {
		out = append(out, c)
	}
	for i := range g.nPeople {
		g.person(i)
	}
	for _, e := range g.eligible {
		sort.SliceStable(e, func(a, b int) bool { return e[a].day < e[b].day })
	}
	for _, p := range g.genPartnerships() {
		out = append(out, p)
	}
	g.evPartnership, g.evDay, g.evRestricted = make([]int32, g.nEvents), make([]int32, g.nEvents), make([]bool, g.nEvents)
	for i := range g.nEvents {
		e := g.event(i)
		e.Derive()
		out = append(out, e)
	}
	return out, nil
}
