package nn

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/dbr-go/dbr/engine"
)

type stateful interface {
	Step()
	State() []Param
	LoadState([]Param) error
}

// sched2Cases make each scheduler of testdata/layersref.py as PyTorch made it.
var sched2Cases = []struct {
	name string
	make func(opt Optimizer) stateful
}{
	{"MultiStepLR", func(opt Optimizer) stateful { return NewMultiStepLR(opt, []int{2, 5, 5, 9}, 0.5) }},
	{"LinearLR", func(opt Optimizer) stateful { return NewLinearLR(opt, 0.25, 1, 4) }},
	{"LinearLR/decay", func(opt Optimizer) stateful { return NewLinearLR(opt, 1, 0.1, 7) }},
	{"LambdaLR", func(opt Optimizer) stateful {
		return NewLambdaLR(opt, func(e int) float64 {
			if e < 6 {
				return math.Pow(0.9, float64(e))
			}
			return 0.1 * float64(e)
		})
	}},
	{"OneCycleLR", func(opt Optimizer) stateful { return NewOneCycleLR(opt, 2, 13, OneCycleOpts{NoCycleMomentum: true}) }},
	{"OneCycleLR/linear-3phase", func(opt Optimizer) stateful {
		return NewOneCycleLR(opt, 1, 13, OneCycleOpts{PctStart: Float(0.25), AnnealStrategy: "linear", DivFactor: Float(10), FinalDivFactor: Float(100), ThreePhase: true, NoCycleMomentum: true})
	}},
	{"CosineAnnealingWarmRestarts", func(opt Optimizer) stateful { return NewCosineAnnealingWarmRestarts(opt, 3, 2, 0.05) }},
	{"CosineAnnealingWarmRestarts/mult1", func(opt Optimizer) stateful { return NewCosineAnnealingWarmRestarts(opt, 4, 1, 0) }},
}

// TestSchedulers2TorchRef compares the rates after construction and after
// each of 12 steps with PyTorch's, and a run resumed after 5 steps from the
// optimizer's and the scheduler's State in fresh objects with the rest.
func TestSchedulers2TorchRef(t *testing.T) {
	newOpt := func() Optimizer {
		return NewSGD([]Param{{Name: "p", Tensor: engine.Zeros(1).SetRequiresGrad(true)}}, 0.5, SGDOpts{})
	}
	for _, c := range sched2Cases {
		want := ref(t, c.name).T(t, "lrs").Float64s()
		opt := newOpt()
		s := c.make(opt)
		got := []float64{opt.LR()}
		var optState, schedState []Param
		for i := 1; i < len(want); i++ {
			s.Step()
			got = append(got, opt.LR())
			if i == 5 {
				optState, schedState = opt.State(), s.State()
			}
		}
		assertClose(t, c.name+" learning rates", engine.New64(got), engine.New64(want), 1e-12)
		opt2 := newOpt()
		s2 := c.make(opt2)
		if err := opt2.LoadState(optState); err != nil {
			t.Fatal(err)
		}
		if err := s2.LoadState(schedState); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var resumed []float64
		for i := 6; i < len(want); i++ {
			s2.Step()
			resumed = append(resumed, opt2.LR())
		}
		assertClose(t, c.name+" resumed rates", engine.New64(resumed), engine.New64(want[6:]), 1e-12)
	}
}

