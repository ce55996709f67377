package nn

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/dbr-go/dbr/engine"
)

// optimDTypes are the dtypes optimizer references run in, with their
// tolerances: the references are float64, and float32 parameters (the fast
// paths, such as kernels.Adam32) round each step's result.
var optimDTypes = []struct {
	dt  engine.DType
	tol float64
}{{engine.Float64, 1e-9}, {engine.Float32, 1e-5}}

// optimParams returns the reference's initial parameters as leaves of dtype.
func optimParams(t *testing.T, c *refCase, dt engine.DType) []Param {
	t.Helper()
	p := func(key string) *engine.Tensor { return c.T(t, key).To(dt).Detach().SetRequiresGrad(true) }
	return []Param{{Name: "a", Tensor: p("p0.0")}, {Name: "b", Tensor: p("p0.1")}}
}

// checkOptimRef runs an optimizer on two parameters with the gradients
// PyTorch got at each step and compares the parameters after every step, in
// float64 and in float32.
func checkOptimRef(t *testing.T, name string, make func(ps []Param, s map[string]float64) Optimizer) {
	t.Helper()
	for _, d := range optimDTypes {
		checkOptimRefIn(t, name, make, d.dt, d.tol)
	}
}

func checkOptimRefIn(t *testing.T, name string, make func(ps []Param, s map[string]float64) Optimizer, dt engine.DType, tol float64) {
	t.Helper()
	c := ref(t, name)
	ps := optimParams(t, c, dt)
	opt := make(ps, c.Scalars)
	steps := int(c.Scalars["steps"])
	if steps == 0 {
		t.Fatalf("%s: reference has no steps", name)
	}
	for s := 1; s <= steps; s++ {
		for i, p := range ps {
			p.Tensor.SetGrad(c.T(t, fmt.Sprintf("g%d.%d", s, i)))
		}
		opt.Step()
		for i, p := range ps {
			if p.Tensor.DType() != dt {
				t.Fatalf("%s changed a %v parameter to %v", name, dt, p.Tensor.DType())
			}
			assertClose(t, fmt.Sprintf("%s %v step %d param %d", name, dt, s, i), p.Tensor, c.T(t, fmt.Sprintf("p%d.%d", s, i)), tol)
		}
	}
}

// checkOptimResume runs steps 1-2 of a reference, saves the state, continues a
// fresh optimizer from it and checks steps 3-4 still match PyTorch, in
// float64 and in float32.
func checkOptimResume(t *testing.T, name string, make func(ps []Param, s map[string]float64) Optimizer) {
	t.Helper()
	for _, d := range optimDTypes {
		checkOptimResumeIn(t, name, make, d.dt, d.tol)
	}
}

func checkOptimResumeIn(t *testing.T, name string, make func(ps []Param, s map[string]float64) Optimizer, dt engine.DType, tol float64) {
	t.Helper()
	c := ref(t, name)
	ps := optimParams(t, c, dt)
	opt := make(ps, c.Scalars)
	for s := 1; s <= 2; s++ {
		for i, p := range ps {
			p.Tensor.SetGrad(c.T(t, fmt.Sprintf("g%d.%d", s, i)))
		}
		opt.Step()
	}
	state := opt.State()
	sc := map[string]float64{}
	for k, v := range c.Scalars {
		sc[k] = v
	}
	sc["lr"] = 123 // LoadState restores the lr
	fresh := make(ps, sc)
	if err := fresh.LoadState(state); err != nil {
		t.Fatalf("%s: LoadState: %v", name, err)
	}
	for s := 3; s <= 4; s++ {
		for i, p := range ps {
			p.Tensor.SetGrad(c.T(t, fmt.Sprintf("g%d.%d", s, i)))
		}
		fresh.Step()
		for i, p := range ps {
			assertClose(t, fmt.Sprintf("%s %v resumed step %d param %d", name, dt, s, i), p.Tensor, c.T(t, fmt.Sprintf("p%d.%d", s, i)), tol)
		}
	}
}

