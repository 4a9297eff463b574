package network

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func graphOf(n int, edges ...[2]int32) csr { return newCSR(n, edges) }

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func checkBetweenness(t *testing.T, g csr, want []float64) {
	t.Helper()
	got := betweenness(g)
	for v := range want {
		if !near(got[v], want[v]) {
			t.Errorf("betweenness = %v, want %v", got, want)
			return
		}
	}
}

// Textbook values: the normalised betweenness of the middle nodes of a path, the centre
// of a star, the ends of a bridge, and of nodes on tied shortest paths.
func TestBetweennessTextbook(t *testing.T) {
	t.Run("Path", func(t *testing.T) {
		// On a path of 5, node i lies on i·(4-i) pairs' only path; 2/((n-1)(n-2)) = 1/6.
		g := graphOf(5, [2]int32{0, 1}, [2]int32{1, 2}, [2]int32{2, 3}, [2]int32{3, 4})
		checkBetweenness(t, g, []float64{0, 3.0 / 6, 4.0 / 6, 3.0 / 6, 0})
	})
	t.Run("Star", func(t *testing.T) {
		// The centre is on every path between two leaves: exactly 1 normalised.
		g := graphOf(6, [2]int32{0, 1}, [2]int32{0, 2}, [2]int32{0, 3}, [2]int32{0, 4}, [2]int32{0, 5})
		checkBetweenness(t, g, []float64{1, 0, 0, 0, 0, 0})
	})
	t.Run("Bridge", func(t *testing.T) {
		// Two triangles joined by the bridge 2–3: 2 and 3 each carry the 3·3 = 9 pairs
		// across, less the pair they are an end of: 6 pairs, times 2/(5·4).
		g := graphOf(6, [2]int32{0, 1}, [2]int32{1, 2}, [2]int32{0, 2}, [2]int32{3, 4}, [2]int32{4, 5}, [2]int32{3, 5}, [2]int32{2, 3})
		checkBetweenness(t, g, []float64{0, 0, 0.6, 0.6, 0, 0})
	})
	t.Run("TiedPaths", func(t *testing.T) {
		// A 4-cycle: each node is on one of the two shortest paths between its neighbours:
		// 1/2 a pair, times 2/(3·2).
		g := graphOf(4, [2]int32{0, 1}, [2]int32{1, 2}, [2]int32{2, 3}, [2]int32{3, 0})
		checkBetweenness(t, g, []float64{1.0 / 6, 1.0 / 6, 1.0 / 6, 1.0 / 6})
	})
	t.Run("Components", func(t *testing.T) {
		// A path 0–1–2 and an isolated node: n counts every node, so 1 pair times 2/(3·2).
		g := graphOf(4, [2]int32{0, 1}, [2]int32{1, 2})
		checkBetweenness(t, g, []float64{0, 1.0 / 3, 0, 0})
	})
	t.Run("ParallelEdgesCountOnce", func(t *testing.T) {
		g := graphOf(3, [2]int32{0, 1}, [2]int32{0, 1}, [2]int32{1, 2}, [2]int32{2, 2})
		if deg := len(g.neighbours(1)); deg != 2 {
			t.Errorf("node 1 has %d neighbours, want 2", deg)
		}
		checkBetweenness(t, g, []float64{0, 1, 0})
	})
	t.Run("TooSmall", func(t *testing.T) {
		checkBetweenness(t, graphOf(2, [2]int32{0, 1}), []float64{0, 0})
	})
}

// bruteBetweenness is the definition: for every pair s < t of other nodes, the share of
// the shortest s–t paths that pass through v, from all-pairs distances and path counts.
func bruteBetweenness(g csr) []float64 {
	n := g.n()
	dist := make([][]int, n)
	sigma := make([][]float64, n)
	for s := range n {
		dist[s] = make([]int, n)
		sigma[s] = make([]float64, n)
		for i := range dist[s] {
			dist[s][i] = -1
		}
		dist[s][s], sigma[s][s] = 0, 1
		queue := []int32{int32(s)}
		for i := 0; i < len(queue); i++ {
			v := queue[i]
			for _, w := range g.neighbours(v) {
				if dist[s][w] < 0 {
					dist[s][w] = dist[s][v] + 1
					queue = append(queue, w)
				}
				if dist[s][w] == dist[s][v]+1 {
					sigma[s][w] += sigma[s][v]
				}
			}
		}
	}
	bc := make([]float64, n)
	for v := range n {
		for s := range n {
			for u := s + 1; u < n; u++ {
				if s == v || u == v || dist[s][u] < 0 || dist[s][v] < 0 || dist[v][u] < 0 {
					continue
				}
				if dist[s][v]+dist[v][u] == dist[s][u] {
					bc[v] += sigma[s][v] * sigma[v][u] / sigma[s][u]
				}
			}
		}
		bc[v] *= 2 / float64((n-1)*(n-2))
	}
	return bc
}

func randomGraph(r *rand.Rand, n, m int) csr {
	edges := make([][2]int32, m)
	for i := range edges {
		edges[i] = [2]int32{int32(r.IntN(n)), int32(r.IntN(n))}
	}
	return newCSR(n, edges)
}