// TestOneCycleMomentumTorchRef trains three parameters for 7 steps under
// OneCycleLR as PyTorch 1.13 did, cycling SGD's and RMSprop's momentum and
// Adam's β₁, with a peak rate per parameter group, in float64 and float32,
// and compares the parameters, every group's rate and the momentum after
// each step.
func TestOneCycleMomentumTorchRef(t *testing.T) {
	momentum := func(opt Optimizer) float64 {
		switch o := opt.(type) {
		case *SGD:
			return o.Opts.Momentum
		case *RMSprop:
			return o.Opts.Momentum
		case *Adam:
			return *o.Opts.Beta1
		}
		return math.NaN() // AdamW: not cycled in its case
	}
	for _, dt := range []engine.DType{engine.Float64, engine.Float32} {
		for _, c := range []struct {
			name  string
			make  func(ps []Param) Optimizer
			group *ParamGroup
			max   float64
			o     OneCycleOpts
		}{
			{"OneCycle/SGD-momentum", func(ps []Param) Optimizer { return NewSGD(ps, 0.1, SGDOpts{Momentum: 0.9}) }, nil, 0.5, OneCycleOpts{}},
			{"OneCycle/SGD-plain-groups", func(ps []Param) Optimizer { return NewSGD(ps, 0.1, SGDOpts{}) }, &ParamGroup{LR: Float(0.3)}, 0,
				OneCycleOpts{GroupMaxLR: []float64{0.5, 1.5}}},
			{"OneCycle/Adam-3phase-linear", func(ps []Param) Optimizer { return NewAdam(ps, 0.01, AdamOpts{}) }, nil, 0.05,
				OneCycleOpts{ThreePhase: true, AnnealStrategy: "linear", BaseMomentum: Float(0.8), MaxMomentum: Float(0.9)}},
			{"OneCycle/RMSprop", func(ps []Param) Optimizer { return NewRMSprop(ps, 0.01, RMSpropOpts{Momentum: 0.5}) }, nil, 0.02, OneCycleOpts{PctStart: Float(0.5)}},
			{"OneCycle/AdamW-groups-nocycle", func(ps []Param) Optimizer { return NewAdamW(ps, 0.01, AdamOpts{}) }, &ParamGroup{LR: Float(0.02), WeightDecay: Float(0)}, 0,
				OneCycleOpts{GroupMaxLR: []float64{0.01, 0.03}, NoCycleMomentum: true}},
		} {
			r := ref(t, c.name)
			var ps []*engine.Tensor
			for i := 0; i < 3; i++ {
				ps = append(ps, r.T(t, fmt.Sprintf("p0.%d", i)).To(dt).SetRequiresGrad(true))
			}
			named := []Param{{Name: "a", Tensor: ps[0]}, {Name: "b", Tensor: ps[1]}, {Name: "c", Tensor: ps[2]}}
			var opt Optimizer
			if c.group != nil {
				opt = c.make(named[:1])
				g := *c.group
				g.Params = named[1:]
				opt.(interface{ AddParamGroup(ParamGroup) }).AddParamGroup(g)
			} else {
				opt = c.make(named)
			}
			sch := NewOneCycleLR(opt, c.max, 8, c.o)
			lrs, moms := r.T(t, "lrs"), r.T(t, "moms").Float64s()
			groups := lrs.Shape()[1]
			check := func(s int) {
				t.Helper()
				for g := 0; g < groups; g++ {
					got := opt.(interface{ GroupLR(int) float64 }).GroupLR(g)
					if want := lrs.Float64s()[s*groups+g]; math.Abs(got-want) > 1e-12*math.Max(1, want) {
						t.Errorf("%s %v step %d: group %d's rate %v, PyTorch %v", c.name, dt, s, g, got, want)
					}
				}
				if m := momentum(opt); !c.o.NoCycleMomentum && math.Abs(m-moms[s]) > 1e-12 {
					t.Errorf("%s %v step %d: momentum %v, PyTorch %v", c.name, dt, s, m, moms[s])
				}
			}
			check(0)
			tol := 1e-12
			if dt == engine.Float32 {
				tol = 2e-6
			}
			for s := 1; s <= int(r.Scalars["steps"]); s++ {
				for i, p := range ps {
					p.SetGrad(r.T(t, fmt.Sprintf("g%d.%d", s, i)).To(dt))
				}
				opt.Step()
				sch.Step()
				for i, p := range ps {
					assertClose(t, fmt.Sprintf("%s %v step %d param %d", c.name, dt, s, i), p, r.T(t, fmt.Sprintf("p%d.%d", s, i)), tol)
				}
				check(s)
			}
		}
	}
}

