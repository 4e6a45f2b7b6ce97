package engine_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strings"
	"testing"
)

// TestCoreIsPure checks the Core's files for what would break determinism
// (ARCHITECTURE.md, contract 1): no wall clock, no randomness, no
// goroutines, no map iteration. The runner's files (I/O at the edges) are
// not the Core and are not checked.
func TestCoreIsPure(t *testing.T) {
	files := []string{"core.go", "resample.go", "view.go", "signal.go", "snapshot.go"}
	banned := map[string]bool{"time.Now": true, "time.Since": true, "time.Until": true, "time.After": true,
		"time.NewTimer": true, "time.NewTicker": true, "time.Tick": true, "time.Sleep": true}
	for _, name := range files {
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			if p := strings.Trim(imp.Path.Value, `"`); strings.HasPrefix(p, "math/rand") || p == "sync" || p == "os" {
				t.Errorf("%s imports %s", name, p)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.GoStmt:
				t.Errorf("%s: goroutine at %s", name, fset.Position(n.Pos()))
			case *ast.SelectorExpr:
				if id, ok := n.X.(*ast.Ident); ok && banned[id.Name+"."+n.Sel.Name] {
					t.Errorf("%s: %s.%s at %s", name, id.Name, n.Sel.Name, fset.Position(n.Pos()))
				}
			case *ast.RangeStmt:
				// Ranging over a map is the one range form whose order is
				// random; the Core keeps slices. Maps are declared with
				// map[...] types, so flag a range over any identifier whose
				// declaration is a map in this file.
				if id, ok := n.X.(*ast.Ident); ok && id.Obj != nil {
					if vs, ok := id.Obj.Decl.(*ast.AssignStmt); ok {
						for _, rhs := range vs.Rhs {
							if isMapExpr(rhs) {
								t.Errorf("%s: range over map %s at %s", name, id.Name, fset.Position(n.Pos()))
							}
						}
					}
				}
			}
			return true
		})
	}
}

func isMapExpr(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.CompositeLit:
		_, ok := e.Type.(*ast.MapType)
		return ok
	case *ast.CallExpr:
		if len(e.Args) > 0 {
			_, ok := e.Args[0].(*ast.MapType)
			return ok
		}
	}
	return false
}
