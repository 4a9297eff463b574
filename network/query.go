package network

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/participation-graph/participation-graph/domain"
)

// graph is one filtered network as the caller may see it, with its metrics. It is
// immutable once built and shared by every request with the same version, filter and
// view.
type graph struct {
	g     csr
	nodes []*Node // by node index: ids in ascending order
	index map[string]int32
	edges []*Edge    // by id
	ends  [][2]int32 // node indices of each edge's ends
	net   *Network
}

// Network returns the partnership network selected by f, as view v may see it: every
// node with its degree, weighted degree, betweenness and component, every edge, and the
// stats. Nodes come museums first, then by label and id; edges by id. The result is
// computed once per projection version, filter and view and then shared: treat it as
// read-only. A bad filter is a *domain.ValidationError; it waits for the projection to
// load, and fails with ctx's error if ctx ends first.
func (p *Projection) Network(ctx context.Context, f *Filter, v View) (*Network, error) {
	g, err := p.graph(ctx, f, v)
	if err != nil {
		return nil, err
	}
	return g.net, nil
}

// Neighbourhood returns the part of the network selected by f that lies within depth
// steps of the museum or community id (0 to MaxDepth; the node alone at 0): those nodes
// and every edge between them. The nodes' metrics are those of the whole network, so they
// do not change with the depth asked for; the stats count what is returned. A museum or
// community outside the selected network has an empty neighbourhood. An id that is no
// museum or community is domain.ErrNotFound; a depth out of range is a
// *domain.ValidationError.
func (p *Projection) Neighbourhood(ctx context.Context, id string, depth int, f *Filter, v View) (*Network, error) {
	if depth < 0 || depth > MaxDepth {
		return nil, &domain.ValidationError{Fields: []domain.FieldError{{Field: "depth",
			Message: fmt.Sprintf("must be between 0 and %d, not %d", MaxDepth, depth)}}}
	}
	g, err := p.graph(ctx, f, v)
	if err != nil {
		return nil, err
	}
	if err := p.known(id); err != nil {
		return nil, err
	}
	src, ok := g.index[id]
	if !ok {
		return &Network{Nodes: []*Node{}, Edges: []*Edge{}}, nil
	}
	in := make(map[int32]bool)
	for _, x := range within(g.g, src, depth) {
		in[x] = true
	}
	out := &Network{Edges: []*Edge{}}
	for _, n := range g.net.Nodes {
		if in[g.index[n.ID]] {
			out.Nodes = append(out.Nodes, n)
		}
	}
	for i, e := range g.edges {
		if in[g.ends[i][0]] && in[g.ends[i][1]] {
			out.Edges = append(out.Edges, e)
		}
	}
	out.Stats = Stats{NodeCount: len(out.Nodes), EdgeCount: len(out.Edges), ComponentCount: 1,
		Density: density(len(out.Nodes), len(out.Edges))}
	return out, nil
}

// ShortestPath returns a shortest path between two museums or communities in the network
// selected by f, both ends included, or nil when there is none (or either is outside the
// network). Edges are unweighted. Among several shortest paths it returns the one whose
// sequence of ids, read from from, is lowest in lexicographic order, so the answer is the
// same on every call and every server. An id that is no museum or community is
// domain.ErrNotFound.
func (p *Projection) ShortestPath(ctx context.Context, from, to string, f *Filter, v View) ([]*Node, error) {
	g, err := p.graph(ctx, f, v)
	if err != nil {
		return nil, err
	}
	for _, id := range []string{from, to} {
		if err := p.known(id); err != nil {
			return nil, err
		}
	}
	a, okA := g.index[from]
	b, okB := g.index[to]
	if !okA || !okB {
		return nil, nil
	}
	path := shortestPath(g.g, a, b)
	if path == nil {
		return nil, nil
	}
	out := make([]*Node, len(path))
	for i, x := range path {
		out[i] = g.nodes[x]
	}
	return out, nil
}

// known returns domain.ErrNotFound unless id is a museum or community the projection holds.
func (p *Projection) known(id string) error {
	p.mu.RLock()
	_, ok := p.nodes[id]
	p.mu.RUnlock()
	if !ok {
		return fmt.Errorf("museum or community %q: %w", id, domain.ErrNotFound)
	}
	return nil
}

// graph returns the filtered network with its metrics, from the cache when the
// projection has not changed since it was computed for the same filter and view.
func (p *Projection) graph(ctx context.Context, f *Filter, v View) (*graph, error) {
	if f == nil {
		f = &Filter{}
	}
	if err := f.check(); err != nil {
		return nil, err
	}
	if err := p.wait(ctx); err != nil {
		return nil, err
	}
	val, err := p.cached(ctx, "network|"+strconv.FormatBool(v.Restricted)+"|"+f.key(), func() any {
		g := p.build(f, v)
		g.measure()
		return g
	})
	if err != nil {
		return nil, err
	}
	return val.(*graph), nil
}

