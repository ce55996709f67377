package repl

import (
	"strings"
	"testing"
)

// TestWholeFileAsInput: a file given as input, package clause, imports and
// func main included, runs as :load runs it; imports the session has are
// left out, others are imported; giving it again works.
func TestWholeFileAsInput(t *testing.T) {
	s, out := newSession(t)
	src := "package main\n\nimport (\n\t\"fmt\"\n\tcrand \"crypto/rand\"\n\t\"strings\"\n\n\t\"github.com/dbr-go/dbr/engine\"\n)\n\n" +
		"func width(x *engine.Tensor) int { return x.Shape()[1] }\n\n" +
		"func main() {\n\t_ = crand.Reader\n\tfmt.Println(strings.Repeat(\"=\", 3), width(engine.Ones(2, 7)))\n}\n"
	for i := 0; i < 2; i++ {
		if got := evalOK(t, s, out, src); got != "=== 7\n" {
			t.Errorf("run %d printed %q, want %q", i+1, got, "=== 7\n")
		}
	}
	if got := evalOK(t, s, out, "width(engine.Ones(1, 9))"); got != "9\n" {
		t.Errorf("width after the file: %q", got)
	}
	// A runtime error names the line of the file as given.
	got := evalErr(t, s, out, "package main\n\nfunc main() {\n\tvar m map[string]int\n\tm[\"a\"] = 1\n}\n")
	if !strings.Contains(got, "(pasted file):5") {
		t.Errorf("the error does not name line 5 of the pasted file:\n%s", got)
	}
}
