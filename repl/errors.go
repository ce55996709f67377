package repl

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/scanner"
	"go/token"
	"log"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/dbr-go/dbr/engine"
	"github.com/dbr-go/dbr/nn"
	"github.com/traefik/yaegi/interp"
)

// report prints the error of a unit and returns it as an *Error (or an
// *ExitError when the program called os.Exit).
func (s *Session) report(u Unit, name string, err error) error {
	e := s.explain(err)
	if strings.HasPrefix(e.Msg, "os.Exit(") {
		code, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(e.Msg, "os.Exit("), ")"))
		s.ExitCode = code
		return &ExitError{Code: code}
	}
	if strings.HasPrefix(e.Msg, "runtime error: ") {
		if fn := compiledFunc(e.Stack); fn != "" {
			e.Msg = strings.Replace(e.Msg, " (a field or method of a nil pointer)", "", 1) + " in " + fn
		}
	}
	if m := filePos.FindStringSubmatch(e.Msg); m != nil && name != "" && m[1] == name {
		e.Msg = e.Msg[len(m[0]):] // the position is in Where
	}
	var refused *refusal
	if !errors.As(err, &refused) && (e.Stack == "" || strings.HasPrefix(e.Msg, "panic: reflect")) {
		e.Msg = s.hint(u.Src, e.Msg)
	}
	if isIndexError(e.Msg) {
		if d := s.indexDetail(u.Src, name == ""); d != "" {
			e.Msg = d
		}
	}
	// A nil pointer crash, or the engine's own refusal of a nil tensor
	// ("Mul: its argument is nil (…)"): name the nil value of the input.
	const engineNil = " (a Grad() taken before Backward(), or an unassigned *engine.Tensor)"
	if strings.HasPrefix(e.Msg, "runtime error: nil pointer dereference") || strings.Contains(e.Msg, " is nil"+engineNil) {
		if why := s.nilGrad(u.Src); why != "" {
			e.Msg = why
		} else if names := s.nilVars(u.Src); names != "" {
			e.Msg = strings.Replace(strings.Replace(e.Msg, " (a field or method of a nil pointer)", "", 1), engineNil, "", 1) + ": " + names
		}
	}
	first, _, multi := strings.Cut(u.Src, "\n")
	if multi {
		first += " …"
	}
	switch {
	case name != "":
		e.Where = fmt.Sprintf("%s:%d: %s", name, u.Line, first)
	case u.Line > 1:
		e.Where = fmt.Sprintf("line %d: %s", u.Line, first)
	default:
		e.Where = first
	}
	if name == "" && e.Stack != "" {
		e.At = s.innerSite(s.trace.String())
	}
	s.lastStack, s.lastErr = e.Stack, e
	if t := s.trace.String(); t != "" && e.Stack != "" {
		s.lastStack = t + "\n" + e.Stack
	}
	text := fmt.Sprintf("error: %s\n  in: %s\n", e.Msg, e.Where)
	if e.At != "" {
		text += "  at: " + e.At + "\n"
	}
	if s.opt.Stack && e.Stack != "" {
		text += s.lastStack + "\n"
	}
	s.showError(e, text)
	return e
}

// userStack says where the panic of e happened, innermost first: the
// function of the user's and the top-level line, then the functions of dbr
// (engine, nn, inspect) with their files, without the interpreter's and
// reflect's frames.
func userStack(e *Error) string {
	var b strings.Builder
	fmt.Fprintf(&b, "error: %s\n", e.Msg)
	if e.At != "" {
		fmt.Fprintf(&b, "  at: %s\n", e.At)
	}
	fmt.Fprintf(&b, "  in: %s\n", e.Where)
	lines := strings.Split(e.Stack, "\n")
	var dbr []string
	for i, l := range lines {
		m := dbrFrame.FindStringSubmatch(l)
		if m == nil || m[1] == "repl" || !ast.IsExported(m[3]) || i+1 >= len(lines) {
			continue
		}
		name := m[1] + "." + m[3]
		if m[2] != "" {
			name = m[1] + "." + m[2] + "." + m[3]
		}
		file := strings.TrimSpace(lines[i+1])
		if sp := strings.LastIndexByte(file, ' '); sp > 0 {
			file = file[:sp]
		}
		if parts := strings.Split(file, "/"); len(parts) >= 2 {
			file = strings.Join(parts[len(parts)-2:], "/")
		}
		dbr = append(dbr, fmt.Sprintf("  %s  %s", name, file))
	}
	if len(dbr) > 0 {
		b.WriteString("inside dbr, innermost first:\n" + strings.Join(dbr, "\n") + "\n")
	}
	b.WriteString("(:stack all shows the whole Go stack)\n")
	return b.String()
}

