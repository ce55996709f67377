package repl

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unsafe"

	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"
)

// cryptoRand is crypto/rand's key in stdlib.Symbols.
const cryptoRand = "crypto/rand/rand"

// # One name, one meaning
//
// yaegi v0.16.1 binds a name when it compiles code that uses it: a function
// defined again is a new function that callers compiled earlier never call, a
// method defined again is ignored, a type cannot be defined again, a global
// defined again with := is a new variable that functions compiled earlier
// never see, and a declaration that fails may leave a broken name behind.
//
// So the session keeps a record of its declarations: every function, method,
// type, constant and import that evaluated successfully, each as yaegi got
// it, the latest definition of a name replacing the earlier one in place. A
// declaration of names that are all new is evaluated in the interpreter as
// it is. Anything else (a name defined again, a declaration that failed, a
// global whose type changes) rebuilds the interpreter: a fresh one gets the
// record (with the new definitions substituted) in one piece, then every
// global variable declared with its type, then the values of the old
// globals whose types did not change (the same values: a model and the
// optimizer that holds its parameters still share them). A rebuild that does
// not compile changes nothing and says which declaration broke and what to
// do; globals whose type changed are reset to their zero value and named.
//
// Global variables are not in the record: they live in the interpreter and
// are carried from one to the next by value. Values that hold code of the
// old interpreter are made again in the new one: a variable defined as a
// function literal or a function is defined again (define.go), a value of
// the session's types held in an interface variable is assigned again
// (rewrap).

// A decl is one top-level declaration in the record.
type decl struct {
	id       int      // the session's number for it, which its mark names
	key      string   // "func f", "method Net.Forward", "type Net", "const a", "import fmt"
	names    []string // the top-level names it declares (none for a method or an import)
	src      string   // what yaegi evaluates (rewritten, maybe instrumented)
	orig     string   // as written, for :save
	funcType string   // a function's type as Go source ("" if generic or not a function)
	recv     string   // a method's receiver type
	typeName string   // a non-generic type's name, for the names of values
	typeDef  string   // a type's definition, as Go source
	unit     Unit     // where it was typed, for errors
	file     string   // the file it was loaded from, or ""
	blanked  map[string]bool
}

// newDecls turns a parsed declaration (already rewritten) into record
// entries: one per function, method, type spec, import spec, and one per
// const group (whose iota order matters).
func newDecls(fset *token.FileSet, d ast.Decl, u Unit, file string) []*decl {
	switch d := d.(type) {
	case *ast.FuncDecl:
		e := &decl{src: render(fset, d), unit: u, file: file}
		if d.Recv == nil {
			e.key = "func " + d.Name.Name
			e.names = []string{d.Name.Name}
			if d.Type.TypeParams == nil {
				e.funcType = render(fset, d.Type)
			}
		} else {
			e.recv = recvName(d.Recv)
			e.key = "method " + e.recv + "." + d.Name.Name
		}
		return []*decl{e}
	case *ast.GenDecl:
		switch d.Tok {
		case token.TYPE:
			var out []*decl
			for _, sp := range d.Specs {
				ts := sp.(*ast.TypeSpec)
				e := &decl{key: "type " + ts.Name.Name, names: []string{ts.Name.Name}, unit: u, file: file,
					src: render(fset, &ast.GenDecl{Tok: token.TYPE, Specs: []ast.Spec{ts}})}
				if ts.TypeParams == nil && ts.Assign == 0 {
					e.typeName = ts.Name.Name
				}
				e.typeDef = render(fset, ts.Type)
				out = append(out, e)
			}
			return out
		case token.IMPORT:
			var out []*decl
			for _, sp := range d.Specs {
				is := sp.(*ast.ImportSpec)
				key := "import " + is.Path.Value
				if is.Name != nil {
					key = "import " + is.Name.Name + " " + is.Path.Value
				}
				out = append(out, &decl{key: key, unit: u, file: file,
					src: render(fset, &ast.GenDecl{Tok: token.IMPORT, Specs: []ast.Spec{is}})})
			}
			return out
		case token.CONST:
			e := &decl{src: render(fset, d), unit: u, file: file}
			for _, sp := range d.Specs {
				for _, n := range sp.(*ast.ValueSpec).Names {
					if n.Name != "_" {
						e.names = append(e.names, n.Name)
					}
				}
			}
			e.key = "const " + strings.Join(e.names, " ")
			return []*decl{e}
		}
	}
	return nil
}