// TestSchedulerGroupsTorchRef runs every scheduler over two parameter
// groups (rates 0.5 and 0.2) as PyTorch 1.13 did, with its per-group lists
// (LambdaLR's functions, OneCycleLR's max_lr, ReduceLROnPlateau's min_lr),
// and compares both groups' rates after construction and each of 12 steps;
// then a run resumed after 5 steps from the optimizer's and the scheduler's
// State, in fresh objects, gives the rest.
func TestSchedulerGroupsTorchRef(t *testing.T) {
	metrics := []float64{1, 0.9, 0.95, 0.97, 0.96, 0.99, 0.98, 0.97, 1.0, 0.99, 0.98, 0.97}
	type scheduler interface {
		State() []Param
		LoadState([]Param) error
	}
	stepper := func(s scheduler) func(i int) {
		if p, ok := s.(*ReduceLROnPlateau); ok {
			return func(i int) { p.Step(metrics[i]) }
		}
		return func(int) { s.(interface{ Step() }).Step() }
	}
	for _, c := range []struct {
		name string
		make func(opt Optimizer) scheduler
	}{
		{"SchedGroups/StepLR", func(opt Optimizer) scheduler { return NewStepLR(opt, 3, 0.5) }},
		{"SchedGroups/ExponentialLR", func(opt Optimizer) scheduler { return NewExponentialLR(opt, 0.9) }},
		{"SchedGroups/CosineAnnealingLR", func(opt Optimizer) scheduler { return NewCosineAnnealingLR(opt, 5, 0.05) }},
		{"SchedGroups/MultiStepLR", func(opt Optimizer) scheduler { return NewMultiStepLR(opt, []int{2, 5}, 0.5) }},
		{"SchedGroups/LinearLR", func(opt Optimizer) scheduler { return NewLinearLR(opt, 0.25, 1, 4) }},
		{"SchedGroups/LambdaLR-list", func(opt Optimizer) scheduler {
			return NewLambdaLRGroups(opt, []func(int) float64{
				func(e int) float64 { return math.Pow(0.9, float64(e)) },
				func(e int) float64 { return 1 / float64(e+1) },
			})
		}},
		{"SchedGroups/OneCycleLR-list", func(opt Optimizer) scheduler {
			return NewOneCycleLR(opt, 0, 13, OneCycleOpts{GroupMaxLR: []float64{1, 0.3}})
		}},
		{"SchedGroups/CosineAnnealingWarmRestarts", func(opt Optimizer) scheduler { return NewCosineAnnealingWarmRestarts(opt, 3, 2, 0.05) }},
		{"SchedGroups/ReduceLROnPlateau-list", func(opt Optimizer) scheduler {
			return NewReduceLROnPlateau(opt, 1, 0.5, PlateauOpts{GroupMinLR: []float64{0.1, 0.05}})
		}},
	} {
		want := ref(t, c.name).T(t, "lrs")
		newOpt := func() *SGD {
			opt := NewSGD([]Param{{Name: "p", Tensor: engine.Zeros(1).SetRequiresGrad(true)}}, 0.5, SGDOpts{})
			opt.AddParamGroup(ParamGroup{Params: []Param{{Name: "q", Tensor: engine.Zeros(2).SetRequiresGrad(true)}}, LR: Float(0.2)})
			return opt
		}
		rates := func(opt *SGD) []float64 { return []float64{opt.GroupLR(0), opt.GroupLR(1)} }
		opt := newOpt()
		s := c.make(opt)
		step := stepper(s)
		got := rates(opt)
		var optState, schedState []Param
		for i := 0; i < 12; i++ {
			step(i)
			got = append(got, rates(opt)...)
			if i == 4 {
				optState, schedState = opt.State(), s.State()
			}
		}
		assertClose(t, c.name+" rates", engine.New64(got, 13, 2), want, 1e-12)
		opt2 := newOpt()
		s2 := c.make(opt2)
		if err := opt2.LoadState(optState); err != nil {
			t.Fatal(err)
		}
		if err := s2.LoadState(schedState); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		step2 := stepper(s2)
		var resumed []float64
		for i := 5; i < 12; i++ {
			step2(i)
			resumed = append(resumed, rates(opt2)...)
		}
		assertClose(t, c.name+" resumed rates", engine.New64(resumed, 7, 2), want.Narrow(0, 6, 7), 1e-12)
	}
}

