package repl

import (
	"context"
	"go/token"
	"strconv"
	"strings"
	"testing"
)

// Test helpers shared by the package's test files.

// runCmd runs a `:` command and returns its output; wantErr says whether
// it must fail.
func runCmd(t *testing.T, s *Session, out *syncBuffer, line string, wantErr bool) string {
	t.Helper()
	out.Reset()
	err := s.RunCommand(context.Background(), line)
	if (err != nil) != wantErr {
		t.Fatalf("%s: error %v, want error %v\noutput:\n%s", line, err, wantErr, out.String())
	}
	return out.String()
}

func contains(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s: output lacks %q:\n%s", what, w, got)
		}
	}
}

func quote(s string) string { return strconv.Quote(s) }

// files counts the files in the session's yaegi FileSet.
func files(s *Session) int {
	n := 0
	s.Interpreter().FileSet().Iterate(func(*token.File) bool { n++; return true })
	return n
}

// evalLines evaluates each input in turn, as typed at the prompt, and
// returns what the session printed.
func evalLines(t *testing.T, s *Session, out *syncBuffer, inputs ...string) string {
	t.Helper()
	out.Reset()
	for _, in := range inputs {
		s.Eval(context.Background(), in)
	}
	return out.String()
}

func newSession(t testing.TB) (*Session, *syncBuffer) {
	t.Helper()
	out := &syncBuffer{}
	s, err := New(Options{Stdout: out, Stderr: out, Args: []string{"test"}})
	if err != nil {
		t.Fatal(err)
	}
	return s, out
}

// evalOK evaluates src, fails the test on an error, and returns the output.
func evalOK(t *testing.T, s *Session, out *syncBuffer, src string) string {
	t.Helper()
	out.Reset()
	if err := s.Eval(context.Background(), src); err != nil {
		t.Fatalf("Eval(%q): %v\noutput:\n%s", src, err, out.String())
	}
	return out.String()
}

// evalErr evaluates src, which must fail, and returns the output.
func evalErr(t *testing.T, s *Session, out *syncBuffer, src string) string {
	t.Helper()
	out.Reset()
	if err := s.Eval(context.Background(), src); err == nil {
		t.Fatalf("Eval(%q) succeeded, want an error\noutput:\n%s", src, out.String())
	}
	return out.String()
}

// wantErrWithin is evalWithin for input that must fail with a message
// containing each of wants.
func wantErrWithin(t *testing.T, s *Session, out *syncBuffer, src string, wants ...string) {
	t.Helper()
	got, err := evalWithin(t, s, out, src)
	if err == nil {
		t.Fatalf("Eval(%q) succeeded, want an error\noutput:\n%s", src, got)
	}
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("Eval(%q): output lacks %q:\n%s", src, w, got)
		}
	}
}
