package repl

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/traefik/yaegi/interp"
)

// yaegi v0.16.1 reports a panic in an interpreted function at the
// function's first statement, whatever statement panicked (runCfg's deferred
// recover looks up a variable that its loop shadows). So that a runtime
// error in a script names its line, the code of a file is instrumented:
// every statement starts by storing its line in the global _dbrLine (about
// 14 ns a statement), and a comment /*line file:L:C*/ puts the statement
// back at its own line and column for yaegi's compile errors.

// instrumentLines returns code, the rendering of the nodes orig of the
// file name (declarations, or an expression when expr is true), with every
// statement of every function body that comes from the file preceded by
// `_dbrLine = L; /*line name:L:C*/`, where L:C is its position in the file
// (fset's). Statements the rewriter added (without a position) and the
// lines render moved keep no wrong line: each statement of the file is put
// back at its own.
func instrumentLines(code string, expr bool, fset *token.FileSet, orig []ast.Node, name string) string {
	prefix := "package main\n"
	if expr {
		prefix += "var _ = "
	}
	cset := token.NewFileSet()
	f, err := parser.ParseFile(cset, "", prefix+code, 0)
	if err != nil {
		return code // yaegi will report the error
	}
	// The statements of both trees, in the same order: render keeps the
	// structure.
	var mine, theirs []ast.Stmt
	for _, n := range orig {
		mine = append(mine, listStmts(n)...)
	}
	theirs = listStmts(f)
	if len(mine) != len(theirs) {
		return code
	}
	type insert struct {
		off  int
		text string
	}
	var ins []insert
	for i, st := range mine {
		if !st.Pos().IsValid() {
			continue
		}
		p := fset.Position(st.Pos())
		off := cset.Position(theirs[i].Pos()).Offset - len(prefix)
		if off < 0 || off > len(code) {
			return code
		}
		ins = append(ins, insert{off, fmt.Sprintf("_dbrLine = %d; /*line %s:%d:%d*/", p.Line, name, p.Line, p.Column)})
	}
	sort.Slice(ins, func(i, j int) bool { return ins[i].off > ins[j].off })
	for _, in := range ins {
		code = code[:in.off] + in.text + code[in.off:]
	}
	return code
}

// listStmts returns the statements of the statement lists in n (blocks,
// case and select clauses, not the clauses themselves), in source order.
func listStmts(n ast.Node) []ast.Stmt {
	var out []ast.Stmt
	add := func(list []ast.Stmt) {
		for _, st := range list {
			switch st.(type) {
			case *ast.CaseClause, *ast.CommClause:
			default:
				out = append(out, st)
			}
		}
	}
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BlockStmt:
			add(n.List)
		case *ast.CaseClause:
			add(n.Body)
		case *ast.CommClause:
			add(n.Body)
		}
		return true
	})
	return out
}

// lineSlot returns the global _dbrLine, if settable.
func (s *Session) lineSlot() (reflect.Value, bool) {
	v, ok := s.globals()["_dbrLine"]
	if !ok || !v.CanSet() || v.Kind() != reflect.Int {
		return reflect.Value{}, false
	}
	return v, true
}

// resetLine sets _dbrLine to 0 before instrumented code runs.
func (s *Session) resetLine() {
	if v, ok := s.lineSlot(); ok {
		v.SetInt(0)
	}
}

// panicLine returns the unit to report for err, a failure of instrumented
// code of the file src: the line of the last statement that ran when err
// is a panic, else fallback.
func (s *Session) panicLine(err error, src string, fallback Unit) Unit {
	var p interp.Panic
	if !errors.As(err, &p) {
		// A compile error names its position: "name:L:C: msg".
		if m := filePos.FindStringSubmatch(err.Error()); m != nil {
			lines := strings.Split(src, "\n")
			if n, _ := strconv.Atoi(m[2]); n >= 1 && n <= len(lines) {
				return Unit{Src: strings.TrimSpace(lines[n-1]), Line: n}
			}
		}
		return fallback
	}
	v, ok := s.lineSlot()
	if !ok || v.Int() <= 0 {
		return fallback
	}
	n := int(v.Int())
	lines := strings.Split(src, "\n")
	if n > len(lines) {
		return fallback
	}
	return Unit{Src: strings.TrimSpace(lines[n-1]), Line: n}
}

// filePos matches the position at the start of a compile error in a file.
var filePos = regexp.MustCompile(`^(.+?):(\d+):(\d+): `)
