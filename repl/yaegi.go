package repl

import (
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"unsafe"

	"github.com/traefik/yaegi/interp"
)

// yaegi v0.16.1 does not export the static types it gives globals and the
// locals of compiled code. The session needs them to name the type of a
// variable it defines (reflect cannot: yaegi's struct types are anonymous,
// two structurally identical types share one reflect type, and a named
// basic type such as `type Celsius float64` has the reflect type float64).
// These functions read them with reflect, which may read unexported fields;
// TestYaegiLayout fails if an upgrade changes what they rely on.

// Symbol kinds of yaegi's scope.go (sKind) that the session tells apart.
const (
	yaegiConstSym = 3
	yaegiFuncSym  = 4
	yaegiTypeSym  = 7
	yaegiVarSym   = 9
)

// yaegiValueT is the category (tcat) of yaegi's type for a compiled type.
const yaegiValueT = 37

// A global is a top-level name of the main package as yaegi knows it.
type global struct {
	kind uint64 // yaegiVarSym, yaegiConstSym, ...
	varType
}

// A varType is the static type of a variable: as Go source ("*Net",
// "[]*engine.Tensor"), and for a type yaegi takes from compiled code as it
// is (the result of engine.Ones), its reflect type.
type varType struct {
	src      string
	compiled reflect.Type
	iface    bool // an interface type
}

// mainSymbols returns the top-level names of the session's main package:
// all of them, or only those of only.
func mainSymbols(in *interp.Interpreter, only ...string) (syms map[string]global) {
	syms = map[string]global{}
	defer func() {
		if recover() != nil {
			syms = map[string]global{}
		}
	}()
	pkgs := reflect.ValueOf(in).Elem().FieldByName("srcPkg")
	if !pkgs.IsValid() || pkgs.Kind() != reflect.Map {
		return syms
	}
	main := pkgs.MapIndex(reflect.ValueOf("main"))
	if !main.IsValid() || main.Kind() != reflect.Map {
		return syms
	}
	add := func(name string, sym reflect.Value) {
		if sym.Kind() != reflect.Ptr || sym.IsNil() {
			return
		}
		sym = sym.Elem()
		syms[name] = global{kind: sym.FieldByName("kind").Uint(), varType: typeOf(sym.FieldByName("typ"))}
	}
	if len(only) > 0 {
		for _, n := range only {
			if sym := main.MapIndex(reflect.ValueOf(n)); sym.IsValid() {
				add(n, sym)
			}
		}
		return syms
	}
	it := main.MapRange()
	for it.Next() {
		add(it.Key().String(), it.Value())
	}
	return syms
}

// typeOf returns the varType of a yaegi *itype.
func typeOf(t reflect.Value) varType {
	vt := varType{src: typeSource(t)}
	if t.IsValid() && t.Kind() == reflect.Ptr && !t.IsNil() {
		e := t.Elem()
		for e.FieldByName("cat").Uint() == yaegiLinkedT && !e.FieldByName("val").IsNil() {
			e = e.FieldByName("val").Elem()
		}
		switch e.FieldByName("cat").Uint() {
		case yaegiInterfaceT, yaegiErrorT:
			vt.iface = true
		case yaegiValueT:
			if e.FieldByName("val").IsNil() {
				if rt := e.FieldByName("rtype"); !rt.IsNil() {
					vt.compiled = compiledType(rt)
					vt.iface = vt.compiled != nil && vt.compiled.Kind() == reflect.Interface
				}
			}
		}
	}
	return vt
}

// compiledType returns the reflect.Type held in a (read-only) reflect.Value
// of interface type reflect.Type.
func compiledType(rt reflect.Value) (t reflect.Type) {
	defer func() {
		if recover() != nil {
			t = nil
		}
	}()
	// The value cannot be had with Interface (an unexported field): take
	// it through its address, which reflect allows reading.
	p := reflect.NewAt(rt.Type(), unsafe.Pointer(rt.UnsafeAddr())).Elem()
	t, _ = p.Interface().(reflect.Type)
	return t
}

// typeSource renders a yaegi *itype as Go source that names the same type at
// the prompt: a type of the main package by its name ("Net", not
// "main.Net"), a compiled type as reflect writes it, composite types from
// their parts. (yaegi's own string of a type is not always its name: for a
// pointer to a recursive struct it is "*struct {}".)
func typeSource(t reflect.Value) string {
	return typeSourceDepth(t, 0)
}

