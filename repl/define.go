package repl

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/token"
	"reflect"
	"sort"
	"strings"
)

// # Defining a global variable
//
// A top-level `a, b := E` (or `var a, b = E`, `var a T`) is not handed to
// yaegi as it is. yaegi would evaluate E in its global frame, where it
// cannot type an index of a slice that compiled code returned (`w :=
// m.Params()[0]`: "constant definition loop"), where it keeps E's
// temporaries forever, where a failing E still (re)declares a as nil, and
// it would make a new a that functions compiled earlier never see.
//
// Instead the session evaluates the statement with its names renamed inside
// a function, which hands their addresses to the session:
//
//	(func() { _dbrV0, _dbrV1 := E; _dbr.Hold(&_dbrV0, &_dbrV1) })()
//
// and reads the static types yaegi gave _dbrV0 and _dbrV1 from the compiled
// code. If E fails, nothing else happens. Then each name is bound:
//
//   - a global of that name and the same type gets the value: one variable,
//     which every function sees (lr := 0.01 after lr := 0.1);
//   - a new name is declared (var a T) and gets the value;
//   - a name whose type changes, or that named a function, type or constant,
//     rebuilds the interpreter with `var a T` in the old one's place; when
//     that breaks a function that used the old one, nothing changes and the
//     error says which function and what to do.

// definePrefix names the variables a definition is evaluated into.
const definePrefix = "_dbrV"

// defineStep builds the step that evaluates a definition of names (blank
// names are "_"): stmt is the definition with its names already renamed to
// _dbrV0, _dbrV1... (in the same order).
func defineStep(names []string, stmt string) step {
	var addrs []string
	for i, n := range names {
		if n != "_" {
			addrs = append(addrs, fmt.Sprintf("&%s%d", definePrefix, i))
		}
	}
	src := stmt
	if len(addrs) > 0 {
		src += "\n_dbr.Hold(" + strings.Join(addrs, ", ") + ")"
	}
	return step{src: wrap(src), define: names}
}

// renameDefine renames the identifiers on the left of a definition (an
// *ast.AssignStmt with :=, or an *ast.ValueSpec) to _dbrV0, _dbrV1... and
// returns the original names.
func renameDefine(n ast.Node) []string {
	var ids []*ast.Ident
	switch n := n.(type) {
	case *ast.AssignStmt:
		for _, l := range n.Lhs {
			id, _ := l.(*ast.Ident)
			ids = append(ids, id)
		}
	case *ast.ValueSpec:
		ids = n.Names
	}
	names := make([]string, len(ids))
	for i, id := range ids {
		if id == nil || id.Name == "_" {
			names[i] = "_"
			continue
		}
		names[i] = id.Name
		// A new identifier: the rest of the tree (E) keeps the global.
		ids[i] = ast.NewIdent(fmt.Sprintf("%s%d", definePrefix, i))
	}
	switch n := n.(type) {
	case *ast.AssignStmt:
		for i, id := range ids {
			if id != nil {
				n.Lhs[i] = id
			}
		}
	case *ast.ValueSpec:
		n.Names = ids
	}
	return names
}

// runDefine evaluates a definition step and binds its names.
func (s *Session) runDefine(ctx context.Context, st step) error {
	names, typs, vals, err := s.evalDefine(ctx, st)
	if err != nil {
		return err
	}
	if err := s.bind(ctx, names, typs, vals); err != nil {
		return err
	}
	for _, n := range names {
		delete(s.funcDefs, n)
		if st.funcLit {
			s.funcDefs[n] = st
		}
	}
	return nil
}

// evalDefine evaluates a definition step and returns the names it defines
// with their types and values.
func (s *Session) evalDefine(ctx context.Context, st step) (names []string, typs []varType, vals []reflect.Value, err error) {
	defer s.forget(markCompile(s.in, st.src))
	s.held = nil
	prog, err := s.compile(st.src)
	if err != nil {
		return nil, nil, nil, err
	}
	locals := make([]string, len(st.define))
	for i := range locals {
		locals[i] = fmt.Sprintf("%s%d", definePrefix, i)
	}
	types := localTypes(prog, locals)
	if err := s.execProgram(ctx, prog); err != nil {
		return nil, nil, nil, err
	}
	held := s.held
	s.held = nil
	k := 0
	for i, n := range st.define {
		if n == "_" {
			continue
		}
		if k >= len(held) || types[i].src == "" {
			return nil, nil, nil, &internalError{value: fmt.Sprintf("the definition of %s lost its value or type", n), stack: stack()}
		}
		names = append(names, n)
		typs = append(typs, types[i])
		vals = append(vals, held[k].Elem())
		k++
	}
	return names, typs, vals, nil
}

