package repl

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/dbr-go/dbr/engine"
	"github.com/dbr-go/dbr/symbols"
	"github.com/traefik/yaegi/stdlib"
)

// Hints turn an error into what a learner should type instead. They read
// the unit's source with the static types the session knows (globals,
// compiled packages): the call with the wrong arguments and its signature
// from :doc, the name meant ("did you mean"), the Go for a Python habit.

// staticType returns the type of e from what the session knows without
// running anything: globals, compiled functions, methods and fields, and
// whether e names a type rather than a value. It returns nil when it cannot
// tell (user functions, untyped constants; locals unless e was parsed with
// object resolution: then their declarations tell, see declType).
func (s *Session) staticType(e ast.Expr) (t reflect.Type, isType bool) {
	defer func() {
		if recover() != nil {
			t, isType = nil, false
		}
	}()
	switch e := e.(type) {
	case *ast.ParenExpr:
		return s.staticType(e.X)
	case *ast.Ident:
		if e.Obj != nil {
			return s.declType(e), false // a local, when parsed with object resolution
		}
		if v, ok := s.hintGlobals()[e.Name]; ok && v.IsValid() {
			if v.Kind() == reflect.Interface && !v.IsNil() {
				return v.Elem().Type(), false
			}
			return v.Type(), false
		}
	case *ast.StarExpr:
		if t, isType := s.staticType(e.X); t != nil && !isType && t.Kind() == reflect.Ptr {
			return t.Elem(), false
		}
	case *ast.IndexExpr:
		if t, isType := s.staticType(e.X); t != nil && !isType {
			switch t.Kind() {
			case reflect.Slice, reflect.Array, reflect.Map:
				return t.Elem(), false
			}
		}
	case *ast.CallExpr:
		ft, isType := s.staticType(e.Fun)
		if ft == nil {
			return nil, false
		}
		if isType {
			return ft, false
		}
		if ft.Kind() == reflect.Func && ft.NumOut() > 0 {
			return ft.Out(0), false
		}
	case *ast.SelectorExpr:
		if id, ok := e.X.(*ast.Ident); ok && s.isPackage(id.Name) {
			v, ok := s.pkgSyms[id.Name][e.Sel.Name]
			if !ok || !v.IsValid() {
				return nil, false
			}
			if v.Kind() == reflect.Ptr && v.IsNil() {
				return v.Type().Elem(), true // yaegi's export of a type: (*T)(nil)
			}
			if v.Kind() == reflect.Ptr && v.Type().Elem().Kind() != reflect.Func {
				return v.Type().Elem(), false // a variable: &V
			}
			return v.Type(), false
		}
		xt, isType := s.staticType(e.X)
		if xt == nil || isType {
			return nil, false
		}
		if m, ok := xt.MethodByName(e.Sel.Name); ok && xt.Kind() != reflect.Interface {
			return methodFunc(m.Type), false
		} else if ok {
			return m.Type, false
		}
		st := xt
		if st.Kind() == reflect.Ptr {
			st = st.Elem()
		}
		if st.Kind() == reflect.Struct {
			if f, ok := st.FieldByName(e.Sel.Name); ok {
				return f.Type, false
			}
		}
	}
	return nil, false
}

// memoGlobals makes staticType read the globals once, until the function
// it returns is called: a unit may have many selectors, and reading the
// globals builds a map of them all.
func (s *Session) memoGlobals() func() {
	if s.globalsMemo != nil {
		return func() {}
	}
	s.globalsMemo = s.globals()
	if s.globalsMemo == nil {
		s.globalsMemo = map[string]reflect.Value{}
	}
	return func() { s.globalsMemo = nil }
}

// hintGlobals returns the globals, as memoGlobals keeps them.
func (s *Session) hintGlobals() map[string]reflect.Value {
	if s.globalsMemo != nil {
		return s.globalsMemo
	}
	return s.globals()
}

