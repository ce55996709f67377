package repl

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"strconv"
	"strings"
)

// rewriter changes parsed user code, before yaegi sees it, into forms that
// yaegi v0.16.1 evaluates correctly:
//
//   - `go f(a, b)` becomes a goroutine whose panics are reported instead of
//     killing the process; arguments are still evaluated by the go statement;
//   - `for i := range n` over an integer becomes a three-clause loop;
//   - the Go 1.21 builtins min, max and clear call helpers of the session.
type rewriter struct {
	ints      map[string]bool        // identifiers known to hold an int
	globalInt func(name string) bool // reports whether a global holds an int
	// variadic reports, for pkg.Fn, the number of fixed parameters and the
	// name of the element type of its variadic parameter when that is a
	// non-empty interface.
	variadic func(pkg, fn string) (fixed int, elem string, ok bool)
	shadowed func(name string) bool // reports whether the user declared name
	// funcType returns the type (Go source) of an identifier or a selector
	// when it names a function, a variable or a field of a function type,
	// or "".
	funcType func(e ast.Expr) string
	unsup    []string              // constructs that cannot be rewritten
	fresh    map[*ast.ForStmt]bool // loops fixNextLoop has rewritten
	counter  int                   // for fresh names
	fset     *token.FileSet        // for printing
}

func newRewriter(fset *token.FileSet, globalInt, shadowed func(string) bool) *rewriter {
	return &rewriter{ints: map[string]bool{}, globalInt: globalInt, shadowed: shadowed, fset: fset}
}

// rewrite changes n in place. The root may itself be replaced when it is a
// statement: use the returned statement.
func (r *rewriter) rewrite(n ast.Node) ast.Node {
	// A function passed to a method or to a function of a package may be
	// called by compiled code on a goroutine of its own, where a panic would
	// kill the process: it is guarded (see callback.go).
	callbacks := r.fixCallbackArgs(n)
	// Count calls of named functions, methods and function literals first,
	// before the rewrites below add function literals of their own.
	dbrCall := func(name string) *ast.CallExpr {
		return &ast.CallExpr{Fun: &ast.SelectorExpr{X: ast.NewIdent("_dbr"), Sel: ast.NewIdent(name)}}
	}
	guard := func(body *ast.BlockStmt, passedTo string) {
		if body == nil {
			return
		}
		list := []ast.Stmt{&ast.ExprStmt{X: dbrCall("Enter")}, &ast.DeferStmt{Call: dbrCall("Leave")}}
		if passedTo != "" {
			arg := &ast.BasicLit{Kind: token.STRING, Value: strconv.Quote(passedTo)}
			list = append([]ast.Stmt{&ast.DeferStmt{Call: &ast.CallExpr{Fun: ast.NewIdent("_dbrCallbackGuard"), Args: []ast.Expr{arg}}}}, list...)
		}
		body.List = append(list, body.List...)
	}
	ast.Inspect(n, func(n ast.Node) bool {
		switch f := n.(type) {
		case *ast.FuncDecl:
			guard(f.Body, "")
		case *ast.FuncLit:
			guard(f.Body, callbacks[f])
		}
		return true
	})
	if s, ok := n.(ast.Stmt); ok {
		n = r.fixStmt(s)
	}
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BlockStmt:
			r.fixList(n.List)
		case *ast.CaseClause:
			r.fixList(n.Body)
		case *ast.CommClause:
			r.fixList(n.Body)
		case *ast.CallExpr:
			r.fixBuiltin(n)
			r.fixVariadic(n)
		case *ast.AssignStmt:
			if n.Tok == token.DEFINE && len(n.Lhs) == len(n.Rhs) {
				for i, l := range n.Lhs {
					if id, ok := l.(*ast.Ident); ok && r.intish(n.Rhs[i]) {
						r.ints[id.Name] = true
					}
				}
			}
		case *ast.ValueSpec:
			for i, id := range n.Names {
				if isIntType(n.Type) || (i < len(n.Values) && n.Type == nil && r.intish(n.Values[i])) {
					r.ints[id.Name] = true
				}
			}
		case *ast.Field:
			if isIntType(n.Type) {
				for _, id := range n.Names {
					r.ints[id.Name] = true
				}
			}
		}
		return true
	})
	return n
}

func (r *rewriter) fixList(list []ast.Stmt) {
	for i, s := range list {
		list[i] = r.fixStmt(s)
	}
}

