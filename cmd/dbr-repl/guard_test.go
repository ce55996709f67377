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

// An attack is input that killed or hung dbr-repl (issue 10's list), piped
// to the binary. Each must end, without a Go crash of dbr-repl itself, in
// what want says, and the session must go on (alive is evaluated after it).
type attack struct {
	name, in string
	// want is checked in order in the output: a result, an error, or, for
	// what no Go process survives, the supervisor's report of the child's
	// death ("the session's process died: fatal error: ...").
	want []string
}

// attacks are the known killers. The kind of each is in its want: "error:"
// for an error in the session, "died" for a death of the child process
// that the supervisor reports before a working prompt.
var attacks = []attack{
	{"unexported field as method", "x := engine.Randn(2)\nx.shape()", []string{"error: x.shape: Go methods are capitalised and called: x.Shape()"}},
	{"unexported field in func", "x := engine.Randn(2)\nfunc g() []int { return x.grad() }", []string{"x.Grad()"}},
	{"deadlock out of static reach", "func() *engine.Tensor { return engine.Randn(2) }().shape()", []string{"error: the interpreter deadlocked"}},
	{"goroutine blocked forever", "ch := make(chan int)\n<-ch", []string{"error: no progress for 2", "in: line 2: <-ch"}},
	{"lock taken twice", "var mu sync.Mutex\nmu.Lock()\nmu.Lock()", []string{"error: no progress for 2", "in: line 3: mu.Lock()"}},
	{"goroutines in a loop", "var wg sync.WaitGroup\nwg.Add(2000)\nfor i := 0; i < 2000; i++ { go func() { defer wg.Done(); _ = i }() }\nwg.Wait()\n\"spawned\"", []string{`"spawned"`}},
	{"tensor with 3,000,000 dims", "s := make([]int, 3000000)\nfor i := range s { s[i] = 1 }\nt := engine.Ones(1).Reshape(s...)", []string{"error: Reshape: a shape of 3000000 dims"}},
	{"panic of a cycle", "a := []any{1}; a[0] = a; panic(a)", []string{"error: panic: a []interface {} (contains itself; not printed)"}},
	{"3,000,000 nested slices", "var v any = 1\nfor i := 0; i < 3000000; i++ { v = []any{v} }\nv", []string{"[]interface {} (nested more than 10000 levels deep; not printed)"}},
	{"cycle past 100,000 values", "far := make([]any, 200000)\nfar[199999] = far\nfmt.Println(far)", []string{"[]interface {} (contains itself; not printed)"}},
	{"generic recursion", "func Rec[T any](n int, x T) int { if n == 0 { panic(\"deep\") }; return Rec(n-1, x) }", []string{"error: Rec is a generic function that calls itself"}},
	{"recursion", "func down(n int) int { return down(n+1) + 1 }\ndown(0)", []string{"error: call: stack overflow: more than 5000 nested calls"}},
	{"blocked goroutines are not an overflow", "ch := make(chan int)\nvar wg sync.WaitGroup\nfunc wait() { wg.Done(); <-ch }\nwg.Add(10000)\nfor i := 0; i < 10000; i++ { go wait() }\nwg.Wait()\nfunc one() int { return 1 }\none()", []string{"1\n"}},
	{"embedded tensor printed with %d", "type E struct{ *engine.Tensor }\ne := E{engine.Ones(1)}\nfmt.Printf(\"%d\\n\", e)", []string{"1\n"}},
	{"helper redefined", "func _dbrCallbackGuard(string) {}", []string{"error: _dbrCallbackGuard is a reserved name"}},
	{"helper package shadowed", "_dbr := 1", []string{"error: _dbr is a reserved name"}},
	{"load a device", ":load /dev/zero", []string{"error: /dev/zero is a device, not a regular file"}},
	{"stdout closed", "os.Stdout.Close()\n1 + 1", []string{"2\n"}},
	{"stdin closed", "os.Stdin.Close()\n2 + 2", []string{"4\n"}},
	{"concurrent map writes", "m := map[int]int{}; for i := 0; i < 4; i++ { go func() { for j := 0; ; j++ { m[j%100] = j } }() }; time.Sleep(2 * time.Second)",
		[]string{"died: fatal error: concurrent map writes"}},
	{"unlock of unlocked mutex", "var mu sync.Mutex; mu.Unlock()", []string{"died: fatal error: sync: unlock of unlocked mutex"}},
	{"goroutine of an earlier input", "go func() { time.Sleep(300 * time.Millisecond); var mu sync.Mutex; mu.Unlock() }()\nkeep := 5\ntime.Sleep(3 * time.Second)\nkeep",
		[]string{"died: fatal error: sync: unlock of unlocked mutex", "in a goroutine started by: go func()", "while running (it did not finish): time.Sleep",
			"replaying its 1 successful input (without the one that killed it)", "5\n"}},
	{"SetFinalizer of a non-pointer", "runtime.SetFinalizer(5, nil)", []string{"died: fatal error: runtime.SetFinalizer: first argument is int, not pointer"}},
}

// TestAttacks pipes each attack to dbr-repl.
func TestAttacks(t *testing.T) {
	sem := make(chan struct{}, 2)
	var wg sync.WaitGroup
	for _, a := range attacks {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			out, code, ended := pipeRun(t, a.in+alive, "-stall", "2s")
			if !ended {
				t.Errorf("%s: still running after %s\n%s", a.name, pipeLimit, out)
				return
			}
			if goCrash(out) && !strings.Contains(out, "died") {
				t.Errorf("%s: dbr-repl crashed (exit status %d)\n%s", a.name, code, out)
				return
			}
			rest := out
			for _, w := range a.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Errorf("%s: output lacks %q (in order)\n%s", a.name, w, out)
					return
				}
				rest = rest[i+len(w):]
			}
			if !strings.Contains(rest, `"dbr-repl alive"`) {
				t.Errorf("%s: no working prompt after it\n%s", a.name, out)
			}
			if code != 0 && code != 1 {
				t.Errorf("%s: exit status %d\n%s", a.name, code, out)
			}
		}()
	}
	wg.Wait()
	// os.Exit in pipe mode ends dbr-repl with the program's status.
	if out, code, _ := pipeRun(t, "fmt.Println(\"before\")\nos.Exit(7)\n\"after\"\n"); code != 7 || out != "before\n" {
		t.Errorf("os.Exit(7): exit status %d, output %q; want 7 and only \"before\"", code, out)
	}
}