// methodFunc drops the receiver of a method's func type.
func methodFunc(t reflect.Type) reflect.Type {
	in := make([]reflect.Type, t.NumIn()-1)
	for i := range in {
		in[i] = t.In(i + 1)
	}
	out := make([]reflect.Type, t.NumOut())
	for i := range out {
		out[i] = t.Out(i)
	}
	return reflect.FuncOf(in, out, t.IsVariadic())
}

// isPackage reports whether name refers to a compiled package (and is not
// shadowed by a global).
func (s *Session) isPackage(name string) bool { return s.pkgSyms[name] != nil && !s.isGlobal(name) }

// docKey is the :doc name of the function or method that fun calls
// ("engine.Tensor.MatMul", "nn.NewSGD"), or "".
func (s *Session) docKey(fun ast.Expr) string {
	sel, ok := ast.Unparen(fun).(*ast.SelectorExpr)
	if !ok {
		return ""
	}
	if id, ok := sel.X.(*ast.Ident); ok && s.isPackage(id.Name) {
		return id.Name + "." + sel.Sel.Name
	}
	t, isType := s.staticType(sel.X)
	if t == nil || isType {
		return ""
	}
	if t.Kind() == reflect.Ptr {
		t = t.Elem()
	}
	if t.Name() == "" || t.PkgPath() == "" {
		return ""
	}
	return path.Base(t.PkgPath()) + "." + t.Name() + "." + sel.Sel.Name
}

// signature is the declaration :doc shows under key, or the Go type of the
// function.
func (s *Session) signature(key string, ft reflect.Type) string {
	if d, ok := symbols.Docs[key]; ok {
		first, _, _ := strings.Cut(d, "\n")
		return first
	}
	return s.TypeName(ft)
}

// parseUnit parses a unit's source as statements or declarations.
func parseUnit(src string) ast.Node {
	fset := token.NewFileSet()
	if f, err := parser.ParseFile(fset, "", "package main\n"+src, parser.SkipObjectResolution); err == nil {
		return f
	}
	if f, err := parser.ParseFile(fset, "", "package main\nfunc _() {\n"+src+"\n}", parser.SkipObjectResolution); err == nil {
		return f
	}
	if x, err := parser.ParseExpr(src); err == nil {
		return x
	}
	return nil
}

// callHint explains the first call of src whose arguments do not fit the
// function it calls, or whose function is not a function: "x.Transpose
// takes 2 arguments, got 0: func (t *Tensor) Transpose(d0, d1 int) *Tensor".
func (s *Session) callHint(src string) string {
	n := parseUnit(src)
	if n == nil {
		return ""
	}
	hint := ""
	ast.Inspect(n, func(n ast.Node) bool {
		c, ok := n.(*ast.CallExpr)
		if !ok || hint != "" {
			return hint == ""
		}
		ft, isType := s.staticType(c.Fun)
		key := s.docKey(c.Fun)
		if sel, ok := c.Fun.(*ast.SelectorExpr); ok && ft == nil {
			// A method of a value whose type is not known here (a local
			// variable): the dbr method of that name, if only one type has it.
			ft, key = s.uniqueMethod(sel.Sel.Name)
		}
		if ft == nil {
			return true
		}
		name := render(token.NewFileSet(), c.Fun)
		if isType {
			hint = s.conversionHint(c, name)
			return hint == ""
		}
		if ft.Kind() != reflect.Func {
			hint = name + " is " + article(s.TypeName(ft)) + ", not a function"
			if _, ok := ft.MethodByName("Forward"); ok {
				hint += "; call its Forward method: " + name + ".Forward(" + renderArgs(c.Args) + ")"
			}
			return false
		}
		hint = s.argsHint(c, name, ft, key)
		return hint == ""
	})
	return hint
}