// TestOneCycleGroupMomentumTorchRef: OneCycleLR with a peak rate and a base
// and max momentum per parameter group (PyTorch's lists), for SGD with
// Nesterov momentum, Adam's β₁ in three phases and RMSprop, against PyTorch
// 1.13 step by step: parameters, and every group's rate and momentum.
func TestOneCycleGroupMomentumTorchRef(t *testing.T) {
	for _, dt := range []engine.DType{engine.Float64, engine.Float32} {
		for _, c := range []struct {
			name     string
			make     func(ps []Param) Optimizer
			momentum func(opt Optimizer, g int) float64
			o        OneCycleOpts
		}{
			{"OneCycle/SGD-momentum-lists", func(ps []Param) Optimizer { return NewSGD(ps, 0.1, SGDOpts{Momentum: 0.9, Nesterov: true}) },
				func(opt Optimizer, g int) float64 {
					s := opt.(*SGD)
					return groupMomentum(&s.optimizer, g, s.Opts.Momentum)
				},
				OneCycleOpts{GroupMaxLR: []float64{0.5, 1}, GroupBaseMomentum: []float64{0.8, 0.7}, GroupMaxMomentum: []float64{0.9, 0.95}}},
			{"OneCycle/Adam-beta1-lists", func(ps []Param) Optimizer { return NewAdam(ps, 0.01, AdamOpts{}) },
				func(opt Optimizer, g int) float64 {
					a := opt.(*Adam)
					return groupMomentum(&a.optimizer, g, *a.Opts.Beta1)
				},
				OneCycleOpts{GroupMaxLR: []float64{0.05, 0.02}, ThreePhase: true, GroupBaseMomentum: []float64{0.85, 0.6}, GroupMaxMomentum: []float64{0.95, 0.9}}},
			{"OneCycle/RMSprop-momentum-lists", func(ps []Param) Optimizer { return NewRMSprop(ps, 0.01, RMSpropOpts{Momentum: 0.3}) },
				func(opt Optimizer, g int) float64 {
					r := opt.(*RMSprop)
					return groupMomentum(&r.optimizer, g, r.Opts.Momentum)
				},
				OneCycleOpts{GroupMaxLR: []float64{0.02, 0.01}, AnnealStrategy: "linear", GroupBaseMomentum: []float64{0.5, 0.2}, GroupMaxMomentum: []float64{0.6, 0.7}}},
		} {
			r := ref(t, c.name)
			var ps []*engine.Tensor
			for i := 0; i < 3; i++ {
				ps = append(ps, r.T(t, fmt.Sprintf("p0.%d", i)).To(dt).SetRequiresGrad(true))
			}
			opt := c.make([]Param{{Name: "a", Tensor: ps[0]}})
			opt.(interface{ AddParamGroup(ParamGroup) }).AddParamGroup(ParamGroup{Params: []Param{{Name: "b", Tensor: ps[1]}, {Name: "c", Tensor: ps[2]}}, LR: Float(0.3)})
			sch := NewOneCycleLR(opt, 0, 8, c.o)
			lrs, moms := r.T(t, "lrs").Float64s(), r.T(t, "moms").Float64s()
			check := func(s int) {
				t.Helper()
				for g := 0; g < 2; g++ {
					if got, want := opt.(interface{ GroupLR(int) float64 }).GroupLR(g), lrs[2*s+g]; math.Abs(got-want) > 1e-12 {
						t.Errorf("%s %v step %d: group %d's rate %v, PyTorch %v", c.name, dt, s, g, got, want)
					}
					if got, want := c.momentum(opt, g), moms[2*s+g]; math.Abs(got-want) > 1e-12 {
						t.Errorf("%s %v step %d: group %d's momentum %v, PyTorch %v", c.name, dt, s, g, got, want)
					}
				}
			}
			check(0)
			tol := 1e-12
			if dt == engine.Float32 {
				tol = 2e-6
			}
			for s := 1; s <= int(r.Scalars["steps"]); s++ {
				for i, p := range ps {
					p.SetGrad(r.T(t, fmt.Sprintf("g%d.%d", s, i)).To(dt))
				}
				opt.Step()
				sch.Step()
				for i, p := range ps {
					assertClose(t, fmt.Sprintf("%s %v step %d param %d", c.name, dt, s, i), p, r.T(t, fmt.Sprintf("p%d.%d", s, i)), tol)
				}
				check(s)
			}
		}
	}
}

