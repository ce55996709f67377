package repl

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// syncBuffer is a bytes.Buffer safe for the goroutines of a session.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func (b *syncBuffer) Reset() {
	b.mu.Lock()
	b.b.Reset()
	b.mu.Unlock()
}

func TestPrintValues(t *testing.T) {
	s, out := newSession(t)
	cases := []struct{ src, want string }{
		{"x := engine.Ones(2, 3)", ""},
		{"x.Shape()", "[2 3]\n"},
		{"fmt.Println(\"hi\")", "hi\n"},
		{"fmt.Printf(\"%d\\n\", 5)", "5\n"},
		{"println(\"p\")", "p\n"},
		{"var y int", ""},
		{"y++", ""},
		{"y", "1\n"},
		{"func f() {}", ""},
		{"f()", ""},
		{"func g() error { return nil }", ""},
		{"g()", ""},
		{"type T struct{ A int }", ""},
		{"T{A: 3}", "T{A: 3}\n"},
		{":type", ""},
	}
	for _, c := range cases[:len(cases)-1] {
		if got := evalOK(t, s, out, c.src); got != c.want {
			t.Errorf("%s printed %q, want %q", c.src, got, c.want)
		}
	}
}

func TestRedeclare(t *testing.T) {
	s, out := newSession(t)
	evalOK(t, s, out, "x := engine.Ones(2)")
	evalOK(t, s, out, "x := 3")
	if got := evalOK(t, s, out, "x + 1"); got != "4\n" {
		t.Errorf("x + 1 = %q, want 4", got)
	}
	evalOK(t, s, out, `x := "s"`)
	if got := evalOK(t, s, out, "x"); got != "\"s\"\n" {
		t.Errorf("x = %q", got)
	}
	// A type can be defined again: the last definition is the type.
	evalOK(t, s, out, "type T struct{ A int }")
	evalOK(t, s, out, "type T struct{ A int }")
	evalOK(t, s, out, "type T struct{ B string }")
	if got := evalOK(t, s, out, `T{B: "b"}.B`); got != "\"b\"\n" {
		t.Errorf("redeclared type: %q", got)
	}
	evalOK(t, s, out, "func f() int { return 1 }")
	evalOK(t, s, out, "func f() int { return 2 }")
	if got := evalOK(t, s, out, "f()"); got != "2\n" {
		t.Errorf("redeclared func: f() = %q", got)
	}
	evalOK(t, s, out, "n := 2")
	evalOK(t, s, out, "n := n + 1")
	if got := evalOK(t, s, out, "n"); got != "3\n" {
		t.Errorf("n := n + 1 gave %q", got)
	}
}

// TestErrorsKeepSession checks that op panics, runtime errors and compile
// errors print one line naming what failed and leave the variables intact.
func TestErrorsKeepSession(t *testing.T) {
	s, out := newSession(t)
	evalOK(t, s, out, "x := engine.Ones(2, 3)")
	cases := []struct{ src, want string }{
		{"x.MatMul(x)", "error: MatMul: [2 3]·[2 3]: inner sizes 3 and 2 differ"},
		{"var a []int; a[5]", "error: runtime error: index out of range"},
		{"type N struct{ V int }; var n *N; n.V", "error: runtime error: nil pointer dereference"},
		{"nope", "error: undefined: nope"},
		{"x.Nope()", "error: undefined method: Nope"},
		{"func f() { panic(\"deep\") }; f()", "error: panic: deep"},
		{"1 +", "syntax error"},
		{"var i interface{} = 1; i.(string)", "interface conversion"},
	}
	for _, c := range cases {
		got := evalErr(t, s, out, c.src)
		if !strings.Contains(got, c.want) {
			t.Errorf("%s printed %q, want it to contain %q", c.src, got, c.want)
		}
		if !strings.Contains(got, "\n  in: ") || strings.Contains(got, "goroutine ") {
			t.Errorf("%s printed %q: want one message and the line, no stack", c.src, got)
		}
		if got := evalOK(t, s, out, "x.Shape()"); got != "[2 3]\n" {
			t.Fatalf("after %s, x.Shape() = %q", c.src, got)
		}
	}
}

