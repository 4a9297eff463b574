package main

import (
	"bytes"
	"os"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/participation-graph/participation-graph/graph"
)

// TestSchemaFileIsCurrent: schema.graphql is the schema the server serves (go generate
// prints it), and it is a valid schema by itself, as client generators read it.
func TestSchemaFileIsCurrent(t *testing.T) {
	file, err := os.ReadFile("schema.graphql")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(file, graph.SDL()) {
		t.Fatal("schema.graphql differs from the executable schema; run go generate ./...")
	}
	s, gerr := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphql", Input: string(file)})
	if gerr != nil {
		t.Fatalf("schema.graphql does not load: %v", gerr)
	}
	for _, name := range []string{"Query", "Mutation", "Subscription", "DecisionEventFilter", "NetworkFilter"} {
		if s.Types[name] == nil {
			t.Errorf("schema.graphql lacks %s", name)
		}
	}
}
