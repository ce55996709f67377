package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestScriptsBothWays builds every lesson in scripts/ as the Go program it
// is, runs it, runs the same file through dbr-repl, and requires the same
// output (stdout and stderr). scripts/scripts_test.go also checks the
// compiled output against each lesson's // Output: block.
func TestScriptsBothWays(t *testing.T) {
	files, _ := filepath.Glob("../../scripts/[0-9][0-9]_*/main.go")
	if len(files) == 0 {
		t.Fatal("no lessons in scripts/")
	}
	bin := t.TempDir()
	args := []string{"build", "-o", bin + string(filepath.Separator)}
	for _, f := range files {
		args = append(args, "./"+filepath.Dir(f))
	}
	if out, err := exec.Command("go", args...).CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	for _, f := range files {
		name := filepath.Base(filepath.Dir(f))
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(filepath.Join(bin, name))
			cmd.Dir = t.TempDir()
			compiled, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%s: %v\n%s", name, err, compiled)
			}
			abs, _ := filepath.Abs(f)
			interpreted, code := runBinaryIn(t, t.TempDir(), "", abs)
			if code != 0 {
				t.Fatalf("dbr-repl %s: exit status %d\n%s", f, code, interpreted)
			}
			if interpreted != string(compiled) {
				t.Errorf("%s prints differently\n--- compiled ---\n%s--- dbr-repl ---\n%s", f, compiled, interpreted)
			}
		})
	}
}