// Random graphs large enough to share the sources among goroutines agree with the
// definition.
func TestBetweennessMatchesDefinition(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, size := range [][2]int{{30, 40}, {150, 300}, {200, 180}} {
		g := randomGraph(r, size[0], size[1])
		got, want := betweenness(g), bruteBetweenness(g)
		for v := range want {
			if math.Abs(got[v]-want[v]) > 1e-9 {
				t.Fatalf("n=%d m=%d: node %d betweenness %v, want %v", size[0], size[1], v, got[v], want[v])
			}
		}
	}
}

// Graphs of several shapes, drawn with several seeds, agree with the definition. Their
// edge lists repeat pairs and hold self-loops, which the adjacency folds away. The shapes
// make the search go both ways between levels in both passes: dense graphs, where the
// frontier soon has more adjacency than the nodes not reached yet, paths with a few
// chords, with many thin levels, and several components of different densities, where
// the nodes not reached include whole components.
func TestBetweennessMatchesDefinitionOnRandomShapes(t *testing.T) {
	shapes := []struct {
		name  string
		graph func(r *rand.Rand) csr
	}{
		{"Sparse", func(r *rand.Rand) csr { return randomGraph(r, 120, 130) }},
		{"Dense", func(r *rand.Rand) csr { return randomGraph(r, 90, 1500) }},
		{"PathWithChords", func(r *rand.Rand) csr {
			n := 150
			edges := make([][2]int32, 0, n+5)
			for v := range n - 1 {
				edges = append(edges, [2]int32{int32(v), int32(v + 1)})
			}
			for range 5 {
				edges = append(edges, [2]int32{int32(r.IntN(n)), int32(r.IntN(n))})
			}
			return newCSR(n, edges)
		}},
		{"Components", func(r *rand.Rand) csr {
			// Four blocks of 40 nodes from sparse to dense, and a few isolated nodes.
			var edges [][2]int32
			for b, m := range []int{30, 60, 200, 600} {
				for range m {
					u, v := r.IntN(40), r.IntN(40)
					edges = append(edges, [2]int32{int32(40*b + u), int32(40*b + v)})
				}
			}
			return newCSR(165, edges)
		}},
		{"Hubs", func(r *rand.Rand) csr {
			n := 130
			var edges [][2]int32
			for v := range n {
				edges = append(edges, [2]int32{int32(r.IntN(3)), int32(v)}, [2]int32{int32(r.IntN(n)), int32(v)})
			}
			return newCSR(n, edges)
		}},
	}
	for _, shape := range shapes {
		t.Run(shape.name, func(t *testing.T) {
			for seed := range uint64(5) {
				g := shape.graph(rand.New(rand.NewPCG(seed, 7)))
				got, want := betweenness(g), bruteBetweenness(g)
				for v := range want {
					if math.Abs(got[v]-want[v]) > 1e-9 {
						t.Fatalf("seed %d: node %d betweenness %v, want %v", seed, v, got[v], want[v])
					}
				}
			}
		})
	}
}

func TestComponents(t *testing.T) {
	// {0,1}, {2,3,4}, {5}, {6,7,8}: the two of size 3 first, the one holding node 2 first.
	g := graphOf(9, [2]int32{0, 1}, [2]int32{2, 3}, [2]int32{3, 4}, [2]int32{6, 7}, [2]int32{7, 8})
	comp, count := components(g)
	want := []int{2, 2, 0, 0, 0, 3, 1, 1, 1}
	if count != 4 || !slices.Equal(comp, want) {
		t.Errorf("components = %v (%d), want %v (4)", comp, count, want)
	}
}

func TestShortestPath(t *testing.T) {
	// 0–1–3, 0–2–3 tie; 3–4; 5 alone.
	g := graphOf(6, [2]int32{0, 2}, [2]int32{0, 1}, [2]int32{1, 3}, [2]int32{2, 3}, [2]int32{3, 4})
	cases := []struct {
		name     string
		from, to int32
		want     []int32
	}{
		{"TieGoesToLowestSequence", 0, 3, []int32{0, 1, 3}},
		{"TieFromTheOtherEnd", 4, 0, []int32{4, 3, 1, 0}},
		{"Neighbours", 2, 3, []int32{2, 3}},
		{"Same", 4, 4, []int32{4}},
		{"None", 0, 5, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := shortestPath(g, c.from, c.to); !slices.Equal(got, c.want) {
				t.Errorf("shortestPath(%d, %d) = %v, want %v", c.from, c.to, got, c.want)
			}
		})
	}
}

func TestWithin(t *testing.T) {
	g := graphOf(6, [2]int32{0, 1}, [2]int32{1, 2}, [2]int32{2, 3}, [2]int32{3, 4}, [2]int32{0, 5})
	for depth, want := range [][]int32{{1}, {1, 0, 2}, {1, 0, 2, 5, 3}, {1, 0, 2, 5, 3, 4}} {
		if got := within(g, 1, depth); !slices.Equal(got, want) {
			t.Errorf("within(1, %d) = %v, want %v", depth, got, want)
		}
	}
}

func TestDensity(t *testing.T) {
	for _, c := range []struct {
		n, m int
		want float64
	}{{0, 0, 0}, {1, 0, 0}, {2, 1, 1}, {4, 3, 0.5}, {5, 4, 0.4}} {
		if got := density(c.n, c.m); !near(got, c.want) {
			t.Errorf("density(%d, %d) = %v, want %v", c.n, c.m, got, c.want)
		}
	}
}
