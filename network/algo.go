package network

import (
	"runtime"
	"slices"
	"sync"
)

// csr is an undirected simple graph over the nodes 0..n-1 in compressed sparse row form:
// the neighbours of v are adj[off[v]:off[v+1]], in ascending order. Several edges between
// the same two nodes are one adjacency; self-loops are dropped.
type csr struct {
	off []int32
	adj []int32
}

// newCSR builds the graph of n nodes with the given edges.
func newCSR(n int, edges [][2]int32) csr {
	deg := make([]int32, n+1)
	for _, e := range edges {
		if e[0] != e[1] {
			deg[e[0]+1]++
			deg[e[1]+1]++
		}
	}
	for i := 1; i <= n; i++ {
		deg[i] += deg[i-1]
	}
	adj := make([]int32, deg[n])
	fill := slices.Clone(deg[:n])
	for _, e := range edges {
		if e[0] != e[1] {
			adj[fill[e[0]]] = e[1]
			fill[e[0]]++
			adj[fill[e[1]]] = e[0]
			fill[e[1]]++
		}
	}
	// Sort and deduplicate each row, compacting the rows together.
	off := make([]int32, n+1)
	w := int32(0)
	for v := 0; v < n; v++ {
		row := adj[deg[v]:deg[v+1]]
		slices.Sort(row)
		row = slices.Compact(row)
		off[v] = w
		w += int32(copy(adj[w:], row))
	}
	off[n] = w
	return csr{off: off, adj: adj[:w]}
}

func (g csr) n() int { return len(g.off) - 1 }

func (g csr) neighbours(v int32) []int32 { return g.adj[g.off[v]:g.off[v+1]] }

// betweenness returns every node's unweighted betweenness centrality by Brandes'
// algorithm, normalised for an undirected graph: the number of shortest paths through the
// node, summed over unordered pairs of other nodes as fractions of all their shortest
// paths, times 2/((n-1)(n-2)). Graphs of fewer than three nodes give zeros. The sources
// are shared among up to GOMAXPROCS goroutines, each with its own buffers; the result does
// not depend on how the work was shared beyond floating-point rounding.
func betweenness(g csr) []float64 {
	n := g.n()
	bc := make([]float64, n)
	if n < 3 {
		return bc
	}
	workers := max(1, min(runtime.GOMAXPROCS(0), n/64))
	partials := make([][]float64, workers)
	var wg sync.WaitGroup
	for k := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			partials[k] = brandes(g, k, workers)
		}()
	}
	wg.Wait()
	// Each unordered pair was counted from both ends: halve, then normalise.
	scale := 1 / float64((n-1)*(n-2))
	for _, part := range partials {
		for v, x := range part {
			bc[v] += x
		}
	}
	for v := range bc {
		bc[v] *= scale
	}
	return bc
}

// brandes accumulates the dependencies of the sources first, first+step, first+2·step…
// and returns their sums per node.
//
// The search goes level by level, which lets both passes do without distances and
// predecessor lists. A node's neighbours lie on its own level or the ones next to it, so
// when a level is expanded, the nodes it discovers have so far been reached only from it:
// each expanded node adds its path count to every neighbour, and the sums a node gets
// after its own level was recorded are never read. Going back, a node's dependency is
// σ[v]·Σ (1+δ[w])/σ[w] over its successors w; the quotients are kept per node, set a level
// at a time, so that when a level sums them over all neighbours, only the level below has
// any yet. Each pass is one walk of every adjacency row with no test per neighbour in the
// way back and one bit test in the way out.
func brandes(g csr, first, step int) []float64 {
	n := g.n()
	off, adj := g.off, g.adj
	out := make([]float64, n)
	// val is per node: the paths arriving on the way out, (1+δ)/σ on the way back; it is
	// zero for every node between the two and between sources.
	val := make([]float64, n)
	seen := make([]uint64, (n+63)/64)
	order := make([]int32, n) // BFS order, level after level
	// Per position in order: the node's path count, and the sum over its successors.
	sigma := make([]float64, n)
	sum := make([]float64, n)
	levels := make([]int32, 0, 64) // the levels are order[levels[k]:levels[k+1]]
	for s := first; s < n; s += step {
		order[0], val[s] = int32(s), 1
		seen[s>>6] |= 1 << (s & 63)
		levels = append(levels[:0], 0)
		head, tail := int32(0), int32(1)
		for head < tail {
			end := tail
			for i, v := range order[head:end] {
				sigma[int(head)+i] = val[v]
			}
			for i, v := range order[head:end] {
				sv := sigma[int(head)+i]
				for _, w := range adj[off[v]:off[v+1]] {
					if word := seen[w>>6]; word&(1<<(w&63)) == 0 {
						seen[w>>6] = word | 1<<(w&63)
						order[tail] = w
						tail++
					}
					val[w] += sv
				}
			}
			levels = append(levels, end)
			head = end
		}
		reached := order[:tail]
		for _, v := range reached {
			val[v] = 0
		}
		clear(seen)
		// Level 0 is the source, whose dependency is not counted.
		for k := len(levels) - 2; k > 0; k-- {
			lo, hi := levels[k], levels[k+1]
			lvl, sg, sm := order[lo:hi], sigma[lo:hi], sum[lo:hi]
			for i, w := range lvl {
				var a, b float64
				row := adj[off[w]:off[w+1]]
				for len(row) >= 2 {
					a += val[row[0]]
					b += val[row[1]]
					row = row[2:]
				}
				if len(row) > 0 {
					a += val[row[0]]
				}
				sm[i] = a + b
			}
			sg = sg[:len(lvl)]
			sm = sm[:len(lvl)]
			for i, w := range lvl {
				out[w] += sg[i] * sm[i]
				val[w] = 1/sg[i] + sm[i]
			}
		}
		for _, v := range reached {
			val[v] = 0
		}
	}
	return out
}

