package kernels

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestGeneratedFresh runs the generators of the GEMM micro-kernels in a
// scratch directory and checks that the files they write are the ones in
// the package: an edit to a generator must come with its output, and an edit
// to its output must be made in the generator.
func TestGeneratedFresh(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the generators with go run")
	}
	for gen, files := range map[string][]string{
		"gen_gemm512.go":  {"gemm512_amd64.s", "gemm512_amd64.go"},
		"gen_gemmavx2.go": {"gemmavx2_amd64.s", "gemmavx2_amd64.go"},
	} {
		src, err := filepath.Abs(gen)
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		cmd := exec.Command("go", "run", src)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go run %s: %v\n%s", gen, err, out)
		}
		for _, f := range files {
			want, err := os.ReadFile(filepath.Join(dir, f))
			if err != nil {
				t.Fatalf("%s did not write %s: %v", gen, f, err)
			}
			got, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s is not what %s writes: run `go run %s` in internal/kernels", f, gen, gen)
			}
		}
	}
}
