// Package network owns the in-memory projection of Participation Graph as a graph —
// museums and communities as nodes, partnerships as edges — and everything computed from
// it: filtered networks with degree, weighted degree, betweenness and components,
// neighbourhoods, shortest paths, their GraphML, GEXF and node-link JSON exports, and the
// participation summary of decision events.
//
// The projection is kept from the store's read model, which loads the records once and
// follows the change feed; requests never rebuild it. It holds the nodes, the
// partnerships and, for each decision event, the few facts that weigh its edge (time,
// level, whether it is RESTRICTED); the participation summary reads the events
// themselves from the read model. Every query takes a View saying whether the caller may
// see restricted events, so that nothing derived from a restricted event (a weight, a
// level, a count) reaches a caller who may not see the event itself.
// Results are cached per projection version, filter and view: betweenness is computed
// once per version and filter, not per node or per request.
//
// The participation summary lives here, beside the network, because both are answers to
// researchers' questions about the same records, cached under the same version.
package network

import (
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/participation-graph/participation-graph/domain"
)

// View is what the caller may see. Anonymous callers see PUBLIC decision events only;
// Restricted callers (researchers and above) see RESTRICTED ones too.
type View struct {
	Restricted bool
}

// NodeKind says whether a network node is a museum or a community.
type NodeKind string

// The kinds of node.
const (
	KindMuseum    NodeKind = "MUSEUM"
	KindCommunity NodeKind = "COMMUNITY"
)

// NodeKinds lists the kinds of node, museums first.
var NodeKinds = domain.EnumValues[NodeKind]{KindMuseum, KindCommunity}

// MarshalGQL writes the kind as a GraphQL enum value.
func (k NodeKind) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(k))) }

// UnmarshalGQL reads a kind, failing on unknown values.
func (k *NodeKind) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, k, NodeKinds, "NetworkNodeKind")
}

// Node is a museum or community in a network, with its metrics in that network.
type Node struct {
	// ID is the Museum's or Community's id.
	ID    string
	Kind  NodeKind
	Label string
	// Degree is the number of partnerships (edges) the node has.
	Degree int
	// WeightedDegree is the sum of the weights of those edges.
	WeightedDegree int
	// Betweenness is the node's unweighted betweenness centrality, normalised for an
	// undirected graph by 2/((n-1)(n-2)).
	Betweenness float64
	// Component numbers the node's connected component: 0 is the largest.
	Component int
}

// Edge is a partnership in a network: Source is its museum, Target its community.
type Edge struct {
	// ID is the Partnership's id.
	ID     string
	Source string
	Target string
	Title  string
	Status domain.PartnershipStatus
	// Weight is the number of the partnership's decision events counted under the filter
	// and view.
	Weight    int
	StartDate *domain.Date
	EndDate   *domain.Date
	// MaxLevel is the highest participation level of those events; nil when none counts.
	MaxLevel *domain.ParticipationLevel
	// Partnership is the partnership's record as the projection holds it (shared: treat
	// it as read-only). Partnerships carry no access rule, so any caller who may see the
	// edge may see it. It is no part of the edge's own JSON.
	Partnership *domain.Partnership `json:"-"`
}

// Stats describe a network as a whole.
type Stats struct {
	NodeCount      int
	EdgeCount      int
	ComponentCount int
	// Density is 2m/(n(n-1)) for m edges and n nodes (0 with fewer than two nodes).
	Density float64
}

// Network is a set of nodes and the edges between them, with its stats. A Network the
// package returns may be shared with other callers: treat it as read-only.
type Network struct {
	Nodes []*Node
	Edges []*Edge
	Stats Stats
}

// Dimension is what a participation summary groups decision events by.
type Dimension string

// The dimensions of a summary.
const (
	ByMuseum    Dimension = "MUSEUM"
	ByCommunity Dimension = "COMMUNITY"
	ByYear      Dimension = "YEAR"
	ByLevel     Dimension = "LEVEL"
	ByOutcome   Dimension = "OUTCOME"
	ByKind      Dimension = "KIND"
)

// Dimensions lists the dimensions.
var Dimensions = domain.EnumValues[Dimension]{ByMuseum, ByCommunity, ByYear, ByLevel, ByOutcome, ByKind}

// MarshalGQL writes the dimension as a GraphQL enum value.
func (d Dimension) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(d))) }

// UnmarshalGQL reads a dimension, failing on unknown values.
func (d *Dimension) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, d, Dimensions, "SummaryDimension")
}

// Bucket is the summary of the decision events that share one value of a dimension.
type Bucket struct {
	// Key is the value: a museum or community id, a year, a level, an outcome code or an
	// event kind; NONE for events with no community or no outcome.
	Key   string
	Label string
	// EventCount is the number of events in the bucket.
	EventCount int
	// DecisionCount is the number of decisions taken at them.
	DecisionCount int
	// ImplementedCount is the number of those decisions known to be implemented.
	ImplementedCount int
	// CommunityParticipants is the sum of the events' community participant counts.
	CommunityParticipants int
	// Levels counts the events at each participation level, every level listed.
	Levels []*LevelCount
	// AgencyShare is the fraction of the events declared COLLABORATE or EMPOWER.
	AgencyShare float64
	// EmpowermentGapCount is the number of events that are empowerment gaps.
	EmpowermentGapCount int
}

// LevelCount is how many events were declared at one level.
type LevelCount struct {
	Level domain.ParticipationLevel
	Count int
}

// unmarshalEnum reads a GraphQL enum value, refusing values vs does not have, with the
// store's input error so that the API reports it against the field.
func unmarshalEnum[E ~string](v any, dst *E, vs domain.EnumValues[E], name string) error {
	s, ok := v.(string)
	if !ok || !slices.Contains(vs, E(s)) {
		names := make([]string, len(vs))
		for i, x := range vs {
			names[i] = string(x)
		}
		return &domain.InputError{Message: strconv.Quote(s) + " is not a valid " + name + "; use one of " + strings.Join(names, ", ")}
	}
	*dst = E(s)
	return nil
}