// build selects the edges and nodes under the read lock; the metrics are computed after.
func (p *Projection) build(f *Filter, v View) *graph {
	p.mu.RLock()
	defer p.mu.RUnlock()
	m := p.matcher(f)
	var edges []*Edge
	ids := map[string]bool{}
	for _, pr := range p.partnerships {
		if pr.archived || !m.partnership(pr) {
			continue
		}
		mus, com := p.nodes[pr.museumID], p.nodes[pr.communityID]
		if mus == nil || com == nil || mus.archived || com.archived {
			continue
		}
		weight, level := p.weigh(pr.id, m, v)
		if m.f.MinLevel != nil && weight == 0 {
			continue
		}
		e := &Edge{ID: pr.id, Source: pr.museumID, Target: pr.communityID, Title: pr.title, Status: pr.status,
			Weight: weight, StartDate: pr.start, EndDate: pr.end, Partnership: pr.rec}
		if level > 0 {
			l := domain.ParticipationLevels[level-1]
			e.MaxLevel = &l
		}
		edges = append(edges, e)
		ids[pr.museumID], ids[pr.communityID] = true, true
	}
	slices.SortFunc(edges, func(a, b *Edge) int { return cmp.Compare(a.ID, b.ID) })
	g := &graph{edges: edges, index: make(map[string]int32, len(ids)), ends: make([][2]int32, len(edges))}
	for _, id := range slices.Sorted(maps.Keys(ids)) {
		n := p.nodes[id]
		g.index[id] = int32(len(g.nodes))
		g.nodes = append(g.nodes, &Node{ID: id, Kind: n.kind, Label: n.label})
	}
	for i, e := range edges {
		g.ends[i] = [2]int32{g.index[e.Source], g.index[e.Target]}
	}
	return g
}

// weigh returns the number of a partnership's events that count under m and v, and the
// highest level among them (0 when none).
func (p *Projection) weigh(id string, m *matcher, v View) (int, int) {
	ee := p.edges[p.lookup(id)]
	if ee == nil {
		return 0, 0
	}
	var byLevel [6]int32
	if m.window {
		for _, i := range ee.events {
			if e := &p.facts[i]; m.event(e, v) {
				byLevel[e.level]++
			}
		}
	} else {
		for l := max(1, m.minRank); l <= 5; l++ {
			byLevel[l] = ee.counts[0][l]
			if v.Restricted {
				byLevel[l] += ee.counts[1][l]
			}
		}
	}
	weight, top := 0, 0
	for l := 1; l <= 5; l++ {
		if byLevel[l] > 0 {
			weight += int(byLevel[l])
			top = l
		}
	}
	return weight, top
}

// matcher prepares f for this projection's contents; the caller holds the read lock.
func (p *Projection) matcher(f *Filter) *matcher {
	m := &matcher{f: f, museums: set(f.MuseumIDs), communities: set(f.CommunityIDs), minRank: 1}
	if len(f.OutcomeCodes) > 0 {
		m.outcomes = p.outcomeIDs(f.OutcomeCodes)
	}
	if f.MinLevel != nil {
		m.minRank = f.MinLevel.Rank()
	}
	if f.From != nil || f.To != nil {
		m.window, m.fromMs, m.toMs = true, minMs, maxMs
		if f.From != nil {
			m.fromMs = dayStart(*f.From)
		}
		if f.To != nil {
			m.toMs = dayEnd(*f.To)
		}
	}
	return m
}

// The widest event window.
const (
	minMs = -1 << 62
	maxMs = 1 << 62
)

// outcomeIDs returns the ids of the live outcomes with any of the codes (never nil, so
// that codes no outcome has select nothing); the caller holds the read lock.
func (p *Projection) outcomeIDs(codes []string) map[string]bool {
	ids := map[string]bool{}
	for _, o := range p.outcomes {
		if !o.archived && slices.Contains(codes, o.code) {
			ids[o.id] = true
		}
	}
	return ids
}

// measure computes the metrics of every node and the stats, and orders the nodes for
// the caller.
func (g *graph) measure() {
	g.g = newCSR(len(g.nodes), g.ends)
	for i, e := range g.edges {
		for _, x := range g.ends[i] {
			g.nodes[x].Degree++
			g.nodes[x].WeightedDegree += e.Weight
		}
	}
	bc := betweenness(g.g)
	comp, count := components(g.g)
	for i, n := range g.nodes {
		n.Betweenness, n.Component = bc[i], comp[i]
	}
	sorted := slices.Clone(g.nodes)
	slices.SortFunc(sorted, func(a, b *Node) int {
		return cmp.Or(cmp.Compare(slices.Index(NodeKinds, a.Kind), slices.Index(NodeKinds, b.Kind)), cmp.Compare(a.Label, b.Label), cmp.Compare(a.ID, b.ID))
	})
	if sorted == nil {
		sorted = []*Node{}
	}
	edges := g.edges
	if edges == nil {
		edges = []*Edge{}
	}
	g.net = &Network{Nodes: sorted, Edges: edges, Stats: Stats{NodeCount: len(g.nodes), EdgeCount: len(g.edges),
		ComponentCount: count, Density: density(len(g.nodes), len(g.edges))}}
}
