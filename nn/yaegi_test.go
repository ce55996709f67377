package nn

import (
	"math"
	"reflect"
	"testing"

	"github.com/dbr-go/dbr/engine"
	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"
)

// The symbols a user's interpreted code needs in this package's tests,
// written as `yaegi extract` writes them (symbols/ holds the generated tables for the REPL).
// Probe, a test-only layer that records Train/Eval, is exported under nn.

type _nn_Module struct {
	IValue   interface{}
	WForward func(x *engine.Tensor) *engine.Tensor
	WParams  func() []Param
}

func (W _nn_Module) Forward(x *engine.Tensor) *engine.Tensor { return W.WForward(x) }
func (W _nn_Module) Params() []Param                         { return W.WParams() }

// The wrapper `yaegi extract` writes for Dataset, so that an interpreted type
// can be passed where a Dataset is expected.
type _nn_Dataset struct {
	IValue interface{}
	WGet   func(i int) (x *engine.Tensor, y *engine.Tensor)
	WLen   func() int
}

func (W _nn_Dataset) Get(i int) (x *engine.Tensor, y *engine.Tensor) { return W.WGet(i) }
func (W _nn_Dataset) Len() int                                       { return W.WLen() }

var yaegiSymbols = map[string]map[string]reflect.Value{
	"github.com/dbr-go/dbr/engine/engine": {
		"Tensor": reflect.ValueOf((*engine.Tensor)(nil)),
		"Randn":  reflect.ValueOf(engine.Randn),
		"New":    reflect.ValueOf(engine.New),
		"Seed":   reflect.ValueOf(engine.Seed),
		"Zeros":  reflect.ValueOf(engine.Zeros),
		"Try":    reflect.ValueOf(engine.Try),
	},
	"github.com/dbr-go/dbr/nn/nn": {
		"Module":                  reflect.ValueOf((*Module)(nil)),
		"_Module":                 reflect.ValueOf((*_nn_Module)(nil)),
		"Param":                   reflect.ValueOf((*Param)(nil)),
		"Linear":                  reflect.ValueOf((*Linear)(nil)),
		"Sequential":              reflect.ValueOf((*Sequential)(nil)),
		"SGDOpts":                 reflect.ValueOf((*SGDOpts)(nil)),
		"LossOpts":                reflect.ValueOf((*LossOpts)(nil)),
		"Probe":                   reflect.ValueOf((*probe)(nil)),
		"NewLinear":               reflect.ValueOf(NewLinear),
		"NewSequential":           reflect.ValueOf(NewSequential),
		"NewSGD":                  reflect.ValueOf(NewSGD),
		"MSELoss":                 reflect.ValueOf(MSELoss),
		"Params":                  reflect.ValueOf(Params),
		"Sub":                     reflect.ValueOf(Sub),
		"Train":                   reflect.ValueOf(Train),
		"Eval":                    reflect.ValueOf(Eval),
		"Dropout":                 reflect.ValueOf((*Dropout)(nil)),
		"BatchNorm1d":             reflect.ValueOf((*BatchNorm1d)(nil)),
		"NewDropout":              reflect.ValueOf(NewDropout),
		"NewBatchNorm1d":          reflect.ValueOf(NewBatchNorm1d),
		"NewAdam":                 reflect.ValueOf(NewAdam),
		"AdamOpts":                reflect.ValueOf((*AdamOpts)(nil)),
		"CrossEntropyLossIndices": reflect.ValueOf(CrossEntropyLossIndices),
		"Dataset":                 reflect.ValueOf((*Dataset)(nil)),
		"_Dataset":                reflect.ValueOf((*_nn_Dataset)(nil)),
		"Save":                    reflect.ValueOf(Save),
		"Load":                    reflect.ValueOf(Load),
		"LoaderOpts":              reflect.ValueOf((*LoaderOpts)(nil)),
		"DataLoader":              reflect.ValueOf((*DataLoader)(nil)),
		"NewDataLoader":           reflect.ValueOf(NewDataLoader),
		"NewTensorDataset":        reflect.ValueOf(NewTensorDataset),
		"FashionMNISTSubset":      reflect.ValueOf(FashionMNISTSubset),
	},
}

func newInterp(t *testing.T) *interp.Interpreter {
	t.Helper()
	i := interp.New(interp.Options{})
	if err := i.Use(stdlib.Symbols); err != nil {
		t.Fatal(err)
	}
	if err := i.Use(yaegiSymbols); err != nil {
		t.Fatal(err)
	}
	if _, err := i.Eval(`import (
	"github.com/dbr-go/dbr/engine"
	"github.com/dbr-go/dbr/nn"
)`); err != nil {
		t.Fatal(err)
	}
	return i
}

