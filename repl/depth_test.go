package repl

import (
	"context"
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