func makeSGD(ps []Param, s map[string]float64) Optimizer {
	return NewSGD(ps, s["lr"], SGDOpts{Momentum: s["momentum"], Dampening: s["dampening"], WeightDecay: s["weight_decay"], Nesterov: s["nesterov"] == 1})
}

func TestSGDTorchRef(t *testing.T) {
	for _, name := range []string{"SGD", "SGD/momentum", "SGD/nesterov"} {
		checkOptimRef(t, name, makeSGD)
	}
	checkOptimResume(t, "SGD/momentum", makeSGD)
}

func TestOptimizerBasics(t *testing.T) {
	w := engine.New([]float32{1, 2}).SetRequiresGrad(true)
	frozen := engine.New([]float32{5}).SetRequiresGrad(true)
	ps := []Param{{Name: "w", Tensor: w}, {Name: "w2", Tensor: w}, {Name: "f", Tensor: frozen}, {Name: "stat", Tensor: engine.Zeros(1), Buffer: true}}
	opt := NewSGD(ps, 0.5, SGDOpts{})
	w.MulScalar(3).Sum().Backward() // grad 3, 3; frozen has no grad
	opt.Step()                      // listed twice, updated once
	if got := w.Float64s(); got[0] != -0.5 || got[1] != 0.5 {
		t.Errorf("after Step: %v, want [-0.5 0.5]", got)
	}
	if frozen.At(0) != 5 {
		t.Error("a parameter without gradient must not change")
	}
	if !w.IsLeaf() || !w.RequiresGrad() {
		t.Error("Step must keep the parameter a leaf that requires grad")
	}
	opt.ZeroGrad()
	if g := w.Grad().Float64s(); g[0] != 0 || g[1] != 0 {
		t.Errorf("ZeroGrad left %v", g)
	}
	opt.SetLR(0.1)
	if opt.LR() != 0.1 {
		t.Errorf("LR after SetLR: %v", opt.LR())
	}
	if err := engine.Try(func() { NewSGD(ps, -1, SGDOpts{}) }); err == nil {
		t.Error("a negative lr must panic")
	}
	if err := engine.Try(func() { NewSGD(ps, 0.1, SGDOpts{Nesterov: true}) }); err == nil {
		t.Error("Nesterov without momentum must panic")
	}
	if err := engine.Try(func() { NewSGD([]Param{{Name: "x", Tensor: nil}}, 0.1, SGDOpts{}) }); err == nil ||
		!strings.Contains(err.Error(), `"x"`) {
		t.Errorf("a nil parameter must panic naming it: %v", err)
	}
	// A frozen parameter (requires grad off, as for fine-tuning) is accepted
	// and never changes, as in PyTorch.
	frozen2 := engine.Ones(2)
	NewSGD([]Param{{Name: "frozen", Tensor: frozen2}, {Name: "w", Tensor: w}}, 0.1, SGDOpts{}).Step()
	if frozen2.At(0) != 1 {
		t.Error("a frozen parameter changed")
	}
}

func TestOptimizerLoadStateErrors(t *testing.T) {
	w := engine.Zeros(2, 2).SetRequiresGrad(true)
	opt := NewSGD([]Param{{Name: "w", Tensor: w}}, 0.1, SGDOpts{Momentum: 0.9})
	for _, c := range []struct {
		state []Param
		want  string
	}{
		{[]Param{{Name: "state.0.momentum_buffer", Tensor: engine.Zeros(3)}}, "shape [3]"},
		{[]Param{{Name: "state.1.momentum_buffer", Tensor: engine.Zeros(2, 2)}}, "out of range"},
		{[]Param{{Name: "state.0.exp_avg", Tensor: engine.Zeros(2, 2)}}, `no "exp_avg"`},
		{[]Param{{Name: "bogus", Tensor: engine.Zeros(1)}}, "unknown entry"},
		{[]Param{{Name: "lr", Tensor: engine.Zeros(2)}}, "lr must hold one value"},
	} {
		err := opt.LoadState(append([]Param{{Name: "lr", Tensor: engine.Scalar(0.7)}}, c.state...))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("LoadState(%s): %v, want an error with %q", c.state[0].Name, err, c.want)
		}
		if opt.LR() != 0.1 {
			t.Fatalf("a failed LoadState changed lr to %v", opt.LR())
		}
	}
}

