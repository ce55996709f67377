package repl

import (
	"context"
	"strings"
	"testing"
)

// TestFmtCyclicValue: fmt's printing functions called by interpreted code
// print a value that contains itself as a note instead of recursing until
// Go's fatal stack overflow (which killed the process); other values print
// as fmt prints them, String methods of user types included.
func TestFmtCyclicValue(t *testing.T) {
	s, out := newSession(t)
	evalOK(t, s, out, "a := []any{1, 2}\na[0] = a\nm := map[string]any{}\nm[\"self\"] = m\ntype S struct{ L []any }\np := &S{}\np.L = []any{nil}\np.L[0] = p.L")
	evalOK(t, s, out, "type P struct{ X int }\nfunc (p P) String() string { return \"P!\" }")
	for src, want := range map[string]string{
		"fmt.Println(a)":                  "[]interface {} (contains itself; not printed)\n",
		"fmt.Print(m, 2)":                 "map[string]interface {} (contains itself; not printed) 2",
		"fmt.Printf(\"%d %v|\\n\", 3, a)": "3 []interface {} (contains itself; not printed)|\n",
		"fmt.Println(p)":                  "*S (contains itself; not printed)\n",
		"fmt.Sprint(\"x\", a)":            "\"x[]interface {} (contains itself; not printed)\"\n",
		"fmt.Sprintf(\"%s\", a)":          "\"[]interface {} (contains itself; not printed)\"\n",
		"fmt.Sprintln(a)":                 "\"[]interface {} (contains itself; not printed)\\n\"\n",
		"var sb strings.Builder\nfmt.Fprintln(&sb, a)\nsb.String()": "\"[]interface {} (contains itself; not printed)\\n\"\n",
		"fmt.Errorf(\"bad: %v\", a)":                                "bad: []interface {} (contains itself; not printed)\n",
		"string(fmt.Append(nil, a))":                                "\"[]interface {} (contains itself; not printed)\"\n",
		"fmt.Println([]any{[]int{1}, \"s\"}, 2)":                    "[[1] s] 2\n",
		"fmt.Printf(\"%5.2f|%v|%s\\n\", 3.14159, P{1}, P{2})":       " 3.14|P!|P!\n",
		"fmt.Sprint(P{1})":                                          "\"P!\"\n",
		"fmt.Println(engine.Ones(2))":                               "tensor([1 1], shape=[2])\n",
	} {
		if got := evalOK(t, s, out, src); got != want {
			t.Errorf("%s printed %q, want %q", src, got, want)
		}
	}
	// The REPL's own printing of a value: a pointer to a struct that
	// contains itself, which fmt prints in full at the top level.
	if got := evalOK(t, s, out, "p"); got != "&S{L: []interface {} (contains itself; not printed)}\n" {
		t.Errorf("p printed %q", got)
	}
}

// TestLogPrints: log's functions print to the session's Stderr (they wrote
// into the interpreter's panic trace, so log.Println printed nothing), and a
// value that contains itself prints as a note.
func TestLogPrints(t *testing.T) {
	s, out := newSession(t)
	evalOK(t, s, out, "a := []any{1}\na[0] = a\nlog.SetFlags(0)")
	for src, want := range map[string]string{
		"log.Println(\"hello\", 2)":   "hello 2\n",
		"log.Printf(\"%d|%v\", 3, a)": "3|[]interface {} (contains itself; not printed)\n",
		"log.Print(a)":                "[]interface {} (contains itself; not printed)\n",
	} {
		if got := evalOK(t, s, out, src); got != want {
			t.Errorf("%s printed %q, want %q", src, got, want)
		}
	}
	if got := evalErr(t, s, out, "log.Fatalf(\"bad %d\", 4)"); got != "bad 4\nerror: panic: bad 4\n  in: log.Fatalf(\"bad %d\", 4)\n" {
		t.Errorf("log.Fatalf: %q", got)
	}
}

// Printing is bounded in depth and in the values checked for a cycle: each
// of these ended the process with Go's fatal stack overflow, printed as a
// result, by fmt in interpreted code, or as a panic's value.
func TestPrintBounded(t *testing.T) {
	s, out := newSession(t)
	evalOK(t, s, out, "var deep any = 1\nfor i := 0; i < 3000000; i++ { deep = []any{deep} }")
	evalOK(t, s, out, "far := make([]any, 200000)\nfar[199999] = far")
	evalOK(t, s, out, "huge := make([]any, 1500000)\nhuge[1499999] = huge")
	evalOK(t, s, out, "var ok any = 1\nfor i := 0; i < 5000; i++ { ok = []any{ok} }")
	for src, want := range map[string]string{
		"deep":                "[]interface {} (nested more than 10000 levels deep; not printed)\n",
		"fmt.Println(deep)":   "[]interface {} (nested more than 10000 levels deep; not printed)\n",
		"far":                 "[]interface {} (contains itself; not printed)\n",
		"fmt.Println(far)":    "[]interface {} (contains itself; not printed)\n",
		"huge":                "[]interface {} (more than 1000000 values to check; not printed)\n",
		"len(fmt.Sprint(ok))": "10001\n", // 5000 [ and 5000 ] around the 1: printed
	} {
		if got := evalOK(t, s, out, src); got != want {
			t.Errorf("%s printed %q, want %q", src, got, want)
		}
	}
	for src, want := range map[string]string{
		"a := []any{1}; a[0] = a; panic(a)": "error: panic: a []interface {} (contains itself; not printed)\n",
		"panic(deep)":                       "error: panic: a []interface {} (nested more than 10000 levels deep; not printed)\n",
		"go func() { panic(far) }(); time.Sleep(100 * time.Millisecond)": "error in goroutine: panic: a []interface {} (contains itself; not printed)\n",
	} {
		out.Reset()
		s.Eval(context.Background(), src)
		if got := out.String(); !strings.HasPrefix(got, want) {
			t.Errorf("%s printed %q, want it to start with %q", src, got, want)
		}
	}
}
