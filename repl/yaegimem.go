package repl

import (
	"go/scanner"
	"go/token"
	"reflect"
	"strings"
	"unsafe"

	"github.com/traefik/yaegi/interp"
)

// yaegi v0.16.1 keeps the syntax tree of every input it compiled, which
// makes a session grow by about 9 KB for each `1 + 1` (traefik/yaegi#1678),
// so that memory grows with every cell of a long notebook or REPL session.
// Three references keep each tree alive, none of them needed once the input
// ran:
//
//   - Interpreter.roots, every compiled tree, read only by the debugger;
//   - scope.child of the package scope, every scope pushed under it (a
//     function literal's scope points to its tree), never read;
//   - the global frame slot of each top-level function literal (the
//     `(func() { ... })()` that statements run in), which holds the
//     closure after it ran.
//
// forgetCompiled drops the three after each input: the roots, the package
// scopes' children, and the frame slots added since the input was compiled
// that no global name refers to and that hold a func() (a function
// literal's closure; other such slots hold composite literals that
// interpreted values passed to compiled code still read). Declared
// functions, types and variables stay reachable through their symbols. It
// reaches into yaegi's unexported fields, so it checks each field's type
// and does nothing if a later yaegi changes them.
//
// yaegi also adds each input to its FileSet (about 0.8 KB for a one-line
// input: the file and its line table, kept for the positions of error
// messages). Once the input ran, only the functions it made can still
// report a position (a panic in a function or closure called later), so
// forgetCompiled also removes the input's files when it made none: no func
// besides the `(func() { ... })()` that statements run in, no type.
type compileMark struct {
	slots     int
	fileBase  int  // yaegi's FileSet's Base before the input compiled
	keepFiles bool // the input declares functions or types
}

// funcType is the type of the function literals statements run in.
var funcType = reflect.TypeOf(func() {})

// unexported returns the settable field name of the struct v points to,
// or an invalid Value.
func unexported(v reflect.Value, name string) reflect.Value {
	if v.Kind() == reflect.Ptr {
		if v.IsNil() {
			return reflect.Value{}
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return reflect.Value{}
	}
	f := v.FieldByName(name)
	if !f.IsValid() {
		return reflect.Value{}
	}
	return reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
}

// globalSlots returns the global frame's values, if yaegi's layout is the
// one known.
func globalSlots(in *interp.Interpreter) reflect.Value {
	data := unexported(unexported(reflect.ValueOf(in), "frame"), "data")
	if !data.IsValid() || data.Type() != reflect.TypeOf([]reflect.Value(nil)) {
		return reflect.Value{}
	}
	return data
}

// markCompile records the global frame's size and the FileSet's base
// before src compiles.
func markCompile(in *interp.Interpreter, src string) compileMark {
	m := compileMark{slots: -1, fileBase: in.FileSet().Base(), keepFiles: makesFuncs(src)}
	if data := globalSlots(in); data.IsValid() {
		m.slots = data.Len()
	}
	return m
}

// makesFuncs reports whether src declares a type or has a func other than
// a leading `(func() {` (wrap's).
func makesFuncs(src string) bool {
	funcs := 0
	if strings.HasPrefix(src, "(func() {") {
		funcs = -1
	}
	var sc scanner.Scanner
	fset := token.NewFileSet()
	sc.Init(fset.AddFile("", fset.Base(), len(src)), []byte(src), nil, 0)
	for {
		_, tok, _ := sc.Scan()
		switch tok {
		case token.EOF:
			return funcs > 0
		case token.TYPE:
			return true
		case token.FUNC:
			funcs++
		}
	}
}

// forgetCompiled drops what yaegi kept of the inputs compiled since m
// that ran (see above).
func forgetCompiled(in *interp.Interpreter, m compileMark) {
	if !m.keepFiles {
		fset := in.FileSet()
		var added []*token.File
		fset.Iterate(func(f *token.File) bool {
			if f.Base() >= m.fileBase {
				added = append(added, f)
			}
			return true
		})
		for _, f := range added {
			fset.RemoveFile(f)
		}
	}
	root := reflect.ValueOf(in)
	if roots := unexported(root, "roots"); roots.IsValid() && roots.Kind() == reflect.Slice {
		roots.SetZero()
	}
	scopes := unexported(root, "scopes")
	if !scopes.IsValid() || scopes.Kind() != reflect.Map {
		return
	}
	used := map[int]bool{}
	iter := scopes.MapRange()
	for iter.Next() {
		sc := iter.Value()
		if child := unexported(sc, "child"); child.IsValid() && child.Kind() == reflect.Slice {
			child.SetZero()
		}
		syms := unexported(sc, "sym")
		if !syms.IsValid() || syms.Kind() != reflect.Map {
			return
		}
		it := syms.MapRange()
		for it.Next() {
			if idx := unexported(it.Value(), "index"); idx.IsValid() && idx.Kind() == reflect.Int {
				used[int(idx.Int())] = true
			}
		}
	}
	data := globalSlots(in)
	if m.slots < 0 || !data.IsValid() {
		return
	}
	for i := m.slots; i < data.Len(); i++ {
		if used[i] {
			continue
		}
		if v, ok := data.Index(i).Interface().(reflect.Value); ok && v.IsValid() && v.Type() == funcType {
			data.Index(i).Set(reflect.ValueOf(reflect.Value{}))
		}
	}
	shrinkFrame(in, scopes, data, used)
}

// shrinkFrame gives back the global frame's last slots that forgetCompiled
// emptied and no name uses, so that the next input's function literal gets
// the same slot again. Without it the global frame grows by a slot for
// every input, and as yaegi copies the whole frame to make each function
// literal (and again each time it grows the frame), every input took time
// proportional to the number of inputs before it: a piped script of 10,000
// lines ran in time quadratic in its length. The slots are cut from the
// frame and from the layout (types) that yaegi's universe and package
// scopes share, only when all of those agree on the frame's length.
func shrinkFrame(in *interp.Interpreter, scopes, data reflect.Value, used map[int]bool) {
	n := data.Len()
	keep := n
	for keep > 0 && !used[keep-1] {
		if v, ok := data.Index(keep - 1).Interface().(reflect.Value); !ok || v.IsValid() {
			break
		}
		keep--
	}
	if keep == n {
		return
	}
	layouts := []reflect.Value{unexported(unexported(reflect.ValueOf(in), "universe"), "types")}
	iter := scopes.MapRange()
	for iter.Next() {
		sc := iter.Value()
		if level := unexported(sc, "level"); !level.IsValid() || level.Kind() != reflect.Int || level.Int() != 0 {
			continue
		}
		layouts = append(layouts, unexported(sc, "types"))
	}
	for _, l := range layouts {
		if !l.IsValid() || l.Kind() != reflect.Slice || (l.Len() > keep && l.Len() != n) {
			return
		}
	}
	for _, l := range layouts {
		if l.Len() == n {
			l.SetLen(keep)
		}
	}
	data.SetLen(keep)
}