// given returns the reference's setting k, or nil when the reference left it
// at PyTorch's default: an explicit 0 stays 0.
func given(s map[string]float64, k string) *float64 {
	if v, ok := s[k]; ok {
		return Float(v)
	}
	return nil
}

func makeAdam(ps []Param, s map[string]float64) Optimizer {
	return NewAdam(ps, s["lr"], AdamOpts{Beta1: given(s, "beta1"), Beta2: given(s, "beta2"), Eps: given(s, "eps"), WeightDecay: given(s, "weight_decay"), AMSGrad: s["amsgrad"] == 1})
}

func makeAdamW(ps []Param, s map[string]float64) Optimizer {
	return NewAdamW(ps, s["lr"], AdamOpts{Beta1: given(s, "beta1"), Beta2: given(s, "beta2"), Eps: given(s, "eps"), WeightDecay: given(s, "weight_decay"), AMSGrad: s["amsgrad"] == 1})
}

func makeRMSprop(ps []Param, s map[string]float64) Optimizer {
	return NewRMSprop(ps, s["lr"], RMSpropOpts{Alpha: given(s, "alpha"), Eps: given(s, "eps"), WeightDecay: s["weight_decay"], Momentum: s["momentum"], Centered: s["centered"] == 1})
}

func makeAdagrad(ps []Param, s map[string]float64) Optimizer {
	return NewAdagrad(ps, s["lr"], AdagradOpts{LRDecay: s["lr_decay"], WeightDecay: s["weight_decay"], InitialAccumulatorValue: s["initial_accumulator_value"], Eps: given(s, "eps")})
}

func TestOptimizersTorchRef(t *testing.T) {
	for _, c := range []struct {
		names []string
		make  func(ps []Param, s map[string]float64) Optimizer
	}{
		// the */…-0 cases set an option whose PyTorch default is not zero to zero
		{[]string{"Adam", "Adam/wd", "Adam/wd-amsgrad", "Adam/beta1-0", "Adam/beta2-0", "Adam/eps-0"}, makeAdam},
		{[]string{"AdamW", "AdamW/amsgrad", "AdamW/wd-0"}, makeAdamW},
		{[]string{"RMSprop", "RMSprop/all", "RMSprop/alpha-0", "RMSprop/eps-0"}, makeRMSprop},
		{[]string{"Adagrad", "Adagrad/all", "Adagrad/eps-0"}, makeAdagrad},
	} {
		for _, name := range c.names {
			checkOptimRef(t, name, c.make)
			checkOptimResume(t, name, c.make)
		}
	}
}

