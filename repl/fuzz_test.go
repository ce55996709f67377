package repl

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// FuzzSeeds returns the inputs of testdata/fuzz_seeds.txt: inputs that have
// crashed or hung yaegi hosts, and ordinary REPL input for the fuzzer to
// mutate. cmd/dbr-repl's tests pipe each of them to the binary too.
func fuzzSeeds(t testing.TB) []string {
	b, err := os.ReadFile("testdata/fuzz_seeds.txt")
	if err != nil {
		t.Fatal(err)
	}
	var seeds []string
	for i, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		s, err := strconv.Unquote(l)
		if err != nil {
			t.Fatalf("testdata/fuzz_seeds.txt:%d: %v", i+1, err)
		}
		seeds = append(seeds, s)
	}
	return seeds
}

// FuzzEval feeds random and mutated Go to the evaluation path: whatever it
// is, the host must survive and the session must go on working.
func FuzzEval(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
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
