package nn

import (
	"strings"
	"testing"

	"github.com/dbr-go/dbr/engine"
)

// mlp is a user module as a learner writes it.
type mlp struct {
	Fc1, Fc2 *Linear
	drop     *probe // unexported: Train and Eval must still reach it
}

func (m *mlp) Forward(x *engine.Tensor) *engine.Tensor {
	return m.Fc2.Forward(m.drop.Forward(m.Fc1.Forward(x)))
}

// probe is a layer that records the mode Train and Eval set, and doubles its input.
type probe struct {
	mode
	calls int
}

func (p *probe) Forward(x *engine.Tensor) *engine.Tensor { p.calls++; return x.MulScalar(2) }
func (p *probe) Params() []Param                         { return nil }

func (m *mlp) Params() []Param { return Params(Sub("fc1", m.Fc1), Sub("fc2", m.Fc2)) }

type encoderDecoder struct {
	Encoder *mlp
	Head    *Linear
}

func (m *encoderDecoder) Forward(x *engine.Tensor) *engine.Tensor {
	return m.Head.Forward(m.Encoder.Forward(x))
}

func (m *encoderDecoder) Params() []Param {
	return Params(Sub("encoder", m.Encoder), Sub("head", m.Head))
}

func TestNestedParamNames(t *testing.T) {
	m := &encoderDecoder{Encoder: &mlp{Fc1: NewLinear(4, 8), Fc2: NewLinear(8, 3), drop: &probe{}}, Head: NewLinear(3, 2)}
	got := paramNames(m.Params())
	want := "encoder.fc1.weight encoder.fc1.bias encoder.fc2.weight encoder.fc2.bias head.weight head.bias"
	if got != want {
		t.Errorf("names %q, want %q", got, want)
	}
	seq := NewSequential([]Module{NewLinear(2, 3), &probe{}}).Add(m)
	got = paramNames(seq.Params())
	if !strings.HasPrefix(got, "0.weight 0.bias 2.encoder.fc1.weight") || !strings.HasSuffix(got, "2.head.bias") {
		t.Errorf("Sequential names %q", got)
	}
	if n := len(Tensors(seq.Params())); n != 8 {
		t.Errorf("Tensors: %d, want 8", n)
	}
}

func TestSharedWeights(t *testing.T) {
	// One square weight used by two layers: y = (x·Wᵀ)·Wᵀ.
	w := engine.Randn(3, 3).SetRequiresGrad(true)
	l1 := &Linear{Weight: w}
	l2 := &Linear{Weight: w}
	m := NewSequential([]Module{l1, l2})
	if len(m.Params()) != 1 {
		t.Fatalf("shared weight listed %d times", len(m.Params()))
	}
	x := engine.Randn(2, 3)
	m.Forward(x).Sum().Backward()
	// d/dW sum(x Wᵀ Wᵀ) = both contributions: from l2 (input h = x Wᵀ) and l1.
	h := x.MatMul(w.T())
	ones := engine.Ones(2, 3)
	want := ones.T().MatMul(h).Add(ones.MatMul(w).T().MatMul(x)) // g2ᵀ·h + (g2·W)ᵀ·x
	assertClose(t, "shared weight grad", w.Grad(), want, 1e-5)
	// GradCheck swaps a float64 copy into l1.Weight; l2 must use the same one.
	gradCheckLayer(t, "shared weight", l1, func(xs []*engine.Tensor) *engine.Tensor {
		l2.Weight = l1.Weight
		return l2.Forward(l1.Forward(xs[0]))
	}, x)
	if l1.Weight != w {
		t.Fatal("gradCheckLayer did not restore the weight")
	}
}

