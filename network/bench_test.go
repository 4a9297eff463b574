package network

import (
	"math/rand/v2"
	"testing"

	"github.com/participation-graph/participation-graph/seed"
)

// distinctEdges returns m distinct edges between n nodes, drawn at random.
func distinctEdges(r *rand.Rand, n, m int) [][2]int32 {
	seen := make(map[[2]int32]bool, m)
	out := make([][2]int32, 0, m)
	for len(out) < m {
		a, b := int32(r.IntN(n)), int32(r.IntN(n))
		if a == b {
			continue
		}
		if a > b {
			a, b = b, a
		}
		if !seen[[2]int32{a, b}] {
			seen[[2]int32{a, b}] = true
			out = append(out, [2]int32{a, b})
		}
	}
	return out
}

// BenchmarkBetweenness is exact betweenness of every node of a random graph of 10,000
// nodes and 50,000 edges. Run with -cpu 1 for one core.
func BenchmarkBetweenness(b *testing.B) {
	g := newCSR(10_000, distinctEdges(rand.New(rand.NewPCG(10_000, 50_000)), 10_000, 50_000))
	b.ReportAllocs()
	for b.Loop() {
		betweenness(g)
	}
}

// BenchmarkBetweennessSample is exact betweenness of every node of the network of the
// sample data at 100,000 decision events (1,040 nodes, 2,500 edges), as a request for
// the sample's network computes it after a change.
func BenchmarkBetweennessSample(b *testing.B) {
	recs, err := seed.SampleNetwork(100_000)
	if err != nil {
		b.Fatal(err)
	}
	sample := true
	nw := fromRecords(recs...).build(&Filter{Sample: &sample}, View{})
	g := newCSR(len(nw.nodes), nw.ends)
	b.ReportAllocs()
	for b.Loop() {
		betweenness(g)
	}
}
