package repl

import (
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"strings"
	"time"
)

// yaegi reports an index or a slice bound out of range without the index or
// the length (reflect: slice index out of range). indexDetail finds, in the
// unit that failed, the index or slice expression at fault and says what Go
// would: "index out of range [5] with length 2 in a[5]". It evaluates again
// only expressions without side effects: literals, global variables and
// constants, fields, operators, len and cap, and nested indexes of those
// (never a local variable, whose value is gone, nor a call).
//
// With eval false (a line of a file, whose names may be local variables
// that are gone) it evaluates nothing and only names the expression.
func (s *Session) indexDetail(src string, eval bool) string {
	fset := token.NewFileSet()
	var root ast.Node
	if f, err := parser.ParseFile(fset, "", "package main\nfunc _() {\n"+src+"\n}", 0); err == nil {
		root = f
	} else if f, err := parser.ParseFile(fset, "", "package main\n"+src, 0); err == nil {
		root = f
	} else {
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	value := func(e ast.Expr) (int64, bool) {
		if !eval {
			return 0, false
		}
		vals, err := s.Value(ctx, render(fset, e))
		if err != nil || len(vals) != 1 {
			return 0, false
		}
		switch v := vals[0].(type) {
		case int:
			return int64(v), true
		case int64:
			return v, true
		case int32:
			return int64(v), true
		case uint8:
			return int64(v), true
		}
		return 0, false
	}
	lenOf := func(x ast.Expr, fn string) (int64, bool) {
		if !pureExpr(x) {
			return 0, false
		}
		return value(&ast.CallExpr{Fun: ast.NewIdent(fn), Args: []ast.Expr{x}})
	}
	var found []string // what can be said of each candidate, best first
	var weak []string
	ast.Inspect(root, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.IndexExpr:
			expr := render(fset, n)
			l, lok := lenOf(n.X, "len")
			var i int64
			iok := pureExpr(n.Index)
			if iok {
				i, iok = value(n.Index)
			}
			switch {
			case lok && iok && (i < 0 || i >= l):
				found = append(found, fmt.Sprintf("index out of range [%d] with length %d in %s", i, l, expr))
			case lok && !iok:
				weak = append(weak, fmt.Sprintf("index out of range in %s (%s has length %d)", expr, render(fset, n.X), l))
			case !lok && !iok:
				weak = append(weak, "index out of range in "+expr)
			}
		case *ast.SliceExpr:
			expr := render(fset, n)
			c, cok := lenOf(n.X, "cap")
			capacity := "capacity"
			if !cok { // a string has a length but no capacity
				c, cok = lenOf(n.X, "len")
				capacity = "length"
			}
			bounds := []ast.Expr{n.Low, n.High, n.Max}
			prev := int64(0)
			for k, b := range bounds {
				if b == nil {
					continue
				}
				v, ok := int64(0), pureExpr(b)
				if ok {
					v, ok = value(b)
				}
				if !ok {
					if cok {
						weak = append(weak, fmt.Sprintf("slice bounds out of range in %s (%s has %s %d)", expr, render(fset, n.X), capacity, c))
					}
					return true
				}
				if cok && v > c && k > 0 {
					found = append(found, fmt.Sprintf("slice bounds out of range [:%d] with %s %d in %s", v, capacity, c, expr))
					return true
				}
				if v < prev {
					found = append(found, fmt.Sprintf("slice bounds out of range [%d:%d] in %s", prev, v, expr))
					return true
				}
				prev = v
			}
		}
		return true
	})
	switch {
	case len(found) > 0:
		return "runtime error: " + found[0]
	case len(weak) == 1:
		return "runtime error: " + weak[0]
	}
	return ""
}

// pureExpr reports whether evaluating e again cannot change anything and
// gives the value it had: it uses only literals, global names (identifiers
// that the parser did not resolve to a declaration in the unit), fields,
// operators, len, cap and indexes.
func pureExpr(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.BasicLit:
		return true
	case *ast.Ident:
		return e.Obj == nil && e.Name != "_"
	case *ast.ParenExpr:
		return pureExpr(e.X)
	case *ast.SelectorExpr:
		return pureExpr(e.X)
	case *ast.UnaryExpr:
		return (e.Op == token.SUB || e.Op == token.ADD || e.Op == token.XOR || e.Op == token.NOT) && pureExpr(e.X)
	case *ast.BinaryExpr:
		return pureExpr(e.X) && pureExpr(e.Y)
	case *ast.IndexExpr:
		return pureExpr(e.X) && pureExpr(e.Index)
	case *ast.CallExpr:
		if id, ok := e.Fun.(*ast.Ident); ok && (id.Name == "len" || id.Name == "cap") && id.Obj == nil && len(e.Args) == 1 {
			return pureExpr(e.Args[0])
		}
		// A tensor's getters, as in x.Shape()[5].
		if sel, ok := e.Fun.(*ast.SelectorExpr); ok && pureGetters[sel.Sel.Name] && len(e.Args) == 0 {
			return pureExpr(sel.X)
		}
	}
	return false
}

// pureGetters are methods of engine.Tensor without side effects (and
// arguments) whose results an error message may show.
var pureGetters = map[string]bool{"Shape": true, "Dims": true, "Numel": true, "Float64s": true, "Float32s": true}

// isIndexError reports whether msg is yaegi's report of an index or slice
// bound out of range.
func isIndexError(msg string) bool {
	return msg == "runtime error: index out of range" || msg == "runtime error: string index out of range" ||
		strings.HasPrefix(msg, "panic: reflect.Value.Slice: ") || msg == "index int is out of bounds"
}
