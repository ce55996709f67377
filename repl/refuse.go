package repl

import (
	"fmt"
	"go/ast"
	"go/token"
	"reflect"
	"strings"
)

// Some input is refused before yaegi sees it, because evaluating it would
// hang or break the session rather than fail:
//
//   - An unexported field or method of a compiled type (x.shape for a
//     *engine.Tensor x) is out of reach in Go, and calling such a field as a
//     method (x.shape(), a Python habit) deadlocks yaegi v0.16.1: its call
//     node reads the function value with the frame's mutex held, reflect
//     panics (a value obtained from an unexported field), and runCfg's
//     deferred recover then locks the same mutex again (unexportedHint
//     says what to write instead).
//   - A generic function that calls itself: a panic inside it (the
//     recursion guard's own included) ends the process with a stack
//     overflow, because yaegi v0.16.1's panic handler walks the function's
//     code, which refers to itself through the instantiation, forever.
//   - A function whose signature uses its own name as a type (invalid Go,
//     func A(x ...A)): yaegi resolves the type forever, to a stack overflow.
//   - Names starting with _dbr belong to the helpers that rewritten code
//     calls (_dbrCallbackGuard, the _dbr package): declaring one would switch
//     the guards off.
//
// The receiver's type is worked out from the session's globals and compiled
// packages (staticType) and the input's own declarations (declType); where
// it cannot be, the watchdog (watchdog.go) still ends a stuck evaluation.

// reservedPrefix starts the names of dbr-repl's own helpers.
const reservedPrefix = "_dbr"

// A refusal is input refused before evaluation, with what to do instead.
type refusal struct{ msg string }

func (r *refusal) Error() string { return r.msg }

// refuse returns an error for the first construct in n that is refused.
func (s *Session) refuse(n ast.Node) error {
	var err error
	reserved := func(id *ast.Ident) {
		if err == nil && id != nil && strings.HasPrefix(id.Name, reservedPrefix) {
			err = &refusal{fmt.Sprintf("%s is a reserved name: names starting with %s belong to dbr-repl's own helpers; choose another name", id.Name, reservedPrefix)}
		}
	}
	fields := func(fl *ast.FieldList) {
		if fl == nil {
			return
		}
		for _, f := range fl.List {
			for _, id := range f.Names {
				reserved(id)
			}
		}
	}
	ast.Inspect(n, func(n ast.Node) bool {
		if err != nil {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncDecl:
			reserved(n.Name)
			fields(n.Recv)
			if err == nil && n.Recv == nil && namesItself(n) {
				err = &refusal{fmt.Sprintf("%s is a function, used as a type in its own signature; write a type there", n.Name.Name)}
			}
			if err == nil && n.Type.TypeParams != nil && callsItself(n) {
				err = &refusal{fmt.Sprintf("%s is a generic function that calls itself, which the interpreter cannot run safely "+
					"(a panic inside it crashes the session); write it for one concrete type, or turn the recursion into a loop", n.Name.Name)}
			}
		case *ast.FuncType:
			fields(n.TypeParams)
			fields(n.Params)
			fields(n.Results)
		case *ast.TypeSpec:
			reserved(n.Name)
		case *ast.ValueSpec:
			for _, id := range n.Names {
				reserved(id)
			}
		case *ast.AssignStmt:
			if n.Tok == token.DEFINE {
				for _, l := range n.Lhs {
					id, _ := l.(*ast.Ident)
					reserved(id)
				}
			}
		case *ast.RangeStmt:
			if n.Tok == token.DEFINE {
				id, _ := n.Key.(*ast.Ident)
				reserved(id)
				id, _ = n.Value.(*ast.Ident)
				reserved(id)
			}
		case *ast.LabeledStmt:
			reserved(n.Label)
		}
		return err == nil
	})
	if err == nil {
		if h := s.unexportedHint(n); h != "" {
			err = &refusal{h}
		}
	}
	return err
}

// valueType is staticType for a value.
func (s *Session) valueType(e ast.Expr) reflect.Type {
	if t, isType := s.staticType(e); !isType {
		return t
	}
	return nil
}

// declType returns the compiled type of a local identifier from its
// declaration in the input (parsed with object resolution).
func (s *Session) declType(id *ast.Ident) reflect.Type {
	switch d := id.Obj.Decl.(type) {
	case *ast.Field:
		return s.typeExpr(d.Type)
	case *ast.ValueSpec:
		if d.Type != nil {
			return s.typeExpr(d.Type)
		}
		for i, n := range d.Names {
			if n.Name == id.Name && i < len(d.Values) && len(d.Values) == len(d.Names) {
				return s.valueType(d.Values[i])
			}
		}
	case *ast.AssignStmt:
		for i, l := range d.Lhs {
			if l, ok := l.(*ast.Ident); !ok || l.Name != id.Name {
				continue
			}
			if len(d.Lhs) == len(d.Rhs) {
				if d.Rhs[i] == ast.Expr(id) {
					return nil
				}
				return s.valueType(d.Rhs[i])
			}
			if len(d.Rhs) == 1 {
				if c, ok := ast.Unparen(d.Rhs[0]).(*ast.CallExpr); ok {
					if ft := s.valueType(c.Fun); ft != nil && ft.Kind() == reflect.Func && i < ft.NumOut() {
						return ft.Out(i)
					}
				}
			}
		}
	}
	return nil
}

// typeExpr returns the compiled type a type expression names (*engine.Tensor,
// []nn.Linear), or nil.
func (s *Session) typeExpr(e ast.Expr) reflect.Type {
	switch e := ast.Unparen(e).(type) {
	case *ast.StarExpr:
		if t := s.typeExpr(e.X); t != nil {
			return reflect.PointerTo(t)
		}
	case *ast.ArrayType:
		if t := s.typeExpr(e.Elt); t != nil && e.Len == nil {
			return reflect.SliceOf(t)
		}
	case *ast.SelectorExpr:
		id, ok := e.X.(*ast.Ident)
		if !ok || s.isGlobal(id.Name) {
			return nil
		}
		v, ok := s.pkgSyms[id.Name][e.Sel.Name]
		// yaegi's tables hold a type T as a nil *T.
		if ok && v.Kind() == reflect.Ptr && v.IsNil() {
			return v.Type().Elem()
		}
	}
	return nil
}

// callsItself reports whether the body of the function fd calls fd by name
// (f(x), f[T](x)).
func callsItself(fd *ast.FuncDecl) bool {
	found := false
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		c, ok := n.(*ast.CallExpr)
		if !ok || found {
			return !found
		}
		fun := ast.Unparen(c.Fun)
		switch x := fun.(type) {
		case *ast.IndexExpr:
			fun = x.X
		case *ast.IndexListExpr:
			fun = x.X
		}
		if id, ok := fun.(*ast.Ident); ok && id.Name == fd.Name.Name {
			found = true
		}
		return !found
	})
	return found
}

// namesItself reports whether a type in the signature of the function fd
// mentions its name.
func namesItself(fd *ast.FuncDecl) bool {
	found := false
	for _, fl := range []*ast.FieldList{fd.Type.TypeParams, fd.Type.Params, fd.Type.Results} {
		if fl == nil {
			continue
		}
		for _, f := range fl.List {
			ast.Inspect(f.Type, func(n ast.Node) bool {
				if id, ok := n.(*ast.Ident); ok && id.Name == fd.Name.Name {
					found = true
				}
				return !found
			})
		}
	}
	return found
}