// Categories (tcat) of yaegi's types that typeSource builds from their parts.
const (
	yaegiArrayT     = 1
	yaegiErrorT     = 13
	yaegiInterfaceT = 18
	yaegiLinkedT    = 24
	yaegiChanT      = 6
	yaegiFuncT      = 16
	yaegiMapT       = 25
	yaegiPtrT       = 26
	yaegiSliceT     = 27
	yaegiStructT    = 30
)

func typeSourceDepth(t reflect.Value, depth int) string {
	if depth > 50 || !t.IsValid() || t.Kind() != reflect.Ptr || t.IsNil() {
		return ""
	}
	t = t.Elem()
	cat := t.FieldByName("cat").Uint()
	if cat == yaegiValueT {
		if v := t.FieldByName("val"); !v.IsNil() {
			return typeSourceDepth(v, depth+1)
		}
		if rt := t.FieldByName("rtype"); !rt.IsNil() {
			// A compiled type: its reflect.Type's String.
			if str := t.FieldByName("str").String(); str != "" {
				return str
			}
		}
	}
	if name := t.FieldByName("name").String(); name != "" {
		if path := t.FieldByName("path").String(); path != "" && path != "main" {
			return mainQualifier.ReplaceAllString(t.FieldByName("str").String(), "$1")
		}
		return name
	}
	val := func() string { return typeSourceDepth(t.FieldByName("val"), depth+1) }
	switch cat {
	case yaegiPtrT:
		if v := val(); v != "" {
			return "*" + v
		}
	case yaegiSliceT:
		if v := val(); v != "" {
			return "[]" + v
		}
	case yaegiArrayT:
		if v := val(); v != "" {
			return "[" + strconv.Itoa(int(t.FieldByName("length").Int())) + "]" + v
		}
	case yaegiMapT:
		k, v := typeSourceDepth(t.FieldByName("key"), depth+1), val()
		if k != "" && v != "" {
			return "map[" + k + "]" + v
		}
	}
	return mainQualifier.ReplaceAllString(t.FieldByName("str").String(), "$1")
}

var mainQualifier = regexp.MustCompile(`(^|[^\w.])main\.`)

// localTypes returns, for each name, the type of the first identifier of
// that name in the compiled program that has one (src "" if none).
func localTypes(prog *interp.Program, names []string) (types []varType) {
	types = make([]varType, len(names))
	defer func() {
		if recover() != nil {
			types = make([]varType, len(names))
		}
	}()
	want := map[string]int{}
	for i, n := range names {
		want[n] = i
	}
	left := len(names)
	var walk func(n reflect.Value)
	walk = func(n reflect.Value) {
		if left == 0 || n.Kind() != reflect.Ptr || n.IsNil() {
			return
		}
		n = n.Elem()
		if i, ok := want[n.FieldByName("ident").String()]; ok && types[i].src == "" {
			if t := typeOf(n.FieldByName("typ")); t.src != "" {
				types[i] = t
				left--
			}
		}
		kids := n.FieldByName("child")
		for k := 0; k < kids.Len(); k++ {
			walk(kids.Index(k))
		}
	}
	walk(reflect.ValueOf(prog).Elem().FieldByName("root"))
	return types
}

// zeroPath is the package of functions that return a zero value of a
// compiled type, so that the session declares a variable of such a type as
// yaegi does for `x := engine.Ones(2)` (`var x *engine.Tensor` gives yaegi a
// type of another kind, which it treats differently in places).
const zeroPath = "github.com/dbr-go/dbr/repl/_dbrzero/_dbrzero"

// varDecl returns the declaration of a variable name of type t.
func (s *Session) varDecl(name string, t varType) string {
	if t.compiled == nil {
		return "var " + name + " " + t.src
	}
	s.zeroN++
	fn := fmt.Sprintf("Z%d", s.zeroN)
	rt := t.compiled
	f := reflect.MakeFunc(reflect.FuncOf(nil, []reflect.Type{rt}, false), func([]reflect.Value) []reflect.Value {
		return []reflect.Value{reflect.Zero(rt)}
	})
	if err := s.in.Use(interp.Exports{zeroPath: {fn: f}}); err != nil {
		return "var " + name + " " + t.src
	}
	return "var " + name + " = _dbrzero." + fn + "()"
}

// staticTypes returns the static types of the n values of the expression
// src, from compiling (not running) a definition of them.
func (s *Session) staticTypes(src string, n int) []varType {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("%s%d", definePrefix, i)
	}
	def := wrap(strings.Join(names, ", ") + " := " + src + "\n_ = " + names[0])
	defer s.forget(markCompile(s.in, def))
	prog, err := s.compile(def)
	if n == 0 || err != nil {
		return make([]varType, n)
	}
	return localTypes(prog, names)
}