func TestSequential(t *testing.T) {
	engine.Seed(1)
	l1, l2 := NewLinear(3, 4), NewLinear(4, 2)
	s := NewSequential([]Module{l1, &probe{}})
	s.Add(l2)
	if s.Len() != 3 || s.Layer(-1) != Module(l2) || s.Layer(0) != Module(l1) {
		t.Fatal("Len/Layer do not match the layers added")
	}
	x := engine.Randn(5, 3)
	assertClose(t, "Sequential.Forward", s.Forward(x), l2.Forward(l1.Forward(x).MulScalar(2)), 0)
	want := "Sequential(\n  (0): Linear(in_features=3, out_features=4, bias=true)\n  (1): probe()\n  (2): Linear(in_features=4, out_features=2, bias=true)\n)"
	if s.String() != want {
		t.Errorf("String:\n%s\nwant\n%s", s, want)
	}
	nested := NewSequential([]Module{s, &mlp{Fc1: NewLinear(2, 2), Fc2: NewLinear(2, 2), drop: &probe{}}})
	if got := nested.String(); !strings.Contains(got, "  (0): Sequential(\n    (0): Linear") || !strings.Contains(got, "(1): mlp()") {
		t.Errorf("nested String:\n%s", got)
	}
	if err := engine.Try(func() { s.Layer(3) }); err == nil {
		t.Error("Layer(3) of 3 layers must panic with an *engine.Error")
	}
	gradCheckLayer(t, "Sequential", l1, func(xs []*engine.Tensor) *engine.Tensor { return s.Forward(xs[0]) }, x)
}

// userNet reaches layers through every kind of field Train and Eval walk.
type userNet struct {
	Seq    *Sequential
	inner  encoderDecoder // a struct by value, unexported
	list   []*probe
	byName map[string]Module
	arr    [2]*probe
	self   *userNet // a cycle
	data   []float64
}

func TestTrainEvalWalk(t *testing.T) {
	ps := make([]*probe, 7)
	for i := range ps {
		ps[i] = &probe{}
	}
	u := &userNet{
		Seq:    NewSequential([]Module{NewLinear(2, 2), ps[0]}),
		inner:  encoderDecoder{Encoder: &mlp{Fc1: NewLinear(2, 2), Fc2: NewLinear(2, 2), drop: ps[1]}, Head: NewLinear(2, 2)},
		list:   []*probe{ps[2], ps[3]},
		byName: map[string]Module{"a": ps[4]},
		arr:    [2]*probe{ps[5], ps[6]},
		data:   make([]float64, 10),
	}
	u.self = u
	Eval(u)
	for i, p := range ps {
		if p.Training() {
			t.Errorf("probe %d still in training mode after Eval", i)
		}
	}
	Train(u)
	for i, p := range ps {
		if !p.Training() {
			t.Errorf("probe %d not in training mode after Train", i)
		}
	}
	// a struct passed by value, and a single layer
	Eval(*u)
	if ps[1].Training() || ps[6].Training() {
		t.Error("Eval on a struct value did not reach its layers")
	}
	Train(ps[1])
	if !ps[1].Training() {
		t.Error("Train on a layer did not switch it")
	}
	Eval(nil) // nothing to do, no panic
}

// TestZeroGradModuleTorchRef: nn.ZeroGrad works on any Module (a user's
// struct too) and leaves zeros, as PyTorch 1.13's model.zero_grad().
func TestZeroGradModuleTorchRef(t *testing.T) {
	c := ref(t, "Module.zero_grad")
	if c.Scalars["grad_is_none"] != 0 {
		t.Fatal("reference: PyTorch 1.13 left None")
	}
	l := NewLinear(3, 2)
	m := &mlpModule{l} // a Module that is not one of nn's layers
	l.Forward(engine.Randn(4, 3)).Sum().Backward()
	ZeroGrad(m)
	assertClose(t, "weight grad", l.Weight.Grad(), c.T(t, "weight.grad"), 0)
	assertClose(t, "bias grad", l.Bias.Grad(), c.T(t, "bias.grad"), 0)
	s := NewSequential([]Module{NewLinear(2, 2)})
	s.Forward(engine.Randn(1, 2)).Sum().Backward()
	s.ZeroGrad()
	if g := s.Layer(0).Params()[0].Tensor.Grad(); g == nil || g.Sum().Item() != 0 {
		t.Errorf("Sequential.ZeroGrad left %v", g)
	}
}

type mlpModule struct{ l *Linear }

func (m *mlpModule) Forward(x *engine.Tensor) *engine.Tensor { return m.l.Forward(x) }
func (m *mlpModule) Params() []Param                         { return Sub("l", m.l) }
