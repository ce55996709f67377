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
// `_dbrLine = base+L; /*line name:L:C*/`, where L:C is its position in the
// file (fset's) and base says which file (see addSource). Statements the rewriter added (without a position) and the
// lines render moved keep no wrong line: each statement of the file is put
// back at its own.
func instrumentLines(code string, expr bool, fset *token.FileSet, orig []ast.Node, name string, base int) string {
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
		ins = append(ins, insert{off, fmt.Sprintf("_dbrLine = %d; /*line %s:%d:%d*/", base+p.Line, name, p.Line, p.Column)})
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
// code of the file name with text src: the line of the last statement that
// ran when err is a panic (in whichever source it is, whose name it
// returns), the line a compile error names, else fallback.
func (s *Session) panicLine(err error, name, src string, fallback Unit) (Unit, string) {
	var p interp.Panic
	if !errors.As(err, &p) {
		// A compile error names its position: "name:L:C: msg".
		if m := filePos.FindStringSubmatch(err.Error()); m != nil {
			lines := strings.Split(src, "\n")
			if n, _ := strconv.Atoi(m[2]); n >= 1 && n <= len(lines) {
				return Unit{Src: strings.TrimSpace(lines[n-1]), Line: n}, name
			}
		}
		return fallback, name
	}
	if site, ok := s.lastLine(); ok {
		return Unit{Src: site.text, Line: site.line}, site.src.name
	}
	return fallback, name
}

// A codeSource is code whose functions are instrumented: a file, or a
// function declaration typed at the prompt.
type codeSource struct {
	name  string   // the file, or "" for the prompt
	lines []string // its text; lines[0] is line first of its FileSet
	first int
	funcs []funcSpan // its functions, by FileSet line
}

type funcSpan struct {
	name     string
	from, to int
}

// lineSpan is the number of lines of one source in _dbrLine's numbering:
// source i (from 0) has the values (i+1)*lineSpan + line.
const lineSpan = 1 << 24

// addSource registers the code of fset's file f (whose first line is
// fset's line first) and returns the base of its lines for instrumentLines.
func (s *Session) addSource(name, src string, first int, fset *token.FileSet, decls []ast.Decl) int {
	cs := codeSource{name: name, lines: strings.Split(src, "\n"), first: first}
	for _, d := range decls {
		if fd, ok := d.(*ast.FuncDecl); ok {
			cs.funcs = append(cs.funcs, funcSpan{fd.Name.Name, fset.Position(fd.Pos()).Line, fset.Position(fd.End()).Line})
		}
	}
	s.sources = append(s.sources, cs)
	return len(s.sources) * lineSpan
}

// A lineSite is the statement that ran last in instrumented code.
type lineSite struct {
	src  *codeSource
	line int    // the line as the user numbers it: the file's, or of the function typed at the prompt from 1
	text string // the statement's line, trimmed
	fn   string // the function it is in, or ""
}

// lastLine returns the statement of instrumented code that ran last.
func (s *Session) lastLine() (lineSite, bool) {
	v, ok := s.lineSlot()
	if !ok || v.Int() < lineSpan {
		return lineSite{}, false
	}
	n := int(v.Int())
	i, l := n/lineSpan-1, n%lineSpan
	if i >= len(s.sources) {
		return lineSite{}, false
	}
	src := &s.sources[i]
	k := l - src.first
	if k < 0 || k >= len(src.lines) {
		return lineSite{}, false
	}
	site := lineSite{src: src, line: l, text: strings.TrimSpace(src.lines[k])}
	for _, f := range src.funcs {
		if l >= f.from && l <= f.to {
			site.fn = f.name
			if src.name == "" {
				site.line = l - f.from + 1
			}
		}
	}
	return site, true
}

// innerSite describes where, inside a function of the user's, a panic of a
// top-level statement happened: "model.go:12 in Forward: h := x.MatMul(w)"
// or "line 2 of Forward: h := x.MatMul(w)" for a function typed at the
// prompt; "" when the panic did not come from inside one (yaegi's trace of
// the panic names the function).
func (s *Session) innerSite(trace string) string {
	site, ok := s.lastLine()
	if !ok || site.fn == "" || !strings.Contains(trace, "panic: main."+site.fn+"(") {
		return ""
	}
	if site.src.name == "" {
		return fmt.Sprintf("line %d of %s: %s", site.line, site.fn, site.text)
	}
	return fmt.Sprintf("%s:%d in %s: %s", site.src.name, site.line, site.fn, site.text)
}

// filePos matches the position at the start of a compile error in a file.
var filePos = regexp.MustCompile(`^(.+?):(\d+):(\d+): `)