// redefineFuncs evaluates again, after a rebuild, the definitions of the
// variables that hold a function literal or a function of the session
// (f := func(...) {...}, g := show): the values carried from the old
// interpreter would run the old code on the old globals. A definition that
// no longer works keeps the carried value.
func (s *Session) redefineFuncs(ctx context.Context) {
	var names []string
	for n := range s.funcDefs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		ns, _, vals, err := s.evalDefine(ctx, s.funcDefs[n])
		if err != nil {
			continue
		}
		g := s.globals()
		for i, m := range ns {
			if v, ok := g[m]; ok && v.CanSet() && v.Type() == vals[i].Type() {
				v.Set(vals[i])
			}
		}
	}
}

// isFuncValue reports whether every value of a definition is a function
// literal or names a function of the session: evaluating it again has no
// effect but making the functions.
func (s *Session) isFuncValue(values []ast.Expr) bool {
	if len(values) == 0 {
		return false
	}
	for _, v := range values {
		switch v := ast.Unparen(v).(type) {
		case *ast.FuncLit:
		case *ast.Ident:
			if !s.funcs[v.Name] {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// bind gives the global variables names, of types typs (Go source), the
// values vals: see the comment at the top of this file.
func (s *Session) bind(ctx context.Context, names []string, typs []varType, vals []reflect.Value) error {
	syms := mainSymbols(s.in, names...)
	g := s.globals()
	var fresh, changed []int
	for i, n := range names {
		sym, exists := syms[n]
		switch {
		case !exists:
			fresh = append(fresh, i)
		case sym.kind == yaegiVarSym && sym.src == typs[i].src && g[n].CanSet() && g[n].Type() == vals[i].Type():
		default:
			changed = append(changed, i)
		}
	}
	declare := func(idx []int) string {
		var b strings.Builder
		for _, i := range idx {
			b.WriteString(s.varDecl(names[i], typs[i]) + "\n")
		}
		return b.String()
	}
	switch {
	case len(changed) > 0:
		all := append(fresh, changed...)
		var replaced []string
		for _, i := range all {
			replaced = append(replaced, names[i])
		}
		record := s.decls
		for _, i := range changed {
			if d := s.declOf(names[i]); d != nil {
				record = withDecls(record, []*decl{{key: "var " + names[i], names: []string{names[i]}}})
				record = dropKey(record, "var "+names[i])
			}
		}
		if err := s.rebuild(ctx, record, func() string { return declare(all) }, replaced); err != nil {
			return s.typeChange(err, names, typs, changed)
		}
	case len(fresh) > 0:
		if err := s.exec(ctx, declare(fresh)); err != nil {
			return fmt.Errorf("cannot declare %s: %s", names[fresh[0]], s.explain(err).Msg)
		}
	}
	g = s.globals()
	for i, n := range names {
		v, ok := g[n]
		if !ok || !v.CanSet() || v.Type() != vals[i].Type() {
			return &internalError{value: fmt.Sprintf("%s was declared as %s, which does not hold its value", n, typs[i].src), stack: stack()}
		}
		v.Set(vals[i])
	}
	return nil
}

// typeChange explains a definition whose new type broke a declaration
// that used the name.
func (s *Session) typeChange(err error, names []string, typs []varType, changed []int) error {
	var b *brokenDecl
	if !errors.As(err, &b) {
		return err
	}
	var what, which []string
	for _, i := range changed {
		what = append(what, names[i]+" as "+typs[i].src)
		which = append(which, names[i])
	}
	return fmt.Errorf("%s uses %s, and does not compile with %s: %s; %s unchanged: use a new name, or first change %s",
		b.name(), strings.Join(which, ", "), strings.Join(what, ", "), b.msg, strings.Join(which, ", ")+" is", b.d.key)
}

// declOf returns the record entry that declares name, if any.
func (s *Session) declOf(name string) *decl {
	for _, d := range s.decls {
		if containsName(d.liveNames(), name) {
			return d
		}
	}
	return nil
}

func dropKey(record []*decl, key string) []*decl {
	var out []*decl
	for _, d := range record {
		if d.key != key {
			out = append(out, d)
		}
	}
	return out
}

// isDefine reports whether a top-level statement defines variables.
func isDefine(st ast.Stmt) bool {
	a, ok := st.(*ast.AssignStmt)
	return ok && a.Tok == token.DEFINE
}
