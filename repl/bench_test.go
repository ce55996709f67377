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
