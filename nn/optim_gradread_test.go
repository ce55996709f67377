package nn

import (
	"fmt"
	"testing"

	"github.com/dbr-go/dbr/engine"
)

// TestStepDoesNotChangeGrad: an optimizer's Step reads the gradients
// without counting it as an in-place change of them, so a graph that used
// w.Grad() before the step still backpropagates after it, as in PyTorch,
// and with the gradient it saved. ClipGradNorm's reading of the norm does
// not count either. Both dtypes, SGD and Adam.
func TestStepDoesNotChangeGrad(t *testing.T) {
	for _, dt := range []engine.DType{engine.Float32, engine.Float64} {
		for _, name := range []string{"SGD", "Adam", "ClipGradNorm"} {
			w := engine.New64([]float64{1, -2, 3}).To(dt).SetRequiresGrad(true)
			w.Mul(w).Sum().Backward() // w.Grad() = 2w = [2 -4 6]
			x := engine.New64([]float64{0.5, 0.25, -1}).To(dt).SetRequiresGrad(true)
			u := x.Mul(w.Grad()).Sum() // saves w.Grad() for x's gradient
			ps := []Param{{Name: "w", Tensor: w}}
			switch name {
			case "SGD":
				NewSGD(ps, 0.1, SGDOpts{}).Step()
			case "Adam":
				NewAdam(ps, 0.1, AdamOpts{}).Step()
			default:
				ClipGradNorm(ps, 100) // reads the norm, under the maximum: changes nothing
			}
			if !backwardOK(t, u, fmt.Sprintf("%v %s", dt, name)) {
				continue
			}
			if got := x.Grad().Float64s(); got[0] != 2 || got[1] != -4 || got[2] != 6 {
				t.Errorf("%v %s: x.Grad() = %v, want [2 -4 6]", dt, name, got)
			}
		}
	}
}

// backwardOK runs u.Backward and reports a refusal as a test error.
func backwardOK(t *testing.T, u *engine.Tensor, what string) (ok bool) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s: Backward after the gradient was read: %v", what, r)
			ok = false
		}
	}()
	u.Backward()
	return true
}