// TestTopLevelCommaOK: these forms crash yaegi v0.16.1 at top level.
func TestTopLevelCommaOK(t *testing.T) {
	s, out := newSession(t)
	evalOK(t, s, out, `m := map[string]int{"a": 1}`)
	evalOK(t, s, out, `v, ok := m["a"]`)
	if got := evalOK(t, s, out, "fmt.Sprint(v, ok)"); got != "\"1 true\"\n" {
		t.Errorf("v, ok = %q", got)
	}
	evalOK(t, s, out, `_, ok = m["b"]`)
	if got := evalOK(t, s, out, "ok"); got != "false\n" {
		t.Errorf("ok = %q", got)
	}
	evalOK(t, s, out, `var e interface{} = engine.Ones(2)`)
	evalOK(t, s, out, `tt, isT := e.(*engine.Tensor)`)
	if got := evalOK(t, s, out, "fmt.Sprint(tt.Shape(), isT)"); got != "\"[2] true\"\n" {
		t.Errorf("type assertion: %q", got)
	}
	evalOK(t, s, out, `var w, found = m["a"]`)
	if got := evalOK(t, s, out, "fmt.Sprint(w, found)"); got != "\"1 true\"\n" {
		t.Errorf("var comma-ok: %q", got)
	}
	evalOK(t, s, out, `ch := make(chan int, 1); ch <- 3`)
	evalOK(t, s, out, `r, open := <-ch`)
	if got := evalOK(t, s, out, "fmt.Sprint(r, open)"); got != "\"3 true\"\n" {
		t.Errorf("channel comma-ok: %q", got)
	}
	evalOK(t, s, out, `ch <- 3`)
	if got := evalOK(t, s, out, "if r, open := <-ch; open {\n\tfmt.Println(r)\n}"); got != "3\n" {
		t.Errorf("comma-ok in if: %q", got)
	}
}

func TestRangeInt(t *testing.T) {
	s, out := newSession(t)
	if got := evalOK(t, s, out, "for i := range 3 { fmt.Print(i) }"); got != "012" {
		t.Errorf("range 3: %q", got)
	}
	evalOK(t, s, out, "n := 2")
	if got := evalOK(t, s, out, "for i := range n { fmt.Print(i) }"); got != "01" {
		t.Errorf("range n: %q", got)
	}
	if got := evalOK(t, s, out, "for range 2 { fmt.Print(\"x\") }"); got != "xx" {
		t.Errorf("range without key: %q", got)
	}
	evalOK(t, s, out, "func count(k int) int { c := 0; for i := range k * 2 { c += i }; return c }")
	if got := evalOK(t, s, out, "count(3)"); got != "15\n" {
		t.Errorf("range in func: %q", got)
	}
	if got := evalOK(t, s, out, "x := engine.Ones(4, 2); for i := range x.Size(0) { fmt.Print(i) }"); got != "0123" {
		t.Errorf("range x.Size(0): %q", got)
	}
	// len(...), constants and int-typed expressions are integers; the count
	// is evaluated once, as in Go, and the key has the count's type.
	evalOK(t, s, out, "xs := []int{5, 6, 7}")
	rangeCases := []struct{ src, want string }{
		{"for i := range len(xs) { fmt.Print(i) }", "012"},
		{"for i := range len(xs) { xs = append(xs, i) }; fmt.Print(len(xs))", "6"},
		{"const three = 3; for i := range three { fmt.Print(i) }", "012"},
		{"const two int = 2; for i := range two * 2 { fmt.Print(i) }", "0123"},
		{"var k int32 = 2; for i := range k { fmt.Printf(\"%T \", i) }", "int32 int32 "},
		{"for i := range int(2.0) { fmt.Print(i) }", "01"},
		// Only one operand is known to be an int: the sum is one.
		{"func one() int { return 1 }; for i := range len(xs) - one() * 4 { fmt.Print(i) }", "01"},
		{"func loops(n int) int { c := 0; for range n + one() { c++ }; return c }; fmt.Print(loops(2))", "3"},
		{"outer:\nfor i := range 2 { for j := range 3 { if j == 1 { continue outer }; fmt.Print(i, j) } }", "0 01 0"},
	}
	for _, c := range rangeCases {
		if got := evalOK(t, s, out, c.src); got != c.want {
			t.Errorf("%s printed %q, want %q", c.src, got, c.want)
		}
	}
	// Ranging over slices and maps is untouched.
	if got := evalOK(t, s, out, "for i, v := range []string{\"a\", \"b\"} { fmt.Print(i, v) }"); got != "0a1b" {
		t.Errorf("range slice: %q", got)
	}
	// Where the interpreter cannot see that it is an int, the error says what to do.
	evalOK(t, s, out, "type C struct{ N int }; c := &C{N: 2}")
	if got := evalOK(t, s, out, "for i := range c.N { fmt.Print(i) }"); got != "01" {
		t.Errorf("range over a global's field: %q", got)
	}
	// Where the interpreter cannot see that it is an int, the error says what to do.
	got := evalErr(t, s, out, "func cn(k *C) int { n := 0; for i := range k.N { n += i }; return n }")
	if !strings.Contains(got, "for i := 0; i < n; i++") {
		t.Errorf("range over a field in a func: %q", got)
	}
}