func writeFile(t *testing.T, name, src string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestScriptRunner(t *testing.T) {
	args := writeFile(t, "args.go", `package main

import (
	"fmt"
	"os"
)

var greeting = "hello"

func shout(s string) string { return s + "!" }

func main() {
	fmt.Println(shout(greeting), os.Args[1:])
}
`)
	out, code := runBinary(t, "", args, "a", "b")
	if code != 0 || out != "hello! [a b]\n" {
		t.Errorf("script with args: %d %q", code, out)
	}

	// -i keeps the script's globals for the input that follows.
	out, code = runBinary(t, "shout(greeting + \" again\")\n", "-i", args)
	if code != 0 || out != "hello! []\n\"hello again!\"\n" {
		t.Errorf("-i: %d %q", code, out)
	}

	out, code = runBinary(t, "", "-e", "x := engine.Ones(2, 5); x.Shape()")
	if code != 0 || out != "[2 5]\n" {
		t.Errorf("-e: %d %q", code, out)
	}
	// Several -e run in order, as one program.
	out, code = runBinary(t, "", "-e", "y := 40", "-e", "y + 2")
	if code != 0 || out != "42\n" {
		t.Errorf("two -e: %d %q", code, out)
	}
	out, code = runBinary(t, "", "-e", "engine.Ones(2).MatMul(engine.Ones(3))")
	if code != 1 || !strings.Contains(out, "error: MatMul") {
		t.Errorf("-e failing: %d %q", code, out)
	}

	bad := writeFile(t, "bad.go", "package main\n\nfunc main() {\n\tvar x int = \"s\"\n\t_ = x\n}\n")
	out, code = runBinary(t, "", bad)
	if code != 1 || !strings.Contains(out, "error: ") || !strings.Contains(out, "bad.go:4") {
		t.Errorf("script that does not compile: %d %q", code, out)
	}
	syntax := writeFile(t, "syntax.go", "package main\n\nfunc main() {\n\tfor {\n}\n")
	out, code = runBinary(t, "", syntax)
	if code != 1 || !strings.Contains(out, "syntax error") {
		t.Errorf("script with a syntax error: %d %q", code, out)
	}
	exit := writeFile(t, "exit.go", "package main\n\nimport \"os\"\n\nfunc main() {\n\tos.Exit(3)\n}\n")
	if out, code = runBinary(t, "", exit); code != 3 {
		t.Errorf("os.Exit(3): %d %q", code, out)
	}
	panics := writeFile(t, "panics.go", "package main\n\nimport \"github.com/dbr-go/dbr/engine\"\n\nfunc main() {\n\tengine.Ones(2).Add(engine.Ones(3))\n}\n")
	out, code = runBinary(t, "", panics)
	if code != 1 || !strings.Contains(out, "error: Add: [2], [3]") || strings.Contains(out, "goroutine") {
		t.Errorf("script that panics: %d %q", code, out)
	}
	// A runtime error names the line that failed, not only the function.
	deep := writeFile(t, "deep.go", "package main\n\nimport \"github.com/dbr-go/dbr/engine\"\n\nfunc main() {\n\tx := engine.Ones(2)\n\tfor i := 0; i < 3; i++ {\n\t\tif i == 2 {\n\t\t\tx = x.Add(engine.Ones(3))\n\t\t}\n\t}\n}\n")
	out, code = runBinary(t, "", deep)
	if code != 1 || !strings.HasSuffix(out, "deep.go:9: x = x.Add(engine.Ones(3))\n") {
		t.Errorf("script that fails in a loop: %d %q", code, out)
	}
	goPanic := writeFile(t, "gopanic.go", `package main

import (
	"fmt"
	"time"
)

func main() {
	go func() { panic("in a goroutine") }()
	time.Sleep(100 * time.Millisecond)
	fmt.Println("main goes on")
}
`)
	out, code = runBinary(t, "", goPanic)
	if !strings.Contains(out, "error in goroutine: panic: in a goroutine") || !strings.Contains(out, "main goes on") {
		t.Errorf("goroutine panic in a script: %d %q", code, out)
	}
	if out, code = runBinary(t, "", filepath.Join(t.TempDir(), "missing.go")); code != 1 || !strings.Contains(out, "no such file") {
		t.Errorf("missing script: %d %q", code, out)
	}
}

// TestSaveRuns saves a session with :save and runs the file with go run and
// with dbr-repl: both print what the session printed.
func TestSaveRuns(t *testing.T) {
	dir := t.TempDir()
	saved := filepath.Join(dir, "session.go")
	input := `x := engine.New([]float32{1, 2, 3, 4}, 2, 2)
type Scaler struct{ K float64 }
func (s Scaler) Apply(t *engine.Tensor) *engine.Tensor { return t.MulScalar(s.K) }
sc := Scaler{K: 3}
y := sc.Apply(x)
y.Sum().Item()
x.MatMul(engine.Ones(3, 3))
x := x.Add(y)
x.Shape()
for i := 0; i < 2; i++ {
	fmt.Println("row", i, x.Select(0, i).Sum().Item())
}
math.Sqrt(16)
:save ` + saved + "\n"
	session, code := runBinaryIn(t, dir, input)
	if code != 1 || !strings.Contains(session, "saved "+saved) {
		t.Fatalf("session: exit %d\n%s", code, session)
	}
	want := "30\n[2 2]\nrow 0 12\nrow 1 28\n4\n"
	src, _ := os.ReadFile(saved)
	compiled, err := exec.Command("go", "run", saved).CombinedOutput()
	if err != nil || string(compiled) != want {
		t.Errorf("go run of the saved session: %v\n%s\n--- file ---\n%s", err, compiled, src)
	}
	interpreted, code := runBinary(t, "", saved)
	if code != 0 || interpreted != want {
		t.Errorf("dbr-repl of the saved session: %d\n%s", code, interpreted)
	}
}

// TestSaveBuildsOutside: :save writes a go.mod beside the program, and the
// program builds and runs in a directory of its own, outside this
// repository.
func TestSaveBuildsOutside(t *testing.T) {
	dir := t.TempDir()
	saved := filepath.Join(dir, "lesson.go")
	input := "x := engine.Ones(2, 3)\nlin := nn.NewLinear(3, 1)\nlin.Forward(x).Shape()\nbad := x.MatMul(x)\nfmt.Println(bad)\n" +
		"inspect.Stats(x).Rows[0].Mean\n:save " + saved + "\n"
	session, _ := runBinaryIn(t, dir, input)
	if !strings.Contains(session, "wrote "+filepath.Join(dir, "go.mod")) {
		t.Fatalf("no go.mod written:\n%s", session)
	}
	build := exec.Command("go", "build", "-o", "prog", ".")
	build.Dir = dir
	build.Env = append(os.Environ(), "GOFLAGS=-mod=readonly") // as written, without go mod tidy
	if out, err := build.CombinedOutput(); err != nil {
		src, _ := os.ReadFile(saved)
		mod, _ := os.ReadFile(filepath.Join(dir, "go.mod"))
		t.Fatalf("go build: %v\n%s\n--- lesson.go ---\n%s\n--- go.mod ---\n%s", err, out, src, mod)
	}
	out, err := exec.Command(filepath.Join(dir, "prog")).CombinedOutput()
	if want := "[2 1]\n1\n"; err != nil || string(out) != want {
		t.Errorf("the saved program printed %q (%v), want %q", out, err, want)
	}
}
