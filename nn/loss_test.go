package nn

import (
	"errors"
	"strings"
	"testing"

	"github.com/dbr-go/dbr/engine"
)

// lossFn computes a loss of the inputs with the given options.
type lossFn func(xs []*engine.Tensor, o LossOpts) *engine.Tensor

// checkLossRef compares a loss, for each reduction, with PyTorch's values and
// input gradients, and runs GradCheck on the inputs that PyTorch differentiates.
func checkLossRef(t *testing.T, name string, opts LossOpts, f lossFn) {
	t.Helper()
	c := ref(t, name)
	for _, red := range []Reduction{None, Sum, Mean} {
		o := opts
		o.Reduction = red
		var xs, diff []*engine.Tensor
		var idx []int
		for i := 0; c.Has(key("in", i)); i++ {
			x := c.T(t, key("in", i))
			if c.Has("grad." + red.String() + "." + key("in", i)) {
				x.SetRequiresGrad(true)
				diff = append(diff, x)
				idx = append(idx, i)
			}
			xs = append(xs, x)
		}
		out := f(xs, o)
		assertClose(t, name+" "+red.String(), out, c.T(t, red.String()), 1e-9)
		out.Mul(c.T(t, "up."+red.String())).Sum().Backward()
		for k, x := range diff {
			assertClose(t, name+" "+red.String()+" grad", x.Grad(), c.T(t, "grad."+red.String()+"."+key("in", idx[k])), 1e-9)
		}
		r := engine.GradCheck(func(in []*engine.Tensor) *engine.Tensor {
			all := append([]*engine.Tensor{}, xs...)
			for k, i := range idx {
				all[i] = in[k]
			}
			return f(all, o)
		}, diff...)
		if !r.OK {
			t.Errorf("%s %s: %v", name, red, r)
		}
	}
}

func TestMSELoss(t *testing.T) {
	checkLossRef(t, "MSELoss", LossOpts{}, func(xs []*engine.Tensor, o LossOpts) *engine.Tensor { return MSELoss(xs[0], xs[1], o) })
	// the default is the mean
	a, b := engine.New64([]float64{1, 2, 3}), engine.New64([]float64{1, 0, 0})
	if got := MSELoss(a, b).Item(); got != 13.0/3 {
		t.Errorf("MSELoss default reduction: %v, want 13/3", got)
	}
}

func TestLossShapeErrors(t *testing.T) {
	err := engine.Try(func() { MSELoss(engine.Zeros(8, 1), engine.Zeros(8)) })
	var se *engine.ShapeError
	if !errors.As(err, &se) || se.Op != "MSELoss" || !strings.Contains(err.Error(), "Squeeze(-1)") {
		t.Errorf("MSELoss([8 1], [8]): %v", err)
	}
	err = engine.Try(func() { MSELoss(engine.Zeros(2), engine.Zeros(2), LossOpts{}, LossOpts{}) })
	if err == nil {
		t.Error("two LossOpts must panic")
	}
	err = engine.Try(func() { MSELoss(engine.Zeros(2), engine.Zeros(2), LossOpts{Reduction: 7}) })
	if err == nil {
		t.Error("an unknown reduction must panic")
	}
}
