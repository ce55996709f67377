package scripts_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
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
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\nstderr:\n%s\nstdout:\n%s", name, strings.Join(args, " "), err, stderr.String(), stdout.String())
	}
	return normalize(stdout.String())
}

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
		args = append(args, "./"+l.name)
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

// TestLessonsREPL runs every lesson through the dbr-repl binary named by the
// environment variable DBR_REPL, as a teacher runs it
// (`dbr-repl scripts/NN_name/main.go`), and checks that it prints the same
// // Output: block as the compiled program. It is skipped when DBR_REPL is
// not set.
func TestLessonsREPL(t *testing.T) {
	repl := os.Getenv("DBR_REPL")
	if repl == "" {
		t.Skip("set DBR_REPL to a dbr-repl binary to run the lessons through the REPL")
	}
	repl, err := filepath.Abs(repl)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lessons(t) {
		l := l
		t.Run(l.name, func(t *testing.T) {
			file, err := filepath.Abs(l.file)
			if err != nil {
				t.Fatal(err)
			}
			compare(t, "dbr-repl", l, run(t, repl, file))
		})
	}
}
