// Command gqlgen generates the GraphQL executor from gqlgen.yml as `gqlgen generate` does,
// with two differences:
//
//   - the fields of the object types listed in serial are resolved one after another on
//     the goroutine that marshals the object, instead of on one goroutine per field that
//     has a resolver;
//   - the executor marshals lists and builds @defer groups through package gqlexec
//     instead of gqlgen's graphql.MarshalSliceConcurrently and graphql.NewDeferredGroup
//     (see gqlexec for why), by rewriting those calls in the generated files.
//
// gqlgen starts a goroutine for every resolver field of every object after the first, and
// one per element of every list. On a page of decision events each event's museum and
// communities come from loaders, which batch across the whole page whichever goroutine
// asks, so a goroutine per field buys nothing but its cost (see bench/README.md).
package main

import (
	"fmt"
	"os"
	"slices"

	"github.com/99designs/gqlgen/api"
	"github.com/99designs/gqlgen/codegen"
	"github.com/99designs/gqlgen/codegen/config"
)

// serial are the object types whose fields need no goroutine each.
var serial = []string{"DecisionEvent", "Partnership", "Museum", "Community", "DecisionEventConnection", "PartnershipConnection", "MuseumConnection"}

type serialFields struct{}

func (serialFields) Name() string { return "serialfields" }

func (serialFields) GenerateCode(data *codegen.Data) error {
	for _, o := range data.Objects {
		if slices.Contains(serial, o.Name) {
			o.DisableConcurrency = true
		}
	}
	return nil
}

func main() {
	cfg, err := config.LoadConfigFromDefaultLocations()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gqlgen.yml:", err)
		os.Exit(2)
	}
	if err := api.Generate(cfg, api.AddPlugin(serialFields{})); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	if err := rewriteExecutor(cfg.Exec.Dir()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(4)
	}
}
