package repl

import (
	"fmt"
	"io"
	"log"
	"reflect"
	"strings"

	"github.com/traefik/yaegi/interp"
)

// fmt prints a slice, map or interface that contains itself by recursing
// until Go's fatal stack overflow, which no recover catches, and so it does
// for a value nested deeply enough:
//
//	a := []any{1}; a[0] = a; fmt.Println(a)
//	var v any = 1; for i := 0; i < 3000000; i++ { v = []any{v} }; fmt.Println(v)
//
// unprintable finds such values, within bounds of its own: the session's
// printing of results and panics says so instead of printing them, and
// interpreted code gets fmt's and log's printing functions with each such
// argument replaced by a note.

// Bounds of what is printed: nesting (fmt recurses once per level) and the
// values unprintable visits looking for a cycle.
const (
	maxPrintDepth  = 10000
	maxPrintValues = 1000000
)

// selfNote prints, for every verb, the note that replaces an unprintable
// value. (A struct: fmt.Print puts spaces around it as around the value it
// replaces.)
type selfNote struct{ note string }

func (n selfNote) Format(f fmt.State, _ rune) { io.WriteString(f, n.note) }

// safeArgs returns a, with every unprintable argument replaced by a note.
func (s *Session) safeArgs(a []any) []any {
	var out []any
	for i, v := range a {
		why := unprintable(v)
		if why == "" {
			continue
		}
		if out == nil {
			out = append([]any(nil), a...)
		}
		out[i] = selfNote{s.TypeName(reflect.TypeOf(v)) + " (" + why + "; not printed)"}
	}
	if out == nil {
		return a
	}
	return out
}

// unprintable says why fmt cannot print v ("contains itself", "nested more
// than 10000 levels deep", "more than 1000000 values to check"), or returns
// "". It follows what fmt prints in full: slices, maps, interfaces, arrays
// and structs, and at the top level a pointer's value (fmt prints nested
// pointers as addresses).
func unprintable(v any) string {
	if v == nil {
		return ""
	}
	rv, ok := v.(reflect.Value) // fmt prints the value it holds
	if !ok {
		rv = reflect.ValueOf(v)
	}
	if rv.Kind() == reflect.Interface && !rv.IsNil() {
		rv = rv.Elem()
	}
	if rv.Kind() == reflect.Ptr && !rv.IsNil() {
		rv = rv.Elem()
	}
	w := printWalk{seen: map[uintptr]bool{}}
	w.walk(rv, 0)
	return w.why
}

var reflectValue = reflect.TypeOf(reflect.Value{})

// printWalk is one search of unprintable.
type printWalk struct {
	seen map[uintptr]bool // slices and maps on the path from the top
	n    int              // values visited
	why  string
}

func (w *printWalk) walk(v reflect.Value, depth int) {
	if w.why != "" {
		return
	}
	if w.n++; w.n > maxPrintValues {
		w.why = fmt.Sprintf("more than %d values to check", maxPrintValues)
		return
	}
	if depth > maxPrintDepth {
		w.why = fmt.Sprintf("nested more than %d levels deep", maxPrintDepth)
		return
	}
	if v.Type() == reflectValue && v.CanInterface() {
		v = v.Interface().(reflect.Value) // fmt prints the value it holds
		if !v.IsValid() {
			return
		}
	}
	switch v.Kind() {
	case reflect.Interface:
		if !v.IsNil() {
			w.walk(v.Elem(), depth+1)
		}
	case reflect.Slice, reflect.Map:
		if v.IsNil() || !canContain(v.Type().Elem()) && (v.Kind() == reflect.Slice || !canContain(v.Type().Key())) {
			return
		}
		p := v.Pointer()
		if w.seen[p] {
			w.why = "contains itself"
			return
		}
		w.seen[p] = true
		defer delete(w.seen, p)
		if v.Kind() == reflect.Map {
			for it := v.MapRange(); it.Next() && w.why == ""; {
				w.walk(it.Key(), depth+1)
				w.walk(it.Value(), depth+1)
			}
			return
		}
		for i := 0; i < v.Len() && w.why == ""; i++ {
			w.walk(v.Index(i), depth+1)
		}
	case reflect.Array:
		if canContain(v.Type().Elem()) {
			for i := 0; i < v.Len() && w.why == ""; i++ {
				w.walk(v.Index(i), depth+1)
			}
		}
	case reflect.Struct:
		for i := 0; i < v.NumField() && w.why == ""; i++ {
			w.walk(v.Field(i), depth+1)
		}
	}
}

