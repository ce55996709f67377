package repl

import (
	"context"
	"fmt"
	"testing"

	"github.com/dbr-go/dbr/engine"
)

// BenchmarkOpCompiled is the cost of the op itself: x.Add(y) on 2x3 tensors
// in compiled Go.
func BenchmarkOpCompiled(b *testing.B) {
	x, y := engine.Ones(2, 3), engine.Ones(2, 3)
	var z *engine.Tensor
	for i := 0; i < b.N; i++ {
		z = x.Add(y)
	}
	_ = z
}

// BenchmarkOpInterpreted is the same op in code typed at the prompt (a loop,
// so that the measure is per op, not per line). The overhead of the REPL per
// tensor op is this minus BenchmarkOpCompiled; it must stay under 2 µs.
func BenchmarkOpInterpreted(b *testing.B) {
	s, out := newSession(b)
	if err := s.Eval(context.Background(), "x, y := engine.Ones(2, 3), engine.Ones(2, 3); var z *engine.Tensor"); err != nil {
		b.Fatal(err, out.String())
	}
	src := fmt.Sprintf("for i := 0; i < %d; i++ { z = x.Add(y) }", b.N)
	b.ResetTimer()
	if err := s.Eval(context.Background(), src); err != nil {
		b.Fatal(err, out.String())
	}
}

// BenchmarkLine is one line typed at the prompt, end to end: split, parse,
// rewrite, compile and run `z = x.Add(y)`.
func BenchmarkLine(b *testing.B) {
	s, out := newSession(b)
	if err := s.Eval(context.Background(), "x, y := engine.Ones(2, 3), engine.Ones(2, 3); var z *engine.Tensor"); err != nil {
		b.Fatal(err, out.String())
	}
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := s.Eval(ctx, "z = x.Add(y)"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStartup is the time to a ready session (dbr-repl's startup,
// without the terminal).
func BenchmarkStartup(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := New(Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRecursionLimit is the time from an unbounded recursion of a named
// function to its error (maxDepth calls, then the unwinding).
func BenchmarkRecursionLimit(b *testing.B) {
	benchEval(b, "func f(n int) int { return f(n+1) + 1 }", "f(0)", true)
}

// BenchmarkClosureRecursionLimit is BenchmarkRecursionLimit through a
// function literal.
func BenchmarkClosureRecursionLimit(b *testing.B) {
	benchEval(b, "var g func(int) int\ng = func(n int) int { return g(n+1) + 1 }", "g(0)", true)
}

// benchEval evaluates src b.N times in a session prepared by setup; src
// must fail when wantErr is set and succeed otherwise.
func benchEval(b *testing.B, setup, src string, wantErr bool) {
	s, out := newSession(b)
	ctx := context.Background()
	if err := s.Eval(ctx, setup); err != nil {
		b.Fatal(err, out.String())
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := s.Eval(ctx, src); (err != nil) != wantErr {
			b.Fatalf("error %v, want an error: %v; %s", err, wantErr, out.String())
		}
	}
}

// BenchmarkCalls is 21,891 calls of an interpreted named function (fib(20)).
func BenchmarkCalls(b *testing.B) {
	benchEval(b, "func fib(n int) int { if n < 2 { return n }; return fib(n-1) + fib(n-2) }", "_ = fib(20)", false)
}

// BenchmarkCallbacks is about 1,000 calls of an interpreted function literal
// from compiled code (sort.Slice of 100 ints).
func BenchmarkCallbacks(b *testing.B) {
	benchEval(b, "a := make([]int, 100)", "for i := range a { a[i] = i * 37 % 100 }\nsort.Slice(a, func(i, j int) bool { return a[i] < a[j] })", false)
}

// BenchmarkClosureCalls is BenchmarkCalls through a function literal.
func BenchmarkClosureCalls(b *testing.B) {
	benchEval(b, "var fibc func(int) int\nfibc = func(n int) int { if n < 2 { return n }; return fibc(n-1) + fibc(n-2) }", "_ = fibc(20)", false)
}