// fixStmt turns `for k := range n` over an integer n into
//
//	{ _dbrN1 := n; for k := _dbrN1 - _dbrN1; k < _dbrN1; k++ { ... } }
//
// which evaluates n once, as Go does, and gives k n's type (an int32 n, an
// int32 k). A label of the loop moves inside the block, onto the for.
func (r *rewriter) fixStmt(s ast.Stmt) ast.Stmt {
	var label *ast.LabeledStmt
	if ls, ok := s.(*ast.LabeledStmt); ok {
		label, s = ls, ls.Stmt
	}
	if g, ok := s.(*ast.GoStmt); ok {
		if label != nil {
			label.Stmt = r.fixGo(g)
			return label
		}
		return r.fixGo(g)
	}
	if f, ok := s.(*ast.ForStmt); ok {
		if loop := r.fixNextLoop(f); loop != nil {
			if label != nil {
				label.Stmt = f
				loop.List[len(loop.List)-1] = label
			}
			return loop
		}
	}
	rs, ok := s.(*ast.RangeStmt)
	if !ok || rs.Value != nil || !r.intish(rs.X) {
		if label != nil {
			return label
		}
		return s
	}
	var key ast.Expr = rs.Key
	tok := rs.Tok
	if key == nil || isBlank(key) {
		r.counter++
		key = ast.NewIdent(fmt.Sprintf("_dbrI%d", r.counter))
		tok = token.DEFINE
	}
	r.counter++
	n := ast.NewIdent(fmt.Sprintf("_dbrN%d", r.counter))
	var loop ast.Stmt = &ast.ForStmt{
		For:  rs.For,
		Init: &ast.AssignStmt{Lhs: []ast.Expr{key}, Tok: tok, Rhs: []ast.Expr{&ast.BinaryExpr{X: n, Op: token.SUB, Y: n}}},
		Cond: &ast.BinaryExpr{X: key, Op: token.LSS, Y: n},
		Post: &ast.IncDecStmt{X: key, Tok: token.INC},
		Body: rs.Body,
	}
	if label != nil {
		label.Stmt = loop
		loop = label
	}
	return &ast.BlockStmt{List: []ast.Stmt{
		&ast.AssignStmt{Lhs: []ast.Expr{n}, Tok: token.DEFINE, Rhs: []ast.Expr{rs.X}},
		loop,
	}}
}

// fixNextLoop returns the block that replaces a loop whose condition calls
// X.Next() (X a variable or a field, as in `for dl.Next()` or
// `for i < 10 && dl.Next()`):
//
//	{ _dbr.FreshLoop(X); for … }
//
// or nil for other loops. FreshLoop starts a fresh epoch of a DataLoader
// that an earlier loop left unfinished, as each `for x, y in loader` does in
// PyTorch, also when both loops are in one input; it does nothing to other
// values. X is evaluated again by the loop, so only X free of side effects
// qualifies.
func (r *rewriter) fixNextLoop(f *ast.ForStmt) *ast.BlockStmt {
	if f.Cond == nil || r.fresh[f] {
		return nil
	}
	var pre []ast.Stmt
	ast.Inspect(f.Cond, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			sel, ok := n.Fun.(*ast.SelectorExpr)
			if ok && sel.Sel.Name == "Next" && len(n.Args) == 0 && selectorChain(sel.X) != "" {
				call := &ast.CallExpr{Fun: &ast.SelectorExpr{X: ast.NewIdent("_dbr"), Sel: ast.NewIdent("FreshLoop")}, Args: []ast.Expr{sel.X}}
				pre = append(pre, &ast.ExprStmt{X: call})
			}
		}
		return true
	})
	if pre == nil {
		return nil
	}
	if r.fresh == nil {
		r.fresh = map[*ast.ForStmt]bool{}
	}
	r.fresh[f] = true
	return &ast.BlockStmt{List: append(pre, f)}
}