func TestOptimizerStateNames(t *testing.T) {
	w := engine.Zeros(2, 3).SetRequiresGrad(true)
	opt := NewAdam([]Param{{Name: "w", Tensor: w}}, 0.1, AdamOpts{AMSGrad: true})
	if got := paramNames(opt.State()); got != "lr" {
		t.Errorf("state before a step: %q", got)
	}
	w.SetGrad(engine.Ones(2, 3))
	opt.Step()
	st := opt.State()
	if got := paramNames(st); got != "lr state.0.step state.0.exp_avg state.0.exp_avg_sq state.0.max_exp_avg_sq" {
		t.Errorf("state names: %q", got)
	}
	for _, p := range st {
		if !p.Buffer {
			t.Errorf("%s must be a Buffer", p.Name)
		}
	}
	if st[1].Tensor.Item() != 1 || !slices.Equal(st[2].Tensor.Shape(), []int{2, 3}) {
		t.Errorf("step %v, exp_avg shape %v", st[1].Tensor.Item(), st[2].Tensor.Shape())
	}
	// State returns copies: changing them does not change the optimizer
	st[2].Tensor.Set(100, 0, 0)
	if opt.State()[2].Tensor.At(0, 0) == 100 {
		t.Error("State must return copies")
	}
	if s := opt.String(); s != "Adam(lr=0.1, betas=(0.9, 0.999), eps=1e-08, weight_decay=0, amsgrad=true)" {
		t.Errorf("String: %q", s)
	}
	if s := NewAdamW([]Param{{Name: "w", Tensor: w}}, 0.001, AdamOpts{}).String(); s != "AdamW(lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0.01, amsgrad=false)" {
		t.Errorf("String: %q", s)
	}
}

func TestOptimizersTrainFloat32(t *testing.T) {
	// Every optimizer drives a float32 least-squares problem down.
	for name, mk := range map[string]func(ps []Param) Optimizer{
		"SGD":     func(ps []Param) Optimizer { return NewSGD(ps, 0.05, SGDOpts{Momentum: 0.9, Nesterov: true}) },
		"Adam":    func(ps []Param) Optimizer { return NewAdam(ps, 0.05, AdamOpts{}) },
		"AdamW":   func(ps []Param) Optimizer { return NewAdamW(ps, 0.05, AdamOpts{}) },
		"RMSprop": func(ps []Param) Optimizer { return NewRMSprop(ps, 0.01, RMSpropOpts{}) },
		"Adagrad": func(ps []Param) Optimizer { return NewAdagrad(ps, 0.3, AdagradOpts{}) },
	} {
		engine.Seed(4)
		x := engine.Randn(64, 3)
		y := x.MatMul(engine.New([]float32{1, -2, 0.5}, 3, 1)).AddScalar(0.3)
		m := NewLinear(3, 1)
		opt := mk(m.Params())
		first, last := 0.0, 0.0
		for step := 0; step < 150; step++ {
			opt.ZeroGrad()
			loss := MSELoss(m.Forward(x), y)
			loss.Backward()
			opt.Step()
			if step == 0 {
				first = loss.Item()
			}
			last = loss.Item()
		}
		if m.Weight.DType() != engine.Float32 {
			t.Errorf("%s changed the parameter dtype to %v", name, m.Weight.DType())
		}
		if !(last < first/20) {
			t.Errorf("%s: loss %v → %v, want a 20-fold drop", name, first, last)
		}
	}
}

func TestLoadStateReplaces(t *testing.T) {
	w := engine.Zeros(2).SetRequiresGrad(true)
	opt := NewAdam([]Param{{Name: "w", Tensor: w}}, 0.1, AdamOpts{})
	w.SetGrad(engine.Ones(2))
	opt.Step()
	opt.Step()
	if err := opt.LoadState([]Param{{Name: "lr", Tensor: engine.Scalar(0.5)}}); err != nil {
		t.Fatal(err)
	}
	if got := paramNames(opt.State()); got != "lr" || opt.LR() != 0.5 {
		t.Errorf("after loading a state with only lr: %q, lr %v", got, opt.LR())
	}
	// a fresh first step of Adam moves each element by lr (m/√v = 1)
	before := w.At(0)
	opt.Step()
	if d := before - w.At(0); d < 0.5-1e-6 || d > 0.5+1e-6 {
		t.Errorf("first step after the reset moved %v, want 0.5", d)
	}
}