// TestEnvironment: interpreted code sees the process environment.
func TestEnvironment(t *testing.T) {
	t.Setenv("DBR_TEST_ENV", "seen")
	s, out := newSession(t)
	if got := evalOK(t, s, out, `os.Getenv("DBR_TEST_ENV")`); got != "\"seen\"\n" {
		t.Errorf("os.Getenv: %q", got)
	}
}

func TestMinMaxClear(t *testing.T) {
	s, out := newSession(t)
	cases := []struct{ src, want string }{
		{"min(3, 1, 2)", "1\n"},
		{"max(2.5, 7)", "7\n"},
		{"max(2, 7.5)", "7.5\n"},
		{"f := 0.5; min(1, f)", "0.5\n"},
		{`max("a", "b")`, "\"b\"\n"},
		{"s := []int{1, 2}; clear(s); s", "[0 0]\n"},
		{`m := map[string]int{"a": 1}; clear(m); len(m)`, "0\n"},
		{"func lo(a, b float64) float64 { return min(a, b) }; lo(2, 3)", "2\n"},
	}
	for _, c := range cases {
		if got := evalOK(t, s, out, c.src); got != c.want {
			t.Errorf("%s = %q, want %q", c.src, got, c.want)
		}
	}
	// After a type named T (yaegi takes a type parameter T for it) and in
	// a definition.
	evalOK(t, s, out, "type T struct{ A int }")
	if got := evalOK(t, s, out, "k := min(3, 1); k, max(2.5, 1), min(k, 0)"); got != "1 2.5 0\n" {
		t.Errorf("min and max after type T: %q", got)
	}
	// A user's own min wins.
	evalOK(t, s, out, "func min(a, b int) int { return 42 }")
	if got := evalOK(t, s, out, "min(1, 2)"); got != "42\n" {
		t.Errorf("user min: %q", got)
	}
}

// TestGoroutinePanic: an unrecovered panic in an interpreted goroutine kills
// a yaegi host; dbr-repl reports it and goes on.
func TestGoroutinePanic(t *testing.T) {
	s, out := newSession(t)
	evalOK(t, s, out, "done := make(chan bool)")
	got := evalOK(t, s, out, "go func() {\n\tdefer func() { done <- true }()\n\tvar a []int\n\t_ = a[3]\n}()\n<-done\ntime.Sleep(10 * time.Millisecond)")
	if !strings.Contains(got, "error in goroutine: runtime error: index out of range") {
		t.Errorf("goroutine panic: %q", got)
	}
	// Arguments are evaluated by the go statement, as in Go.
	evalOK(t, s, out, "res := make(chan int, 3)")
	evalOK(t, s, out, "func put(i int) { res <- i }")
	got = evalOK(t, s, out, "for i := 0; i < 3; i++ {\n\tgo put(i * 10)\n}\nsum := 0\nfor i := 0; i < 3; i++ {\n\tsum += <-res\n}\nsum")
	if got != "30\n" {
		t.Errorf("go with args: %q", got)
	}
	// Goroutines started inside a function are covered too.
	evalOK(t, s, out, "func spawn(c chan bool) { go func() { defer func() { c <- true }(); panic(\"inner\") }() }")
	got = evalOK(t, s, out, "c := make(chan bool); spawn(c); <-c; time.Sleep(10 * time.Millisecond)")
	if !strings.Contains(got, "error in goroutine: panic: inner") {
		t.Errorf("goroutine in func: %q", got)
	}
}

