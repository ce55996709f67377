package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestChildDeath pipes inputs that kill a Go process with an error no
// recover catches. Each must be reported with its fatal error and the
// input that caused it, and be followed by a working session that the
// replay rebuilt: the variable and function defined before it work.
func TestChildDeath(t *testing.T) {
	cases := []struct {
		name, input, fatal string
	}{
		{"unlock of unlocked mutex", "var mu sync.Mutex\nmu.Unlock()", "fatal error: sync: unlock of unlocked mutex"},
		{"SetFinalizer of a non-pointer", "runtime.SetFinalizer(5, nil)", "fatal error: runtime.SetFinalizer: first argument is int, not pointer"},
		{"concurrent map writes", "cm := map[int]int{}\nvar wg sync.WaitGroup\n" +
			"for i := 0; i < 4; i++ { wg.Add(1); go func() { for j := 0; j < 1000000; j++ { cm[j] = j }; wg.Done() }() }; wg.Wait()",
			"fatal error: concurrent map writes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := "keep := 41\nfunc bump() int { return keep + 1 }\nfmt.Println(\"printed once\")\n" + c.input + "\nbump() * 1000\n"
			out, code := runBinary(t, in)
			lines := strings.Split(c.input, "\n")
			last := lines[len(lines)-1]
			{
				want := "error: the session's process died: " + c.fatal + "\n  in: " + last + "\n"
				if !strings.Contains(out, want) {
					t.Errorf("the death is not reported as\n%s--- output ---\n%s", want, out)
				}
				if !strings.Contains(out, "session rebuilt") {
					t.Errorf("the session was not rebuilt:\n%s", out)
				}
			}
			if !strings.Contains(out, "\n42000\n") {
				t.Errorf("after the death, bump() * 1000 did not print 42000:\n%s", out)
			}
			if n := strings.Count(out, "printed once"); n != 1 {
				t.Errorf("the replay printed again (%d times):\n%s", n, out)
			}
			if strings.Contains(out, "goroutine 1 [") {
				t.Errorf("the report shows the Go runtime's stacks:\n%s", out)
			}
			if code != 1 {
				t.Errorf("exit status %d, want 1", code)
			}
		})
	}
}

// TestChildDeathBetweenInputs: a goroutine an earlier input started kills
// the process while a later input runs; the death is blamed on the input
// that started the goroutine, which the rebuild leaves out, and the session
// works with the other inputs.
func TestChildDeathBetweenInputs(t *testing.T) {
	in := "keep := 41\ngo func() { time.Sleep(200 * time.Millisecond); var mu sync.Mutex; mu.Unlock() }()\n" +
		"time.Sleep(time.Second)\nkeep + 1\n"
	out, _ := runBinary(t, in)
	want := "error: the session's process died: fatal error: sync: unlock of unlocked mutex\n" +
		"  in a goroutine started by: go func() { time.Sleep(200 * time.Millisecond); var mu sync.Mutex; mu.Unlock() }()\n" +
		"  while running (it did not finish): time.Sleep(time.Second)\n" +
		"rebuilding the session: replaying its 1 successful input (without the one that killed it)\n"
	if !strings.Contains(out, want) {
		t.Errorf("the death is not blamed on the input that started the goroutine:\n%s", out)
	}
	if strings.Contains(out, "rebuilt session died too") || !strings.HasSuffix(out, "\n42\n") {
		t.Errorf("no working session with keep after the death:\n%s", out)
	}
}

// TestPipeExitStatus: os.Exit(n) in piped input ends dbr-repl with n; a
// failed line makes the status 1.
func TestPipeExitStatus(t *testing.T) {
	out, code := runBinary(t, "fmt.Println(1)\nos.Exit(7)\nfmt.Println(2)\n")
	if code != 7 || out != "1\n" {
		t.Errorf("os.Exit(7): exit status %d, output %q; want 7 and \"1\\n\"", code, out)
	}
	if _, code := runBinary(t, "undefinedName\n1 + 1\n"); code != 1 {
		t.Errorf("a failed line: exit status %d, want 1", code)
	}
	if _, code := runBinary(t, "1 + 1\n"); code != 0 {
		t.Errorf("no failed line: exit status %d, want 0", code)
	}
}

// TestPipeLongRawString: a 10,000-line raw string piped in is one input.
func TestPipeLongRawString(t *testing.T) {
	var b strings.Builder
	b.WriteString("s := `")
	for i := 0; i < 10000; i++ {
		b.WriteString("line of text\n")
	}
	b.WriteString("`\nlen(s)\nstrings.Count(s, \"\\n\")\n")
	out, code := runBinary(t, b.String())
	if want := "130000\n10000\n"; out != want || code != 0 {
		t.Errorf("got %q, exit status %d; want %q", out, code, want)
	}
}

// TestFlagAfterFile: `dbr-repl file.go -i` keeps the session open as
// `dbr-repl -i file.go` does; after `--` every argument is the program's.
func TestFlagAfterFile(t *testing.T) {
	file := writeFile(t, "prog.go", "package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n)\n\nvar answer = 41\n\nfunc main() { fmt.Println(os.Args[1:]) }\n")
	out, code := runBinary(t, "answer + 1\n", file, "-i")
	if code != 0 || out != "[]\n42\n" {
		t.Errorf("file.go -i: exit status %d, output %q; want 0 and %q", code, out, "[]\n42\n")
	}
	out, code = runBinary(t, "answer + 1\n", file, "--", "-i", "x")
	if code != 0 || out != "[-i x]\n" {
		t.Errorf("file.go -- -i x: exit status %d, output %q; want 0 and %q", code, out, "[-i x]\n")
	}
}

// TestScriptDeath: a script that kills the process is reported, with exit
// status 1, and nothing is rebuilt after it.
func TestScriptDeath(t *testing.T) {
	file := writeFile(t, "crash.go", "package main\n\nimport (\n\t\"fmt\"\n\t\"sync\"\n)\n\nfunc main() {\n\tfmt.Println(\"start\")\n\tvar mu sync.Mutex\n\tmu.Unlock()\n}\n")
	out, code := runBinary(t, "", file)
	want := "start\nerror: the session's process died: fatal error: sync: unlock of unlocked mutex\n  in: :load " + file + "\n"
	if code != 1 || out != want {
		t.Errorf("exit status %d, output\n%s--- want status 1 and ---\n%s", code, out, want)
	}
}

// TestChildOutOfMemory: an allocation past the memory the process may use
// (here a 2.5 GB address-space limit, so as not to use the machine's) is
// Go's fatal "out of memory"; it is reported and the session rebuilt.
func TestChildOutOfMemory(t *testing.T) {
	cmd := exec.Command("sh", "-c", "ulimit -v 2500000 && exec "+binary)
	cmd.Stdin = strings.NewReader("keep := 41\nbig := make([]byte, 3<<30)\nkeep + 1\n")
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	out, _ := cmd.CombinedOutput()
	for _, want := range []string{"error: the session's process died: fatal error: out of memory\n  in: big := make([]byte, 3<<30)\n", "session rebuilt", "\n42\n"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
