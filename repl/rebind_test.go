package repl

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/dbr-go/dbr/engine"
)

// TestLatestValue: a name means its latest value, in the functions defined
// before it too.
func TestLatestValue(t *testing.T) {
	s, out := newSession(t)
	got := evalLines(t, s, out,
		"lr := 0.1",
		`func show() { fmt.Println("lr is", lr) }`,
		"lr := 0.01",
		"show()",
		"lr = 0.001",
		"show()",
		"var lr = 0.5",
		"show()")
	if got != "lr is 0.01\nlr is 0.001\nlr is 0.5\n" {
		t.Errorf("show() after redefining lr printed %q", got)
	}

	// A model and an optimizer defined again are the ones train uses.
	got = evalLines(t, s, out,
		"m := nn.NewLinear(2, 1)",
		"func train() float64 { return m.Forward(engine.Ones(1, 2)).Sum().Item() }",
		"m := nn.NewLinear(2, 1)",
		"_, _ = m.Weight.Fill_(1), m.Bias.Fill_(0.5)",
		"train()")
	if got != "2.5\n" {
		t.Errorf("train() after redefining m printed %q, want 2.5 (the new m)", got)
	}

	// Constants.
	got = evalLines(t, s, out,
		"const dims = 8",
		"func d() int { return dims * 2 }",
		"const dims = 16",
		"d(), dims")
	if got != "32 16\n" {
		t.Errorf("d(), dims after const dims = 16 printed %q", got)
	}

	// A function defined again is the one its callers call.
	got = evalLines(t, s, out,
		"func a() int { return 1 }",
		"func b() int { return a() * 10 }",
		"func a() int { return 2 }",
		"b()")
	if got != "20\n" {
		t.Errorf("b() after redefining a printed %q", got)
	}

	// A function value kept in a variable follows a rebuild: a closure sees
	// the globals every function sees.
	got = evalLines(t, s, out,
		"scale := 2.0",
		"g := func() float64 { return scale * 10 }",
		"h := func() int { return 1 }",
		"h = func() int { return 2 }",
		"func a() int { return 3 }", // a rebuild
		"scale = 5",
		"g(), h()")
	if got != "50 2\n" {
		t.Errorf("closures after a rebuild: %q, want 50 (the new scale) and 2 (h as assigned)", got)
	}

	// A new type rebinds the functions that use the name, or is refused
	// with the function that breaks, leaving everything as it was.
	got = evalLines(t, s, out,
		"n := 3",
		"func twice() int { return n * 2 }",
		`n := "four"`,
		"twice()")
	if !strings.Contains(got, "func twice") || !strings.Contains(got, "n is unchanged") {
		t.Errorf(`n := "four" while twice uses n as an int: %q`, got)
	}
	if got := evalLines(t, s, out, "twice(), n"); got != "6 3\n" {
		t.Errorf("after the refused redefinition: %q", got)
	}
	got = evalLines(t, s, out,
		`name := "x"`,
		"func greet() { fmt.Println(name) }",
		"name := 7",
		"greet()")
	if got != "7\n" {
		t.Errorf("greet() after name := 7: %q", got)
	}
}