func TestUnsupported(t *testing.T) {
	s, out := newSession(t)
	got := evalErr(t, s, out, "func main() {}")
	if !strings.Contains(got, "not supported in dbr-repl: declaring func main") {
		t.Errorf("func main: %q", got)
	}
	got = evalErr(t, s, out, `import "slices"; slices.Max([]int{1, 2})`)
	if !strings.Contains(got, "not supported in dbr-repl: slices.Max") || !strings.Contains(got, "sort.Ints") {
		t.Errorf("slices.Max: %q", got)
	}
	got = evalErr(t, s, out, `import "iter"`)
	if !strings.Contains(got, "not supported in dbr-repl: package iter") {
		t.Errorf("import iter: %q", got)
	}
	// Range over a function crashes yaegi's type checker.
	got = evalErr(t, s, out, "func seq(yield func(int) bool) {}; for x := range seq { fmt.Println(x) }")
	if !strings.HasPrefix(got, "error: ") {
		t.Errorf("range over func: %q", got)
	}
}

// TestVarInterfaceInit: `var L I = v` at top level fails in yaegi with an
// interpreted v ("variable definition loop"); the REPL splits it.
func TestVarInterfaceInit(t *testing.T) {
	s, out := newSession(t)
	evalOK(t, s, out, "type S struct{}; func (S) String() string { return \"S!\" }")
	evalOK(t, s, out, "var st fmt.Stringer = S{}")
	if got := evalOK(t, s, out, "st.String()"); got != "\"S!\"\n" {
		t.Errorf("st.String() = %q", got)
	}
}