// groupMomentum is the momentum group g's parameters are updated with, def
// (the optimizer's Opts) unless the group has its own.
func groupMomentum(o *optimizer, g int, def float64) float64 {
	if m := o.groups[g].momentum; m != nil {
		return *m
	}
	return def
}

func TestSchedulers2Errors(t *testing.T) {
	opt := NewSGD(nil, 0.1, SGDOpts{})
	for _, c := range []struct {
		f    func()
		want string
	}{
		{func() { NewLinearLR(opt, 0, 1, 5) }, "NewLinearLR: start_factor must be in (0, 1]"},
		{func() { NewLambdaLR(opt, nil) }, "NewLambdaLR: the function is nil"},
		{func() { NewOneCycleLR(opt, 1, 10, OneCycleOpts{AnnealStrategy: "exp"}) }, `anneal_strategy must be "cos" or "linear"`},
		{func() {
			s := NewOneCycleLR(opt, 1, 2, OneCycleOpts{})
			s.Step()
			s.Step()
		}, "OneCycleLR: stepped 2 times but total_steps is 2"},
		{func() { NewCosineAnnealingWarmRestarts(opt, 0, 1, 0) }, "T_0 must be positive"},
		{func() { NewOneCycleLR(NewAdagrad(nil, 0.1, AdagradOpts{}), 1, 10, OneCycleOpts{}) }, "NewOneCycleLR: *nn.Adagrad has no momentum to cycle (SGD, RMSprop, Adam and AdamW have); set OneCycleOpts{NoCycleMomentum: true}"},
		{func() { NewOneCycleLR(opt, 1, 10, OneCycleOpts{MaxMomentum: Float(1)}) }, "base_momentum and max_momentum must be in [0, 1), got 0.85 and 1"},
		{func() { NewOneCycleLR(opt, 1, 10, OneCycleOpts{GroupMaxLR: []float64{1, 2}}) }, "GroupMaxLR has 2 values but the optimizer has 1 parameter groups"},
		{func() { NewOneCycleLR(opt, 1, 10, OneCycleOpts{GroupMaxMomentum: []float64{0.9, 0.9}}) }, "GroupMaxMomentum has 2 values but the optimizer has 1 parameter groups"},
		{func() { NewOneCycleLR(opt, 1, 10, OneCycleOpts{PctStart: Float(0.1)}) }, "pct_start·total_steps = 0.1·10 = 1 leaves the rising phase no step"},
		{func() { NewLambdaLRGroups(opt, nil) }, "NewLambdaLRGroups: 0 functions but the optimizer has 1 parameter groups"},
		{func() { NewLambdaLRGroups(opt, []func(int) float64{nil}) }, "NewLambdaLRGroups: function 0 is nil"},
		{func() { NewReduceLROnPlateau(opt, 1, 0.5, PlateauOpts{GroupMinLR: []float64{0, 0}}) }, "NewReduceLROnPlateau: GroupMinLR has 2 values but the optimizer has 1 parameter groups"},
	} {
		if msg := panicMsg(c.f); !strings.Contains(msg, c.want) {
			t.Errorf("got %q, want it to contain %q", msg, c.want)
		}
	}
	if err := NewCosineAnnealingLR(opt, 3, 0).LoadState([]Param{{Name: "last_epoch", Tensor: engine.Scalar(1)}, {Name: "base_lrs", Tensor: engine.Zeros(2)}}); err == nil ||
		!strings.Contains(err.Error(), `CosineAnnealingLR.LoadState: entry "base_lrs" must hold a value for each of the optimizer's 1 parameter groups`) {
		t.Errorf("base_lrs of 2 groups into 1: %v", err)
	}
	s := NewCosineAnnealingWarmRestarts(opt, 3, 1, 0)
	if err := s.LoadState([]Param{{Name: "last_epoch", Tensor: engine.Scalar(4)}, {Name: "base_lrs", Tensor: engine.Scalar(1)},
		{Name: "T_cur", Tensor: engine.Scalar(1)}, {Name: "T_i", Tensor: engine.Scalar(0)}}); err == nil || s.Epoch() != 0 {
		t.Errorf("LoadState with T_i 0: err %v, epoch %d; want an error and nothing changed", err, s.Epoch())
	}
}