// TestFixMethodsAndTypes: methods and types can be fixed at the prompt.
func TestFixMethodsAndTypes(t *testing.T) {
	s, out := newSession(t)
	got := evalLines(t, s, out,
		"type R struct{ A int }",
		"func (r *R) Get() int { return r.B }")
	if !strings.Contains(got, "undefined") {
		t.Fatalf("a method using a missing field: %q", got)
	}
	got = evalLines(t, s, out,
		"func (r *R) Get() int { return r.A }",
		"(&R{A: 5}).Get()")
	if got != "5\n" {
		t.Errorf("the corrected method: %q", got)
	}

	got = evalLines(t, s, out,
		"type Foo struct{}",
		`func (f *Foo) Hi() string { return "old" }`,
		`func (f *Foo) Hi() string { return "new" }`,
		"(&Foo{}).Hi()")
	if got != "\"new\"\n" {
		t.Errorf("a redefined method: %q", got)
	}

	// A type that fails leaves no trace.
	got = evalLines(t, s, out,
		"type U struct { A int; B flaot32 }",
		"type U struct { A int; B float32 }",
		"U{A: 1}.A")
	if !strings.Contains(got, "flaot32") || !strings.HasSuffix(got, "\n1\n") {
		t.Errorf("a type fixed after an error: %q", got)
	}

	// A type gets a field; its methods and the functions that take it
	// follow; a variable of the old type is reset and named.
	got = evalLines(t, s, out,
		"type MLP struct{ Fc1 *nn.Linear }",
		"func (m *MLP) Forward(x *engine.Tensor) *engine.Tensor { return m.Fc1.Forward(x) }",
		"func NewMLP() *MLP { return &MLP{Fc1: nn.NewLinear(4, 2)} }",
		"model := NewMLP()",
		"keep := engine.Ones(2)",
		"type MLP struct{ Fc1, Fc2 *nn.Linear }",
		"func (m *MLP) Forward(x *engine.Tensor) *engine.Tensor { return m.Fc2.Forward(m.Fc1.Forward(x).ReLU()) }\nfunc NewMLP() *MLP { return &MLP{Fc1: nn.NewLinear(4, 8), Fc2: nn.NewLinear(8, 3)} }",
		"model := NewMLP()",
		"model.Forward(engine.Ones(1, 4)).Shape(), keep.Shape()")
	if !strings.Contains(got, "reset") || !strings.Contains(got, "model") || !strings.HasSuffix(got, "[1 3] [2]\n") {
		t.Errorf("adding a field to MLP: %q", got)
	}

	// A change that breaks a method is refused, and says what to do.
	got = evalLines(t, s, out,
		"type P struct{ X int }",
		"func (p P) Twice() int { return p.X * 2 }",
		"type P struct{ Y int }")
	if !strings.Contains(got, "method P.Twice") || !strings.Contains(got, "same input") {
		t.Errorf("a type change that breaks a method: %q", got)
	}
	if got := evalLines(t, s, out, "P{X: 2}.Twice()"); got != "4\n" {
		t.Errorf("after the refused change: %q", got)
	}
	if got := evalLines(t, s, out, "type P struct{ Y int }\nfunc (p P) Twice() int { return p.Y * 2 }", "P{Y: 3}.Twice()"); got != "6\n" {
		t.Errorf("a type and its method changed together: %q", got)
	}
}

// TestFailedStatementChangesNothing: after an error, every variable holds
// what it held before the statement.
func TestFailedStatementChangesNothing(t *testing.T) {
	s, out := newSession(t)
	evalOK(t, s, out, "o := engine.Ones(2)")
	evalOK(t, s, out, "m := nn.NewLinear(3, 4)")
	evalErr(t, s, out, "o := m.Forward(engine.Ones(2, 5))")
	if got := evalOK(t, s, out, "o.Shape()"); got != "[2]\n" {
		t.Errorf("o after a failed o := ...: %q", got)
	}
	evalOK(t, s, out, "func boom() *engine.Tensor { panic(\"boom\") }")
	evalErr(t, s, out, "o := boom()")
	evalErr(t, s, out, "fresh := boom()")
	if got := evalOK(t, s, out, "o.Shape()"); got != "[2]\n" {
		t.Errorf("o after a failed interpreted call: %q", got)
	}
	if got := evalErr(t, s, out, "fresh"); !strings.Contains(got, "undefined: fresh") {
		t.Errorf("a failed definition of a new name defined it: %q", got)
	}
	evalOK(t, s, out, "k := 1")
	evalErr(t, s, out, "for i := 0; i < 3; i++ { o = engine.Zeros(3); k = 2; boom() }")
	if got := evalOK(t, s, out, "o.Shape(), k"); got != "[2] 1\n" {
		t.Errorf("after a failed statement list: %q", got)
	}
	// An interrupted definition.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out.Reset()
	if err := s.Eval(ctx, "o := engine.Zeros(7)"); err == nil {
		t.Fatal("an interrupted definition succeeded")
	}
	if got := evalOK(t, s, out, "o.Shape()"); got != "[2]\n" {
		t.Errorf("o after an interrupted definition: %q", got)
	}
}