// LastStack returns the Go stack (and interpreted trace) of the last panic.
func (s *Session) LastStack() string { return s.lastStack }

// explain turns what yaegi returned into one line a learner can act on.
func (s *Session) explain(err error) *Error {
	var p interp.Panic
	var stall *stallError
	switch {
	case errors.As(err, &stall):
		return &Error{Msg: stall.Error()}
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return &Error{Msg: "interrupted"}
	case errors.As(err, &p):
		return &Error{Msg: panicMessage(p.Value), Stack: string(p.Stack)}
	}
	var ie *internalError
	if errors.As(err, &ie) {
		return &Error{Msg: ie.Error(), Stack: string(ie.stack)}
	}
	var u *errUnsupported
	if errors.As(err, &u) {
		return &Error{Msg: u.Error()}
	}
	msg := err.Error()
	if first, _, ok := strings.Cut(msg, "\n"); ok {
		msg = first
	}
	msg = posPrefix.ReplaceAllString(msg, "")
	msg = recordMark.ReplaceAllString(msg, "")
	if strings.Contains(msg, "unable to find source related to") {
		pkg := msg[strings.LastIndex(msg, "related to")+len("related to: "):]
		pkg = strings.Trim(pkg, `"`)
		return &Error{Msg: (&errUnsupported{"package " + pkg + " (newer than Go 1.22, or not compiled into dbr-repl)",
			"sort and plain loops"}).Error()}
	}
	if strings.HasPrefix(msg, "undefined type for ") {
		return &Error{Msg: msg + ": the interpreter cannot infer this type argument; write the type arguments, e.g. F[float64](…)"}
	}
	if m := noSymbol.FindStringSubmatch(msg); m != nil && (m[1] == "slices" || m[1] == "maps") {
		return &Error{Msg: (&errUnsupported{m[1] + "." + m[2] + " (the generic functions of " + m[1] + " are not visible to the interpreter)",
			"sort.Ints, sort.Float64s, sort.Slice or a plain loop"}).Error()}
	}
	return &Error{Msg: msg}
}

var noSymbol = regexp.MustCompile(`^package (\w+) "[^"]*" has no symbol (\w+)`)

const nilDeref = "runtime error: nil pointer dereference (a field or method of a nil pointer)"

var dbrFrame = regexp.MustCompile(`^github\.com/dbr-go/dbr/(\w+)\.(?:\(\*?(\w+)\)\.)?(\w+)`)

// compiledFunc names the dbr function the user's code called when a runtime
// error happened inside it ("Tensor.MatMul", "nn.NewLinear"), from the Go
// stack of the panic; "" when the error was in interpreted code.
func compiledFunc(stack string) string {
	lines := strings.Split(stack, "\n")
	last := -1
	for i, l := range lines {
		if strings.HasPrefix(l, "panic(") {
			last = i
		}
	}
	if last < 0 {
		return ""
	}
	name := ""
	for _, l := range lines[last+1:] {
		if strings.HasPrefix(l, "\t") {
			continue
		}
		m := dbrFrame.FindStringSubmatch(l)
		if m == nil || m[1] == "repl" {
			break
		}
		switch {
		case m[2] != "":
			name = m[2] + "." + m[3]
		default:
			name = m[1] + "." + m[3]
		}
	}
	return name
}

// nilVars names the global variables of src that are nil pointers, used as
// x.f, x.m() or as an argument, the likely cause of a nil dereference in src:
// "g is a nil *engine.Tensor (…)", or "".
func (s *Session) nilVars(src string) string {
	var sc scanner.Scanner
	fset := token.NewFileSet()
	sc.Init(fset.AddFile("", -1, len(src)), []byte(src), nil, 0)
	g := s.globals()
	var names []string
	seen := map[string]bool{}
	prev := token.ILLEGAL
	var ident string
	for {
		_, tok, lit := sc.Scan()
		if tok == token.EOF {
			break
		}
		if ident != "" && (tok == token.PERIOD || tok == token.COMMA || tok == token.RPAREN || tok == token.RBRACE) && !seen[ident] {
			if v, ok := g[ident]; ok && isNilPtr(v) {
				seen[ident] = true
				t := v.Type()
				if t.Kind() == reflect.Interface && !v.IsNil() {
					t = v.Elem().Type()
				}
				n := ident + " is a nil " + s.TypeName(t)
				if t == reflect.TypeOf((*engine.Tensor)(nil)) {
					n += " (unassigned, or a Grad() taken before Backward())"
				}
				names = append(names, n)
			}
		}
		ident = ""
		if tok == token.IDENT && prev != token.PERIOD {
			ident = lit
		}
		prev = tok
	}
	if len(names) == 0 {
		return ""
	}
	return strings.Join(names, ", ")
}

