package repl

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// A generic function that calls itself is refused: a panic inside it sent
// yaegi round its code until Go's fatal stack overflow.
func TestGenericRecursionRefused(t *testing.T) {
	s, out := newSession(t)
	for _, src := range []string{
		"func H[T any](n int, x T) int { if n == 0 { panic(\"deep\") }; return H(n-1, x) }",
		"func H[T any](n int, x T) int { if n == 0 { return 0 }; return H[T](n-1, x) + 1 }",
	} {
		wantErrWithin(t, s, out, src, "H is a generic function that calls itself")
	}
	// A function's name used as a type in its own signature sent yaegi's
	// type resolution round it forever.
	for _, src := range []string{
		"func A(x ...A) int { return 0 }",
		"func A[T any](x T) A { return nil }",
		"func A[T int8|t](x...A) T { var s T; for _, x= range x{ s += x }; return s }",
	} {
		wantErrWithin(t, s, out, src, "A is a function, used as a type in its own signature")
	}
	// A parameter may have the function's name.
	evalOK(t, s, out, "func f(f int) int { return f + 1 }")
	if got := evalOK(t, s, out, "f(1)"); got != "2\n" {
		t.Errorf("f(1) printed %q, want 2", got)
	}
	// One that does not call itself panics as any other function.
	evalOK(t, s, out, "func G[T any](x T) T { panic(\"boom\") }")
	wantErrWithin(t, s, out, "G(1)", "panic: boom")
}

// The recursion guard counts per goroutine: goroutines blocked inside
// interpreted calls do not add up to a false overflow of another.
func TestDepthPerGoroutine(t *testing.T) {
	s, out := newSession(t)
	evalOK(t, s, out, "ch := make(chan int)\nvar wg sync.WaitGroup\nfunc wait() { wg.Done(); <-ch }\nfunc one() int { return 1 }")
	evalOK(t, s, out, "wg.Add(6000)\nfor i := 0; i < 6000; i++ { go wait() }\nwg.Wait()")
	if got := evalOK(t, s, out, "one()"); got != "1\n" {
		t.Errorf("one() with 6000 goroutines blocked printed %q, want 1", got)
	}
	evalOK(t, s, out, "close(ch)")
	// A recursion still stops, on any goroutine.
	evalOK(t, s, out, "func down(n int) int { return down(n+1) + 1 }")
	wantErrWithin(t, s, out, "down(0)", "stack overflow: more than 5000 nested calls")
}

// The count is not reset by later inputs: a goroutine that recurses one
// level per token it receives, fed by many inputs, is stopped at the bound.
func TestDepthAcrossInputs(t *testing.T) {
	s, out := newSession(t)
	evalOK(t, s, out, "step := make(chan bool)\nfunc climb(n int) int { <-step; return climb(n+1) + 1 }\ngo climb(0)")
	feed := "for i := 0; i < 250; i++ { select { case step <- true: case <-time.After(time.Second): return } }"
	for i := 0; i < 40; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		s.Eval(ctx, feed)
		cancel()
		if strings.Contains(out.String(), "stack overflow: more than 5000 nested calls") {
			return
		}
	}
	t.Fatalf("10,000 levels of recursion over 40 inputs were not stopped:\n%s", out.String())
}

// Starting goroutines in a loop is ordinary code: yaegi starting its own
// function literals as goroutines killed about 1 run in 8 of this loop
// ("reflect.Value.Call: call of nil function" on a new goroutine), on the
// first run in a session; go statements now start in compiled code.
func TestGoroutinesInALoop(t *testing.T) {
	for i := 0; i < 16; i++ {
		s, out := newSession(t)
		evalOK(t, s, out, "var wg sync.WaitGroup\nwg.Add(2000)\nfor i := 0; i < 2000; i++ { go func() { defer wg.Done(); _ = i }() }\nwg.Wait()")
	}
	s, out := newSession(t)
	evalOK(t, s, out, "go func() { panic(\"boom\") }(); time.Sleep(50 * time.Millisecond)")
	if got := out.String(); got != "error in goroutine: panic: boom\n" {
		t.Errorf("a goroutine's panic printed %q", got)
	}
}

// A recursion past the bound is stopped wherever it runs, and unwound as a
// panic is: every deferred call of the stopped calls runs, a definition
// that recursed defines nothing, the count of calls in progress comes back
// to what it was, and the session goes on. (On the session's own
// goroutines it unwinds with runtime.Goexit: a panic through yaegi's
// frames took time quadratic in the depth, 11 to 23 s through a function
// literal.)
func TestRecursionStopped(t *testing.T) {
	s, out := newSession(t)
	evalOK(t, s, out, "unwound := 0\nv := 7\nvar g func(int) int\ng = func(n int) int { defer func() { unwound++ }(); return g(n+1) + 1 }\n"+
		"func down(n int) int { defer func() { unwound++ }(); return down(n+1) + 1 }\ntype R struct{}\nfunc (r R) M(n int) int { return r.M(n+1) }")
	before := inCalls.Load()
	const overflow = "error: call: stack overflow: more than 5000 nested calls"
	for _, src := range []string{"g(0)", "down(0)", "v := g(0)", "R{}.M(0)", "engine.NoGrad(func() { down(0) })", "v := down(0)"} {
		evalOK(t, s, out, "unwound = 0")
		got := evalErr(t, s, out, src)
		if !strings.HasPrefix(got, overflow) {
			t.Errorf("%s: %q", src, got)
		}
		if strings.Contains(src, "down(0)") && !strings.Contains(got, "at: line 1 of down") {
			t.Errorf("%s: the error does not say where: %q", src, got)
		}
		// A failed statement gives unwound its old value back; a
		// definition does not, and shows the 5,000 deferred calls ran.
		want := "0 7\n"
		if strings.HasPrefix(src, "v :=") {
			want = "5000 7\n"
		}
		if got := evalOK(t, s, out, "unwound, v"); got != want {
			t.Errorf("after %s: unwound, v = %q, want %q", src, got, want)
		}
		if n := inCalls.Load(); n != before {
			t.Errorf("after %s: %d interpreted calls in progress, want %d", src, n, before)
		}
	}
	// In a goroutine of a go statement: its error is reported.
	out.Reset()
	evalOK(t, s, out, "done := make(chan bool)\ngo func() { defer close(done); g(0) }()\n<-done")
	if err := waitFor(out, "error in goroutine: call: stack overflow: more than 5000 nested calls"); err != nil {
		t.Error(err)
	}
	if n := inCalls.Load(); n != before {
		t.Errorf("after the goroutine: %d interpreted calls in progress, want %d", n, before)
	}
}

// waitFor waits until out holds want (a goroutine's report comes after the
// input that started it), for at most 10 s.
func waitFor(out *syncBuffer, want string) error {
	for i := 0; i < 200; i++ {
		if strings.Contains(out.String(), want) {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("the output never held %q: %q", want, out.String())
}