// uniqueMethod returns the func type (without receiver) and :doc name of the
// method name of the one type of engine, nn and inspect that has it, when
// the user declared no method of that name.
func (s *Session) uniqueMethod(name string) (reflect.Type, string) {
	for _, ms := range s.methods {
		if ms[name] {
			return nil, ""
		}
	}
	var found reflect.Type
	key := ""
	for _, pkg := range []string{"engine", "nn", "inspect"} {
		for tn, v := range s.pkgSyms[pkg] {
			if v.Kind() != reflect.Ptr || !v.IsNil() {
				continue
			}
			t := v.Type() // *T
			if t.Elem().Kind() == reflect.Interface {
				continue
			}
			if m, ok := t.MethodByName(name); ok {
				if found != nil {
					return nil, ""
				}
				found, key = methodFunc(m.Type), pkg+"."+tn+"."+name
			}
		}
	}
	return found, key
}

// conversionHint is for a type used as a function, pkg.T(a, b), when the
// package has a constructor pkg.NewT.
func (s *Session) conversionHint(c *ast.CallExpr, name string) string {
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok || len(c.Args) == 1 {
		return ""
	}
	pkg := sel.X.(*ast.Ident).Name
	ctor := "New" + sel.Sel.Name
	if _, ok := s.pkgSyms[pkg][ctor]; !ok {
		return ""
	}
	return name + " is a type; make one with its constructor: " + pkg + "." + ctor + "(" + renderArgs(c.Args) + ")"
}

func renderArgs(args []ast.Expr) string {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = render(token.NewFileSet(), a)
	}
	return strings.Join(parts, ", ")
}

// argsHint says how the arguments of c do not fit ft, or "" if they may.
func (s *Session) argsHint(c *ast.CallExpr, name string, ft reflect.Type, key string) string {
	if c.Ellipsis.IsValid() {
		return ""
	}
	nargs := len(c.Args)
	if nargs == 1 {
		if at, _ := s.staticType(c.Args[0]); at != nil && at.Kind() == reflect.Func && at.NumOut() > 1 {
			return "" // f(g()) with g returning several values
		}
	}
	fixed := ft.NumIn()
	if ft.IsVariadic() {
		fixed--
	}
	sig := s.signature(key, ft)
	want := func() string {
		switch {
		case ft.IsVariadic():
			return "at least " + plural(fixed, "argument")
		default:
			return plural(fixed, "argument")
		}
	}
	if nargs < fixed || (!ft.IsVariadic() && nargs > fixed) {
		h := name + " takes " + want() + ", got " + strconv.Itoa(nargs) + ": " + sig
		if last := ft.In(ft.NumIn() - 1); !ft.IsVariadic() && nargs > fixed && last.Kind() == reflect.Slice {
			h += " (put the last " + strconv.Itoa(nargs-fixed+1) + " in one " + s.TypeName(last) + "{…})"
		}
		for i := nargs; i < fixed; i++ {
			if p := ft.In(i); p.Kind() == reflect.Struct && strings.HasSuffix(p.Name(), "Opts") {
				h += " (pass " + path.Base(p.PkgPath()) + "." + p.Name() + "{} for the default options)"
				break
			}
		}
		return h
	}
	for i, a := range c.Args {
		p := ft.In(min(i, ft.NumIn()-1))
		if ft.IsVariadic() && i >= fixed {
			p = p.Elem()
		}
		at := s.argType(a)
		if at == nil || fits(at, p) {
			continue
		}
		if sel, ok := c.Fun.(*ast.SelectorExpr); ok && at.Kind() == reflect.Bool && ft.IsVariadic() && i >= fixed {
			if xt, _ := s.staticType(sel.X); xt != nil {
				if _, ok := xt.MethodByName(sel.Sel.Name + "Keep"); ok {
					return sel.Sel.Name + " has no keepdim flag: write " + render(token.NewFileSet(), sel.X) + "." +
						sel.Sel.Name + "Keep(" + renderArgs(c.Args[:i]) + ") to keep the reduced dims (" + sig + ")"
				}
			}
		}
		return name + ": argument " + strconv.Itoa(i+1) + " is " + article(s.TypeName(at)) + ", not " + article(s.TypeName(p)) + ": " + sig
	}
	return ""
}

