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

// bigSession returns a session after about 300 inputs: 30 types with two
// methods each, 60 functions, and 150 variables (tensors, numbers, values
// of the types), one input each.
func bigSession(b *testing.B) *Session {
	s, out := newSession(b)
	ctx := context.Background()
	var inputs []string
	for i := 0; i < 30; i++ {
		inputs = append(inputs,
			fmt.Sprintf("type T%d struct{ W *engine.Tensor; N int }", i),
			fmt.Sprintf("func (t *T%d) Forward(x *engine.Tensor) *engine.Tensor { return x.MatMul(t.W) }", i),
			fmt.Sprintf("func (t *T%d) Size() int { return t.N + %d }", i, i))
	}
	for i := 0; i < 60; i++ {
		inputs = append(inputs, fmt.Sprintf("func f%d(x *engine.Tensor) float64 { return x.Sum().Item() * %d }", i, i))
	}
	for i := 0; i < 50; i++ {
		inputs = append(inputs,
			fmt.Sprintf("x%d := engine.Randn(10, 10)", i),
			fmt.Sprintf("n%d := %d", i, i),
			fmt.Sprintf("m%d := &T%d{W: x%d, N: %d}", i, i%30, i, i))
	}
	for _, in := range inputs {
		if err := s.Eval(ctx, in); err != nil {
			b.Fatalf("%s: %v\n%s", in, err, out.String())
		}
	}
	return s
}

// BenchmarkRebuild is a function defined again in a session of about 300
// inputs: a rebuild of the interpreter (its record of 150 declarations, its
// 150 variables declared and carried over).
func BenchmarkRebuild(b *testing.B) {
	s := bigSession(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := s.Eval(ctx, fmt.Sprintf("func f0(x *engine.Tensor) float64 { return %d }", i)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDefine is a variable defined again (same type) in that session.
func BenchmarkDefine(b *testing.B) {
	s := bigSession(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := s.Eval(ctx, "x0 := engine.Randn(10, 10)"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDeclareNew is a new function declared in that session (in place,
// no rebuild).
func BenchmarkDeclareNew(b *testing.B) {
	s := bigSession(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := s.Eval(ctx, fmt.Sprintf("func g%d() int { return %d }", i, i)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLineBig is BenchmarkLine in that session (every statement keeps
// the values of its 150 variables, to restore them if it fails).
func BenchmarkLineBig(b *testing.B) {
	s := bigSession(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := s.Eval(ctx, "n0 = n1 + 1"); err != nil {
			b.Fatal(err)
		}
	}
}
