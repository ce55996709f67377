package repl

import (
	"strings"
	"testing"
)

// TestProcessKnobs: the functions that would make later code die with a
// fatal error (or take Ctrl-C away) give an error naming them and saying why,
// and the session goes on. Before, debug.SetMaxStack(1000) followed by any
// call killed the process ("goroutine stack exceeds 1000-byte limit").
func TestProcessKnobs(t *testing.T) {
	s, out := newSession(t)
	evalOK(t, s, out, "x := 7\nfunc depth(n int) int { if n == 0 { return 0 }; return depth(n-1) + 1 }")
	for src, want := range map[string]string{
		"debug.SetMaxStack(1000)":     "error: debug.SetMaxStack: not available in dbr-repl: it limits the stack of every goroutine",
		"debug.SetMaxThreads(1)":      "error: debug.SetMaxThreads: not available in dbr-repl: ",
		"runtime.Breakpoint()":        "error: runtime.Breakpoint: not available in dbr-repl: ",
		"signal.Reset()":              "error: signal.Reset: not available in dbr-repl for os.Interrupt",
		"signal.Ignore(os.Interrupt)": "error: signal.Ignore: not available in dbr-repl for os.Interrupt",
	} {
		got := evalErr(t, s, out, src)
		if !strings.HasPrefix(got, want) || !strings.Contains(got, "\n  in: "+src+"\n") {
			t.Errorf("%s: %q, want it to start with %q", src, got, want)
		}
	}
	if got := evalOK(t, s, out, "depth(2000)"); got != "2000\n" {
		t.Errorf("depth(2000) after the knobs: %q", got)
	}
	if got := evalOK(t, s, out, "x"); got != "7\n" {
		t.Errorf("x: %q", got)
	}
}
