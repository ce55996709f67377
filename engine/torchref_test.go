package engine

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// torchCase is one reference computed by PyTorch (see testdata/torchref.py).
type torchCase struct {
	Name     string         `json:"name"`
	Inputs   []torchTensor  `json:"inputs"`
	Output   torchTensor    `json:"output"`
	Upstream *torchTensor   `json:"upstream"`
	Grads    []*torchTensor `json:"grads"`
}

type torchTensor struct {
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

func (tt torchTensor) tensor() *Tensor {
	t := New64(tt.Data)
	t.shape = append([]int{}, tt.Shape...) // [] for a 0-d tensor
	return t
}

// loadTorchCases reads testdata/torchref_<family>.json; a missing, broken or
// empty file fails the test.
func loadTorchCases(t *testing.T, family string) []torchCase {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "torchref_"+family+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Cases []torchCase `json:"cases"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Cases) == 0 {
		t.Fatalf("no cases in %s", family)
	}
	return file.Cases
}

// checkTorchRef runs every case of testdata/torchref_<family>.json through the
// op registered under its name in ops and compares the output and, when the
// case has them, the input gradients, in float64.
func checkTorchRef(t *testing.T, family string, ops map[string]func(xs []*Tensor) *Tensor) {
	t.Helper()
	runTorchRef(t, family, ops, Float64)
}

// checkTorchRef32 is checkTorchRef with every input converted to float32: it
// exercises the float32 kernels. The references were computed in float64 from
// inputs that float32 rounds (relative error 6e-8), so the tolerance is
// float32's, 2e-5·(1+|want|).
func checkTorchRef32(t *testing.T, family string, ops map[string]func(xs []*Tensor) *Tensor) {
	t.Helper()
	runTorchRef(t, family, ops, Float32)
}

// runTorchRef is checkTorchRef (dtype Float64, tolerance 1e-9) and
// checkTorchRef32 (Float32, 2e-5).
func runTorchRef(t *testing.T, family string, ops map[string]func(xs []*Tensor) *Tensor, dtype DType) {
	t.Helper()
	tol, label := 1e-9, ""
	if dtype == Float32 {
		tol, label = 2e-5, " float32"
	}
	used := map[string]bool{}
	for _, c := range loadTorchCases(t, family) {
		f, ok := ops[c.Name]
		if !ok || f == nil {
			t.Errorf("%s: no op registered for reference case %q", family, c.Name)
			continue
		}
		used[c.Name] = true
		xs := make([]*Tensor, len(c.Inputs))
		for i, in := range c.Inputs {
			xs[i] = in.tensor().To(dtype).SetRequiresGrad(c.Upstream != nil)
		}
		out := f(xs)
		if dtype == Float32 && out.DType() != Float32 {
			t.Errorf("%s: float32 inputs gave a %v result", c.Name, out.DType())
		}
		assertClose(t, c.Name+label+" output", out, c.Output.tensor(), tol)
		if c.Upstream == nil {
			continue
		}
		out.BackwardWith(c.Upstream.tensor().To(dtype))
		for i, g := range c.Grads {
			if g == nil {
				continue
			}
			if xs[i].Grad() == nil {
				t.Errorf("%s%s: input %d got no gradient, PyTorch gives one", c.Name, label, i)
				continue
			}
			assertClose(t, c.Name+label+" grad", xs[i].Grad(), g.tensor(), tol)
		}
	}
	for name := range ops {
		if !used[name] {
			t.Errorf("%s: op %q has no reference case; regenerate testdata", family, name)
		}
	}
}

// assertClose fails unless got and want have the same shape and every element
// is within tol·(1+|want|).
func assertClose(t *testing.T, what string, got, want *Tensor, tol float64) {
	t.Helper()
	if !slices.Equal(got.Shape(), want.Shape()) {
		t.Errorf("%s: shape %v, want %v", what, got.Shape(), want.Shape())
		return
	}
	g, w := got.Float64s(), want.Float64s()
	for i := range g {
		if math.IsNaN(w[i]) && math.IsNaN(g[i]) {
			continue
		}
		if !(math.Abs(g[i]-w[i]) <= tol*(1+math.Abs(w[i]))) {
			t.Errorf("%s: element %d is %v, want %v", what, i, g[i], w[i])
			return
		}
	}
}