// TestLoadTwice: a file can be loaded any number of times; loading it again
// redefines its functions and types and reruns its variables.
func TestLoadTwice(t *testing.T) {
	s, out := newSession(t)
	file := filepath.Join(t.TempDir(), "model.go")
	write := func(body string) {
		src := "package main\n\nimport (\n\t\"fmt\"\n\n\t\"github.com/dbr-go/dbr/engine\"\n)\n\n" + body
		if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("var scale = 2.0\n\ntype Box struct{ W *engine.Tensor }\n\nfunc (b *Box) Size() int { return b.W.Size(0) }\n\nfunc Describe() string { return fmt.Sprint(\"v1 \", scale) }\n")
	for i := 0; i < 2; i++ {
		out.Reset()
		if err := s.LoadFile(context.Background(), file); err != nil {
			t.Fatalf("load %d: %v\n%s", i+1, err, out.String())
		}
	}
	if got := evalOK(t, s, out, "Describe(), (&Box{engine.Ones(3)}).Size()"); got != "\"v1 2\" 3\n" {
		t.Errorf("after loading twice: %q", got)
	}
	write("var scale = 3.0\n\ntype Box struct{ W, B *engine.Tensor }\n\nfunc (b *Box) Size() int { return b.W.Size(0) + b.B.Size(0) }\n\nfunc Describe() string { return fmt.Sprint(\"v2 \", scale) }\n")
	out.Reset()
	if err := s.LoadFile(context.Background(), file); err != nil {
		t.Fatalf("loading the edited file: %v\n%s", err, out.String())
	}
	if got := evalOK(t, s, out, "Describe(), (&Box{engine.Ones(3), engine.Ones(2)}).Size()"); got != "\"v2 3\" 5\n" {
		t.Errorf("after loading the edited file: %q", got)
	}
}

// TestIndexCompiledSlice: top-level definitions that index a slice compiled
// code returned.
func TestIndexCompiledSlice(t *testing.T) {
	s, out := newSession(t)
	dir := t.TempDir()
	for _, n := range []string{"a.txt", "b.txt"} {
		os.WriteFile(filepath.Join(dir, n), nil, 0o644)
	}
	evalOK(t, s, out, "m := nn.NewLinear(2, 3)")
	cases := []struct{ src, check, want string }{
		{"w := m.Params()[0].Tensor", "w.Shape()", "[3 2]\n"},
		{"ps := m.Params(); first := ps[0]", "first.Name", "\"weight\"\n"},
		{"fs, _ := filepath.Glob(" + quote(filepath.Join(dir, "*.txt")) + "); f0 := fs[0]", "filepath.Base(f0)", "\"a.txt\"\n"},
		{"x := engine.Randn(3, 4); n := x.Shape()[0]", "n", "3\n"},
		{"v, ok := map[string]int{\"a\": 1}[\"a\"]", "v, ok", "1 true\n"},
	}
	for _, c := range cases {
		evalOK(t, s, out, c.src)
		if got := evalOK(t, s, out, c.check); got != c.want {
			t.Errorf("%s; %s printed %q, want %q", c.src, c.check, got, c.want)
		}
	}
}

// TestTypeNames: types print by their own names, even when two have the
// same structure or one is a named basic type.
func TestTypeNames(t *testing.T) {
	s, out := newSession(t)
	evalOK(t, s, out, "type Net2 struct{ W *engine.Tensor }; type Net3 struct{ W *engine.Tensor }; type Celsius float64")
	evalOK(t, s, out, "n2 := &Net2{}; n3 := &Net3{}; c := Celsius(2); f := 1.5; var m nn.Module = nn.NewLinear(2, 2)")
	for _, c := range []struct{ cmd, want string }{
		{":type n2", "*Net2\n"},
		{":type n3", "*Net3\n"},
		{":type c", "Celsius\n"},
		{":type f", "float64\n"},
		{":type m", "nn.Module (*nn.Linear)\n"},
		{":type []*Net2{n2}", "[]*Net2\n"},
	} {
		if got := runCmd(t, s, out, c.cmd, false); got != c.want {
			t.Errorf("%s printed %q, want %q", c.cmd, got, c.want)
		}
	}
	vars := runCmd(t, s, out, ":vars", false)
	contains(t, ":vars", vars, "n2 *Net2\n", "n3 *Net3\n", "c Celsius\n", "f float64\n")
	// (A value of Net3 is one of Net2 to reflect, and to fmt: only
	// variables know which they are.)
	if got := evalOK(t, s, out, `fmt.Printf("%T %5.1f%% %T %T\n", n2, 2.0, f, c)`); got != "*Net2   2.0% float64 float64\n" {
		t.Errorf("%%T: %q", got)
	}
	if got := evalOK(t, s, out, "reflect.TypeOf(n2)"); got != "*Net2\n" {
		t.Errorf("reflect.TypeOf(n2) printed %q", got)
	}
}

// TestLoadOtherFile: a second file importing the same packages loads
// without a rebuild (its imports are the session's already).
func TestLoadOtherFile(t *testing.T) {
	s, out := newSession(t)
	dir := t.TempDir()
	for i, body := range []string{"func A() int { return 1 }", "func B() int { return A() + 1 }"} {
		file := filepath.Join(dir, fmt.Sprintf("f%d.go", i))
		src := "package main\n\nimport (\n\t\"fmt\"\n\n\t\"github.com/dbr-go/dbr/engine\"\n)\n\nvar _ = fmt.Sprint\nvar _ = engine.Ones\n\n" + body + "\n"
		if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		before := s.in
		out.Reset()
		if err := s.LoadFile(context.Background(), file); err != nil {
			t.Fatalf("loading %s: %v\n%s", file, err, out.String())
		}
		if s.in != before {
			t.Errorf("loading %s rebuilt the interpreter", file)
		}
	}
	if got := evalOK(t, s, out, "B()"); got != "2\n" {
		t.Errorf("B() = %q", got)
	}
}

// TestInterfaceAfterRebuild: a value of the session's type held by an
// interface variable has the current methods after a rebuild.
func TestInterfaceAfterRebuild(t *testing.T) {
	s, out := newSession(t)
	got := evalLines(t, s, out,
		"type S interface{ Get() int }",
		"type A struct{ N int }",
		"func (a A) Get() int { return a.N }",
		"var sv S = A{N: 1}",
		"type Net struct{ L *nn.Linear }",
		"func (n *Net) Forward(x *engine.Tensor) *engine.Tensor { return x }",
		"func (n *Net) Params() []nn.Param { return nil }",
		"var m nn.Module = &Net{}",
		"func (a A) Get() int { return a.N * 10 }",
		"func (n *Net) Forward(x *engine.Tensor) *engine.Tensor { return x.MulScalar(3) }",
		"sv.Get(), m.Forward(engine.Ones(1)).Item()")
	if got != "10 3\n" {
		t.Errorf("after redefining the methods: %q, want 10 3", got)
	}
}

// TestYaegiLayout: what yaegi.go reads of yaegi's unexported state is where
// it looks (a yaegi upgrade that moves it fails here first).
func TestYaegiLayout(t *testing.T) {
	s, out := newSession(t)
	evalOK(t, s, out, "type Net struct{ Next *Net }; x := engine.Ones(2); n := &Net{}; func f() {}; const c = 3")
	syms := mainSymbols(s.in)
	want := map[string]global{
		"x": {kind: yaegiVarSym, varType: varType{src: "*engine.Tensor", compiled: reflect.TypeOf(engine.Ones(1))}},
		"n": {kind: yaegiVarSym, varType: varType{src: "*Net"}},
	}
	for name, w := range want {
		if g := syms[name]; g != w {
			t.Errorf("mainSymbols()[%q] = %+v, want %+v", name, g, w)
		}
	}
	for name, kind := range map[string]uint64{"Net": yaegiTypeSym, "f": yaegiFuncSym, "c": yaegiConstSym} {
		if syms[name].kind != kind {
			t.Errorf("mainSymbols()[%q].kind = %d, want %d", name, syms[name].kind, kind)
		}
	}
	prog, err := s.compile(wrap("_dbrV0 := []*Net{n}\n_dbrV1 := x.Shape()\n_ = _dbrV0\n_ = _dbrV1"))
	if err != nil {
		t.Fatal(err)
	}
	got := localTypes(prog, []string{"_dbrV0", "_dbrV1"})
	if got[0].src != "[]*Net" || got[1].src != "[]int" {
		t.Errorf("localTypes = %+v, want []*Net and []int", got)
	}
}
