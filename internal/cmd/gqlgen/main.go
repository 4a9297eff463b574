// Command gqlgen generates the GraphQL executor from gqlgen.yml as `gqlgen generate` does,
// with two differences:
//
//   - the fields of the object types listed in serial are resolved one after another on
//     the goroutine that marshals the object, instead of on one goroutine per field that
//     has a resolver;
//   - the executor marshals lists, builds @defer groups and resolves plain fields through
//     package gqlexec instead of gqlgen's graphql.MarshalSliceConcurrently,
//     graphql.NewDeferredGroup and graphql.ResolveField (see gqlexec for why), by
//     rewriting those calls in the generated files.
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
	"github.com/vektah/gqlparser/v2/ast"
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
		for _, f := range o.Fields {
			if plain(f) {
				plainFields["_"+o.Name+"_"+f.Name] = true
			}
		}
	}
	return nil
}

// plainFields are the generated functions of the fields that gqlexec.ResolveField
// resolves (see plain).
var plainFields = map[string]bool{}

// builtinScalars are the scalars whose marshalling of a Go value cannot give null.
var builtinScalars = []string{"String", "Int", "Float", "Boolean", "ID"}

// plain reports whether a field is a value read from its object's struct field, or from a
// method of it that takes no context and returns no error, with no resolver, argument or
// directive, of a type whose marshalling cannot fail and reads nothing from its context:
// a built-in scalar or an enum held by value (never null), or, for a nullable field, a
// pointer to one of those or to a scalar that marshals itself without a context (nil is
// null, which is no error).
func plain(f *codegen.Field) bool {
	read := f.IsVariable() || (f.IsMethod() && !f.MethodHasContext && f.NoErr && !f.VOkFunc)
	t := f.TypeReference
	if t == nil || t.GQL.Elem != nil || t.IsContext {
		return false
	}
	leaf := t.Definition.Kind == ast.Enum || (t.IsScalar() && slices.Contains(builtinScalars, t.Definition.Name))
	value := !t.IsNilable() && leaf
	nullable := t.IsPtr() && !t.IsPtrToPtr() && !t.GQL.NonNull && (leaf || (t.IsScalar() && t.IsMarshaler))
	return read && (value || nullable) && !f.IsResolver && !f.Stream && len(f.Args) == 0 && len(f.Directives) == 0 &&
		f.Object.Kind == ast.Object && !f.Object.Root
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
