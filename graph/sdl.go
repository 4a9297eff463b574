package graph

import (
	"bytes"

	"github.com/vektah/gqlparser/v2/formatter"

	"github.com/participation-graph/participation-graph/graph/generated"
)

// SDL returns the API's schema in the GraphQL schema definition language, printed from
// the executable schema by gqlparser's formatter: the types in name order with their
// descriptions, without the built-in scalars and introspection types. It is what
// /schema.graphql serves and what schema.graphql at the repository's root holds, for
// client generators.
func SDL() []byte {
	var b bytes.Buffer
	formatter.NewFormatter(&b).FormatSchema(generated.NewExecutableSchema(generated.Config{}).Schema())
	return b.Bytes()
}
