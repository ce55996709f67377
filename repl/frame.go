package repl

import (
	"go/ast"
	"reflect"
	"unsafe"

	"github.com/dbr-go/dbr/engine"
	"github.com/traefik/yaegi/interp"
)

// yaegi v0.16.1 evaluates a top-level `x := a.MatMul(b).Add(c)` in its
// global frame and never frees the slots of its temporaries (the MatMul
// result here): a session that keeps redefining tensors grows without bound.
// After such a definition the session clears the slots that evaluation added
// for temporaries of type *engine.Tensor. (Other temporaries may be referred
// to by closures yaegi made, such as the method wrappers of an interpreted
// value passed as an interface; the old slot of a redefined x may be referred
// to by a closure that captured it, so it stays.) yaegi does not export its
// frame, so this reads it with reflect and unsafe; TestDefineFrees fails if
// a yaegi upgrade changes its layout.

// frameData returns the slots of the interpreter's global frame, or nil if
// the interpreter's layout is not the known one.
func frameData(in *interp.Interpreter) []reflect.Value {
	f := reflect.ValueOf(in).Elem().FieldByName("frame")
	if !f.IsValid() || f.Kind() != reflect.Ptr || f.IsNil() {
		return nil
	}
	fr := reflect.NewAt(f.Type().Elem(), unsafe.Pointer(f.Pointer())).Elem()
	d := fr.FieldByName("data")
	if !d.IsValid() || d.Type() != reflect.TypeOf([]reflect.Value(nil)) {
		return nil
	}
	return *(*[]reflect.Value)(unsafe.Pointer(d.UnsafeAddr()))
}

// slotAddr identifies a slot by the address of its storage.
func slotAddr(v reflect.Value) uintptr {
	if !v.IsValid() || !v.CanAddr() {
		return 0
	}
	return v.UnsafeAddr()
}

var tensorType = reflect.TypeOf((*engine.Tensor)(nil))

// defineMark is the number of slots of the global frame before a top-level
// definition.
type defineMark int

func (s *Session) markDefine() defineMark { return defineMark(len(frameData(s.in))) }

// sweepDefine clears the tensor temporaries that a successful top-level
// definition added to the global frame. yaegi keeps a field, element or
// pointee read by the expression (lin.Weight, ts[0], *p) as an alias of it
// in a slot, and clearing that would clear the field: sweepable says which
// expressions have none.
func (s *Session) sweepDefine(m defineMark) {
	data := frameData(s.in)
	if data == nil {
		return
	}
	keep := map[uintptr]bool{}
	for _, v := range s.globals() {
		if a := slotAddr(v); a != 0 {
			keep[a] = true
		}
	}
	for i := int(m); i < len(data); i++ {
		if data[i].IsValid() && data[i].Type() == tensorType {
			if a := slotAddr(data[i]); a != 0 && !keep[a] {
				data[i].Set(reflect.Zero(tensorType))
			}
		}
	}
}

// sweepable reports whether the right-hand sides of a definition read no
// field, element or pointee: only calls, package members, variables,
// literals and operators.
func (s *Session) sweepable(rhs []ast.Expr) bool {
	ok := true
	funs := map[ast.Expr]bool{}
	for _, e := range rhs {
		ast.Inspect(e, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.CallExpr:
				funs[n.Fun] = true
			case *ast.SelectorExpr:
				if funs[n] {
					return true
				}
				if id, isID := n.X.(*ast.Ident); isID && s.pkgSyms[id.Name] != nil && !s.isGlobal(id.Name) {
					return true
				}
				ok = false
			case *ast.IndexExpr, *ast.IndexListExpr, *ast.SliceExpr, *ast.StarExpr, *ast.TypeAssertExpr, *ast.UnaryExpr:
				ok = false
			}
			return ok
		})
	}
	return ok
}
