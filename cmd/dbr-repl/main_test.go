package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files of the transcript tests")

// binary is the dbr-repl built once for all tests that drive the real binary.
var binary string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "dbr-repl-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "dbr-repl")
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "building dbr-repl: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// runBinary runs dbr-repl with args and stdin, returning stdout and stderr
// interleaved as written, and the exit status.
func runBinary(t *testing.T, stdin string, args ...string) (string, int) {
	t.Helper()
	return runBinaryIn(t, "", stdin, args...)
}

// runBinaryIn is runBinary in the directory dir.
func runBinaryIn(t *testing.T, dir, stdin string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(stdin)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running dbr-repl: %v", err)
	}
	return out.String(), code
}

var (
	timing = regexp.MustCompile(`time: [0-9.]+[µnm]?s`)
	memory = regexp.MustCompile(`machine's memory \([0-9.]+ GiB\)`)
)

// TestTranscripts feeds each testdata/transcripts/NAME.in to dbr-repl over a
// pipe and compares what it prints (and its exit status) with NAME.golden.
// Run with -update to rewrite the golden files after checking the diff.
func TestTranscripts(t *testing.T) {
	ins, _ := filepath.Glob("testdata/transcripts/*.in")
	if len(ins) == 0 {
		t.Fatal("no transcripts")
	}
	for _, in := range ins {
		name := strings.TrimSuffix(filepath.Base(in), ".in")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			out, code := runBinary(t, string(src))
			got := timing.ReplaceAllString(out, "time: X")
			got = memory.ReplaceAllString(got, "machine's memory (N GiB)") + fmt.Sprintf("[exit status %d]\n", code)
			golden := strings.TrimSuffix(in, ".in") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("transcript %s differs from %s\n--- got ---\n%s--- want ---\n%s", in, golden, got, want)
			}
		})
	}
}

// TestInteractiveKeepsMain: -i runs the file's main with its variables kept
// as globals, and main() runs it again.
func TestInteractiveKeepsMain(t *testing.T) {
	for _, args := range [][]string{{"-i", "testdata/teacher/train.go"}, {"testdata/teacher/train.go", "-i"}} {
		out, code := runBinary(t, ":grads model\nloss.Item() > 0\nmain()\n", args...)
		want := "loss 0.6320\n"
		if code != 0 || !strings.HasPrefix(out, want) || !strings.Contains(out, "weight  [1 2]") ||
			!strings.HasSuffix(out, "true\nloss 0.6320\n") {
			t.Errorf("dbr-repl %v: status %d\n%s", args, code, out)
		}
	}
}

// TestFixMethodAfterLoad: lesson 09's exercise at the prompt after -i: fix
// Net.Forward, run the backward pass again, and the gradient reaches fc1.
func TestFixMethodAfterLoad(t *testing.T) {
	in := "func (n *Net) Forward(x *engine.Tensor) *engine.Tensor {\n\th := n.Fc1.Forward(x).ReLU()\n\treturn n.Fc2.Forward(h)\n}\n\n" +
		"loss := nn.CrossEntropyLoss(net.Forward(x), y)\nloss.Backward()\ninspect.GradsFrom(loss, net)\n"
	out, _ := runBinary(t, in, "-i", "../../scripts/09_debugging/main.go")
	i := strings.LastIndex(out, "param ")
	if i < 0 {
		t.Fatalf("no gradient table:\n%s", out)
	}
	after := out[i:]
	if !strings.Contains(after, "fc1.weight") || strings.Contains(after, "no gradient reached") {
		t.Errorf("after fixing Forward, fc1 still gets no gradient:\n%s", after)
	}
}