func isNilPtr(v reflect.Value) bool {
	for v.IsValid() && v.Kind() == reflect.Interface && !v.IsNil() {
		v = v.Elem()
	}
	if !v.IsValid() {
		return false
	}
	switch v.Kind() {
	case reflect.Ptr, reflect.Interface, reflect.Map:
		return v.IsNil()
	}
	return false
}

// panicMessage says what a panic value means, in one line.
func panicMessage(r any) string {
	if e, ok := r.(error); ok {
		if errors.Is(e, engine.ErrInterrupted) {
			return "interrupted"
		}
		if engine.IsUserError(e) {
			return e.Error()
		}
		r = e.Error()
	}
	if why := unprintable(r); why != "" {
		t := reflect.TypeOf(r)
		if rv, ok := r.(reflect.Value); ok { // yaegi's form of an interpreted panic's value
			if t = rv.Type(); rv.Kind() == reflect.Interface && !rv.IsNil() {
				t = rv.Elem().Type()
			}
		}
		return "panic: a " + t.String() + " (" + why + "; not printed)"
	}
	msg := posPrefix.ReplaceAllString(fmt.Sprint(r), "")
	msg = strings.TrimPrefix(msg, "CFG post-order panic: ")
	switch {
	case msg == "nil type" || msg == "nil reflect type":
		return "the interpreter could not type this code: check the types of its operands; " +
			"if they are right, it is a construct dbr-repl does not support (range over an integer variable " +
			"it cannot see, range over a function, `v, ok := <-ch` at top level): use `for i := 0; i < n; i++`, " +
			"or put the code inside a func"
	case strings.Contains(msg, "call of reflect.Value.Field on zero Value"),
		strings.Contains(msg, "call of reflect.Value.Method on zero Value"),
		strings.Contains(msg, "Method on nil interface value"),
		strings.Contains(msg, "nil pointer dereference"):
		return nilDeref
	case strings.Contains(msg, "reflect: slice index out of range"),
		strings.Contains(msg, "reflect: array index out of range"):
		return "runtime error: index out of range"
	case strings.Contains(msg, "reflect: string index out of range"):
		return "runtime error: string index out of range"
	case strings.HasPrefix(msg, "method not found: "):
		m := strings.TrimPrefix(msg, "method not found: ")
		return "the value has no method " + m + " that compiled code (fmt, nn, …) can call; a method promoted from " +
			"an embedded field is out of its reach (an interpreter limit): use the field, e.g. fmt.Println(v.Tensor)"
	case strings.HasPrefix(msg, "runtime error:"), strings.HasPrefix(msg, "os.Exit("):
		return msg
	}
	return "panic: " + msg
}

// Format renders a value as the REPL prints it: strings quoted, tensors and
// other values with %v, user types by their name.
func (s *Session) Format(v any) (out string) {
	defer func() {
		if r := recover(); r != nil {
			// As fmt does for a String method that panics: a nil pointer
			// (whose String does not check for nil) is <nil>, another
			// panic is shown.
			if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && rv.IsNil() {
				out = "<nil>"
				return
			}
			out = fmt.Sprintf("%%!v(PANIC=String method: %v)", r)
		}
	}()
	if t := reflect.TypeOf(v); t != nil && (embedsMethods(t) || s.userStruct(t) != "") {
		return s.formatFields(reflect.ValueOf(v), nil)
	}
	if why := unprintable(v); why != "" {
		// fmt would recurse until Go's fatal stack overflow.
		return s.TypeName(reflect.TypeOf(v)) + " (" + why + "; not printed)"
	}
	if t := reflect.TypeOf(v); t != nil && t.Kind() == reflect.Func {
		// Its address means nothing to a learner (who probably forgot the ()).
		return "<" + s.TypeName(t) + ">"
	}
	switch v := v.(type) {
	case nil:
		return "<nil>"
	case string:
		return strconv.Quote(v)
	case reflect.Type: // (a fmt.Stringer too: first)
		return s.TypeName(v)
	case error:
		return v.Error()
	case fmt.Stringer:
		return v.String()
	case []nn.Param:
		return paramTable(v)
	}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Struct && hasScalarPointer(rv.Type()) {
		return optionsString(rv)
	}
	return fmt.Sprintf("%v", v)
}