func eval(t *testing.T, i *interp.Interpreter, src string) reflect.Value {
	t.Helper()
	v, err := i.Eval(src)
	if err != nil {
		t.Fatalf("yaegi: %v\nin:\n%s", err, src)
	}
	return v
}

// The user's module, once as interpreted source and once compiled below.
const userModuleSrc = `
type Net struct {
	Hidden, Out *nn.Linear
	scale       *nn.Probe
}

func (m *Net) Forward(x *engine.Tensor) *engine.Tensor {
	return m.Out.Forward(m.scale.Forward(m.Hidden.Forward(x)))
}

func (m *Net) Params() []nn.Param {
	return nn.Params(nn.Sub("hidden", m.Hidden), nn.Sub("out", m.Out))
}
`

type compiledNet struct {
	Hidden, Out *Linear
	scale       *probe
}

func (m *compiledNet) Forward(x *engine.Tensor) *engine.Tensor {
	return m.Out.Forward(m.scale.Forward(m.Hidden.Forward(x)))
}

func (m *compiledNet) Params() []Param {
	return Params(Sub("hidden", m.Hidden), Sub("out", m.Out))
}

func TestInterpretedModuleTrains(t *testing.T) {
	i := newInterp(t)
	eval(t, i, userModuleSrc)
	eval(t, i, `
func train(m nn.Module) []float64 {
	engine.Seed(5)
	x := engine.Randn(16, 3)
	y := engine.Randn(16, 2)
	opt := nn.NewSGD(m.Params(), 0.05, nn.SGDOpts{Momentum: 0.9})
	var losses []float64
	for step := 0; step < 30; step++ {
		opt.ZeroGrad()
		loss := nn.MSELoss(m.Forward(x), y)
		loss.Backward()
		opt.Step()
		losses = append(losses, loss.Item())
	}
	return losses
}`)
	eval(t, i, `
func names(ps []nn.Param) string {
	s := ""
	for _, p := range ps {
		s += p.Name + " "
	}
	return s
}`)
	// the same weights in both nets: seed before each construction
	eval(t, i, `engine.Seed(9)`)
	eval(t, i, `net := &Net{Hidden: nn.NewLinear(3, 4), Out: nn.NewLinear(4, 2), scale: &nn.Probe{}}`)
	got := eval(t, i, `train(net)`).Interface().([]float64)
	names := eval(t, i, `names(net.Params())`).Interface().(string)
	if names != "hidden.weight hidden.bias out.weight out.bias " {
		t.Errorf("interpreted module's names: %q", names)
	}
	// through a compiled Sequential holding the interpreted module
	seqNames := eval(t, i, `names(nn.NewSequential([]nn.Module{net}).Params())`).Interface().(string)
	if seqNames != "0.hidden.weight 0.hidden.bias 0.out.weight 0.out.bias " {
		t.Errorf("Sequential of an interpreted module: %q", seqNames)
	}

	engine.Seed(9)
	cn := &compiledNet{Hidden: NewLinear(3, 4), Out: NewLinear(4, 2), scale: &probe{}}
	engine.Seed(5)
	x, y := engine.Randn(16, 3), engine.Randn(16, 2)
	opt := NewSGD(cn.Params(), 0.05, SGDOpts{Momentum: 0.9})
	var want []float64
	for step := 0; step < 30; step++ {
		opt.ZeroGrad()
		loss := MSELoss(cn.Forward(x), y)
		loss.Backward()
		opt.Step()
		want = append(want, loss.Item())
	}
	if len(got) != len(want) {
		t.Fatalf("interpreted run: %d losses, want %d", len(got), len(want))
	}
	for k := range want {
		if math.Abs(got[k]-want[k]) > 1e-6*math.Abs(want[k]) {
			t.Fatalf("step %d: interpreted loss %v, compiled %v", k, got[k], want[k])
		}
	}
	if !(want[len(want)-1] < want[0]/2) {
		t.Errorf("the loss did not fall: %v → %v", want[0], want[len(want)-1])
	}
}

