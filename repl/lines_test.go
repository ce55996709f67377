package repl

import (
	"context"
	"strings"
	"testing"
)

// TestScriptErrorLines: a runtime error in a file names the file's line that
// failed (yaegi reports the first line of the function), in func main, in a
// nested block and in another function; a compile error inside a function
// body names its own line (the lines the REPL's rewriting adds
// moved it).
func TestScriptErrorLines(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(\"hi\")\n\ta := []int{1, 2}\n\ti := 5\n\tfmt.Println(a[i])\n}\n",
			"hi\nerror: runtime error: index out of range in a[i]\n  in: prog.go:9: fmt.Println(a[i])\n"},
		{"package main\n\nfunc helper(a []int, i int) int {\n\tx := 0\n\treturn a[i] + x\n}\n\nfunc main() {\n\tfor i := 0; i < 3; i++ {\n\t\thelper([]int{1, 2}, i)\n\t}\n}\n",
			"error: runtime error: index out of range in a[i]\n  in: prog.go:5: return a[i] + x\n"},
		{"package main\n\nfunc main() {\n\tfor i := 0; i < 3; i++ {\n\t\tswitch {\n\t\tcase i == 2:\n\t\t\tvar p *struct{ A int }\n\t\t\tprintln(p.A)\n\t\t}\n\t}\n}\n",
			"error: runtime error: nil pointer dereference (a field or method of a nil pointer)\n  in: prog.go:8: println(p.A)\n"},
		{"package main\n\nfunc helper(a []int) int {\n\treturn a[0] + undefinedThing\n}\n\nfunc main() { helper(nil) }\n",
			"error: undefined: undefinedThing\n  in: prog.go:4: return a[0] + undefinedThing\n"},
		{"package main\n\nfunc main() {\n\tx := 1\n\tswitch x {\n\tcase 1: println(undefinedVar)\n\t}\n}\n",
			"error: undefined: undefinedVar\n  in: prog.go:6: case 1: println(undefinedVar)\n"},
	} {
		s, out := newSession(t)
		err := s.LoadSource(context.Background(), "prog.go", c.src)
		if err == nil || out.String() != c.want {
			t.Errorf("%s\ngot  %q\nwant %q", c.src, out.String(), c.want)
		}
		if got := evalOK(t, s, out, "1 + 1"); got != "2\n" {
			t.Errorf("after the error: %q", got)
		}
	}
	// A file that runs well runs as before.
	s, out := newSession(t)
	src := "package main\n\nimport \"fmt\"\n\nfunc sq(x int) int { return x * x }\n\nfunc main() {\n\ttotal := 0\n\tfor i := 0; i < 4; i++ {\n\t\tswitch {\n\t\tcase i%2 == 0:\n\t\t\ttotal += sq(i)\n\t\tdefault:\n\t\t\ttotal++\n\t\t}\n\t}\n\tfmt.Println(total)\n}\n"
	if err := s.LoadSource(context.Background(), "ok.go", src); err != nil || !strings.HasSuffix(out.String(), "6\n") {
		t.Errorf("ok.go: %v %q", err, out.String())
	}
}