// fixGo returns the statement that replaces `go CALL`, so that a panic of
// the goroutine is reported instead of crashing the process:
//
//	_dbr.Go(func() func() { a0 := x; return func() { CALL(a0) } }())
//
// The arguments are evaluated when the statement runs, as in Go. The
// compiled _dbr.Go starts the goroutine and recovers its panic: yaegi
// starting a function literal of its own as a goroutine read the literal's
// function value while another goroutine wrote it, and about 1 loop in 8
// that started 2,000 goroutines died with "reflect.Value.Call: call of nil
// function".
func (r *rewriter) fixGo(g *ast.GoStmt) ast.Stmt {
	call := g.Call
	var names, values []ast.Expr
	args := make([]ast.Expr, len(call.Args))
	for i, a := range call.Args {
		if _, lit := a.(*ast.BasicLit); lit {
			args[i] = a
			continue
		}
		r.counter++
		id := ast.NewIdent(fmt.Sprintf("_dbrA%d", r.counter))
		names = append(names, id)
		values = append(values, a)
		args[i] = id
	}
	funcType := func() *ast.FuncType { return &ast.FuncType{Params: &ast.FieldList{}} }
	inner := &ast.FuncLit{Type: funcType(), Body: &ast.BlockStmt{List: []ast.Stmt{
		&ast.ExprStmt{X: &ast.CallExpr{Fun: call.Fun, Args: args, Ellipsis: call.Ellipsis}},
	}}}
	var body []ast.Stmt
	if len(names) > 0 {
		body = append(body, &ast.AssignStmt{Lhs: names, Tok: token.DEFINE, Rhs: values})
	}
	body = append(body, &ast.ReturnStmt{Results: []ast.Expr{inner}})
	bind := &ast.FuncLit{
		Type: &ast.FuncType{Params: &ast.FieldList{}, Results: &ast.FieldList{List: []*ast.Field{{Type: funcType()}}}},
		Body: &ast.BlockStmt{List: body},
	}
	return &ast.ExprStmt{X: &ast.CallExpr{Fun: &ast.SelectorExpr{X: ast.NewIdent("_dbr"), Sel: ast.NewIdent("Go")},
		Args: []ast.Expr{&ast.CallExpr{Fun: bind}}}}
}

// fixBuiltin routes min, max and clear (missing in yaegi) to the session's
// helpers, unless the user declared a function of that name.
func (r *rewriter) fixBuiltin(c *ast.CallExpr) {
	id, ok := c.Fun.(*ast.Ident)
	if !ok || r.shadowed(id.Name) {
		return
	}
	switch id.Name {
	case "min", "max":
		id.Name = "_dbr" + strings.ToUpper(id.Name[:1]) + id.Name[1:]
		// The helper is generic and infers its type from the first argument:
		// put an argument that is not an untyped integer constant first.
		for i, a := range c.Args {
			if bl, ok := a.(*ast.BasicLit); !ok || bl.Kind != token.INT {
				c.Args[0], c.Args[i] = c.Args[i], c.Args[0]
				break
			}
		}
	case "clear":
		id.Name = "_dbrClear"
	}
}

// fixVariadic passes the variadic arguments of a compiled function whose
// variadic parameter is an interface as a slice: yaegi v0.16.1 cannot convert
// an interpreted value to an interface in a variadic call (reflect: cannot use
// *struct {...} as type nn.Module in Call) but converts slice elements fine.
//
//	pkg.F(a, m1, m2)  ->  pkg.F(a, []pkg.Module{m1, m2}...)
func (r *rewriter) fixVariadic(c *ast.CallExpr) {
	if r.variadic == nil || c.Ellipsis != token.NoPos {
		return
	}
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok {
		return
	}
	pkg, ok := sel.X.(*ast.Ident)
	if !ok {
		return
	}
	fixed, elem, ok := r.variadic(pkg.Name, sel.Sel.Name)
	if !ok || len(c.Args) <= fixed {
		return
	}
	typ, err := parser.ParseExpr("[]" + elem)
	if err != nil {
		return
	}
	lit := &ast.CompositeLit{Type: typ, Elts: append([]ast.Expr(nil), c.Args[fixed:]...)}
	c.Args = append(c.Args[:fixed:fixed], lit)
	c.Ellipsis = lit.End()
	if c.Ellipsis == token.NoPos {
		c.Ellipsis = 1
	}
}

var intTypes = map[string]bool{"int": true, "int8": true, "int16": true, "int32": true, "int64": true,
	"uint": true, "uint8": true, "uint16": true, "uint32": true, "uint64": true, "uintptr": true, "byte": true, "rune": true}

// intMethods are methods of dbr types that return an int.
var intMethods = map[string]bool{"Size": true, "Dims": true, "Numel": true, "Len": true, "RandInt": true}

func isIntType(e ast.Expr) bool {
	id, ok := e.(*ast.Ident)
	return ok && intTypes[id.Name]
}

func isBlank(e ast.Expr) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == "_"
}