func TestInterpretedTrainEval(t *testing.T) {
	i := newInterp(t)
	eval(t, i, userModuleSrc)
	eval(t, i, `
type Outer struct {
	Body  *Net
	extra []nn.Module
	seq   *nn.Sequential
}`)
	eval(t, i, `p1, p2, p3, p4 := &nn.Probe{}, &nn.Probe{}, &nn.Probe{}, &nn.Probe{}`)
	eval(t, i, `o := &Outer{Body: &Net{Hidden: nn.NewLinear(2, 2), Out: nn.NewLinear(2, 2), scale: p1}}`)
	eval(t, i, `o.extra = []nn.Module{p2, &Net{Hidden: nn.NewLinear(2, 2), Out: nn.NewLinear(2, 2), scale: p3}}`)
	eval(t, i, `o.seq = nn.NewSequential([]nn.Module{&Net{Hidden: nn.NewLinear(2, 2), Out: nn.NewLinear(2, 2), scale: p4}})`)
	probes := make([]*probe, 4)
	for k := range probes {
		probes[k] = eval(t, i, "p"+string(rune('1'+k))).Interface().(*probe)
	}
	eval(t, i, `nn.Eval(o)`)
	for k, p := range probes {
		if p.Training() {
			t.Errorf("probe p%d: still training after nn.Eval on an interpreted struct", k+1)
		}
	}
	eval(t, i, `nn.Train(o)`)
	for k, p := range probes {
		if !p.Training() {
			t.Errorf("probe p%d: not training after nn.Train on an interpreted struct", k+1)
		}
	}
}

func TestInterpretedDropoutBatchNorm(t *testing.T) {
	i := newInterp(t)
	eval(t, i, `
type Classifier struct {
	Fc1, Fc2 *nn.Linear
	bn       *nn.BatchNorm1d
	drop     *nn.Dropout
}

func (m *Classifier) Forward(x *engine.Tensor) *engine.Tensor {
	return m.Fc2.Forward(m.drop.Forward(m.bn.Forward(m.Fc1.Forward(x)).ReLU()))
}

func (m *Classifier) Params() []nn.Param {
	return nn.Params(nn.Sub("fc1", m.Fc1), nn.Sub("bn", m.bn), nn.Sub("fc2", m.Fc2))
}

func fit(m *Classifier, x *engine.Tensor, y []int) float64 {
	opt := nn.NewAdam(m.Params(), 0.01, nn.AdamOpts{})
	nn.Train(m)
	for step := 0; step < 40; step++ {
		opt.ZeroGrad()
		loss := nn.CrossEntropyLossIndices(m.Forward(x), y)
		loss.Backward()
		opt.Step()
	}
	nn.Eval(m)
	return nn.CrossEntropyLossIndices(m.Forward(x), y).Item()
}`)
	eval(t, i, `engine.Seed(21)`)
	eval(t, i, `m := &Classifier{Fc1: nn.NewLinear(4, 16), bn: nn.NewBatchNorm1d(16), drop: nn.NewDropout(0.2), Fc2: nn.NewLinear(16, 3)}`)
	eval(t, i, `x := engine.Randn(24, 4)`)
	eval(t, i, `y := []int{0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2}`)
	got := eval(t, i, `fit(m, x, y)`).Interface().(float64)
	// fc1 weight and bias, bn weight, bias and 3 buffers, fc2 weight and bias
	if n := eval(t, i, `len(m.Params())`).Interface().(int); n != 9 {
		t.Errorf("interpreted classifier lists %d params, want 9", n)
	}
	bn := eval(t, i, `m.bn`).Interface().(*BatchNorm1d)
	drop := eval(t, i, `m.drop`).Interface().(*Dropout)
	if bn.Training() || drop.Training() {
		t.Fatal("nn.Eval on the interpreted classifier did not reach its unexported layers")
	}
	if bn.NumBatchesTracked.Item() != 40 {
		t.Errorf("BatchNorm saw %v training batches, want 40", bn.NumBatchesTracked.Item())
	}

	// the same model compiled
	engine.Seed(21)
	fc1, bnc, dc, fc2 := NewLinear(4, 16), NewBatchNorm1d(16), NewDropout(0.2), NewLinear(16, 3)
	x := engine.Randn(24, 4)
	y := []int{0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2}
	fwd := func(x *engine.Tensor) *engine.Tensor {
		return fc2.Forward(dc.Forward(bnc.Forward(fc1.Forward(x)).ReLU()))
	}
	ps := Params(Sub("fc1", fc1), Sub("bn", bnc), Sub("fc2", fc2))
	opt := NewAdam(ps, 0.01, AdamOpts{})
	for step := 0; step < 40; step++ {
		opt.ZeroGrad()
		loss := CrossEntropyLossIndices(fwd(x), y)
		loss.Backward()
		opt.Step()
	}
	Eval(bnc)
	Eval(dc)
	want := CrossEntropyLossIndices(fwd(x), y).Item()
	if math.Abs(got-want) > 1e-6*math.Abs(want) {
		t.Errorf("interpreted classifier's final loss %v, compiled %v", got, want)
	}
	if !(want < 0.7) {
		t.Errorf("the classifier did not learn: final loss %v (log 3 = 1.10)", want)
	}
}