// TestParamGroupsTorchRef: a second parameter group with its own learning
// rate and weight decay, and a StepLR over both groups, step by step as
// PyTorch 1.13 (float32 and float64 parameters).
func TestParamGroupsTorchRef(t *testing.T) {
	for _, dt := range []engine.DType{engine.Float64, engine.Float32} {
		for _, c := range []struct {
			name  string
			make  func(ps []Param) Optimizer
			group ParamGroup
		}{
			{"Groups/SGD", func(ps []Param) Optimizer { return NewSGD(ps, 0.1, SGDOpts{Momentum: 0.9, WeightDecay: 0.01}) }, ParamGroup{LR: Float(0.3), WeightDecay: Float(0)}},
			{"Groups/Adam", func(ps []Param) Optimizer { return NewAdam(ps, 0.01, AdamOpts{}) }, ParamGroup{LR: Float(0.05), WeightDecay: Float(0.1)}},
			{"Groups/AdamW", func(ps []Param) Optimizer { return NewAdamW(ps, 0.01, AdamOpts{}) }, ParamGroup{WeightDecay: Float(0)}},
			{"Groups/SGD-plain", func(ps []Param) Optimizer { return NewSGD(ps, 0.1, SGDOpts{}) }, ParamGroup{WeightDecay: Float(0.5)}},
		} {
			r := ref(t, c.name)
			var ps []*engine.Tensor
			for i := 0; i < 3; i++ {
				ps = append(ps, r.T(t, fmt.Sprintf("p0.%d", i)).To(dt).SetRequiresGrad(true))
			}
			opt := c.make([]Param{{Name: "a", Tensor: ps[0]}})
			c.group.Params = []Param{{Name: "b", Tensor: ps[1]}, {Name: "c", Tensor: ps[2]}}
			opt.(interface{ AddParamGroup(ParamGroup) }).AddParamGroup(c.group)
			sch := NewStepLR(opt, 2, 0.5)
			tol := 1e-12
			if dt == engine.Float32 {
				tol = 2e-6
			}
			for s := 1; s <= int(r.Scalars["steps"]); s++ {
				for i, p := range ps {
					p.SetGrad(r.T(t, fmt.Sprintf("g%d.%d", s, i)).To(dt))
				}
				opt.Step()
				sch.Step()
				for i, p := range ps {
					assertClose(t, fmt.Sprintf("%s %v step %d param %d", c.name, dt, s, i), p, r.T(t, fmt.Sprintf("p%d.%d", s, i)), tol)
				}
			}
			if got := opt.(interface{ GroupLR(int) float64 }).GroupLR(1); math.Abs(got-r.Scalars["lr1"]) > 1e-15 {
				t.Errorf("%s: group 1's rate %v, PyTorch %v", c.name, got, r.Scalars["lr1"])
			}
		}
	}
}

// oneRate is an Optimizer with nothing beside the interface: schedulers
// drive it as one group through LR and SetLR.
type oneRate struct{ lr float64 }

func (o *oneRate) Step()                   {}
func (o *oneRate) ZeroGrad()               {}
func (o *oneRate) LR() float64             { return o.lr }
func (o *oneRate) SetLR(lr float64)        { o.lr = lr }
func (o *oneRate) State() []Param          { return nil }
func (o *oneRate) LoadState([]Param) error { return nil }