// TestLoopMemoryFlat: a training-like loop of 10,000 steps typed at the
// prompt must not keep its temporaries (yaegi keeps those of top-level
// statements; the REPL runs statements inside a function literal).
func TestLoopMemoryFlat(t *testing.T) {
	s, out := newSession(t)
	evalOK(t, s, out, "x := engine.Randn(64, 64); w := engine.Randn(64, 64).SetRequiresGrad(true)")
	heap := func() uint64 {
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	evalOK(t, s, out, "for i := 0; i < 100; i++ { l := x.MatMul(w).Sum(); l.Backward(); w.ZeroGrad() }")
	before := heap()
	evalOK(t, s, out, "for i := 0; i < 10000; i++ { l := x.MatMul(w).Sum(); l.Backward(); w.ZeroGrad() }")
	after := heap()
	// Each step allocates about 50 KB; keeping them would cost 500 MB.
	if after > before+4<<20 {
		t.Errorf("heap grew from %d to %d bytes over 10,000 steps", before, after)
	}
}

func TestInterrupt(t *testing.T) {
	s, out := newSession(t)
	evalOK(t, s, out, "x := engine.Ones(2, 2); counter := 0")
	for _, loop := range []string{
		"for { counter++ }",
		"for { x.Add(x) }",
		"select {}",
		"func rec(n int) int { return rec(n+1) + 1 }; for { time.Sleep(time.Millisecond) }",
	} {
		done := make(chan error)
		go func() { done <- s.Eval(context.Background(), loop) }()
		// Interrupt until the evaluation returns: the first call may come
		// before it started.
		var err error
	wait:
		for {
			select {
			case err = <-done:
				break wait
			default:
				s.Interrupt()
				runtime.Gosched()
			}
		}
		if err == nil || !strings.Contains(out.String(), "error: interrupted") {
			t.Errorf("%s: err %v, output %q", loop, err, out.String())
		}
		if got := evalOK(t, s, out, "x.Shape()"); got != "[2 2]\n" {
			t.Errorf("after interrupting %s: x.Shape() = %q", loop, got)
		}
	}
}

func TestSaveAndLoad(t *testing.T) {
	s, out := newSession(t)
	evalOK(t, s, out, "x := engine.Ones(2, 3)")
	evalOK(t, s, out, "func twice(t *engine.Tensor) *engine.Tensor { return t.MulScalar(2) }")
	evalOK(t, s, out, "x.Shape()")
	evalErr(t, s, out, "x.MatMul(x)")
	evalOK(t, s, out, "x := twice(x)")
	evalOK(t, s, out, "for i := 0; i < 2; i++ { fmt.Println(i) }")
	evalOK(t, s, out, "x.Sum().Item()")
	// A function defined again is saved once, as last defined; one that
	// failed is not saved.
	evalOK(t, s, out, "func half() float64 { return 0.25 }")
	evalErr(t, s, out, "func half() float64 { return nope }")
	evalOK(t, s, out, "func half() float64 { return 0.5 }")
	src, err := s.SaveSource()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"package main", `"github.com/dbr-go/dbr/engine"`, `"fmt"`,
		"func twice(", "x := engine.Ones(2, 3)", "fmt.Println(x.Shape())", "x = twice(x)", "fmt.Println(x.Sum().Item())",
		"return 0.5"} {
		if !strings.Contains(string(src), want) {
			t.Errorf("saved source lacks %q:\n%s", want, src)
		}
	}
	if strings.Count(string(src), "func half") != 1 || strings.Contains(string(src), "_dbr") {
		t.Errorf("saved source has half other than once as last defined, or the REPL's rewrites:\n%s", src)
	}
	if strings.Contains(string(src), "MatMul") {
		t.Errorf("saved source keeps a failed line:\n%s", src)
	}
	file := filepath.Join(t.TempDir(), "saved.go")
	if err := os.WriteFile(file, src, 0o644); err != nil {
		t.Fatal(err)
	}
	s2, out2 := newSession(t)
	out2.Reset()
	if err := s2.LoadFile(context.Background(), file); err != nil {
		t.Fatalf("loading the saved file: %v\n%s\n%s", err, out2.String(), src)
	}
	if got, want := out2.String(), "[2 3]\n0\n1\n12\n"; got != want {
		t.Errorf("saved session printed %q, want %q", got, want)
	}
	// The loaded globals stay, and func main was not declared.
	if got := evalOK(t, s2, out2, "twice(engine.Ones(1)).Item()"); got != "2\n" {
		t.Errorf("after load: %q", got)
	}
}

