package repl

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path"
	"reflect"
	"sort"
	"strings"
	"unicode"

	"github.com/dbr-go/dbr/symbols"
	"github.com/traefik/yaegi/stdlib"
)

// Complete returns completions for the text before the cursor: the partial
// word being completed and the full words that could replace it. It offers
// nothing unless the cursor follows an identifier, a selector (`engine.Ra`,
// `x.Sh`) or a `:` command name, so that a TAB in pasted, indented code never
// inserts text.
func (s *Session) Complete(before string) (prefix string, candidates []string) {
	defer func() {
		if recover() != nil {
			prefix, candidates = "", nil
		}
	}()
	if t := strings.TrimLeft(before, " \t"); strings.HasPrefix(t, ":") && !strings.ContainsAny(t, " \t") {
		for _, c := range s.Commands() {
			if strings.HasPrefix(":"+c.Name, t) {
				candidates = append(candidates, ":"+c.Name)
			}
		}
		return t, candidates
	}
	i := len(before)
	for i > 0 {
		r := rune(before[i-1])
		if r == '.' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || r >= 0x80 {
			i--
			continue
		}
		break
	}
	chain := before[i:]
	if strings.HasPrefix(chain, ".") && i > 0 && strings.ContainsRune(")]", rune(before[i-1])) {
		// After a call or an index: `engine.Randn(2, 3).Sof`.
		dot := strings.LastIndex(chain, ".")
		partial := chain[dot+1:]
		if t := s.exprType(before[exprStart(before, i):i] + chain[:dot]); t != nil {
			return partial, filter(s.typeMembers(t), partial)
		}
		return "", nil
	}
	if chain == "" || (chain[0] >= '0' && chain[0] <= '9') {
		return "", nil
	}
	dot := strings.LastIndex(chain, ".")
	if dot < 0 {
		return chain, filter(s.names(), chain)
	}
	recv, partial := chain[:dot], chain[dot+1:]
	if recv == "" {
		return "", nil
	}
	if members, ok := packageMembers()[recv]; ok && !s.isGlobal(recv) {
		return partial, filter(members, partial)
	}
	return partial, filter(s.members(recv), partial)
}

func filter(words []string, prefix string) []string {
	var out []string
	seen := map[string]bool{}
	for _, w := range words {
		if strings.HasPrefix(w, prefix) && !seen[w] && !strings.HasPrefix(w, "_") {
			seen[w] = true
			out = append(out, w)
		}
	}
	sort.Strings(out)
	return out
}

var pkgMembers map[string][]string

// packageMembers maps a package name to its exported names, from the symbol
// tables the session uses.
func packageMembers() map[string][]string {
	if pkgMembers != nil {
		return pkgMembers
	}
	m := map[string][]string{}
	add := func(key string, syms []string) {
		name := path.Base(key)
		m[name] = append(m[name], syms...)
	}
	for k, t := range stdlib.Symbols {
		add(k, keys(t))
	}
	for k, t := range symbols.Symbols {
		add(k, keys(t))
	}
	pkgMembers = m
	return m
}

func keys[T any](m map[string]T) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func (s *Session) isGlobal(name string) bool {
	_, ok := s.globals()[name]
	return ok
}

// names lists what a bare identifier can complete to: the user's variables,
// functions and types, package names, keywords and builtins.
func (s *Session) names() []string {
	var out []string
	for n := range s.globals() {
		out = append(out, n)
	}
	for n := range s.funcs {
		out = append(out, n)
	}
	for n := range s.types {
		out = append(out, n)
	}
	for _, p := range []string{"engine", "nn", "inspect", "fmt", "math", "rand", "time", "strings", "sort", "os"} {
		out = append(out, p)
	}
	for t := token.BREAK; t <= token.VAR; t++ {
		if t.IsKeyword() {
			out = append(out, t.String())
		}
	}
	out = append(out, "append", "cap", "close", "copy", "delete", "len", "make", "new", "panic", "print",
		"println", "recover", "min", "max", "clear", "true", "false", "nil", "float32", "float64", "int", "string", "bool")
	return out
}

// members lists the fields and methods of the value of a selector chain of
// globals and fields, such as "x" or "m.Fc1.Weight".
func (s *Session) members(chain string) []string {
	parts := strings.Split(chain, ".")
	v, ok := s.globals()[parts[0]]
	if !ok {
		return nil
	}
	for _, p := range parts[1:] {
		for v.IsValid() && (v.Kind() == reflect.Ptr || v.Kind() == reflect.Interface) && !v.IsNil() {
			v = v.Elem()
		}
		if !v.IsValid() || v.Kind() != reflect.Struct {
			return nil
		}
		v = v.FieldByName(p)
	}
	if !v.IsValid() {
		return nil
	}
	t := v.Type()
	if v.Kind() == reflect.Interface && !v.IsNil() {
		t = v.Elem().Type()
	}
	return s.typeMembers(t)
}