// components labels every node with its connected component and returns the labels and
// the number of components. Components are numbered from 0 by size, largest first, ties
// going to the component holding the lowest node.
func components(g csr) ([]int, int) {
	n := g.n()
	raw := make([]int, n)
	for i := range raw {
		raw[i] = -1
	}
	type comp struct{ first, size int }
	var comps []comp
	queue := make([]int32, 0, n)
	for s := range n {
		if raw[s] >= 0 {
			continue
		}
		id := len(comps)
		raw[s] = id
		queue = append(queue[:0], int32(s))
		for i := 0; i < len(queue); i++ {
			for _, w := range g.neighbours(queue[i]) {
				if raw[w] < 0 {
					raw[w] = id
					queue = append(queue, w)
				}
			}
		}
		comps = append(comps, comp{first: s, size: len(queue)})
	}
	byRank := make([]int, len(comps))
	for i := range byRank {
		byRank[i] = i
	}
	// comps are already in order of their lowest node, so a stable sort by size suffices.
	slices.SortStableFunc(byRank, func(a, b int) int { return comps[b].size - comps[a].size })
	rank := make([]int, len(comps))
	for r, c := range byRank {
		rank[c] = r
	}
	for v := range raw {
		raw[v] = rank[raw[v]]
	}
	return raw, len(comps)
}

// within returns the nodes at most depth steps from src, src first, in BFS order.
func within(g csr, src int32, depth int) []int32 {
	dist := map[int32]int{src: 0}
	order := []int32{src}
	for i := 0; i < len(order); i++ {
		v := order[i]
		if dist[v] == depth {
			continue
		}
		for _, w := range g.neighbours(v) {
			if _, seen := dist[w]; !seen {
				dist[w] = dist[v] + 1
				order = append(order, w)
			}
		}
	}
	return order
}

// shortestPath returns a shortest path from one node to another, both included, or nil
// when there is none. Among several shortest paths it returns the one whose sequence of
// nodes, read from from, is lowest in lexicographic order: breadth-first search visits
// neighbours in ascending order and keeps the first parent that reaches each node, so the
// queue holds every level in lexicographic order of the paths found.
func shortestPath(g csr, from, to int32) []int32 {
	if from == to {
		return []int32{from}
	}
	parent := map[int32]int32{from: -1}
	queue := []int32{from}
	for i := 0; i < len(queue); i++ {
		v := queue[i]
		for _, w := range g.neighbours(v) {
			if _, seen := parent[w]; seen {
				continue
			}
			parent[w] = v
			if w == to {
				var path []int32
				for x := to; x >= 0; x = parent[x] {
					path = append(path, x)
				}
				slices.Reverse(path)
				return path
			}
			queue = append(queue, w)
		}
	}
	return nil
}

// density is 2m/(n(n-1)), 0 with fewer than two nodes.
func density(nodes, edges int) float64 {
	if nodes < 2 {
		return 0
	}
	return 2 * float64(edges) / float64(nodes*(nodes-1))
}