func TestLoadBadFile(t *testing.T) {
	s, out := newSession(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.go")
	os.WriteFile(bad, []byte("package main\n\nfunc main() {\n\tx := undefinedThing\n\t_ = x\n}\n"), 0o644)
	if err := s.LoadFile(context.Background(), bad); err == nil {
		t.Fatal("loading a file that does not compile succeeded")
	}
	if !strings.Contains(out.String(), "undefined: undefinedThing") {
		t.Errorf("output %q", out.String())
	}
	syn := filepath.Join(dir, "syn.go")
	os.WriteFile(syn, []byte("package main\n\nfunc main() {\n\tx := \n}\n"), 0o644)
	out.Reset()
	if err := s.LoadFile(context.Background(), syn); err == nil || !strings.Contains(out.String(), "syn.go:5:1") {
		t.Errorf("syntax error: %v %q", err, out.String())
	}
	out.Reset()
	if err := s.RunCommand(context.Background(), ":load "+filepath.Join(dir, "missing.go")); err == nil {
		t.Error("loading a missing file succeeded")
	}
	if n := strings.Count(out.String(), "no such file"); n != 1 {
		t.Errorf("a missing file is reported %d times: %q", n, out.String())
	}
	// Blank lines and comments in func main do not shift the line of an error.
	gap := filepath.Join(dir, "gap.go")
	os.WriteFile(gap, []byte("package main\n\nfunc main() {\n\t// a comment\n\n\tprintln()\n\n\tvar x int = \"s\"\n\t_ = x\n}\n"), 0o644)
	out.Reset()
	if err := s.LoadFile(context.Background(), gap); err == nil || !strings.Contains(out.String(), "in: "+gap+":8: var x int = \"s\"") {
		t.Errorf("error in gap.go should be on line 8: %v %q", err, out.String())
	}
	evalOK(t, s, out, "1 + 1")
}

func TestComplete(t *testing.T) {
	s, out := newSession(t)
	evalOK(t, s, out, "xs := engine.Ones(2); type M struct{ W *engine.Tensor }; func (m *M) Forward() {}; mm := &M{W: xs}; counter := 1")
	cases := []struct {
		before, prefix string
		want           []string
		not            []string
	}{
		{"engine.Ra", "Ra", []string{"Rand", "Randn"}, nil},
		{"x := engine.Zer", "Zer", []string{"Zeros", "ZerosLike"}, nil},
		{"xs.Sh", "Sh", []string{"Shape("}, nil},
		{"mm.W.Su", "Su", []string{"Sum("}, nil},
		{"mm.", "", []string{"W", "Forward("}, nil},
		{"cou", "cou", []string{"counter"}, nil},
		{":va", ":va", []string{":vars"}, nil},
		{"fmt.Print", "Print", []string{"Print", "Printf", "Println"}, nil},
		{"\t", "", nil, nil},
		{"    ", "", nil, nil},
		{"x := 1 + ", "", nil, nil},
		{"for i := 0; i < 3; i++ {\n\t", "", nil, nil},
		// After a call or an index, from the static types.
		{"engine.Randn(2, 3).Sof", "Sof", []string{"Softmax("}, nil},
		{"y := nn.NewFlatten().", "", []string{"Forward("}, nil},
		{"nn.NewLinear(2, engine.Ones(3).Numel()).Weight.Sh", "Sh", []string{"Shape("}, nil},
		{"xs.Shape()[0].", "", nil, nil},
		{"f(mm.W.T().MatMul(xs)).Sh", "", nil, nil},
		{"mm.W.T().MatMul(xs).Sh", "Sh", []string{"Shape("}, nil},
	}
	for _, c := range cases {
		prefix, got := s.Complete(c.before)
		if prefix != c.prefix {
			t.Errorf("Complete(%q) prefix %q, want %q", c.before, prefix, c.prefix)
		}
		if c.want == nil && len(got) > 0 {
			t.Errorf("Complete(%q) = %q, want nothing", c.before, got)
		}
		for _, w := range c.want {
			found := false
			for _, g := range got {
				found = found || g == w
			}
			if !found {
				t.Errorf("Complete(%q) = %q, want it to include %q", c.before, got, w)
			}
		}
	}
}

func TestCommands(t *testing.T) {
	s, out := newSession(t)
	evalOK(t, s, out, "x := engine.Zeros(3, 4); n := 2")
	ctx := context.Background()
	out.Reset()
	if err := s.RunCommand(ctx, ":vars"); err != nil || out.String() != "n int\nx *engine.Tensor shape [3 4]\n" {
		t.Errorf(":vars: %v %q", err, out.String())
	}
	out.Reset()
	if err := s.RunCommand(ctx, ":type x.Sum()"); err != nil || out.String() != "*engine.Tensor\n" {
		t.Errorf(":type: %v %q", err, out.String())
	}
	out.Reset()
	s.RunCommand(ctx, ":reset")
	if err := s.Eval(ctx, "x"); err == nil {
		t.Error(":reset kept x")
	}
	out.Reset()
	if err := s.RunCommand(ctx, ":bogus"); err == nil || !strings.Contains(out.String(), "unknown command :bogus") {
		t.Errorf(":bogus: %v %q", err, out.String())
	}
	s.AddCommand(Command{Name: "zzecho", Args: "TEXT", Help: "echo", Run: func(_ context.Context, s *Session, a string) error {
		_, err := s.Stdout().Write([]byte(a + "\n"))
		return err
	}})
	out.Reset()
	if err := s.RunCommand(ctx, ":zzecho hi there"); err != nil || out.String() != "hi there\n" {
		t.Errorf("registered command: %v %q", err, out.String())
	}
	if s.RunCommand(ctx, ":quit"); !s.Quitting() {
		t.Error(":quit did not quit")
	}
}

// TestRecursionLimit: unbounded recursion in interpreted code would end in
// Go's fatal stack overflow, which no recover catches.
func TestRecursionLimit(t *testing.T) {
	s, out := newSession(t)
	got := evalErr(t, s, out, "func f(n int) int { return f(n+1) + 1 }; f(0)")
	if !strings.Contains(got, "stack overflow: more than 5000 nested calls") {
		t.Errorf("infinite recursion: %q", got)
	}
	evalOK(t, s, out, "type T struct{}; func (t *T) M(n int) int { if n == 0 { return 0 }; return t.M(n-1) + 1 }")
	if got := evalOK(t, s, out, "(&T{}).M(4000)"); got != "4000\n" {
		t.Errorf("deep recursion within the limit: %q", got)
	}
	if got := evalOK(t, s, out, "(&T{}).M(3)"); got != "3\n" {
		t.Errorf("after the limit was hit: %q", got)
	}
}

func TestDoc(t *testing.T) {
	s, out := newSession(t)
	evalOK(t, s, out, "x := engine.Ones(2)")
	for _, name := range []string{"engine.Zeros", "Tensor.MatMul", "x.MatMul", "engine.Tensor.MatMul"} {
		out.Reset()
		if err := s.RunCommand(context.Background(), ":doc "+name); err != nil {
			t.Errorf(":doc %s: %v", name, err)
			continue
		}
		if !strings.HasPrefix(out.String(), "func ") || len(strings.Split(out.String(), "\n")) < 3 {
			t.Errorf(":doc %s printed %q", name, out.String())
		}
	}
	out.Reset()
	if err := s.RunCommand(context.Background(), ":doc NoSuchThing"); err == nil || !strings.Contains(out.String(), "no documentation for NoSuchThing") {
		t.Errorf(":doc NoSuchThing: %v %q", err, out.String())
	}
}

// TestDefineFrees: a top-level definition keeps neither its temporaries
// nor, when it redefines a variable of the same type, the old value.
func TestDefineFrees(t *testing.T) {
	s, out := newSession(t)
	heap := func() uint64 {
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	evalOK(t, s, out, "keep := engine.Ones(3)")
	evalOK(t, s, out, "x := engine.Zeros(500, 500).AddScalar(1)")
	before := heap()
	for i := 0; i < 20; i++ {
		// Each evaluation makes a 1 MB temporary and a 1 MB x.
		evalOK(t, s, out, "x := engine.Zeros(500, 500).AddScalar(1)")
	}
	after := heap()
	if after > before+4<<20 {
		t.Errorf("20 redefinitions of x kept %d KB (each makes 2 MB, of which only the last x stays)", (after-before)>>10)
	}
	if got := evalOK(t, s, out, "x.Sum().Item(), keep.Sum().Item()"); got != "250000 3\n" {
		t.Errorf("after the redefinitions: %q", got)
	}
	evalOK(t, s, out, "f := func() int { return int(keep.Sum().Item()) * 2 }")
	if got := evalOK(t, s, out, "f()"); got != "6\n" {
		t.Errorf("a closure defined at top level: %q", got)
	}
}

func newSessionOnly(t *testing.T) *Session {
	s, _ := newSession(t)
	return s
}

// TestEmbeddedCompiledType: a struct typed at the prompt that embeds a
// compiled pointer type with methods cannot be converted to a non-empty
// interface by Go's runtime (a fatal error, not a panic); printing it, :vars
// and completion must not try.
func TestEmbeddedCompiledType(t *testing.T) {
	s, out := newSession(t)
	evalOK(t, s, out, "type E struct{ *engine.Tensor; N int }; e := E{engine.Ones(2), 3}; type M struct{ *nn.Linear }; m := &M{nn.NewLinear(2, 2)}")
	cases := []struct{ src, want string }{
		{"e", "E{Tensor: tensor([1 1], shape=[2]), N: 3}\n"},
		{"&e", "&E{Tensor: tensor([1 1], shape=[2]), N: 3}\n"},
		{"e.Sum().Item()", "2\n"},
		{"m.Forward(engine.Ones(1, 2)).Shape()", "[1 2]\n"},
	}
	for _, c := range cases {
		if got := evalOK(t, s, out, c.src); got != c.want {
			t.Errorf("%s printed %q, want %q", c.src, got, c.want)
		}
	}
	out.Reset()
	s.RunCommand(context.Background(), ":vars")
	if !strings.Contains(out.String(), "e E\n") || !strings.Contains(out.String(), "m *M\n") {
		t.Errorf(":vars: %q", out.String())
	}
	s.Complete("e.")
	s.Complete("m.")
	evalErr(t, s, out, "fmt.Println(e)") // yaegi panics (method not found: String): an error, not a crash
	evalOK(t, s, out, "1")
}

// TestDefineFieldAlias: clearing temporaries must not write through a slot
// that aliases a struct field.
func TestDefineFieldAlias(t *testing.T) {
	s, out := newSession(t)
	evalOK(t, s, out, "lin := nn.NewLinear(2, 3)")
	evalOK(t, s, out, "w := lin.Weight")
	evalOK(t, s, out, "b := lin.Bias.MulScalar(1)")
	if got := evalOK(t, s, out, "lin.Weight != nil, w == lin.Weight, lin.Forward(engine.Ones(1, 2)).Shape()"); got != "true true [1 3]\n" {
		t.Errorf("after w := lin.Weight: %q", got)
	}
}

// TestUserString: a value of a type declared at the prompt prints with its
// String method, which compiled code (fmt) cannot see.
func TestUserString(t *testing.T) {
	s, out := newSession(t)
	evalOK(t, s, out, "type MLP struct{ Fc1 *nn.Linear }; func (m *MLP) String() string { return \"MLP(2-2)\" }")
	evalOK(t, s, out, "type V struct{ A int }; func (v V) String() string { return fmt.Sprint(\"V=\", v.A) }")
	cases := []struct{ src, want string }{
		{"&MLP{nn.NewLinear(2, 2)}", "MLP(2-2)\n"},
		{"V{3}", "V=3\n"},
		{"&V{4}", "V=4\n"},
		{"V{5}, 6", "V=5 6\n"},
	}
	for _, c := range cases {
		if got := evalOK(t, s, out, c.src); got != c.want {
			t.Errorf("%s printed %q, want %q", c.src, got, c.want)
		}
	}
	if _, ok := s.Global("_dbrLast"); !ok {
		t.Fatal("no _dbrLast")
	}
	if v, _ := s.Global("_dbrLast"); !v.IsZero() {
		t.Error("_dbrLast keeps the last value")
	}
}

// TestHostPanics: panics in the REPL's own code around the interpreter
// (printing, commands, hooks) are reported, not fatal.
func TestHostPanics(t *testing.T) {
	s, out := newSession(t)
	// (*nn.Linear)(nil).String() dereferences nil: printing survives and
	// says <nil>, as fmt does.
	evalOK(t, s, out, "var l *nn.Linear")
	if got := evalOK(t, s, out, "l"); got != "<nil>\n" {
		t.Errorf("printing a nil *nn.Linear: %q", got)
	}
	s.AddCommand(Command{Name: "zzpanic", Help: "panics", Run: func(context.Context, *Session, string) error { panic("boom") }})
	out.Reset()
	if err := s.RunCommand(context.Background(), ":zzpanic"); err == nil || !strings.Contains(out.String(), ":zzpanic failed: panic: boom") {
		t.Errorf("a panicking command: %v %q", err, out.String())
	}
	evalOK(t, s, out, "1")
}