// safeFmt returns fmt's printing functions for interpreted code: as yaegi's
// (Print, Printf and Println write to the session's Stdout), with safeArgs.
func (s *Session) safeFmt() interp.Exports {
	out := s.opt.Stdout
	fns := map[string]reflect.Value{
		"Print": reflect.ValueOf(func(a ...any) (int, error) { return fmt.Fprint(out, s.safeArgs(a)...) }),
		"Printf": reflect.ValueOf(func(f string, a ...any) (int, error) {
			f, a = s.typeVerbs(f, a)
			return fmt.Fprintf(out, f, s.safeArgs(a)...)
		}),
		"Println": reflect.ValueOf(func(a ...any) (int, error) { return fmt.Fprintln(out, s.safeArgs(a)...) }),
		"Sprint":  reflect.ValueOf(func(a ...any) string { return fmt.Sprint(s.safeArgs(a)...) }),
		"Sprintf": reflect.ValueOf(func(f string, a ...any) string {
			f, a = s.typeVerbs(f, a)
			return fmt.Sprintf(f, s.safeArgs(a)...)
		}),
		"Sprintln": reflect.ValueOf(func(a ...any) string { return fmt.Sprintln(s.safeArgs(a)...) }),
		"Fprint":   reflect.ValueOf(func(w io.Writer, a ...any) (int, error) { return fmt.Fprint(w, s.safeArgs(a)...) }),
		"Fprintf": reflect.ValueOf(func(w io.Writer, f string, a ...any) (int, error) {
			f, a = s.typeVerbs(f, a)
			return fmt.Fprintf(w, f, s.safeArgs(a)...)
		}),
		"Fprintln": reflect.ValueOf(func(w io.Writer, a ...any) (int, error) { return fmt.Fprintln(w, s.safeArgs(a)...) }),
		"Errorf": reflect.ValueOf(func(f string, a ...any) error {
			f, a = s.typeVerbs(f, a)
			return fmt.Errorf(f, s.safeArgs(a)...)
		}),
		"Append": reflect.ValueOf(func(b []byte, a ...any) []byte { return fmt.Append(b, s.safeArgs(a)...) }),
		"Appendf": reflect.ValueOf(func(b []byte, f string, a ...any) []byte {
			f, a = s.typeVerbs(f, a)
			return fmt.Appendf(b, f, s.safeArgs(a)...)
		}),
		"Appendln": reflect.ValueOf(func(b []byte, a ...any) []byte { return fmt.Appendln(b, s.safeArgs(a)...) }),
	}
	// An interpreted value with a String or Format method is passed to
	// these as to fmt's own (yaegi's stdlib.MapTypes).
	mt := []reflect.Type{reflect.TypeOf((*fmt.Formatter)(nil)).Elem(), reflect.TypeOf((*fmt.Stringer)(nil)).Elem()}
	maps := map[reflect.Value][]reflect.Type{}
	for _, f := range fns {
		maps[f] = mt
	}
	// The key is not "fmt/fmt": yaegi's Use would then reinstall its own
	// Print, Printf and Println. Any key in directory fmt replaces symbols of
	// the package fmt.
	return interp.Exports{"fmt/fmt_dbr": fns, "log/log": s.safeLog(maps, mt), ".": {"MapTypes": reflect.ValueOf(maps)}}
}

