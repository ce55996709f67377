package repl

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestCallbackPanicOnForeignGoroutine: a function typed at the prompt that
// compiled code calls on a goroutine of its own (sync.WaitGroup.Go,
// time.AfterFunc) and that panics is reported; the process and the session
// survive. Before the guard, each of these killed the test binary.
func TestCallbackPanicOnForeignGoroutine(t *testing.T) {
	s, out := newSession(t)
	evalOK(t, s, out, "x := 7\nvar wg sync.WaitGroup\nfunc named() { var a []int; _ = a[3] }\nfv := func() { panic(\"from a variable\") }\ntype Cfg struct{ Done func() }\ncfg := &Cfg{Done: func() { panic(\"from a field\") }}")
	const by = "error in the function passed to wg.Go, on its own goroutine (the session goes on): "
	for _, c := range []struct{ src, want string }{
		{"wg.Go(func() { panic(\"cb\") })", "panic: cb"},
		{"wg.Go(named)", "runtime error: index out of range"},
		{"wg.Go(fv)", "panic: from a variable"},
		{"wg.Go(cfg.Done)", "panic: from a field"},
		{"wg.Go(runtime.Gosched)", ""},
		{"{\n\tlocal := func() { panic(\"local\") }\n\twg.Go(local)\n}", "panic: local"},
		{"wg.Go(func() {\n\tvar r func(int) int\n\tr = func(n int) int { return r(n+1) + 1 }\n\tr(0)\n})", "call: stack overflow: more than 5000 nested calls"},
	} {
		got := evalOK(t, s, out, c.src+"\nwg.Wait()")
		if c.want == "" {
			if got != "" {
				t.Errorf("%s: printed %q", c.src, got)
			}
			continue
		}
		if !strings.HasPrefix(got, by+c.want) || strings.Count(got, "\n") != 1 {
			t.Errorf("%s: printed %q, want %q", c.src, got, by+c.want+"…")
		}
	}
	// time.AfterFunc runs the function later: wait for the report.
	out.Reset()
	if err := s.Eval(context.Background(), "time.AfterFunc(time.Millisecond, func() { panic(\"timer\") })"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(out.String(), "panic: timer") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := out.String(); !strings.Contains(got, "error in the function passed to time.AfterFunc, on its own goroutine (the session goes on): panic: timer\n") {
		t.Errorf("time.AfterFunc: %q", got)
	}
	if got := evalOK(t, s, out, "x"); got != "7\n" {
		t.Errorf("x after the callbacks: %q", got)
	}
}

// TestCallbackPanicOnSameGoroutine: a function passed to compiled code that
// calls it on the interpreter's goroutine fails the line as before, with the
// message of the op.
func TestCallbackPanicOnSameGoroutine(t *testing.T) {
	s, out := newSession(t)
	evalOK(t, s, out, "x := 7")
	got := evalErr(t, s, out, "engine.NoGrad(func() { engine.Ones(2).Add(engine.Ones(3)) })")
	if !strings.HasPrefix(got, "error: Add: [2], [3]: sizes 2 and 3 at dim -1 do not broadcast") {
		t.Errorf("NoGrad: %q", got)
	}
	got = evalErr(t, s, out, "sort.Slice([]int{2, 1}, func(i, j int) bool { panic(\"less\") })")
	if !strings.HasPrefix(got, "error: panic: less\n") {
		t.Errorf("sort.Slice: %q", got)
	}
	// A recover of the user's own still sees the panic.
	if got := evalOK(t, s, out, "func() (r interface{}) { defer func() { r = recover() }(); engine.NoGrad(func() { panic(\"mine\") }); return nil }()"); got != "mine\n" {
		t.Errorf("recover around NoGrad: %q", got)
	}
	if got := evalOK(t, s, out, "x"); got != "7\n" {
		t.Errorf("x: %q", got)
	}
}
