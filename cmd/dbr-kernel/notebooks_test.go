package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dbr-go/dbr/internal/lessonnb"
)

// notebookText is what a notebook's code cells showed as text, in order:
// streams as they are, results and displays by their text/plain form
// followed by a newline (as the REPL prints a value), errors by their
// traceback. A loader's progress line is left out: it is shown only when
// reading takes a second or more, and outside a notebook it goes to stderr,
// which a lesson's // Output: block does not hold.
func notebookText(t *testing.T, file string) string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var nb struct {
		Cells []struct {
			CellType string `json:"cell_type"`
			Outputs  []struct {
				OutputType string         `json:"output_type"`
				Text       any            `json:"text"`
				Data       map[string]any `json:"data"`
				Traceback  []string       `json:"traceback"`
			} `json:"outputs"`
		} `json:"cells"`
	}
	if err := json.Unmarshal(b, &nb); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	var sb strings.Builder
	for _, c := range nb.Cells {
		for _, o := range c.Outputs {
			switch o.OutputType {
			case "stream":
				sb.WriteString(joinText(o.Text))
			case "execute_result", "display_data":
				if o.OutputType == "display_data" && loadProgressLine.MatchString(joinText(o.Data["text/plain"])) {
					continue
				}
				sb.WriteString(joinText(o.Data["text/plain"]) + "\n")
			case "error":
				sb.WriteString(strings.Join(o.Traceback, "\n") + "\n")
			}
		}
	}
	return sb.String()
}

// loadProgressLine matches the progress line of nn's data loaders
// ("nn.FashionMNIST: reading /usr/share/... 40%", "...: read ... in 1.2 s").
var loadProgressLine = regexp.MustCompile(`^nn\.\w+: (reading .* +\d+%|read .* in \d+\.\d s)$`)

// joinText reads nbformat's multiline text: a string or a list of lines.
func joinText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []any:
		var sb strings.Builder
		for _, s := range v {
			sb.WriteString(s.(string))
		}
		return sb.String()
	}
	return ""
}

func normalize(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.Trim(strings.Join(lines, "\n"), "\n")
}

// TestLessonNotebooks executes every lesson's notebook headless (nbclient,
// a fresh kernel each) and checks that its text outputs are the lesson's
// expected output, the // Output: block of its main.go.
func TestLessonNotebooks(t *testing.T) {
	needPython(t, "nbclient", "nbformat", "jupyter_client")
	env := append(installKernel(t), "COLUMNS=80")
	files, err := filepath.Glob("../../scripts/[0-9][0-9]_*/main.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no lessons found: %v", err)
	}
	out := t.TempDir()
	work := t.TempDir()
	args := []string{filepath.Join("testdata", "runnotebooks.py"), work}
	for _, f := range files {
		dir := filepath.Dir(f)
		args = append(args, filepath.Join(dir, lessonnb.NotebookName(dir)), filepath.Join(out, lessonnb.NotebookName(dir)))
	}
	cmd := exec.Command(python, args...)
	cmd.Env = env
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("running the notebooks: %v\n%s", err, b)
	}
	for _, f := range files {
		dir := filepath.Dir(f)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			want, ok := lessonnb.Expected(src)
			if !ok {
				t.Fatalf("%s has no // Output: block", f)
			}
			got := normalize(notebookText(t, filepath.Join(out, lessonnb.NotebookName(dir))))
			if got != want {
				t.Errorf("the notebook of %s shows other text than its // Output: block\n--- got ---\n%s\n--- want ---\n%s", f, got, want)
			}
		})
	}
}

func TestLoadProgressLine(t *testing.T) {
	for _, c := range []struct {
		line string
		want bool
	}{
		{"nn.FashionMNIST: reading /usr/share/fashion-mnist   7%", true},
		{"nn.FashionMNIST: reading /usr/share/fashion-mnist 100%", true},
		{"nn.FashionMNIST: read /usr/share/fashion-mnist (30.9 MB) in 1.3 s", true},
		{"nn.ReadIDX: read data/x (0.1 MB) in 12.0 s", true},
		{"train accuracy 71%", false},
		{"nn.FashionMNIST: /usr/share/fashion-mnist not found, using the 1200-example subset", false},
	} {
		if got := loadProgressLine.MatchString(c.line); got != c.want {
			t.Errorf("loadProgressLine.MatchString(%q) = %v, want %v", c.line, got, c.want)
		}
	}
}