// TestStepLeavesGradients checks that every optimizer, with weight decay and
// momentum (which change the step's gradient), leaves the parameters'
// gradients as they were, in both dtypes.
func TestStepLeavesGradients(t *testing.T) {
	for _, dt := range []engine.DType{engine.Float32, engine.Float64} {
		engine.Seed(3)
		p := engine.Randn(5, 7).To(dt).SetRequiresGrad(true)
		ps := []Param{{Name: "w", Tensor: p}}
		for _, opt := range []Optimizer{
			NewSGD(ps, 0.1, SGDOpts{Momentum: 0.9, WeightDecay: 0.1, Nesterov: true}),
			NewAdam(ps, 0.1, AdamOpts{WeightDecay: Float(0.1), AMSGrad: true}),
			NewAdamW(ps, 0.1, AdamOpts{}),
			NewRMSprop(ps, 0.1, RMSpropOpts{Momentum: 0.9, Centered: true, WeightDecay: 0.1}),
			NewAdagrad(ps, 0.1, AdagradOpts{WeightDecay: 0.1}),
		} {
			p.SetGrad(engine.RandnLike(p))
			want := slices.Clone(p.Grad().Float64s())
			before := slices.Clone(p.Float64s())
			opt.Step()
			opt.Step()
			if got := p.Grad().Float64s(); !slices.Equal(got, want) {
				t.Errorf("%v %T changed the gradient", dt, opt)
			}
			if slices.Equal(p.Float64s(), before) {
				t.Errorf("%v %T did not change the parameter", dt, opt)
			}
		}
	}
}

// TestOptimizerSharedByGoroutines calls Step of one Adam from eight
// goroutines at once: the steps are serialised (no concurrent writes to the
// state), so 8×10 steps with a fixed gradient end where 80 steps in a row do.
func TestOptimizerSharedByGoroutines(t *testing.T) {
	run := func(parallel bool) []float32 {
		engine.Seed(6)
		m := NewLinear(5, 3)
		opt := NewAdam(m.Params(), 0.01, AdamOpts{})
		for _, p := range m.Params() {
			p.Tensor.SetGrad(engine.RandnLike(p.Tensor))
		}
		if !parallel {
			for range 80 {
				opt.Step()
			}
			return m.Weight.Float32s()
		}
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 10 {
					opt.Step()
				}
			}()
		}
		wg.Wait()
		return m.Weight.Float32s()
	}
	if got, want := run(true), run(false); !slices.Equal(got, want) {
		t.Errorf("8 goroutines × 10 steps: %v, 80 steps: %v", got, want)
	}
}

// TestEightModelsOnEightGoroutines trains eight copies of a model at once,
// each with its own optimizer on its own goroutine: one goroutine's Backward
// or evaluation under NoGrad leaves the others recording, so each copy ends
// where training it alone does, bit for bit.
func TestEightModelsOnEightGoroutines(t *testing.T) {
	engine.Seed(8)
	x := engine.Randn(32, 3)
	y := x.MatMul(engine.New([]float32{1, -2, 0.5}, 3, 1)).AddScalar(0.3)
	init := NewLinear(3, 1)
	train := func() []float32 {
		m := NewLinear(3, 1)
		m.Weight.CopyFrom(init.Weight)
		m.Bias.CopyFrom(init.Bias)
		opt := NewAdam(m.Params(), 0.05, AdamOpts{})
		for range 40 {
			opt.ZeroGrad()
			MSELoss(m.Forward(x), y).Backward()
			opt.Step()
			engine.NoGrad(func() { MSELoss(m.Forward(x), y) }) // an evaluation
		}
		return m.Weight.Float32s()
	}
	want := train()
	got := make([][]float32, 8)
	errs := make([]error, 8)
	var wg sync.WaitGroup
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = engine.Try(func() { got[i] = train() })
		}()
	}
	wg.Wait()
	for i := range got {
		if errs[i] != nil {
			t.Errorf("goroutine %d: %v", i, errs[i])
		} else if !slices.Equal(got[i], want) {
			t.Errorf("goroutine %d ended at %v, alone at %v", i, got[i], want)
		}
	}
}
