package repl

import (
	"context"
	"strings"
	"testing"
)

// TestUserClosesStdio: interpreted code that closes os.Stdout or os.Stderr
// closes its own copy; the session's results and errors still print.
func TestUserClosesStdio(t *testing.T) {
	s, out := newSession(t)
	ctx := context.Background()
	for _, src := range []string{`fmt.Fprintln(os.Stdout, "first")`, "os.Stdout.Close()", "os.Stderr.Close()", "40 + 2", `fmt.Println("fmt too")`} {
		if err := s.Eval(ctx, src); err != nil {
			t.Fatalf("%s: %v", src, err)
		}
	}
	s.Eval(ctx, "undefinedName")
	got := out.String()
	for _, want := range []string{"first\n", "42\n", "fmt too\n", "undefined: undefinedName"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}