// SetLR keeps each group's multiple, SetGroupLR sets one group, a state
// with "lr" alone (as before groups kept their own rates) sets the others by
// their multiples, and an Optimizer of one's own is one group.
func TestGroupRates(t *testing.T) {
	opt := NewAdam([]Param{{Name: "a", Tensor: engine.Zeros(1).SetRequiresGrad(true)}}, 0.1, AdamOpts{})
	opt.AddParamGroup(ParamGroup{Params: []Param{{Name: "b", Tensor: engine.Zeros(1).SetRequiresGrad(true)}}, LR: Float(0.3)})
	rates := func() [2]float64 { return [2]float64{opt.GroupLR(0), opt.GroupLR(1)} }
	opt.SetGroupLR(1, 0.7)
	if got := rates(); got != [2]float64{0.1, 0.7} || opt.NumGroups() != 2 {
		t.Errorf("after SetGroupLR(1, 0.7): %v (%d groups), want [0.1 0.7] (2)", got, opt.NumGroups())
	}
	opt.SetLR(0.2)
	if got := rates(); math.Abs(got[1]-0.6) > 1e-15 || got[0] != 0.2 {
		t.Errorf("after SetLR(0.2): %v, want [0.2 0.6] (group 1 added at 3 times the rate)", got)
	}
	if err := opt.LoadState([]Param{{Name: "lr", Tensor: engine.New64([]float64{0.01})}}); err != nil {
		t.Fatal(err)
	}
	if got := rates(); got[0] != 0.01 || math.Abs(got[1]-0.03) > 1e-15 {
		t.Errorf("after loading lr 0.01 alone: %v, want [0.01 0.03]", got)
	}
	if err := opt.LoadState([]Param{{Name: "lr.2", Tensor: engine.Scalar(0.01)}}); err == nil || !strings.Contains(err.Error(), `entry "lr.2": the optimizer has 2 parameter groups`) {
		t.Errorf("lr.2 into 2 groups: %v", err)
	}
	own := &oneRate{lr: 1}
	s := NewStepLR(own, 1, 0.5)
	s.Step()
	s.Step()
	if own.lr != 0.25 {
		t.Errorf("StepLR on an Optimizer of one's own: lr %v after two steps, want 0.25", own.lr)
	}
}

func TestParamGroupErrors(t *testing.T) {
	a := engine.Zeros(2).SetRequiresGrad(true)
	opt := NewSGD([]Param{{Name: "a", Tensor: a}}, 0.1, SGDOpts{})
	for _, c := range []struct {
		f    func()
		want string
	}{
		{func() { opt.AddParamGroup(ParamGroup{Params: []Param{{Name: "a", Tensor: a}}}) }, `SGD.AddParamGroup: parameter "a" is already in the optimizer`},
		{func() {
			opt.AddParamGroup(ParamGroup{Params: []Param{{Name: "b", Tensor: engine.Zeros(1).SetRequiresGrad(true)}}, LR: Float(-1)})
		}, "SGD.AddParamGroup: learning rate must be >= 0, got -1"},
		{func() {
			NewSGD(nil, 0, SGDOpts{}).AddParamGroup(ParamGroup{Params: []Param{{Name: "b", Tensor: engine.Zeros(1).SetRequiresGrad(true)}}, LR: Float(0.1)})
		}, "the optimizer's learning rate is 0"},
		{func() { opt.GroupLR(1) }, "SGD.GroupLR: group 1 does not exist; the optimizer has 1"},
		{func() { opt.SetGroupLR(-1, 0.1) }, "SGD.SetGroupLR: group -1 does not exist; the optimizer has 1"},
		{func() { opt.SetGroupLR(0, -0.1) }, "SGD.SetGroupLR: learning rate must be >= 0, got -0.1"},
	} {
		if msg := panicMsg(c.f); !strings.Contains(msg, c.want) {
			t.Errorf("got %q, want it to contain %q", msg, c.want)
		}
	}
}
