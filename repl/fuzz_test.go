package repl

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// fuzzSeeds are inputs that have crashed or hung yaegi hosts, and ordinary
// REPL input for the fuzzer to mutate.
var fuzzSeeds = []string{
	"x := engine.Ones(2, 3)",
	"x.MatMul(x)",
	"m := map[string]int{}; v, ok := m[\"a\"]",
	"var i interface{} = 1; s, ok := i.(string)",
	"ch := make(chan int); close(ch); v, ok := <-ch",
	"for i := range 10 { _ = i }",
	"for x := range func(yield func(int) bool) {} { _ = x }",
	"min(1, 2); max(3.5, 1); clear(map[int]int{})",
	"go func() { panic(1) }()",
	"func main() {}",
	"func(){}()",
	"import \"iter\"",
	"type T struct{ A int }; var t *T; t.A",
	"var a []int; a[3]",
	"x.",
	"for {",
	"/* unterminated",
	"`raw",
	"\"str",
	"}}}",
	"((((",
	"var L nn.Module = nn.NewLinear(1, 1)",
	"engine.Ones(2).Add(engine.Ones(3))",
	"func f(n int) int { return f(n) }; f(1)",
	"type G[T any] struct{ v T }; g := G[int]{v: 1}; g.v",
	"func Sum[T int | float64](xs ...T) T { var s T; for _, x := range xs { s += x }; return s }; Sum(1.5, 2)",
	"x := 1; x := \"s\"; x := engine.Zeros(1)",
	"select {}",
	"var wg sync.WaitGroup; wg.Add(1); go func() { defer wg.Done() }(); wg.Wait()",
	"engine := 3",
	"_ = 1 << 70",
	"var f func(); f()",
	"type E struct{ *engine.Tensor }; e := E{engine.Ones(1)}; fmt.Sprint(e)",
	"(*engine.Tensor).Shape",
	"x, y := 1",
	"return 1",
	"break",
	"goto L",
	"L: for { break L }",
	"defer fmt.Println(1)",
	"var x int = \"s\"",
	"type I interface{ M() }; var i I; i.M()",
	"nil",
	"fmt.Println",
	"engine.Tensor",
	"1 / 0",
	"a := 0; 1 / a",
	"panic(nil)",
	"os.Exit(2)",
	"type E struct{ *engine.Tensor }; e := E{engine.Ones(1)}; e; &e; fmt.Println(e)",
	"time.AfterFunc(time.Millisecond, func() { panic(\"cb\") })",
	"var wg sync.WaitGroup; wg.Go(func() { panic(1) }); wg.Wait()",
	"debug.SetMaxStack(1000); func f(n int) int { return n }; f(1)",
	"debug.SetMaxThreads(1); runtime.Breakpoint()",
	"a := []any{1}; a[0] = a; fmt.Println(a); fmt.Sprint(a)",
	"a := []int{1, 2}; a[5]; a[1:9]",
	"x := 1 /* never closed",
}

// FuzzEval feeds random and mutated Go to the evaluation path: whatever it
// is, the host must survive and the session must go on working.
func FuzzEval(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	s, out := newSession(f)
	runs := 0
	f.Fuzz(func(t *testing.T, src string) {
		if strings.Contains(src, "os.") || strings.Contains(src, "syscall") || strings.Contains(src, "exec.") {
			return // the fuzzer must not touch the machine
		}
		// A hang is a failure too: report the input.
		watchdog := time.AfterFunc(30*time.Second, func() { panic(fmt.Sprintf("evaluation hung on %q", src)) })
		defer watchdog.Stop()
		runs++
		if runs%100 == 0 {
			if err := s.Reset(); err != nil {
				t.Fatal(err)
			}
		}
		Incomplete(src)
		Split(src)
		s.Complete(src)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		s.Eval(ctx, src)
		cancel()
		out.Reset()
		if err := s.Eval(context.Background(), "1 + 1"); err != nil {
			// The input may have redeclared what 1 + 1 needs; a fresh
			// session must work.
			if err := s.Reset(); err != nil {
				t.Fatal(err)
			}
			if err := s.Eval(context.Background(), "1 + 1"); err != nil {
				t.Fatalf("after %q the session is broken: %v", src, err)
			}
		}
	})
}