// safeLog returns log's functions for interpreted code, with safeArgs, on a
// logger that writes to the session's Stderr: yaegi's writes to the
// interpreter's Stderr, which the session keeps for panic traces (log.Println
// printed nothing). As in yaegi, Fatal, Fatalf and Fatalln panic instead of
// ending the process. It adds the functions to maps for MapTypes.
func (s *Session) safeLog(maps map[reflect.Value][]reflect.Type, mt []reflect.Type) map[string]reflect.Value {
	l := log.New(s.opt.Stderr, "", log.LstdFlags)
	fns := map[string]reflect.Value{
		"Print":   reflect.ValueOf(func(v ...any) { l.Print(s.safeArgs(v)...) }),
		"Printf":  reflect.ValueOf(func(f string, v ...any) { f, v = s.typeVerbs(f, v); l.Printf(f, s.safeArgs(v)...) }),
		"Println": reflect.ValueOf(func(v ...any) { l.Println(s.safeArgs(v)...) }),
		"Panic":   reflect.ValueOf(func(v ...any) { l.Panic(s.safeArgs(v)...) }),
		"Panicf":  reflect.ValueOf(func(f string, v ...any) { f, v = s.typeVerbs(f, v); l.Panicf(f, s.safeArgs(v)...) }),
		"Panicln": reflect.ValueOf(func(v ...any) { l.Panicln(s.safeArgs(v)...) }),
		"Fatal":   reflect.ValueOf(func(v ...any) { l.Panic(s.safeArgs(v)...) }),
		"Fatalf":  reflect.ValueOf(func(f string, v ...any) { l.Panicf(f, s.safeArgs(v)...) }),
		"Fatalln": reflect.ValueOf(func(v ...any) { l.Panicln(s.safeArgs(v)...) }),
	}
	for _, f := range fns {
		maps[f] = mt
	}
	fns["Flags"] = reflect.ValueOf(l.Flags)
	fns["Output"] = reflect.ValueOf(l.Output)
	fns["Prefix"] = reflect.ValueOf(l.Prefix)
	fns["SetFlags"] = reflect.ValueOf(l.SetFlags)
	fns["SetOutput"] = reflect.ValueOf(l.SetOutput)
	fns["SetPrefix"] = reflect.ValueOf(l.SetPrefix)
	fns["Writer"] = reflect.ValueOf(l.Writer)
	return fns
}

// typeVerbs makes %T name the types declared in the session (which reflect
// knows as anonymous structs): each %T whose argument has such a type
// becomes %s with the type's name as the argument. A format with explicit
// argument indexes ([n]) is left as it is.
func (s *Session) typeVerbs(f string, a []any) (string, []any) {
	if strings.IndexByte(f, 'T') < 0 {
		return f, a
	}
	var out []any
	var b strings.Builder
	arg := 0
	for i := 0; i < len(f); i++ {
		b.WriteByte(f[i])
		if f[i] != '%' {
			continue
		}
		// Flags, width and precision, then the verb.
		j := i + 1
		for j < len(f) && strings.IndexByte("+-# 0123456789.*", f[j]) >= 0 {
			if f[j] == '*' {
				arg++
			}
			j++
		}
		if j >= len(f) {
			b.WriteString(f[i+1:])
			break
		}
		if f[j] == '[' {
			return f, a
		}
		b.WriteString(f[i+1 : j])
		verb := f[j]
		i = j
		if verb == '%' {
			b.WriteByte('%')
			continue
		}
		if verb == 'T' && arg < len(a) && a[arg] != nil {
			t := reflect.TypeOf(a[arg])
			if name := s.TypeName(t); name != t.String() {
				if out == nil {
					out = append([]any(nil), a...)
				}
				out[arg] = name
				verb = 's'
			}
		}
		b.WriteByte(verb)
		arg++
	}
	if out == nil {
		return f, a
	}
	return b.String(), out
}
