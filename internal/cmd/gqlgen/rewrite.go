package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"

	"golang.org/x/tools/go/ast/astutil"
)

const gqlexecPath = "github.com/participation-graph/participation-graph/internal/gqlexec"

// rewrites are the calls of gqlgen's runtime that the generated executor makes through
// gqlexec instead, with the arguments the replacement takes after the original ones (the
// generated code names an object's collected fields "fields"). A rewrite with only set
// applies in the generated functions named in it alone.
var rewrites = map[string]struct {
	name  string
	extra []string
	list  bool // the call takes the list whose length it is given too
	only  map[string]bool
}{
	"MarshalSliceConcurrently": {name: "MarshalSlice", list: true},
	"NewDeferredGroup":         {name: "NewDeferredGroup", extra: []string{"fields"}},
	"ResolveField":             {name: "ResolveField", only: plainFields},
}

// rewriteExecutor points the generated files in dir at gqlexec. Each rewrite must apply at
// least once: should a new gqlgen generate other calls, generation fails rather than
// silently losing what gqlexec does.
func rewriteExecutor(dir string) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return err
	}
	applied := map[string]int{}
	for _, path := range files {
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		n := 0
		fn := "" // the generated function being walked
		ast.Inspect(f, func(node ast.Node) bool {
			if d, ok := node.(*ast.FuncDecl); ok {
				fn = d.Name.Name
				return true
			}
			call, ok := node.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			pkg, ok := sel.X.(*ast.Ident)
			r, rewrite := rewrites[sel.Sel.Name]
			if !ok || pkg.Name != "graphql" || !rewrite || (r.only != nil && !r.only[fn]) {
				return true
			}
			applied[sel.Sel.Name]++
			n++
			pkg.Name, sel.Sel.Name = "gqlexec", r.name
			for _, a := range r.extra {
				call.Args = append(call.Args, ast.NewIdent(a))
			}
			if r.list {
				// MarshalSlice takes the list too: the slice whose length is the second argument.
				n, ok := call.Args[1].(*ast.CallExpr)
				if !ok || len(n.Args) != 1 {
					err = fmt.Errorf("%s: graphql.%s without len(list) as its second argument", path, sel.Sel.Name)
					return false
				}
				call.Args = append(call.Args, n.Args[0])
			}
			return true
		})
		if err != nil {
			return err
		}
		objects := returnObjects(f)
		applied["object"] += objects
		n += objects
		if n == 0 {
			continue
		}
		astutil.AddImport(fset, f, gqlexecPath)
		var out bytes.Buffer
		if err := format.Node(&out, fset, f); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
			return err
		}
	}
	for name := range rewrites {
		if applied[name] == 0 {
			return fmt.Errorf("gqlgen generated no call of graphql.%s to rewrite: see internal/gqlexec", name)
		}
	}
	if applied["object"] == 0 {
		return fmt.Errorf("gqlgen generated no object returning its field set: see gqlexec.Object")
	}
	return nil
}

// returnObjects rewrites, in every function of f that builds an object's field set as
// out := graphql.NewFieldSet(fields), its return out into return
// gqlexec.Object(fields, out.Values), and returns how many it rewrote.
func returnObjects(f *ast.File) int {
	n := 0
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Body == nil || !buildsFieldSet(fn.Body) {
			continue
		}
		ast.Inspect(fn.Body, func(node ast.Node) bool {
			ret, ok := node.(*ast.ReturnStmt)
			if !ok || len(ret.Results) != 1 {
				return true
			}
			if id, ok := ret.Results[0].(*ast.Ident); ok && id.Name == "out" {
				ret.Results[0] = &ast.CallExpr{
					Fun:  &ast.SelectorExpr{X: ast.NewIdent("gqlexec"), Sel: ast.NewIdent("Object")},
					Args: []ast.Expr{ast.NewIdent("fields"), &ast.SelectorExpr{X: ast.NewIdent("out"), Sel: ast.NewIdent("Values")}},
				}
				n++
			}
			return true
		})
	}
	return n
}

// buildsFieldSet reports whether body starts an object's field set:
// out := graphql.NewFieldSet(fields).
func buildsFieldSet(body *ast.BlockStmt) bool {
	for _, st := range body.List {
		as, ok := st.(*ast.AssignStmt)
		if !ok || len(as.Lhs) != 1 || len(as.Rhs) != 1 {
			continue
		}
		id, ok := as.Lhs[0].(*ast.Ident)
		call, isCall := as.Rhs[0].(*ast.CallExpr)
		if !ok || !isCall || id.Name != "out" {
			continue
		}
		if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "NewFieldSet" {
			return true
		}
	}
	return false
}
