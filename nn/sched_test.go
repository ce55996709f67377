package nn

import (
	"fmt"
	"testing"

	"github.com/dbr-go/dbr/engine"
)

// checkSchedRef steps a scheduler 12 times on an SGD optimizer starting at
// lr 0.5 and compares the rates with PyTorch's.
func checkSchedRef(t *testing.T, name string, make func(opt Optimizer, s map[string]float64) func(i int)) {
	t.Helper()
	c := ref(t, name)
	opt := NewSGD([]Param{{Name: "p", Tensor: engine.Zeros(1).SetRequiresGrad(true)}}, 0.5, SGDOpts{})
	step := make(opt, c.Scalars)
	want := c.T(t, "lrs").Float64s()
	got := []float64{}
	for i := range want {
		step(i)
		got = append(got, opt.LR())
	}
	assertClose(t, name+" learning rates", engine.New64(got), engine.New64(want), 1e-12)
}

func TestSchedulersTorchRef(t *testing.T) {
	checkSchedRef(t, "StepLR", func(opt Optimizer, s map[string]float64) func(int) {
		sch := NewStepLR(opt, int(s["step_size"]), s["gamma"])
		return func(int) { sch.Step() }
	})
	checkSchedRef(t, "ExponentialLR", func(opt Optimizer, s map[string]float64) func(int) {
		sch := NewExponentialLR(opt, s["gamma"])
		return func(int) { sch.Step() }
	})
	checkSchedRef(t, "CosineAnnealingLR", func(opt Optimizer, s map[string]float64) func(int) {
		sch := NewCosineAnnealingLR(opt, int(s["T_max"]), s["eta_min"])
		return func(int) { sch.Step() }
	})
	// threshold-0 and eps-0 set an option whose PyTorch default is not zero to zero
	for _, name := range []string{"ReduceLROnPlateau", "ReduceLROnPlateau/max-cooldown", "ReduceLROnPlateau/threshold-0", "ReduceLROnPlateau/eps-0"} {
		metrics := ref(t, name).T(t, "metrics").Float64s()
		checkSchedRef(t, name, func(opt Optimizer, s map[string]float64) func(int) {
			mode := "min"
			if name == "ReduceLROnPlateau/max-cooldown" {
				mode = "max"
			}
			sch := NewReduceLROnPlateau(opt, int(s["patience"]), s["factor"], PlateauOpts{Mode: mode, Cooldown: int(s["cooldown"]), MinLR: s["min_lr"],
				Threshold: given(s, "threshold"), Eps: given(s, "eps")})
			return func(i int) { sch.Step(metrics[i]) }
		})
	}
}

func TestSchedulerErrors(t *testing.T) {
	opt := NewSGD(nil, 0.1, SGDOpts{})
	for i, f := range []func(){
		func() { NewStepLR(opt, 0, 0.1) },
		func() { NewCosineAnnealingLR(opt, 0, 0) },
		func() { NewReduceLROnPlateau(opt, 1, 1.5, PlateauOpts{}) },
		func() { NewReduceLROnPlateau(opt, 1, 0.5, PlateauOpts{Mode: "down"}) },
	} {
		if err := engine.Try(f); err == nil {
			t.Errorf("case %d: want a panic with an *engine.Error", i)
		}
	}
	s := NewStepLR(opt, 2, 0.5)
	s.Step()
	s.Step()
	if got := fmt.Sprint(s); got != "StepLR(step_size=2, gamma=0.5, epoch=2, lr=0.05)" {
		t.Errorf("String: %q", got)
	}
}

func TestClipTorchRef(t *testing.T) {
	for _, name := range []string{"ClipGradNorm", "ClipGradNorm/big", "ClipGradValue"} {
		c := ref(t, name)
		a, b := engine.Zeros(3, 2).SetRequiresGrad(true), engine.Zeros(4).SetRequiresGrad(true)
		a.SetGrad(c.T(t, "g.0").Float32())
		b.SetGrad(c.T(t, "g.1").Float32())
		ps := []Param{{Name: "a", Tensor: a}, {Name: "b", Tensor: b}, {Name: "a again", Tensor: a}}
		ga := a.Grad()
		if name == "ClipGradValue" {
			ClipGradValue(ps, c.Scalars["clip_value"])
		} else {
			norm := ClipGradNorm(ps, c.Scalars["max_norm"])
			assertClose(t, name+" total norm", engine.Scalar(norm), c.T(t, "norm"), 1e-6)
		}
		if a.Grad() != ga {
			t.Errorf("%s must clip the gradient in place", name)
		}
		assertClose(t, name+" grad 0", a.Grad(), c.T(t, "after.0"), 1e-6)
		assertClose(t, name+" grad 1", b.Grad(), c.T(t, "after.1"), 1e-6)
	}
}