// typeMembers lists the fields and methods of a value of type t.
func (s *Session) typeMembers(t reflect.Type) []string {
	var out []string
	for _, typ := range []reflect.Type{t, reflect.PointerTo(t)} {
		if embedsMethods(typ) {
			break // reflect cannot list the promoted methods of such a type
		}
		for i := 0; i < typ.NumMethod(); i++ {
			out = append(out, typ.Method(i).Name+"(")
		}
	}
	st := t
	if st.Kind() == reflect.Ptr {
		st = st.Elem()
	}
	if st.Kind() == reflect.Struct {
		for i := 0; i < st.NumField(); i++ {
			if f := st.Field(i); f.IsExported() {
				out = append(out, f.Name)
			}
		}
	}
	// Methods of interpreted types are invisible to reflect: use the
	// declarations the session saw.
	name := strings.TrimPrefix(s.TypeName(t), "*")
	for m := range s.methods[name] {
		out = append(out, m+"(")
	}
	return out
}

// exprStart returns where the expression that ends at before[:end] starts:
// back over bracketed groups (call arguments, indexes) and the identifiers
// and dots of a selector chain, as in `nn.NewLinear(2, 3).Weight[0]`.
func exprStart(before string, end int) int {
	i := end
	for i > 0 {
		c := before[i-1]
		switch {
		case c == ')' || c == ']':
			depth := 0
			for i > 0 {
				i--
				if b := before[i]; b == ')' || b == ']' {
					depth++
				} else if b == '(' || b == '[' {
					if depth--; depth == 0 {
						break
					}
				}
			}
		case c == '.' || c == '_' || unicode.IsLetter(rune(c)) || unicode.IsDigit(rune(c)) || c >= 0x80:
			i--
		default:
			return i
		}
	}
	return i
}

// exprType returns the static type of a chain of names, selectors, calls
// and indexes (`engine.Randn(2, 3)`, `m.Params()[0]`), worked out from the
// session's globals and the compiled symbols without running anything; nil
// when it cannot tell.
func (s *Session) exprType(src string) reflect.Type {
	x, err := parser.ParseExpr(src)
	if err != nil {
		return nil
	}
	return s.typeOfExpr(x)
}

func (s *Session) typeOfExpr(x ast.Expr) reflect.Type {
	switch x := x.(type) {
	case *ast.ParenExpr:
		return s.typeOfExpr(x.X)
	case *ast.Ident:
		v, ok := s.globals()[x.Name]
		if !ok || !v.IsValid() {
			return nil
		}
		if v.Kind() == reflect.Interface && !v.IsNil() {
			return v.Elem().Type()
		}
		return v.Type()
	case *ast.SelectorExpr:
		if id, ok := x.X.(*ast.Ident); ok && !s.isGlobal(id.Name) {
			if v, ok := s.pkgSyms[id.Name][x.Sel.Name]; ok && v.IsValid() {
				return v.Type()
			}
			return nil
		}
		t := s.typeOfExpr(x.X)
		if t == nil {
			return nil
		}
		for _, typ := range []reflect.Type{t, reflect.PointerTo(t)} {
			if m, ok := typ.MethodByName(x.Sel.Name); ok {
				// A method value: drop the receiver.
				in := make([]reflect.Type, 0, m.Type.NumIn())
				for i := 1; i < m.Type.NumIn(); i++ {
					in = append(in, m.Type.In(i))
				}
				out := make([]reflect.Type, m.Type.NumOut())
				for i := range out {
					out[i] = m.Type.Out(i)
				}
				return reflect.FuncOf(in, out, m.Type.IsVariadic())
			}
		}
		st := t
		if st.Kind() == reflect.Ptr {
			st = st.Elem()
		}
		if st.Kind() == reflect.Struct {
			if f, ok := st.FieldByName(x.Sel.Name); ok {
				return f.Type
			}
		}
		return nil
	case *ast.CallExpr:
		t := s.typeOfExpr(x.Fun)
		if t == nil || t.Kind() != reflect.Func || t.NumOut() == 0 {
			return nil
		}
		return t.Out(0)
	case *ast.IndexExpr:
		t := s.typeOfExpr(x.X)
		if t == nil {
			return nil
		}
		switch t.Kind() {
		case reflect.Slice, reflect.Array, reflect.Map:
			return t.Elem()
		}
	}
	return nil
}
