package store

import (
	"context"

	"github.com/participation-graph/participation-graph/auth"
	"github.com/participation-graph/participation-graph/domain"
)

// MaxPageSize is the largest page a list returns; asking for more is a validation error.
const MaxPageSize = 100

// DefaultPageSize is the page size when neither first nor last is given.
const DefaultPageSize = 20

// PageArgs are a Relay connection's paging arguments.
type PageArgs struct {
	First  *int
	After  *string
	Last   *int
	Before *string
}

// Order is a list's sort order. Ties are broken by id, so every order is total and cursors
// stay stable when records are inserted.
type Order struct {
	Field     domain.OrderField `json:"field"`
	Direction domain.Direction  `json:"direction"`
}

// PageInfo is Relay's page information.
type PageInfo struct {
	HasNextPage     bool
	HasPreviousPage bool
	StartCursor     *string
	EndCursor       *string
}

// Edge is one item of a page with its position in the list's order.
type Edge[T any] struct {
	Node  *T
	field domain.OrderField
	at    pos
}

// Cursor is the edge's opaque cursor. It is made when asked for: most pages are read
// without their cursors.
func (e Edge[T]) Cursor() string { return encodeCursor(e.field, e.at) }

// Page is one page of a list, in the list's order.
type Page[T any] struct {
	Edges            []Edge[T]
	hasNext, hasPrev bool
	count            func(ctx context.Context) (int, error)
}

// PageInfo says whether the list goes on either side of the page, with the cursors of
// its first and last edges.
func (p *Page[T]) PageInfo() *PageInfo {
	info := &PageInfo{HasNextPage: p.hasNext, HasPreviousPage: p.hasPrev}
	if n := len(p.Edges); n > 0 {
		start, end := p.Edges[0].Cursor(), p.Edges[n-1].Cursor()
		info.StartCursor, info.EndCursor = &start, &end
	}
	return info
}

// Nodes returns the page's records without their cursors.
func (p *Page[T]) Nodes() []*T {
	out := make([]*T, len(p.Edges))
	for i, e := range p.Edges {
		out[i] = e.Node
	}
	return out
}

// TotalCount returns how many records the whole list holds. It costs a database command
// the first time for top-level lists, and nothing for nested ones.
func (p *Page[T]) TotalCount(ctx context.Context) (int, error) {
	if p.count == nil {
		return len(p.Edges), nil
	}
	return p.count(ctx)
}

// The GraphQL connection and edge types, bound to Page and Edge.
type (
	ProgrammeConnection     = Page[domain.Programme]
	ProgrammeEdge           = Edge[domain.Programme]
	MuseumConnection        = Page[domain.Museum]
	MuseumEdge              = Edge[domain.Museum]
	CommunityConnection     = Page[domain.Community]
	CommunityEdge           = Edge[domain.Community]
	PersonConnection        = Page[domain.Person]
	PersonEdge              = Edge[domain.Person]
	PartnershipConnection   = Page[domain.Partnership]
	PartnershipEdge         = Edge[domain.Partnership]
	DecisionEventConnection = Page[domain.DecisionEvent]
	DecisionEventEdge       = Edge[domain.DecisionEvent]
	ActivityConnection      = Page[domain.Activity]
	ActivityEdge            = Edge[domain.Activity]
	ReflectionConnection    = Page[domain.Reflection]
	ReflectionEdge          = Edge[domain.Reflection]
	PublicationConnection   = Page[domain.Publication]
	PublicationEdge         = Edge[domain.Publication]
	APIKeyConnection        = Page[auth.APIKey]
	APIKeyEdge              = Edge[auth.APIKey]
	AuditEntryConnection    = Page[domain.AuditEntry]
	AuditEntryEdge          = Edge[domain.AuditEntry]
)
