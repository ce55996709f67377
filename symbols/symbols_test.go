package symbols

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dbr-go/dbr/symbols/internal/docs"
	"github.com/traefik/yaegi/extract"
)

// generatedPackages returns the import paths listed on the go:generate line
// of symbols.go, the single list of packages that have symbol tables.
func generatedPackages(t *testing.T) []string {
	src, err := os.ReadFile("symbols.go")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^//go:generate go run github.com/traefik/yaegi/cmd/yaegi extract (.+)$`).FindSubmatch(src)
	if m == nil {
		t.Fatal("symbols.go has no go:generate line running yaegi extract")
	}
	return strings.Fields(string(m[1]))
}

// TestSymbolsFresh regenerates every symbol table in memory and fails when a
// checked-in file differs: the exported API changed without `go generate`.
func TestSymbolsFresh(t *testing.T) {
	pkgs := generatedPackages(t)
	want := map[string]bool{}
	for _, pkg := range pkgs {
		var buf bytes.Buffer
		ext := extract.Extractor{Dest: "symbols"}
		importPath, err := ext.Extract(pkg, "", &buf)
		if err != nil {
			t.Fatalf("extracting %s: %v", pkg, err)
		}
		name := strings.NewReplacer("/", "-", ".", "_", "~", "_").Replace(importPath) + ".go"
		want[name] = true
		have, err := os.ReadFile(name)
		if err != nil || !bytes.Equal(have, buf.Bytes()) {
			t.Errorf("%s is stale (the exported API of %s changed): run `go generate ./symbols` and commit the result", name, pkg)
		}
	}
	files, _ := filepath.Glob("github_com-*.go")
	for _, f := range files {
		if !want[f] {
			t.Errorf("%s is not listed on the go:generate line of symbols.go: delete it or add its package", f)
		}
	}
}

// TestSymbolsEngine checks the table exposes the engine's entry points.
func TestSymbolsEngine(t *testing.T) {
	tab := Symbols["github.com/dbr-go/dbr/engine/engine"]
	for _, name := range []string{"Zeros", "Randn", "Tensor", "NoGrad", "Interrupt"} {
		if !tab[name].IsValid() {
			t.Errorf("engine symbol %s missing", name)
		}
	}
}

// TestDocsFresh regenerates docs_gen.go in memory and compares.
func TestDocsFresh(t *testing.T) {
	src, err := os.ReadFile("symbols.go")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^//go:generate go run ./gendoc -o docs_gen.go (.+)$`).FindSubmatch(src)
	if m == nil {
		t.Fatal("symbols.go has no go:generate line running gendoc")
	}
	want, err := docs.Generate(strings.Fields(string(m[1])))
	if err != nil {
		t.Fatal(err)
	}
	have, err := os.ReadFile("docs_gen.go")
	if err != nil || !bytes.Equal(have, want) {
		t.Error("docs_gen.go is stale (a doc comment or exported API changed): run `go generate ./symbols` and commit the result")
	}
	if !strings.Contains(Docs["engine.Tensor.MatMul"], "func (t *Tensor) MatMul(") {
		t.Errorf("engine.Tensor.MatMul doc: %q", Docs["engine.Tensor.MatMul"])
	}
}
