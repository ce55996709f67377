package repl

import (
	"fmt"
	"go/ast"
	"go/token"
	"reflect"
	"runtime"
	"strings"
)

// A function typed at the prompt may be called by compiled code on a
// goroutine the interpreter did not start: time.AfterFunc(d, func() {...}),
// a callback of a library. A panic there unwinds to the top of that goroutine
// and kills the process, since no recover of the interpreter is on its stack.
//
// So the rewriter guards every function passed as an argument to a method or
// to a function of a package: a function literal, or a literal calling the
// function, variable or field of a global passed. Its body starts with
//
//	defer _dbrCallbackGuard("time.AfterFunc")
//
// which, on a panic, asks onForeignGoroutine whether the goroutine was
// started by compiled code. If so it reports the panic and the function
// returns; if not it panics again, and the error reaches the prompt as any
// other. Only those functions are guarded, not every function: a recover in
// every frame would make a deep recursion unwind its panic through a recover
// and a new panic at every level, and a function value passed around in
// interpreted code is called by interpreted code.
//
// Not covered: a method of a type typed at the prompt that compiled code
// calls through an interface on a goroutine of its own, a method value
// (x.M) passed, and a function that reaches compiled code other than as an
// argument (stored into a compiled struct's field). onForeignGoroutine knows
// yaegi's frames by name: TestCallbackPanicOnForeignGoroutine fails if an
// upgrade renames them.

// Names of yaegi v0.16.1's functions on the Go stack of interpreted code:
// runCfg runs the body of an interpreted function; the wrappers are the Go
// functions (made with reflect.MakeFunc) through which compiled code (and
// interpreted code, for function values) calls an interpreted function.
const (
	yaegiRunCfg      = "github.com/traefik/yaegi/interp.runCfg"
	yaegiWrapper     = "github.com/traefik/yaegi/interp.genFunctionWrapper.func1.1"
	yaegiFuncWrapper = "github.com/traefik/yaegi/interp.getFunc.func1.1"
)

// goroutineFrames returns the functions on the current goroutine's stack,
// innermost first.
func goroutineFrames() []string {
	pcs := make([]uintptr, 256)
	for {
		n := runtime.Callers(1, pcs)
		if n < len(pcs) {
			pcs = pcs[:n]
			break
		}
		pcs = make([]uintptr, 2*len(pcs))
	}
	var names []string
	frames := runtime.CallersFrames(pcs)
	for {
		f, more := frames.Next()
		names = append(names, f.Function)
		if !more {
			return names
		}
	}
}

// onForeignGoroutine reports whether the outermost interpreted function on
// the current goroutine was called by compiled code through one of yaegi's
// wrappers: the goroutine was started by compiled code (time.AfterFunc), not
// by the interpreter (the evaluation of input, or a go statement).
func onForeignGoroutine() bool {
	names := goroutineFrames()
	last := -1
	for i, n := range names {
		if n == yaegiRunCfg {
			last = i
		}
	}
	if last < 0 || last+1 >= len(names) {
		return false
	}
	w := names[last+1]
	return w == yaegiWrapper || w == yaegiFuncWrapper
}

// callbackPanic is called by _dbrCallbackGuard with the panic r it
// recovered in a function passed to passedTo ("time.AfterFunc"). On a
// goroutine that compiled code started, it reports r and returns (the
// guarded function returns zero values); elsewhere it panics again with r,
// which then reaches the prompt as any other error.
func (s *Session) callbackPanic(passedTo string, r any) {
	if !onForeignGoroutine() {
		panic(r)
	}
	fmt.Fprintf(s.opt.Stderr, "error in the function passed to %s, on its own goroutine (the session goes on): %s\n", passedTo, panicMessage(r))
}

// funcType returns the type, as Go source, of a function or a variable of a
// function type named by id, or "" when id is something else or its type
// is not known.
func (s *Session) funcType(fset *token.FileSet, e ast.Expr) string {
	if sel, ok := e.(*ast.SelectorExpr); ok {
		// A field of a global (cfg.OnDone), found by reflection.
		chain := selectorChain(sel)
		parts := strings.Split(chain, ".")
		if chain == "" || s.pkgSyms[parts[0]] != nil && !s.isGlobal(parts[0]) {
			return ""
		}
		if root, ok := ast.Unparen(e).(*ast.SelectorExpr); ok {
			for x := root.X; ; {
				if id, ok := x.(*ast.Ident); ok {
					if id.Obj != nil {
						return "" // a local variable: its type is not known here
					}
					break
				}
				x = x.(*ast.SelectorExpr).X
			}
		}
		v, ok := s.globals()[parts[0]]
		for _, f := range parts[1:] {
			for ok && (v.Kind() == reflect.Ptr || v.Kind() == reflect.Interface) && !v.IsNil() {
				v = v.Elem()
			}
			if !ok || v.Kind() != reflect.Struct {
				return ""
			}
			v = v.FieldByName(f)
			ok = v.IsValid()
		}
		if !ok {
			return ""
		}
		return s.funcTypeOf(v)
	}
	id, ok := e.(*ast.Ident)
	if !ok {
		return ""
	}
	if id.Obj == nil {
		if t, ok := s.funcTypes[id.Name]; ok {
			return t
		}
		if v, ok := s.globals()[id.Name]; ok {
			return s.funcTypeOf(v)
		}
		return ""
	}
	switch d := id.Obj.Decl.(type) {
	case *ast.FuncDecl:
		if d.Recv == nil && d.Type.TypeParams == nil {
			return render(fset, d.Type)
		}
	case *ast.Field:
		if _, ok := d.Type.(*ast.FuncType); ok {
			return render(fset, d.Type)
		}
	case *ast.ValueSpec:
		if _, ok := d.Type.(*ast.FuncType); ok {
			return render(fset, d.Type)
		}
		for i, n := range d.Names {
			if n.Name == id.Name && d.Type == nil && i < len(d.Values) {
				if lit, ok := d.Values[i].(*ast.FuncLit); ok {
					return render(fset, lit.Type)
				}
			}
		}
	case *ast.AssignStmt:
		if len(d.Lhs) != len(d.Rhs) {
			return ""
		}
		for i, l := range d.Lhs {
			if l, ok := l.(*ast.Ident); ok && l.Name == id.Name {
				if lit, ok := d.Rhs[i].(*ast.FuncLit); ok {
					return render(fset, lit.Type)
				}
			}
		}
	}
	return ""
}

// funcTypeOf returns the type of v, as Go source, when v is a function
// whose type can be written without the session's own types, or "".
func (s *Session) funcTypeOf(v reflect.Value) string {
	if !v.IsValid() || v.Kind() != reflect.Func {
		return ""
	}
	t := s.TypeName(v.Type())
	if strings.Contains(t, "struct") || strings.Contains(t, "main.") {
		return ""
	}
	return t
}
