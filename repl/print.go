package repl

import (
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"maps"
	"reflect"
	"strings"

	"github.com/dbr-go/dbr/nn"
)

// How values of the learner's own types and of nn print at the prompt.

// userStruct returns the name of t (or of what t points to) when it is a
// struct type the user declared, else "".
func (s *Session) userStruct(t reflect.Type) string {
	for t.Kind() == reflect.Ptr {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return ""
	}
	return s.typeOf[t]
}

// fieldNamesOf returns the field names of the user struct type name, as
// declared.
func (s *Session) fieldNamesOf(name string) []string { return s.fieldNames(name, -1) }

// fieldNames returns the names of the fields of the user type name as
// declared (yaegi renames unexported fields), or nil when they are not n
// (n < 0: any number).
func (s *Session) fieldNames(name string, n int) []string {
	x, err := parser.ParseExpr(s.typeDefs[name])
	if err != nil {
		return nil
	}
	st, ok := x.(*ast.StructType)
	if !ok {
		return nil
	}
	var names []string
	for _, f := range st.Fields.List {
		if len(f.Names) == 0 {
			t := f.Type
			if se, ok := t.(*ast.StarExpr); ok {
				t = se.X
			}
			if sel, ok := t.(*ast.SelectorExpr); ok {
				t = sel.Sel
			}
			id, _ := t.(*ast.Ident)
			if id == nil {
				return nil
			}
			names = append(names, id.Name)
		}
		for _, id := range f.Names {
			names = append(names, id.Name)
		}
	}
	if n >= 0 && len(names) != n {
		return nil
	}
	return names
}

// formatFields prints a struct (or pointer to one) with its field names,
// `&MLP{L1: Linear(…), hidden: 8}`, one field per line when that is long.
// It never converts the struct to an interface (see embedsMethods); nested
// pointers to user structs print in full down to depth 3, as &T{…} below
// and when they point back to a struct being printed.
func (s *Session) formatFields(v reflect.Value, path map[uintptr]bool) string {
	prefix := ""
	for v.Kind() == reflect.Ptr {
		if v.IsNil() {
			return "<nil>"
		}
		prefix += "&"
		if p := v.Pointer(); path[p] || len(path) >= 3 {
			return prefix + s.typeOf[v.Type().Elem()] + "{…}"
		} else {
			next := map[uintptr]bool{p: true}
			maps.Copy(next, path)
			path = next
		}
		v = v.Elem()
	}
	name := s.typeOf[v.Type()]
	names := s.fieldNames(name, v.NumField())
	parts := make([]string, v.NumField())
	multi := false
	for i := range parts {
		f := v.Field(i)
		switch {
		case !f.CanInterface():
			parts[i] = "?"
		case embedsMethods(f.Type()) || s.userStruct(f.Type()) != "":
			parts[i] = s.formatFields(f, path)
		default:
			parts[i] = s.Format(f.Interface())
		}
		if names != nil {
			parts[i] = names[i] + ": " + parts[i]
		}
		multi = multi || strings.Contains(parts[i], "\n")
	}
	one := prefix + name + "{" + strings.Join(parts, ", ") + "}"
	if !multi && len(one) <= 80 {
		return one
	}
	var b strings.Builder
	b.WriteString(prefix + name + "{\n")
	for _, p := range parts {
		b.WriteString("  " + strings.ReplaceAll(p, "\n", "\n  ") + "\n")
	}
	b.WriteString("}")
	return b.String()
}

// paramTable prints the parameters of a module, m.Params(), as a table.
func paramTable(ps []nn.Param) string {
	if len(ps) == 0 {
		return "[] (no parameters)"
	}
	rows := [][]string{{"name", "shape", "trainable"}}
	total, trainable := 0, 0
	for _, p := range ps {
		shape, train := "nil", "no"
		if p.Tensor != nil {
			shape = fmt.Sprint(p.Tensor.Shape())
			total += p.Tensor.Numel()
			if !p.Buffer && p.Tensor.RequiresGrad() {
				train = "yes"
				trainable += p.Tensor.Numel()
			}
		}
		if p.Buffer {
			train = "no (buffer)"
		}
		rows = append(rows, []string{p.Name, shape, train})
	}
	w := make([]int, 3)
	for _, r := range rows {
		for i, c := range r {
			w[i] = max(w[i], len(c))
		}
	}
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "%-*s  %-*s  %s\n", w[0], r[0], w[1], r[1], r[2])
	}
	fmt.Fprintf(&b, "%d tensors, %d values (%d trainable)", len(ps), total, trainable)
	return b.String()
}

// isReceiver reports whether v, the value of a method call on the variable
// chain ("x", "m.fc1"), is that variable's pointer itself.
func (s *Session) isReceiver(chain string, v any) bool {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() || rv.Kind() != reflect.Ptr || rv.IsNil() {
		return false
	}
	cur, ok := s.chainValue(chain)
	return ok && cur.Kind() == reflect.Ptr && !cur.IsNil() && cur.Pointer() == rv.Pointer()
}

// evalQuiet evaluates src as Eval does, without printing the values of its
// expressions.
func (s *Session) evalQuiet(ctx context.Context, src string) error {
	s.quiet = true
	defer func() { s.quiet = false }()
	return s.Eval(ctx, src)
}
