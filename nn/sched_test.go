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

// TestSchedulersResumeTorchRef: a run stopped after 5 epochs and resumed
// from the optimizer's and the scheduler's State in fresh objects follows
// PyTorch's uninterrupted schedule (without the scheduler's state, StepLR
// would restart at epoch 0).
func TestSchedulersResumeTorchRef(t *testing.T) {
	type sched interface {
		State() []Param
		LoadState([]Param) error
	}
	for _, c := range []struct {
		name string
		make func(opt Optimizer, s map[string]float64) (sched, func(float64))
	}{
		{"StepLR", func(opt Optimizer, s map[string]float64) (sched, func(float64)) {
			sch := NewStepLR(opt, int(s["step_size"]), s["gamma"])
			return sch, func(float64) { sch.Step() }
		}},
		{"ExponentialLR", func(opt Optimizer, s map[string]float64) (sched, func(float64)) {
			sch := NewExponentialLR(opt, s["gamma"])
			return sch, func(float64) { sch.Step() }
		}},
		{"CosineAnnealingLR", func(opt Optimizer, s map[string]float64) (sched, func(float64)) {
			sch := NewCosineAnnealingLR(opt, int(s["T_max"]), s["eta_min"])
			return sch, func(float64) { sch.Step() }
		}},
		{"ReduceLROnPlateau", func(opt Optimizer, s map[string]float64) (sched, func(float64)) {
			sch := NewReduceLROnPlateau(opt, int(s["patience"]), s["factor"], PlateauOpts{})
			return sch, func(m float64) { sch.Step(m) }
		}},
	} {
		ref := ref(t, c.name)
		want := ref.T(t, "lrs").Float64s()
		metrics := make([]float64, len(want))
		if ref.Has("metrics") {
			metrics = ref.T(t, "metrics").Float64s()
		}
		newOpt := func() Optimizer {
			return NewSGD([]Param{{Name: "p", Tensor: engine.Zeros(1).SetRequiresGrad(true)}}, 0.5, SGDOpts{})
		}
		opt := newOpt()
		sch, step := c.make(opt, ref.Scalars)
		for i := 0; i < 5; i++ {
			step(metrics[i])
		}
		optState, schedState := opt.State(), sch.State()
		opt2 := newOpt()
		sch2, step2 := c.make(opt2, ref.Scalars)
		if err := opt2.LoadState(optState); err != nil {
			t.Fatal(err)
		}
		if err := sch2.LoadState(schedState); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got := []float64{}
		for i := 5; i < len(want); i++ {
			step2(metrics[i])
			got = append(got, opt2.LR())
		}
		assertClose(t, c.name+" resumed rates", engine.New64(got), engine.New64(want[5:]), 1e-12)
	}
	s := NewStepLR(NewSGD(nil, 0.1, SGDOpts{}), 2, 0.5)
	for _, bad := range [][]Param{
		{{Name: "epoch", Tensor: engine.Scalar(1)}},
		{},
		{{Name: "last_epoch", Tensor: engine.Zeros(2)}},
	} {
		if err := s.LoadState(bad); err == nil {
			t.Errorf("LoadState(%v) accepted", bad)
		}
	}
	if s.Epoch() != 0 {
		t.Errorf("a failed LoadState changed the epoch to %d", s.Epoch())
	}
}
