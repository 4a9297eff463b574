package network

import (
	"math/bits"
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
func brandes(g csr, first, step int) []float64 {
	b := newSearch(g)
	for s := first; s < g.n(); s += step {
		b.forward(int32(s))
		b.backward()
	}
	return b.out
}

// search is one worker's state for Brandes' algorithm, reused from source to source.
//
// Both passes go level by level and do without distances and predecessor lists: a node's
// neighbours lie on its own level or the ones next to it, so a sum over all its
// neighbours of a value that only one adjacent level holds yet is a sum over its
// predecessors or its successors. Each step between two levels walks the adjacency rows
// of whichever side has fewer entries: on the way out, either the frontier pushes its
// path counts to its neighbours or every node not reached yet pulls them; on the way
// back, either a level pulls (1+δ)/σ from the level below or the level below pushes it.
// On a graph of small diameter most of the rows of the two largest levels are never
// walked.
type search struct {
	off, adj []int32
	rows     int // len(adj)
	out      []float64

	// val is per node: on the way out, the path counts pushed to it or, for the frontier
	// of a pulling step, its path count; on the way back, (1+δ)/σ once its level is done.
	// acc is per node: the quotients pushed to it on the way back. Both are zero
	// between sources.
	val, acc []float64
	seen     []uint64 // the nodes reached, one bit each; bits past n are always set

	order  []int32   // the nodes reached, level after level, and a spare for push to write
	sigma  []float64 // per position in order: the number of shortest paths from the source
	sum    []float64 // per position in order: Σ (1+δ[w])/σ[w] over its successors w
	levels []int32   // level k is order[levels[k]:levels[k+1]]
	width  []int     // per level: the number of adjacency entries of its nodes
}

func newSearch(g csr) *search {
	n := g.n()
	b := &search{
		off: g.off, adj: g.adj, rows: len(g.adj),
		out: make([]float64, n), val: make([]float64, n), acc: make([]float64, n),
		seen:  make([]uint64, (n+63)/64),
		order: make([]int32, n+1), sigma: make([]float64, n), sum: make([]float64, n),
	}
	b.clearSeen()
	return b
}

// clearSeen marks every node as not reached, and the bits past the last node as reached.
func (b *search) clearSeen() {
	clear(b.seen)
	n := len(b.val)
	if n%64 != 0 {
		b.seen[len(b.seen)-1] = ^uint64(0) << (n % 64)
	}
}

// rowsOf returns the number of adjacency entries of the nodes.
func (b *search) rowsOf(nodes []int32) int {
	r := 0
	for _, v := range nodes {
		r += int(b.off[v+1] - b.off[v])
	}
	return r
}

// forward finds the levels from s and every node's number of shortest paths from s.
func (b *search) forward(s int32) {
	b.order[0], b.sigma[0], b.val[s] = s, 1, 1
	b.seen[s>>6] |= 1 << (s & 63)
	b.levels = append(b.levels[:0], 0, 1)
	b.width = append(b.width[:0], b.rowsOf(b.order[:1]))
	reached := b.width[0] // adjacency entries of the nodes reached
	// val is zero on order[:clean]: a pulling step needs it zero below the frontier.
	clean := int32(0)
	for {
		k := len(b.levels) - 2
		head, tail := b.levels[k], b.levels[k+1]
		if tail == head {
			break
		}
		// Walk the frontier's rows or those of the nodes not reached, whichever are fewer.
		var next int32
		if b.width[k] > b.rows-reached {
			for _, v := range b.order[clean:head] {
				b.val[v] = 0
			}
			clean = head
			next = b.pull(tail)
		} else {
			next = b.push(head, tail)
		}
		w := b.rowsOf(b.order[tail:next])
		reached += w
		b.levels = append(b.levels, next)
		b.width = append(b.width, w)
	}
	b.levels = b.levels[:len(b.levels)-1]
	b.width = b.width[:len(b.width)-1]
	tail := b.levels[len(b.levels)-1]
	for _, v := range b.order[clean:tail] {
		b.val[v] = 0
	}
	b.clearSeen()
}

// push expands the frontier order[head:tail] by adding each node's path count to every
// neighbour: on the next level that is the sum over its predecessors, and what the
// frontier and the level before it receive is never read. It returns the end of the
// next level in order.
func (b *search) push(head, tail int32) int32 {
	off, adj, val, seen, order := b.off, b.adj, b.val, b.seen, b.order
	next := tail
	frontier := order[head:tail]
	sg := b.sigma[head:tail]
	sg = sg[:len(frontier)]
	for i, v := range frontier {
		sv := sg[i]
		for _, w := range adj[off[v]:off[v+1]] {
			// Without a branch: whether w is new is as good as random.
			word := seen[w>>6]
			seen[w>>6] = word | 1<<(w&63)
			order[next] = w
			next += int32(^word>>(w&63)) & 1
			val[w] += sv
		}
	}
	found := order[tail:next]
	sg = b.sigma[tail:next]
	sg = sg[:len(found)]
	for i, w := range found {
		sg[i] = val[w]
	}
	return next
}

// pull expands the frontier, whose nodes alone have a non-zero val, by summing val over
// the neighbours of every node not reached yet: the nodes with a non-zero sum are the
// next level. It returns the end of the next level in order.
func (b *search) pull(tail int32) int32 {
	off, adj, val, order, sigma := b.off, b.adj, b.val, b.order, b.sigma
	next := tail
	for k, word := range b.seen {
		for free := ^word; free != 0; free &= free - 1 {
			u := int32(k<<6 + bits.TrailingZeros64(free))
			if x := sumOver(adj[off[u]:off[u+1]], val); x != 0 {
				order[next], sigma[next] = u, x
				next++
			}
		}
	}
	found, sg := order[tail:next], sigma[tail:next]
	sg = sg[:len(found)]
	for i, u := range found {
		val[u] = sg[i]
		b.seen[u>>6] |= 1 << (u & 63)
	}
	return next
}

// sumOver returns the sum of val over the nodes of row, in two chains of additions so
// that each need not wait for the other.
func sumOver(row []int32, val []float64) float64 {
	var x, y float64
	for ; len(row) >= 2; row = row[2:] {
		x += val[row[0]]
		y += val[row[1]]
	}
	if len(row) > 0 {
		x += val[row[0]]
	}
	return x + y
}

// backward accumulates the dependencies on the source of forward's search, deepest level
// first, and adds them to out. The source's own is not counted.
func (b *search) backward() {
	off, adj, val, acc := b.off, b.adj, b.val, b.acc
	last := len(b.levels) - 2
	for k := last; k > 0; k-- {
		lo, hi := b.levels[k], b.levels[k+1]
		lvl, sg, sm := b.order[lo:hi], b.sigma[lo:hi], b.sum[lo:hi]
		sg, sm = sg[:len(lvl)], sm[:len(lvl)]
		switch {
		case k == last:
			clear(sm)
		case b.width[k] <= b.width[k+1]: // the rows of whichever level has fewer
			// Of the neighbours, only the level below has a val yet.
			for i, w := range lvl {
				sm[i] = sumOver(adj[off[w]:off[w+1]], val)
			}
		default:
			// The level below pushed its quotients.
			for i, w := range lvl {
				sm[i] = acc[w]
			}
		}
		for i, w := range lvl {
			b.out[w] += sg[i] * sm[i]
			val[w] = 1/sg[i] + sm[i]
		}
		if k > 1 && b.width[k-1] > b.width[k] {
			// The level above will not pull: push to it. What this level and the one
			// below receive is never read.
			for _, w := range lvl {
				q := val[w]
				for _, x := range adj[off[w]:off[w+1]] {
					acc[x] += q
				}
			}
		}
	}
	for _, v := range b.order[:b.levels[last+1]] {
		val[v], acc[v] = 0, 0
	}
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
