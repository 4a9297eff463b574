// Command printschema writes the API's schema, printed from the executable schema, to the
// file named by -o (standard output when empty). go generate runs it after gqlgen, so
// that schema.graphql at the repository's root is the schema the server serves.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/participation-graph/participation-graph/graph"
)

func main() {
	out := flag.String("o", "", "the file to write the schema to (standard output when empty)")
	flag.Parse()
	var err error
	if *out == "" {
		_, err = os.Stdout.Write(graph.SDL())
	} else {
		err = os.WriteFile(*out, graph.SDL(), 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "printschema:", err)
		os.Exit(1)
	}
}
