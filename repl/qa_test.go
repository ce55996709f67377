package repl

import (
	"context"
	"strings"
	"testing"
)

// TestCommandUsage: a command that needs arguments, given none, says what it
// needs instead of failing on an empty expression or doing nothing.
func TestCommandUsage(t *testing.T) {
	s, out := newSession(t)
	for _, c := range []string{"type", "time", "doc", "stats", "graph", "grads", "summary", "why", "ops", "plot", "gradcheck"} {
		out.Reset()
		err := s.RunCommand(context.Background(), ":"+c)
		if err == nil || !strings.HasPrefix(out.String(), "error: :"+c+" needs ") || strings.Count(out.String(), "\n") != 1 {
			t.Errorf(":%s with no argument: %v %q", c, err, out.String())
		}
	}
	out.Reset()
	if err := s.RunCommand(context.Background(), ":trace"); err != nil {
		t.Errorf(":trace with no argument: %v %q", err, out.String())
	}
}

// TestMessages: yaegi's own messages are turned into ones a learner can act on.
func TestMessages(t *testing.T) {
	s, out := newSession(t)
	evalOK(t, s, out, "type E struct {\n\t*engine.Tensor\n\tTag string\n}\ne := E{engine.Ones(2), \"a\"}")
	got := evalErr(t, s, out, "fmt.Println(e)")
	if !strings.Contains(got, "no method Format that compiled code") || strings.Contains(got, "panic:") {
		t.Errorf("fmt.Println of a struct embedding a tensor: %q", got)
	}
	evalOK(t, s, out, "type Number interface{ ~int | ~float64 }\nfunc SumOf[T Number](xs ...T) T {\n\tvar s T\n\tfor _, x := range xs {\n\t\ts += x\n\t}\n\treturn s\n}")
	got = evalErr(t, s, out, "SumOf(1.5, 2.5)")
	if !strings.Contains(got, "write the type arguments") {
		t.Errorf("generic inference: %q", got)
	}
	if got := evalOK(t, s, out, "SumOf[float64](1.5, 2.5)"); got != "4\n" {
		t.Errorf("SumOf[float64](1.5, 2.5) = %q", got)
	}
	if got := evalOK(t, s, out, "e.Tag"); got != "\"a\"\n" {
		t.Errorf("e survives: %q", got)
	}
}

// TestNilNames: a nil dereference names the nil variable of the line.
func TestNilNames(t *testing.T) {
	s, out := newSession(t)
	evalOK(t, s, out, "x := engine.Ones(2)\ng := x.Grad()\nvar m *nn.Linear\nvar e error")
	for src, want := range map[string]string{
		"g.Sum()":      "error: runtime error: nil pointer dereference in Tensor.Sum: g is a nil *engine.Tensor (unassigned, or a Grad() taken before Backward())\n",
		"x.Add(g)":     "error: Add: its argument is nil: g is a nil *engine.Tensor",
		"m.Forward(x)": "error: runtime error: nil pointer dereference in Linear.Forward: m is a nil *nn.Linear\n",
		"e.Error()":    "error: runtime error: nil pointer dereference: e is a nil error\n",
	} {
		if got := evalErr(t, s, out, src); !strings.HasPrefix(got, want) {
			t.Errorf("%s: got %q, want %q", src, got, want)
		}
	}
	if got := evalOK(t, s, out, "x.Shape()"); got != "[2]\n" {
		t.Errorf("x after the errors: %q", got)
	}
}

// TestFuncValue: a function value prints as its type, not an address.
func TestFuncValue(t *testing.T) {
	s, out := newSession(t)
	evalOK(t, s, out, "x := engine.Ones(2)\nfunc twice(v int) int { return 2 * v }")
	for src, want := range map[string]string{
		"x.Item": "<func() float64>\n",
		"twice":  "<func(int) int>\n",
	} {
		if got := evalOK(t, s, out, src); got != want {
			t.Errorf("%s printed %q, want %q", src, got, want)
		}
	}
}

// TestClosureRecursion: unbounded recursion through a function literal stops
// with an error, as through a named function.
func TestClosureRecursion(t *testing.T) {
	s, out := newSession(t)
	evalOK(t, s, out, "kept := 7\nvar f func(int) int\nf = func(n int) int { return f(n+1) + 1 }")
	if got := evalErr(t, s, out, "f(0)"); !strings.Contains(got, "stack overflow: more than") {
		t.Errorf("closure recursion: %q", got)
	}
	if got := evalOK(t, s, out, "kept"); got != "7\n" {
		t.Errorf("kept = %q", got)
	}
}

// TestCyclicValue: printing a slice that contains itself does not overflow
// the Go stack (a fatal error fmt would hit).
func TestCyclicValue(t *testing.T) {
	s, out := newSession(t)
	evalOK(t, s, out, "a := []any{1, 2}\na[0] = a\nm := map[string]any{}\nm[\"self\"] = m")
	if got := evalOK(t, s, out, "a"); got != "[]interface {} (contains itself; not printed)\n" {
		t.Errorf("a printed %q", got)
	}
	if got := evalOK(t, s, out, "m"); got != "map[string]interface {} (contains itself; not printed)\n" {
		t.Errorf("m printed %q", got)
	}
	if got := evalOK(t, s, out, "[]any{[]int{1}, map[string]int{\"k\": 2}}"); got != "[[1] map[k:2]]\n" {
		t.Errorf("a plain nested value printed %q", got)
	}
}

// TestGotoAcrossInputs: a label in an earlier input is out of reach; the
// message carries no position of the code dbr-repl generated.
func TestGotoAcrossInputs(t *testing.T) {
	s, out := newSession(t)
	evalOK(t, s, out, "n := 0")
	got := evalErr(t, s, out, "if n < 3 { goto loop }")
	if !strings.HasPrefix(got, "error: label loop undefined\n") {
		t.Errorf("goto to an unknown label: %q", got)
	}
}

// TestEndOfInput: input that stops early (a pipe or -e ends inside a
// bracket) says so, not what the wrapper's closing brace looks like.
func TestEndOfInput(t *testing.T) {
	s, out := newSession(t)
	for _, src := range []string{"x := engine.Ones(2,", "for i := 0; i < 2; i++ {"} {
		if got := evalErr(t, s, out, src); !strings.HasPrefix(got, "error: syntax error: unexpected end of input") {
			t.Errorf("%s: %q", src, got)
		}
	}
	if got := evalErr(t, s, out, "x := )"); !strings.Contains(got, "found ')'") {
		t.Errorf("a syntax error inside the input: %q", got)
	}
}