// intish reports whether e is surely an integer: an integer literal, len or
// cap, an int conversion, an identifier known to hold an int, a dbr method
// returning an int, or arithmetic on those.
func (r *rewriter) intish(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.BasicLit:
		return e.Kind == token.INT
	case *ast.Ident:
		return r.ints[e.Name] || (r.globalInt != nil && r.globalInt(e.Name))
	case *ast.ParenExpr:
		return r.intish(e.X)
	case *ast.SelectorExpr:
		// A field of a global (cfg.Epochs), looked up in the session.
		if chain := selectorChain(e); chain != "" && r.globalInt != nil {
			return r.globalInt(chain)
		}
	case *ast.CallExpr:
		switch f := e.Fun.(type) {
		case *ast.Ident:
			return f.Name == "len" || f.Name == "cap" || intTypes[f.Name]
		case *ast.SelectorExpr:
			return intMethods[f.Sel.Name]
		}
	case *ast.BinaryExpr:
		switch e.Op {
		case token.ADD, token.SUB, token.MUL, token.QUO, token.REM, token.SHL, token.SHR, token.AND, token.OR, token.XOR:
			return r.intish(e.X) || r.intish(e.Y)
		}
	}
	return false
}

// render prints an AST node as Go source.
func render(fset *token.FileSet, n any) string {
	var b bytes.Buffer
	if err := printer.Fprint(&b, fset, n); err != nil {
		return fmt.Sprintf("/* %v */", err)
	}
	return b.String()
}

// selectorChain returns "a.b.c" for a selector of identifiers, or "".
func selectorChain(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		if x := selectorChain(e.X); x != "" {
			return x + "." + e.Sel.Name
		}
	}
	return ""
}

// fixCallbackArgs finds the functions passed as arguments to a method or to
// a function of a package (whose code may be compiled): function literals,
// and functions or variables of a function type known here, which it
// replaces by a literal calling them. It returns those literals, each with
// the method or function it is passed to ("time.AfterFunc").
func (r *rewriter) fixCallbackArgs(n ast.Node) map[*ast.FuncLit]string {
	lits := map[*ast.FuncLit]string{}
	ast.Inspect(n, func(n ast.Node) bool {
		c, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		sel, ok := c.Fun.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if id, ok := sel.X.(*ast.Ident); ok && id.Name == "_dbr" {
			return true
		}
		to := strings.Join(strings.Fields(render(r.fset, sel)), " ")
		if len(to) > 60 {
			to = "…" + to[len(to)-59:]
		}
		for i, a := range c.Args {
			switch a := ast.Unparen(a).(type) {
			case *ast.FuncLit:
				lits[a] = to
			case *ast.Ident, *ast.SelectorExpr:
				if r.funcType == nil {
					continue
				}
				typ := r.funcType(a)
				if typ == "" {
					continue
				}
				if lit := callingLit(a, typ); lit != nil {
					c.Args[i] = lit
					lits[lit] = to
				}
			}
		}
		return true
	})
	return lits
}

// callingLit returns a function literal of type typ (Go source) that calls
// fn with its arguments, or nil when typ is not a function type.
func callingLit(fn ast.Expr, typ string) *ast.FuncLit {
	x, err := parser.ParseExpr(typ)
	if err != nil {
		return nil
	}
	ft, ok := x.(*ast.FuncType)
	if !ok || ft.TypeParams != nil {
		return nil
	}
	var args []ast.Expr
	ellipsis := token.NoPos
	k := 0
	for _, f := range ft.Params.List {
		if len(f.Names) == 0 {
			f.Names = []*ast.Ident{nil}
		}
		for j := range f.Names {
			f.Names[j] = ast.NewIdent(fmt.Sprintf("_dbrP%d", k))
			k++
			args = append(args, ast.NewIdent(f.Names[j].Name))
		}
		if _, ok := f.Type.(*ast.Ellipsis); ok {
			ellipsis = 1
		}
	}
	call := &ast.CallExpr{Fun: fn, Args: args, Ellipsis: ellipsis}
	var body ast.Stmt = &ast.ExprStmt{X: call}
	if ft.Results != nil && len(ft.Results.List) > 0 {
		for _, f := range ft.Results.List {
			f.Names = nil // the call's results are returned
		}
		body = &ast.ReturnStmt{Results: []ast.Expr{call}}
	}
	return &ast.FuncLit{Type: ft, Body: &ast.BlockStmt{List: []ast.Stmt{body}}}
}
