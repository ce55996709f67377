package scripts_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/dbr-go/dbr/internal/lessonnb"
)

var update = flag.Bool("update", false, "rewrite each lesson's // Output: block with what `go run` prints (check the diff!)")

// lessonTimeout bounds one run of one lesson; lessons are meant to take a few
// seconds on a slow machine.
const lessonTimeout = 2 * time.Minute

// A lesson is one scripts/NN_name directory with a main.go whose last comment
// block, starting with "// Output:", holds the exact expected stdout.
type lesson struct {
	name string // directory name, e.g. "01_tensors"
	file string // path of main.go
	want string // expected output, normalized
}

func lessons(t *testing.T) []lesson {
	t.Helper()
	files, err := filepath.Glob("[0-9][0-9]_*/main.go")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no lessons found (scripts/NN_name/main.go)")
	}
	sort.Strings(files)
	// The workshop's exercise solutions (docs/workshop.md) are checked
	// like lessons.
	solutions, err := filepath.Glob("../docs/workshop/solutions/ex*/main.go")
	if err != nil || len(solutions) == 0 {
		t.Fatalf("no exercise solutions found in docs/workshop/solutions: %v", err)
	}
	sort.Strings(solutions)
	files = append(files, solutions...)
	var ls []lesson
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		want, ok := outputBlock(string(src))
		if *update {
			ok, want = true, "(updating)"
		}
		if !ok {
			t.Errorf("%s: no // Output: block at the end of the file", f)
			continue
		}
		if want == "" {
			t.Errorf("%s: the // Output: block is empty; a lesson must show what it prints", f)
			continue
		}
		ls = append(ls, lesson{name: filepath.Base(filepath.Dir(f)), file: f, want: want})
	}
	return ls
}

// outputBlock returns the text of the "// Output:" comment block that ends
// the file, without the comment markers and normalized.
func outputBlock(src string) (string, bool) {
	lines := strings.Split(strings.TrimRight(src, "\n"), "\n")
	start := -1
	for i := len(lines) - 1; i >= 0; i-- {
		l := strings.TrimSpace(lines[i])
		if !strings.HasPrefix(l, "//") {
			break
		}
		if l == "// Output:" {
			start = i
			break
		}
	}
	if start < 0 {
		return "", false
	}
	var out []string
	for _, l := range lines[start+1:] {
		l = strings.TrimSpace(l)
		l = strings.TrimPrefix(l, "//")
		l = strings.TrimPrefix(l, " ")
		out = append(out, l)
	}
	return normalize(strings.Join(out, "\n")), true
}

// normalize drops trailing spaces on each line and blank lines at both ends:
// gofmt and editors may strip them in the comment block.
func normalize(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.Trim(strings.Join(lines, "\n"), "\n")
}

// rewriteOutput replaces the // Output: block of file with got.
func rewriteOutput(t *testing.T, file, got string) {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.TrimRight(string(src), "\n")
	i := strings.LastIndex(s, "// Output:")
	if i < 0 {
		s += "\n\n"
		i = len(s)
	}
	var b strings.Builder
	b.WriteString(s[:i])
	b.WriteString("// Output:\n")
	for _, l := range strings.Split(got, "\n") {
		if l == "" {
			b.WriteString("//\n")
		} else {
			b.WriteString("// " + l + "\n")
		}
	}
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// run runs a command in a fresh temporary directory (lessons may write
// files) and returns its stdout; stderr is reported on failure.
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), lessonTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = t.TempDir()
	cmd.Env = lessonEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\nstderr:\n%s\nstdout:\n%s", name, strings.Join(args, " "), err, stderr.String(), stdout.String())
	}
	return normalize(stdout.String())
}

// lessonEnv is the environment lessons run in: a terminal 80 columns wide,
// the width inspect.Plot draws at, whatever the terminal running the tests.
func lessonEnv() []string { return append(os.Environ(), "COLUMNS=80") }

func compare(t *testing.T, how string, l lesson, got string) {
	t.Helper()
	if got == l.want {
		return
	}
	t.Errorf("%s: %s prints something other than its // Output: block\n%s", l.file, how, diff(l.want, got))
}

// diff shows the first differing line and both outputs in full.
func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	first := ""
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl || i >= len(w) || i >= len(g) {
			first = fmt.Sprintf("first difference at output line %d:\n  want: %q\n   got: %q\n", i+1, wl, gl)
			break
		}
	}
	return first + "--- got ---\n" + got + "\n--- want ---\n" + want
}