// argType is the type of an argument, with untyped constants taken as
// their default type.
func (s *Session) argType(a ast.Expr) reflect.Type {
	switch a := ast.Unparen(a).(type) {
	case *ast.BasicLit:
		switch a.Kind {
		case token.INT:
			return reflect.TypeOf(0)
		case token.FLOAT:
			return reflect.TypeOf(0.0)
		case token.STRING:
			return reflect.TypeOf("")
		}
		return nil
	case *ast.Ident:
		if (a.Name == "true" || a.Name == "false") && !s.isGlobal(a.Name) {
			return reflect.TypeOf(true)
		}
	case *ast.UnaryExpr:
		if a.Op == token.SUB || a.Op == token.ADD {
			if _, ok := a.X.(*ast.BasicLit); ok {
				return s.argType(a.X)
			}
		}
		return nil
	}
	t, isType := s.staticType(a)
	if isType {
		return nil
	}
	return t
}

// fits reports whether a value of type a can be passed as p (an untyped
// int constant to a float parameter included).
func fits(a, p reflect.Type) bool {
	if a.AssignableTo(p) {
		return true
	}
	num := func(k reflect.Kind) bool { return k >= reflect.Int && k <= reflect.Complex128 }
	return a == reflect.TypeOf(0) && num(p.Kind()) || a == reflect.TypeOf(0.0) && p.Kind() >= reflect.Float32 && p.Kind() <= reflect.Complex128
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

var (
	undefinedMethod = regexp.MustCompile(`^undefined (?:method|selector):? (\w+)$`)
	undefinedName   = regexp.MustCompile(`^undefined: (\w+)$`)
)

// didYouMean names what an undefined name of src probably meant, from the
// error msg: "x.ReLU()" for x.Relu(), "engine.Randn" for engine.randn.
func (s *Session) didYouMean(src, msg string) string {
	if m := noSymbol.FindStringSubmatch(msg); m != nil {
		var names []string
		for n := range s.pkgSyms[m[1]] {
			names = append(names, n)
		}
		return closest(m[2], names)
	}
	if m := undefinedMethod.FindStringSubmatch(msg); m != nil {
		return s.memberMeant(src, m[1])
	}
	if m := undefinedName.FindStringSubmatch(msg); m != nil {
		var names []string
		for n := range s.globals() {
			if !strings.HasPrefix(n, "_") {
				names = append(names, n)
			}
		}
		for n := range s.funcs {
			names = append(names, n)
		}
		for n := range s.types {
			names = append(names, n)
		}
		for n := range s.pkgSyms {
			names = append(names, n)
		}
		return closest(m[1], names)
	}
	return ""
}

// memberMeant finds x.name in src and the field or method of x's type
// (of any dbr type when x's type is unknown) that name probably meant.
func (s *Session) memberMeant(src, name string) string {
	n := parseUnit(src)
	var sel *ast.SelectorExpr
	var call *ast.CallExpr
	if n != nil {
		ast.Inspect(n, func(n ast.Node) bool {
			if c, ok := n.(*ast.CallExpr); ok && sel == nil {
				if se, ok := c.Fun.(*ast.SelectorExpr); ok && se.Sel.Name == name {
					sel, call = se, c
				}
			}
			if se, ok := n.(*ast.SelectorExpr); ok && se.Sel.Name == name && sel == nil {
				sel = se
			}
			return sel == nil
		})
	}
	var cands []string
	var t reflect.Type
	if sel != nil {
		t, _ = s.staticType(sel.X)
	}
	if t != nil {
		cands = members(t)
	} else {
		cands = s.dbrMembers()
	}
	c := closest(name, cands)
	if c == "" {
		return ""
	}
	if sel == nil {
		return c
	}
	out := render(token.NewFileSet(), sel.X) + "." + c
	if call != nil {
		out += "(" + renderArgs(call.Args) + ")"
	}
	return out
}

// members lists the exported methods and fields of t (and of *t).
func members(t reflect.Type) []string {
	var out []string
	pt := t
	if t.Kind() != reflect.Ptr && t.Kind() != reflect.Interface {
		pt = reflect.PointerTo(t)
	}
	for i := 0; i < pt.NumMethod(); i++ {
		out = append(out, pt.Method(i).Name)
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
	return out
}

// dbrMembers lists the methods and fields of every type of engine, nn and
// inspect, and the methods the user declared.
func (s *Session) dbrMembers() []string {
	seen := map[string]bool{}
	for _, pkg := range []string{"engine", "nn", "inspect"} {
		for _, v := range s.pkgSyms[pkg] {
			if v.Kind() == reflect.Ptr && v.IsNil() {
				for _, m := range members(v.Type().Elem()) {
					seen[m] = true
				}
			}
		}
	}
	for _, ms := range s.methods {
		for m := range ms {
			seen[m] = true
		}
	}
	out := make([]string, 0, len(seen))
	for m := range seen {
		out = append(out, m)
	}
	sort.Strings(out)
	return out
}

// closest returns the one candidate that name probably meant: equal but
// for case, else within an edit distance of 2 (of 1 for names of 3 or 4
// letters, 0 for shorter ones); "" when none or several fit equally.
func closest(name string, cands []string) string {
	best, bestD, tie := "", 3, false
	switch {
	case len(name) <= 2:
		bestD = 1
	case len(name) <= 4:
		bestD = 2
	}
	for _, c := range cands {
		if c == name || !token.IsIdentifier(c) {
			continue
		}
		d := editDistance(strings.ToLower(name), strings.ToLower(c))
		if strings.EqualFold(c, name) {
			d = 0
		}
		switch {
		case d < bestD:
			best, bestD, tie = c, d, false
		case d == bestD && c != best:
			tie = true
		}
	}
	if tie {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance of a and b, with a swap of two
// neighbouring letters counted as one edit.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// tensorOps are the methods for Go's operators on tensors: with a tensor
// operand, then with a number.
var tensorOps = map[token.Token][2]string{
	token.ADD: {"Add", "AddScalar"}, token.SUB: {"Sub", "SubScalar"},
	token.MUL: {"Mul", "MulScalar"}, token.QUO: {"Div", "DivScalar"},
	token.GTR: {"Gt", "GtScalar"}, token.GEQ: {"Ge", "GeScalar"},
	token.LSS: {"Lt", "LtScalar"}, token.LEQ: {"Le", "LeScalar"},
	token.EQL: {"Eq", "EqScalar"}, token.NEQ: {"Ne", "NeScalar"},
}

// operatorHint rewrites the first operator of src applied to a tensor as
// the method that does it: x * 2 → x.MulScalar(2).
func (s *Session) operatorHint(src string) string {
	n := parseUnit(src)
	if n == nil {
		return ""
	}
	hint := ""
	ast.Inspect(n, func(n ast.Node) bool {
		b, ok := n.(*ast.BinaryExpr)
		if !ok || hint != "" {
			return hint == ""
		}
		ops, ok := tensorOps[b.Op]
		if !ok {
			return true
		}
		lt, _ := s.staticType(b.X)
		rt, _ := s.staticType(b.Y)
		l, r := render(token.NewFileSet(), b.X), render(token.NewFileSet(), b.Y)
		switch {
		case lt == tensorType && rt == tensorType:
			hint = l + "." + ops[0] + "(" + r + ")"
		case lt == tensorType && b.Op.Precedence() == token.EQL.Precedence():
			hint = l + "." + ops[1] + "(" + r + ") (a tensor of 0s and 1s), or " + l + ".Item() " + b.Op.String() + " " + r + " (a bool)"
		case lt == tensorType:
			hint = l + "." + ops[1] + "(" + r + ")"
		case rt == tensorType && (b.Op == token.ADD || b.Op == token.MUL):
			hint = r + "." + ops[1] + "(" + l + ")"
		case rt == tensorType && b.Op == token.SUB:
			hint = r + ".Neg().AddScalar(" + l + ")"
		case rt == tensorType && b.Op == token.QUO:
			hint = r + ".PowScalar(-1).MulScalar(" + l + ")"
		}
		return hint == ""
	})
	return hint
}

// unexportedHint finds x.name in n where x has a compiled type of another
// package (or embeds one that has the field name) and name is not exported:
// Go does not allow it, and yaegi fails on it with a reflect panic or, for
// a call (x.shape()), deadlocks. It returns the error, or "". refuse calls
// it on every input before evaluation.
func (s *Session) unexportedHint(n ast.Node) string {
	defer s.memoGlobals()()
	hint := ""
	ast.Inspect(n, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok || hint != "" || ast.IsExported(sel.Sel.Name) || sel.Sel.Name == "_" {
			return hint == ""
		}
		t, isType := s.staticType(sel.X)
		if t == nil || isType {
			return true
		}
		nt := t
		if nt.Kind() == reflect.Ptr {
			nt = nt.Elem()
		}
		if nt.PkgPath() == "" || nt.PkgPath() == "main" {
			// A type of the session's embedding a compiled struct
			// (struct{ *engine.Tensor }): the struct that has the field.
			if t = embeddedOwner(nt, sel.Sel.Name); t == nil {
				return true
			}
		}
		x := render(token.NewFileSet(), sel.X)
		hint = x + "." + sel.Sel.Name + ": " + s.TypeName(t) + " has no exported field or method " + sel.Sel.Name
		name := []rune(sel.Sel.Name)
		name[0] = unicode.ToUpper(name[0])
		c := string(name)
		if !slices.Contains(members(t), c) {
			c = closest(c, members(t))
		}
		if c != "" {
			if m, ok := t.MethodByName(c); ok {
				call := x + "." + c + "()"
				if m.Type.NumIn() > 1 {
					call = x + "." + c + "(…)"
				}
				hint = x + "." + sel.Sel.Name + ": Go methods are capitalised and called: " + call
			} else {
				hint = x + "." + sel.Sel.Name + ": exported names are capitalised: " + x + "." + c
			}
		}
		return false
	})
	return hint
}

// embeddedOwner returns a pointer to the compiled struct embedded in st that
// declares the unexported field name, or nil.
func embeddedOwner(st reflect.Type, name string) reflect.Type {
	if st.Kind() != reflect.Struct {
		return nil
	}
	f, ok := st.FieldByName(name)
	if !ok || f.PkgPath == "" || len(f.Index) < 2 {
		return nil
	}
	owner := st
	for _, i := range f.Index[:len(f.Index)-1] {
		if owner = owner.Field(i).Type; owner.Kind() == reflect.Ptr {
			owner = owner.Elem()
		}
	}
	return reflect.PointerTo(owner)
}

// callErrors are the messages of a call whose arguments or function do not
// fit, from yaegi's compiler or from reflect at run time.
var callErrors = []string{"arguments in call to", "reflect: Call with too", "reflect.Value.Convert: value of type",
	"reflect: Call using", "NumIn of non-func type", "arguments in conversion to", "cannot use "}

// hint rewrites msg, the error of the unit src, into what to type instead,
// or returns it unchanged.
func (s *Session) hint(src, msg string) string {
	defer s.memoGlobals()()
	for _, c := range callErrors {
		if strings.Contains(msg, c) {
			if h := s.callHint(src); h != "" {
				return h
			}
			break
		}
	}
	if strings.Contains(msg, "engine.Tensor") && (strings.Contains(msg, "mismatched types") || strings.Contains(msg, "operator")) {
		if h := s.operatorHint(src); h != "" {
			return "Go has no operators on tensors: write " + h
		}
	}
	if m := noSymbol.FindStringSubmatch(msg); m != nil {
		msg = "undefined: " + m[1] + "." + m[2]
		if c := s.didYouMean(src, m[0]); c != "" {
			return msg + "; did you mean " + m[1] + "." + c + "?"
		}
		return msg
	}
	if zeroGradMissing.MatchString(msg) {
		return msg + "; any module's gradients are zeroed by nn.ZeroGrad(m), as PyTorch's model.zero_grad() " +
			"(nn's layers and Sequential also have m.ZeroGrad(); a struct typed at the prompt cannot), or an optimizer's by opt.ZeroGrad()"
	}
	if m := s.didYouMean(src, msg); m != "" {
		return msg + "; did you mean " + m + "?"
	}
	return msg
}

// zeroGradMissing is yaegi's error for m.ZeroGrad() on a module without the
// method (a module typed at the prompt).
var zeroGradMissing = regexp.MustCompile(`^undefined (method|selector): ZeroGrad$`)

// noteImported tells a learner who types an import at the prompt that the
// package needs none, when every package of d is one the session has bound
// to its name, and reports whether it did (the import is then left out: a
// second import of a package fails in yaegi, as when a file :loaded later
// imports it too).
func (s *Session) noteImported(d *ast.GenDecl) bool {
	var names []string
	for _, sp := range d.Specs {
		p, ok := boundImport(sp.(*ast.ImportSpec))
		if !ok {
			return false
		}
		names = append(names, p)
	}
	fmt.Fprintf(s.opt.Stderr, "note: %s: already imported, as are %s\n", strings.Join(names, ", "), Imported)
	return true
}

// boundImport returns the path of an import spec and whether the session
// has that package bound to its name already: when no other package has
// that name (math/rand is: crypto/rand is not imported, see init) and the
// spec does not rename it.
func boundImport(sp *ast.ImportSpec) (string, bool) {
	p, err := strconv.Unquote(sp.Path.Value)
	if err != nil || sp.Name != nil || p == "crypto/rand" {
		return p, false
	}
	named := 0
	for _, tables := range []map[string]map[string]reflect.Value{stdlib.Symbols, symbols.Symbols} {
		for k := range tables {
			if q := path.Dir(k); q != "crypto/rand" && path.Base(q) == path.Base(p) {
				named++
				if q != p {
					return p, false
				}
			}
		}
	}
	return p, named > 0
}

// chainValue returns the value of the global variable chain ("x", "m.fc1").
func (s *Session) chainValue(chain string) (reflect.Value, bool) {
	parts := strings.Split(chain, ".")
	cur, ok := s.globals()[parts[0]]
	if !ok {
		return reflect.Value{}, false
	}
	for _, f := range parts[1:] {
		for (cur.Kind() == reflect.Ptr || cur.Kind() == reflect.Interface) && !cur.IsNil() {
			cur = cur.Elem()
		}
		if cur.Kind() != reflect.Struct {
			return reflect.Value{}, false
		}
		if cur = cur.FieldByName(f); !cur.IsValid() {
			return reflect.Value{}, false
		}
	}
	if cur.Kind() == reflect.Interface && !cur.IsNil() {
		cur = cur.Elem()
	}
	return cur, true
}

// nilGrad explains a nil dereference of src that used X.Grad() of a tensor
// variable whose gradient is nil: why it is nil.
func (s *Session) nilGrad(src string) string {
	n := parseUnit(src)
	if n == nil {
		return ""
	}
	why := ""
	ast.Inspect(n, func(n ast.Node) bool {
		c, ok := n.(*ast.CallExpr)
		if !ok || why != "" || len(c.Args) != 0 {
			return why == ""
		}
		sel, ok := c.Fun.(*ast.SelectorExpr)
		if !ok || sel.Sel.Name != "Grad" {
			return true
		}
		x := selectorChain(sel.X)
		v, ok := s.chainValue(x)
		if !ok || !v.IsValid() || v.Type() != tensorType || v.IsNil() {
			return true
		}
		t := v.Interface().(*engine.Tensor)
		if t.Grad() != nil {
			return true
		}
		switch {
		case !t.IsLeaf():
			why = x + ".Grad() is nil: " + x + " is the result of an op (" + t.Op() + "), not a leaf; Backward() keeps " +
				"gradients only in leaves (tensors made with SetRequiresGrad(true)): update the leaf itself, " +
				"or call " + x + ".RetainGrad() before Backward()"
		case !t.RequiresGrad():
			why = x + ".Grad() is nil: " + x + " does not require grad; call " + x + ".SetRequiresGrad(true) before the forward pass"
		default:
			why = x + ".Grad() is nil: no Backward() has reached " + x + " yet (or ZeroGrad cleared it)"
		}
		return false
	})
	return why
}
