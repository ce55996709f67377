package repl

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// evalWithin evaluates src and fails the test if it has not returned after
// a minute (an evaluation that hangs); it returns the output and the error.
func evalWithin(t *testing.T, s *Session, out *syncBuffer, src string) (string, error) {
	t.Helper()
	out.Reset()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := s.Eval(ctx, src)
	if ctx.Err() != nil {
		t.Fatalf("Eval(%q) hung\noutput:\n%s", src, out.String())
	}
	return out.String(), err
}

// A call of an unexported field of a compiled struct deadlocks yaegi; it is
// refused before evaluation, wherever the receiver's type can be worked out.
func TestUnexportedFieldCallRefused(t *testing.T) {
	s, out := newSession(t)
	evalOK(t, s, out, "x := engine.Randn(2)")
	for _, c := range []struct{ src, want string }{
		{"x.shape()", "x.Shape()"},
		{"x.grad()", "x.Grad()"},
		{"n := len(x.shape())", "x.Shape()"},
		{"func g() []int { return x.shape() }", "x.Shape()"},
		{"func g(t *engine.Tensor) { t.shape() }", "t.Shape()"},
		{"y := engine.Randn(3)\ny.shape()", "y.Shape()"},
		{"x.MatMul(x).shape()", "x.MatMul(x).Shape()"},
		{"ts := []*engine.Tensor{x}; ts[0].shape()", "ts[0].Shape()"},
		{"type E struct{ *engine.Tensor }\ne := E{x}\ne.shape()", "e.Shape()"},
	} {
		wantErrWithin(t, s, out, c.src, "Go methods are capitalised and called: "+c.want)
	}
	// In a loaded file too.
	f := filepath.Join(t.TempDir(), "f.go")
	if err := os.WriteFile(f, []byte("package main\n\nfunc main() {\n\tt := engine.Ones(2)\n\t_ = t.shape()\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := s.LoadFile(context.Background(), f); err == nil || !strings.Contains(out.String(), "t.Shape()") {
		t.Errorf(":load of t.shape(): %v\n%s", err, out.String())
	}
	// A user's own lowercase field and method calls are not touched.
	evalOK(t, s, out, "type M struct{ act func(int) int }")
	if got := evalOK(t, s, out, "m := M{func(i int) int { return i + 1 }}; m.act(2)"); got != "3\n" {
		t.Errorf("m.act(2) printed %q, want 3", got)
	}
	evalOK(t, s, out, "type W struct{ *engine.Tensor }\nfunc (w W) shape() int { return 7 }")
	if got := evalOK(t, s, out, "W{x}.shape()"); got != "7\n" {
		t.Errorf("W{x}.shape() printed %q, want 7", got)
	}
}

// Where the receiver's type is not known before evaluation, the watchdog
// finds yaegi deadlocked, ends the evaluation, and the session goes on.
func TestWatchdogEndsYaegiDeadlock(t *testing.T) {
	s, out := newSession(t)
	wantErrWithin(t, s, out, "x := func() *engine.Tensor { return engine.Randn(2) }().shape()",
		"the interpreter deadlocked", "in: x := func()")
	wantErrWithin(t, s, out, "func() *engine.Tensor { return engine.Randn(2) }().shape()",
		"the interpreter deadlocked", "in: func()")
	for _, src := range []string{"x := 5", "x + 1"} {
		if _, err := evalWithin(t, s, out, src); err != nil {
			t.Fatalf("after the deadlocks, %s: %v\n%s", src, err, out.String())
		}
	}
	if got := out.String(); got != "6\n" {
		t.Errorf("x + 1 printed %q, want 6", got)
	}
}

// With StallTimeout, a statement during which the process uses no CPU ends
// with an error naming it; one that computes is not stopped.
func TestStallTimeout(t *testing.T) {
	out := &syncBuffer{}
	s, err := New(Options{Stdout: out, Stderr: out, StallTimeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	wantErrWithin(t, s, out, "ch := make(chan int)\n<-ch", "no progress for", "in: line 2: <-ch")
	wantErrWithin(t, s, out, "var mu sync.Mutex; mu.Lock(); mu.Lock()", "no progress for")
	wantErrWithin(t, s, out, "go func() { select {} }()\nselect {}", "no progress for", "in: line 2: select {}")
	// Busy for several times the limit: not stalled.
	s.opt.StallTimeout = time.Second
	got, err := evalWithin(t, s, out, "n := 0\nfor i := 0; i < 40000000; i++ { n += i % 3 }\nn")
	if err != nil {
		t.Fatalf("a computing loop was stopped: %v\n%s", err, got)
	}
	if got != "39999999\n" {
		t.Errorf("the loop printed %q, want 39999999", got)
	}
}

// Names starting with _dbr are the helpers'; declaring one is refused.
func TestReservedNames(t *testing.T) {
	s, out := newSession(t)
	for _, src := range []string{
		"func _dbrGoRecover() {}",
		"_dbr := 1",
		"var _dbrLine = 3",
		"type _dbrT int",
		"func f(_dbr int) int { return _dbr }",
		"for _, _dbrX := range []int{1} { _ = _dbrX }",
		"(func() { _dbr := 2; _ = _dbr })()",
	} {
		wantErrWithin(t, s, out, src, "reserved name")
	}
	// The guards still work: a goroutine's panic is reported, not fatal.
	evalOK(t, s, out, "go func() { panic(\"boom\") }(); time.Sleep(50 * time.Millisecond)")
	if got := out.String(); !strings.Contains(got, "error in goroutine: panic: boom") {
		t.Errorf("the goroutine's panic was not reported:\n%s", got)
	}
}