// TestLessonsGoRun compiles every lesson as the Go program it is (one go
// build for all of them, as `go run` would) and checks that each prints
// exactly its // Output: block. With -update it rewrites the blocks instead.
func TestLessonsGoRun(t *testing.T) {
	ls := lessons(t)
	bin := t.TempDir()
	args := []string{"build", "-o", bin + string(filepath.Separator)}
	for _, l := range ls {
		args = append(args, "./"+filepath.Dir(l.file))
	}
	if out, err := exec.Command("go", args...).CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	for _, l := range ls {
		l := l
		t.Run(l.name, func(t *testing.T) {
			got := run(t, filepath.Join(bin, l.name))
			if *update {
				rewriteOutput(t, l.file, got)
				return
			}
			compare(t, "go run", l, got)
		})
	}
}

// TestLessonsLineByLine types every lesson into dbr-repl as a learner
// pasting it at the prompt would: the imports and declarations first, then
// the statements of func main one after the other at top level (where the
// REPL evaluates each complete statement on its own). Each lesson must run
// without an error and print exactly its // Output: block this way too.
// (cmd/dbr-repl's TestScriptsBothWays runs each file with `dbr-repl file.go`
// and compares with the compiled program.)
//
// The binary is built from ../cmd/dbr-repl, or taken from the environment
// variable DBR_REPL when it is set.
func TestLessonsLineByLine(t *testing.T) {
	ls := lessons(t)
	if *update {
		t.Skip("-update rewrites from the compiled lessons only")
	}
	repl := os.Getenv("DBR_REPL")
	if repl == "" {
		repl = filepath.Join(t.TempDir(), "dbr-repl")
		if out, err := exec.Command("go", "build", "-o", repl, "../cmd/dbr-repl").CombinedOutput(); err != nil {
			t.Fatalf("go build ../cmd/dbr-repl: %v\n%s", err, out)
		}
	}
	repl, err := filepath.Abs(repl)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls {
		l := l
		t.Run(l.name, func(t *testing.T) {
			input, err := promptInput(l.file)
			if err != nil {
				t.Fatal(err)
			}
			got := runStdin(t, input, repl)
			compare(t, "dbr-repl with the lesson typed line by line", l, got)
		})
	}
}

// promptInput turns a lesson file into what a learner types at the prompt:
// every declaration except func main as written (imports included, package
// clause dropped), then the body of func main, un-indented one level.
func promptInput(file string) (string, error) {
	src, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, src, parser.ParseComments)
	if err != nil {
		return "", err
	}
	var decls strings.Builder
	var body *ast.BlockStmt
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.Name == "main" {
			body = fd.Body
			continue
		}
		start, end := fset.Position(d.Pos()).Offset, fset.Position(d.End()).Offset
		decls.Write(src[start:end])
		decls.WriteString("\n\n")
	}
	if body == nil {
		return "", fmt.Errorf("%s: no func main", file)
	}
	start, end := fset.Position(body.Lbrace).Offset+1, fset.Position(body.Rbrace).Offset
	lines := strings.Split(string(src[start:end]), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, "\t")
	}
	return decls.String() + strings.Join(lines, "\n") + "\n", nil
}

// runStdin runs a command with stdin in a fresh temporary directory and
// returns its stdout; it fails the test when the command fails (dbr-repl
// exits with 1 when any input failed).
func runStdin(t *testing.T, stdin, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), lessonTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = t.TempDir()
	cmd.Env = lessonEnv()
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\nstderr:\n%s\nstdout:\n%s", name, err, stderr.String(), stdout.String())
	}
	return normalize(stdout.String())
}

// TestNotebooksFresh fails when a lesson's notebook is not what `go
// generate ./scripts` makes from its main.go (or is missing).
// cmd/dbr-kernel's TestLessonNotebooks runs the notebooks in the kernel.
func TestNotebooksFresh(t *testing.T) {
	for _, l := range lessons(t) {
		if strings.HasPrefix(l.file, "..") {
			continue // an exercise solution: no notebook
		}
		src, err := os.ReadFile(l.file)
		if err != nil {
			t.Fatal(err)
		}
		want, err := lessonnb.Notebook(l.file, src)
		if err != nil {
			t.Fatal(err)
		}
		nb := filepath.Join(filepath.Dir(l.file), lessonnb.NotebookName(filepath.Dir(l.file)))
		have, err := os.ReadFile(nb)
		if err != nil || !bytes.Equal(have, want) {
			t.Errorf("%s is stale or missing: run `go generate ./scripts` and commit the result", nb)
		}
	}
}
