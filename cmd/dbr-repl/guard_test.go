package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// pipeLimit bounds one run of the binary in these tests: far above what any
// case needs on a loaded machine, far below the test binary's timeout.
const pipeLimit = 2 * time.Minute

// alive is input that, evaluated after a case, shows the session still
// works. The two blank lines before it end an incomplete input.
const alive = "\n\n\n\"dbr-repl alive\"\n"

// pipeRun runs dbr-repl with stdin, at most pipeLimit; it reports whether
// the process ended by itself.
func pipeRun(t *testing.T, stdin string, args ...string) (out string, code int, ended bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), pipeLimit)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var b bytes.Buffer
	cmd.Stdout = &b
	cmd.Stderr = &b
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	err := cmd.Run()
	if ctx.Err() != nil {
		return b.String(), -1, false
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return b.String(), ee.ExitCode(), true
	} else if err != nil {
		t.Fatalf("running dbr-repl: %v", err)
	}
	return b.String(), 0, true
}

// goCrash reports whether out shows the Go runtime ending the process (a
// fatal error, or a panic no recover caught).
func goCrash(out string) bool {
	return strings.Contains(out, "fatal error:") || strings.Contains(out, "goroutine 1 [") ||
		strings.Contains(out, "[recovered") || strings.HasPrefix(out, "panic:") || strings.Contains(out, "\npanic:")
}

// fuzzInputs returns repl's FuzzEval seeds and corpus.
func fuzzInputs(t *testing.T) []string {
	b, err := os.ReadFile("../../repl/testdata/fuzz_seeds.txt")
	if err != nil {
		t.Fatal(err)
	}
	var ins []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		s, err := strconv.Unquote(l)
		if err != nil {
			t.Fatalf("fuzz_seeds.txt: %q: %v", l, err)
		}
		ins = append(ins, s)
	}
	corpus, _ := filepath.Glob("../../repl/testdata/fuzz/FuzzEval/*")
	for _, f := range corpus {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(b), "\n") {
			if q, ok := strings.CutPrefix(l, "string("); ok {
				s, err := strconv.Unquote(strings.TrimSuffix(q, ")"))
				if err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				ins = append(ins, s)
			}
		}
	}
	return ins
}

// TestFuzzInputsPiped pipes every input of repl's fuzz corpus to the
// binary: each ends with a result or an error, in time, without a crash,
// and the session goes on (unless the input exits).
func TestFuzzInputsPiped(t *testing.T) {
	ins := fuzzInputs(t)
	if len(ins) < 50 {
		t.Fatalf("only %d fuzz inputs", len(ins))
	}
	sem := make(chan struct{}, 2)
	var wg sync.WaitGroup
	for _, in := range ins {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			out, code, ended := pipeRun(t, in+alive, "-stall", "5s")
			exits := strings.Contains(in, "os.Exit(")
			switch {
			case !ended:
				t.Errorf("%q: still running after %s\n%s", in, pipeLimit, out)
			case goCrash(out):
				t.Errorf("%q: the process crashed (exit status %d)\n%s", in, code, out)
			case !exits && code != 0 && code != 1:
				t.Errorf("%q: exit status %d, want 0 or 1\n%s", in, code, out)
			case !exits && !strings.Contains(out, `"dbr-repl alive"`):
				t.Errorf("%q: the session did not go on\n%s", in, out)
			}
		}()
	}
	wg.Wait()
}