func recvName(fl *ast.FieldList) string {
	if fl == nil || len(fl.List) == 0 {
		return ""
	}
	t := fl.List[0].Type
	if st, ok := t.(*ast.StarExpr); ok {
		t = st.X
	}
	switch x := t.(type) {
	case *ast.IndexExpr:
		t = x.X
	case *ast.IndexListExpr:
		t = x.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// source returns what a rebuild evaluates for d: its source with the names
// that later declarations took blanked (a const group keeps its iota order).
func (d *decl) source() string {
	if len(d.blanked) == 0 {
		return d.src
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", "package main\n"+d.src, 0)
	if err != nil || len(f.Decls) != 1 {
		return d.src
	}
	ast.Inspect(f.Decls[0], func(n ast.Node) bool {
		if vs, ok := n.(*ast.ValueSpec); ok {
			for _, id := range vs.Names {
				if d.blanked[id.Name] {
					id.Name = "_"
				}
			}
		}
		return true
	})
	return render(fset, f.Decls[0])
}

// liveNames are the names d still declares.
func (d *decl) liveNames() []string {
	var out []string
	for _, n := range d.names {
		if !d.blanked[n] {
			out = append(out, n)
		}
	}
	return out
}

// withDecls returns the record with ds added, each replacing the entry of
// the same key in place and taking its names from earlier entries (an entry
// left without names is dropped).
func withDecls(record, ds []*decl) []*decl {
	out := append(make([]*decl, 0, len(record)+len(ds)), record...)
	for _, d := range ds {
		replaced := false
		for i, e := range out {
			if e != nil && e.key == d.key {
				out[i] = d
				replaced = true
			}
		}
		for i, e := range out {
			if e == nil || e == d {
				continue
			}
			for _, n := range d.names {
				if containsName(e.liveNames(), n) {
					// A copy: the record itself changes only if the rebuild works.
					c := *e
					c.blanked = map[string]bool{n: true}
					for k := range e.blanked {
						c.blanked[k] = true
					}
					e = &c
					out[i] = e
				}
			}
			if len(e.names) > 0 && len(e.liveNames()) == 0 {
				out[i] = nil
			}
		}
		if !replaced {
			out = append(out, d)
		}
	}
	kept := out[:0]
	for _, e := range out {
		if e != nil {
			kept = append(kept, e)
		}
	}
	return kept
}

func containsName(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// declare evaluates a batch of declarations typed together (or a file's):
// in place when they only add names, else by a rebuild. vars are the
// declarations of global variables of a file (var x = ...), run with them.
func (s *Session) declare(ctx context.Context, ds []*decl, vars string) error {
	var names []string
	for _, d := range ds {
		names = append(names, d.names...)
	}
	names = append(names, varNames(vars)...)
	syms := mainSymbols(s.in, append(names, "_")...)
	var fresh []*decl
	inPlace := true
	for _, d := range ds {
		old := s.findDecl(d.key)
		if old != nil && (old.src == d.src && len(old.blanked) == 0 || strings.HasPrefix(d.key, "import ")) {
			continue // the same definition again (a pasted block, a file loaded again), an import again
		}
		fresh = append(fresh, d)
		if old != nil {
			inPlace = false
		}
		for _, n := range d.names {
			if _, taken := syms[n]; taken {
				inPlace = false
			}
		}
	}
	for _, n := range varNames(vars) {
		if _, taken := syms[n]; taken {
			inPlace = false // a file loaded again: its variables replace the old ones
		}
	}
	if len(fresh) == 0 && vars == "" {
		return nil
	}
	if inPlace {
		err := s.exec(ctx, declSource(fresh)+varsSource(vars))
		if err == nil {
			s.decls = withDecls(s.decls, fresh)
			s.noteDecls()
			s.registerTypes(ctx, fresh)
			return nil
		}
		// yaegi may keep a part of what failed (a type's name, a broken
		// method): start again from the record.
		if rerr := s.rebuild(ctx, s.decls, nil, nil); rerr != nil {
			fmt.Fprintf(s.opt.Stderr, "note: the session could not be restored after this error: %s\n", s.explain(rerr).Msg)
		}
		return s.blame(err, fresh)
	}
	record := withDecls(s.decls, fresh)
	if err := s.rebuild(ctx, record, func() string { return vars }, varNames(vars)); err != nil {
		var b *brokenDecl
		if errors.As(err, &b) {
			u := fresh[0]
			return &declError{unit: u.unit, file: u.file, err: fmt.Errorf("%s no longer compiles with this change: %s; "+
				"nothing was changed: change %s in the same input (paste both), or :reset", b.name(), b.msg, b.d.key)}
		}
		return s.blame(err, fresh)
	}
	return nil
}

// declError is a declaration that failed, with the unit to report it at.
type declError struct {
	unit Unit
	file string
	err  error
}

func (e *declError) Error() string { return e.err.Error() }
func (e *declError) Unwrap() error { return e.err }

// declMark prefixes each declaration a rebuild evaluates, so that yaegi's
// error names it: "_dbrdecl3:1:5: undefined: x".
var declMark = regexp.MustCompile(`_dbrdecl(\d+):\d+(?::\d+)?: `)

// recordMark is either mark, which messages do not show.
var recordMark = regexp.MustCompile(`_dbr(?:decl|global|vars)\d*:\d+(?::\d+)?: `)

// globalMark is declMark for the globals a rebuild declares.
var globalMark = regexp.MustCompile(`_dbrglobal(\d+):\d+(?::\d+)?: `)

// varsSource marks declarations of variables for declMark's users: an
// error there names no declaration of the record.
func varsSource(vars string) string {
	if vars == "" {
		return ""
	}
	return "\n//line _dbrvars:1\n" + vars + "\n"
}

// mark is the file name that positions in d carry for yaegi.
func (d *decl) mark() string { return fmt.Sprintf("_dbrdecl%d", d.id) }

// byMark returns the declaration of ds that an error's position names.
func byMark(err error, ds []*decl) *decl {
	m := declMark.FindStringSubmatch(err.Error())
	if m == nil {
		return nil
	}
	id, _ := strconv.Atoi(m[1])
	for _, d := range ds {
		if d.id == id {
			return d
		}
	}
	return nil
}

func declSource(ds []*decl) string {
	var b strings.Builder
	for _, d := range ds {
		// (A //line comment works at the start of a line only, and yaegi
		// puts its package clause before the first.)
		fmt.Fprintf(&b, "\n//line %s:1\n%s\n", d.mark(), d.source())
	}
	return b.String()
}

// blame returns err (a failure to evaluate ds, or a rebuild with ds) as a
// *declError at the unit of the declaration it names.
func (s *Session) blame(err error, ds []*decl) error {
	var de *declError
	if errors.As(err, &de) || len(ds) == 0 {
		return err
	}
	u, file := ds[0].unit, ds[0].file
	if d := byMark(err, ds); d != nil {
		u, file = d.unit, d.file
	}
	return &declError{unit: u, file: file, err: err}
}

func (s *Session) findDecl(key string) *decl {
	for _, d := range s.decls {
		if d.key == key {
			return d
		}
	}
	return nil
}

// varNames returns the names that var declarations declare.
func varNames(src string) []string {
	if src == "" {
		return nil
	}
	f, err := parser.ParseFile(token.NewFileSet(), "", "package main\n"+src, 0)
	if err != nil {
		return nil
	}
	var out []string
	for _, d := range f.Decls {
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.VAR {
			for _, sp := range g.Specs {
				for _, n := range sp.(*ast.ValueSpec).Names {
					if n.Name != "_" {
						out = append(out, n.Name)
					}
				}
			}
		}
	}
	return out
}

// rebuild replaces the interpreter by a fresh one with record, then vars
// (declarations of globals, which take the place of the old globals of the
// names in replaced), then the other globals of the old interpreter with
// their values. On an error the session is unchanged. It says which globals
// were reset.
func (s *Session) rebuild(ctx context.Context, record []*decl, vars func() string, replaced []string) error {
	oldIn := s.in
	oldSyms := mainSymbols(oldIn)
	oldVals := s.globals()
	in, err := s.newInterpreter()
	if err != nil {
		return err
	}
	s.in = in
	restore := func() { s.in = oldIn }
	// Imports first, as in a file; the rest in the record's order.
	var imports, others []*decl
	for _, d := range record {
		if strings.HasPrefix(d.key, "import ") {
			imports = append(imports, d)
		} else {
			others = append(others, d)
		}
	}
	ordered := append(imports, others...)
	// The old globals, with their types as yaegi knew them, go with the
	// declarations that may use them.
	declared := map[string]bool{}
	for _, d := range ordered {
		for _, n := range d.liveNames() {
			declared[n] = true
		}
	}
	var names, lost []string
	for n, g := range oldSyms {
		if g.kind != yaegiVarSym || strings.HasPrefix(n, "_") || containsName(replaced, n) {
			continue
		}
		if declared[n] {
			lost = append(lost, n)
			continue
		}
		names = append(names, n)
	}
	sort.Strings(names)
	for {
		var b strings.Builder
		b.WriteString(declSource(ordered))
		for k, n := range names {
			fmt.Fprintf(&b, "\n//line _dbrglobal%d:1\n%s\n", k, s.varDecl(n, oldSyms[n].varType))
		}
		if vars != nil {
			b.WriteString(varsSource(vars()))
		}
		err := s.exec(ctx, b.String())
		if err == nil {
			break
		}
		// A global whose type cannot be written (any more) is dropped.
		m := globalMark.FindStringSubmatch(err.Error())
		if m == nil {
			restore()
			return s.brokenBy(err, ordered)
		}
		k, _ := strconv.Atoi(m[1])
		lost = append(lost, names[k])
		names = append(names[:k:k], names[k+1:]...)
		if s.in, err = s.newInterpreter(); err != nil {
			restore()
			return err
		}
	}
	var reset []string
	now := s.globals()
	wrapped := map[string]heldValue{}
	for _, n := range names {
		v, ok := now[n]
		old := oldVals[n]
		switch {
		case !ok:
		case old.IsValid() && v.CanSet() && v.Type() == old.Type():
			v.Set(old)
			if h, ok := s.inInterface(old); ok {
				wrapped[n] = h
			}
		default:
			reset = append(reset, n)
		}
	}
	s.decls = record
	s.noteDecls()
	s.typeOf = map[reflect.Type]string{}
	s.registerTypes(ctx, record)
	s.redefineFuncs(ctx)
	s.rewrap(ctx, wrapped)
	if len(reset) > 0 {
		fmt.Fprintf(s.opt.Stderr, "note: reset to zero (their type changed; define them again): %s\n", strings.Join(reset, ", "))
	}
	sort.Strings(lost)
	if len(lost) > 0 {
		fmt.Fprintf(s.opt.Stderr, "note: no longer variables (redeclared as something else): %s\n", strings.Join(lost, ", "))
	}
	return nil
}

// A brokenDecl is a declaration already in the session that a change
// (a new definition, a global's new type) breaks.
type brokenDecl struct {
	d   *decl
	msg string
}

func (e *brokenDecl) Error() string { return e.d.key + ": " + e.msg }

// name names the declaration in messages, with the file it came from.
func (e *brokenDecl) name() string {
	if e.d.file != "" {
		return e.d.key + " (from " + e.d.file + ")"
	}
	return e.d.key
}

// brokenBy explains a rebuild that did not compile: a declaration of the
// record that the change breaks is a *brokenDecl; a new one is a *declError
// at the unit that typed it.
func (s *Session) brokenBy(err error, ordered []*decl) error {
	d := byMark(err, ordered)
	if d == nil {
		d = byFileLine(err, ordered)
	}
	if d == nil {
		return err
	}
	msg := recordMark.ReplaceAllString(s.explain(err).Msg, "")
	if s.findDecl(d.key) == d {
		return &brokenDecl{d: d, msg: msg}
	}
	return &declError{unit: d.unit, file: d.file, err: errors.New(msg)}
}

// byFileLine returns the declaration loaded from a file that an error's
// position ("model.go:12:5: ...") falls in.
func byFileLine(err error, ds []*decl) *decl {
	m := filePos.FindStringSubmatch(err.Error())
	if m == nil {
		return nil
	}
	line, _ := strconv.Atoi(m[2])
	var best *decl
	for _, d := range ds {
		if d.file == m[1] && d.unit.Line <= line && (best == nil || d.unit.Line > best.unit.Line) {
			best = d
		}
	}
	return best
}

// registerTypes tells the session the reflect types of the types ds
// declare, so that values print with their names.
func (s *Session) registerTypes(ctx context.Context, ds []*decl) {
	var b strings.Builder
	for _, d := range ds {
		if d.typeName != "" {
			fmt.Fprintf(&b, "_dbr.Type(%q, (*%s)(nil))\n", d.typeName, d.typeName)
		}
	}
	if b.Len() > 0 {
		s.exec(ctx, wrap(b.String()))
	}
}

// noteDecls derives what completion, printing and the rewrites need from
// the record: the user's functions (with their types), types and methods.
func (s *Session) noteDecls() {
	s.funcs = map[string]bool{}
	s.funcTypes = map[string]string{}
	s.types = map[string]bool{}
	s.typeDefs = map[string]string{}
	s.methods = map[string]map[string]bool{}
	for _, d := range s.decls {
		kind, name, _ := strings.Cut(d.key, " ")
		switch kind {
		case "func":
			s.funcs[name] = true
			s.funcTypes[name] = d.funcType
		case "type":
			s.types[name] = true
			s.typeDefs[name] = d.typeDef
		case "method":
			if s.methods[d.recv] == nil {
				s.methods[d.recv] = map[string]bool{}
			}
			s.methods[d.recv][name[strings.LastIndex(name, ".")+1:]] = true
		}
	}
}

// newInterpreter returns a yaegi interpreter with the session's packages and
// helpers, and the prelude evaluated.
func (s *Session) newInterpreter() (in *interp.Interpreter, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("starting the interpreter: %v", r)
		}
	}()
	in = interp.New(interp.Options{
		Stdout: s.opt.Stdout,
		Stderr: s.trace,
		Stdin:  s.opt.Stdin,
		Args:   s.opt.Args,
		Env:    s.opt.Env,
	})
	for _, e := range s.uses() {
		if err := in.Use(e); err != nil {
			return nil, err
		}
	}
	if err := in.Use(interp.Exports{zeroPath: {}}); err != nil {
		return nil, err
	}
	in.ImportUsed()
	if err := in.Use(interp.Exports{cryptoRand: stdlib.Symbols[cryptoRand]}); err != nil {
		return nil, err
	}
	if _, err := in.Eval(prelude); err != nil {
		return nil, fmt.Errorf("starting the interpreter: %v", err)
	}
	return in, nil
}

// A heldValue is a value of one of the session's types held by an interface
// variable, and its type's name.
type heldValue struct {
	v    reflect.Value
	name string
}

// inInterface returns the value of one of the session's types that v (a
// global of the old interpreter) holds as an interface: yaegi's own
// valueInterface for an interface declared in the session, or a compiled
// interface's wrapper (nn.Module). Such a value carries the methods of the
// interpreter that made it, so a rebuild makes it again (rewrap).
func (s *Session) inInterface(v reflect.Value) (h heldValue, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	t := v.Type()
	switch {
	case t.Kind() == reflect.Struct && t.Name() == "valueInterface" && t.PkgPath() == "github.com/traefik/yaegi/interp":
		node := v.Field(0)
		if node.IsNil() || !v.Field(1).CanAddr() {
			return h, false
		}
		name := typeSource(node.Elem().FieldByName("typ"))
		inner := *(*reflect.Value)(unsafe.Pointer(v.Field(1).UnsafeAddr()))
		if name == "" || !inner.IsValid() {
			return h, false
		}
		return heldValue{inner, name}, true
	case t.Kind() == reflect.Interface && !v.IsNil():
		// A wrapper that yaegi made for the interface (symbols' _pkg_Name).
		w := v.Elem()
		if w.Kind() == reflect.Ptr && !w.IsNil() {
			w = w.Elem()
		}
		if w.Kind() != reflect.Struct {
			return h, false
		}
		iv := w.FieldByName("IValue")
		if !iv.IsValid() || iv.Kind() != reflect.Interface || iv.IsNil() {
			return h, false
		}
		inner := iv.Elem()
		name, named := s.typeOf[inner.Type()]
		if inner.Kind() == reflect.Ptr {
			name, named = s.typeOf[inner.Type().Elem()]
			name = "*" + name
		}
		if !named {
			return h, false
		}
		return heldValue{inner, name}, true
	}
	return h, false
}

// rewrap makes the interface values of the session's types held by
// variables again in the interpreter (after a rebuild), so that their
// methods are the current ones. One that cannot be made keeps its value.
func (s *Session) rewrap(ctx context.Context, vars map[string]heldValue) {
	slot, ok := s.globals()["_dbrLast"]
	if !ok || !slot.CanSet() {
		return
	}
	defer slot.Set(reflect.Zero(slot.Type()))
	names := make([]string, 0, len(vars))
	for n := range vars {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		h := vars[n]
		v := h.v.Interface()
		slot.Set(reflect.ValueOf(&v).Elem())
		s.exec(ctx, wrap(n+" = _dbrLast.("+h.name+")"))
	}
}