// hasScalarPointer reports whether struct type t has a field that points to
// a number, a bool or a string: an options struct whose nil field means
// PyTorch's default (nn.AdamOpts{Beta1: nn.Float(0)}), which %v would print
// as an address.
func hasScalarPointer(t reflect.Type) bool {
	for i := 0; i < t.NumField(); i++ {
		if f := t.Field(i).Type; f.Kind() == reflect.Ptr && isScalar(f.Elem().Kind()) {
			return true
		}
	}
	return false
}

func isScalar(k reflect.Kind) bool {
	return k == reflect.Bool || k == reflect.String || (k >= reflect.Int && k <= reflect.Complex128)
}

// optionsString prints such a struct with its field names and the values
// its pointers hold, nil for a field left unset: nn.AdamOpts{Beta1: 0,
// Beta2: nil, …}.
func optionsString(v reflect.Value) string {
	t := v.Type()
	parts := make([]string, 0, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		f, sf := v.Field(i), t.Field(i)
		if !sf.IsExported() {
			continue
		}
		val := ""
		switch {
		case f.Kind() == reflect.Ptr && isScalar(f.Type().Elem().Kind()) && f.IsNil():
			val = "nil"
		case f.Kind() == reflect.Ptr && isScalar(f.Type().Elem().Kind()):
			val = fmt.Sprint(f.Elem().Interface())
		default:
			val = fmt.Sprint(f.Interface())
		}
		parts = append(parts, sf.Name+": "+val)
	}
	return t.String() + "{" + strings.Join(parts, ", ") + "}"
}

// embedsMethods reports whether t is (or points to) a struct type that yaegi
// built with reflect.StructOf and that embeds a field with methods, such as
// `type E struct{ *engine.Tensor }` typed at the prompt. Go's runtime cannot
// convert such a value to a non-empty interface: a type switch or a call of
// fmt on it ends in a fatal error ("type offset base pointer out of range"),
// which no recover catches (golang/go#15924).
func embedsMethods(t reflect.Type) bool {
	for t.Kind() == reflect.Ptr {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || t.Name() != "" {
		return false
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous && (f.Type.NumMethod() > 0 || (f.Type.Kind() != reflect.Ptr && reflect.PointerTo(f.Type).NumMethod() > 0)) {
			return true
		}
	}
	return false
}

// TypeName names a type as the user wrote it: user types by their declared
// name (yaegi makes them anonymous structs), others as reflect prints them.
func (s *Session) TypeName(t reflect.Type) string {
	if t == nil {
		return "nil"
	}
	if n, ok := s.typeOf[t]; ok {
		return n
	}
	switch t.Kind() {
	case reflect.Ptr:
		return "*" + s.TypeName(t.Elem())
	case reflect.Slice:
		return "[]" + s.TypeName(t.Elem())
	case reflect.Array:
		return fmt.Sprintf("[%d]%s", t.Len(), s.TypeName(t.Elem()))
	case reflect.Map:
		return "map[" + s.TypeName(t.Key()) + "]" + s.TypeName(t.Elem())
	}
	return t.String()
}

// less orders two values of the same kind, for min and max.
func less(a, b any) bool {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	switch va.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return va.Int() < vb.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return va.Uint() < vb.Uint()
	case reflect.Float32, reflect.Float64:
		return va.Float() < vb.Float()
	case reflect.String:
		return va.String() < vb.String()
	}
	panic(fmt.Sprintf("min/max: cannot order values of type %T", a))
}

// clearValue is the clear builtin: it deletes every key of a map and zeroes
// every element of a slice.
func clearValue(v any) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Map:
		rv.Clear()
	case reflect.Slice:
		rv.Clear()
	default:
		panic(fmt.Sprintf("clear: argument must be a map or a slice, not %T", v))
	}
}

// installLogFilter drops the "nil type" lines that yaegi logs (through the
// standard logger) just before it panics on constructs it cannot type; the
// REPL reports those panics itself.
func installLogFilter() {
	log.SetOutput(&logFilter{w: log.Writer()})
}

type logFilter struct {
	w interface{ Write([]byte) (int, error) }
}

func (f *logFilter) Write(p []byte) (int, error) {
	t := bytes.TrimRight(p, "\n")
	if bytes.HasSuffix(t, []byte(" nil type")) || bytes.HasSuffix(t, []byte(" nil reflect type")) ||
		bytes.Equal(t, []byte("nil type")) || bytes.Equal(t, []byte("nil reflect type")) {
		return len(p), nil
	}
	return f.w.Write(p)
}

// canContain reports whether a value of type t may hold a slice, map or
// interface.
func canContain(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Interface, reflect.Slice, reflect.Map, reflect.Struct, reflect.Array:
		return true
	}
	return false
}
