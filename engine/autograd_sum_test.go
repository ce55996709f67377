package engine

import "testing"

// TestBackwardSharedGradients covers backward's handling of a gradient
// tensor that reaches several inputs (Add hands the same g to both): an
// intermediate used three times must get the sum of all three contributions,
// and neither the other inputs' gradients nor the caller's upstream gradient
// may change.
func TestBackwardSharedGradients(t *testing.T) {
	Seed(7)
	f := func(xs []*Tensor) *Tensor {
		h := xs[0].Exp()
		s := h.Add(h)              // h twice through one Add
		return s.Add(h).Mul(xs[1]) // and once more
	}
	if r := GradCheck(f, Randn(3, 4), Randn(3, 4)); !r.OK {
		t.Fatal(r)
	}
	x := Randn(2, 3).SetRequiresGrad(true)
	up := Randn(2, 3)
	before := up.Float32s()
	h := x.MulScalar(2)
	h.Add(h).Add(h).BackwardWith(up)
	assertClose(t, "grad", x.Grad(), up.MulScalar(6), 1e-6)
	assertClose(t, "upstream unchanged", up, New(before, 2, 3), 0)
}
