package inspect

import (
	"bytes"
	"strings"
	"testing"

	"github.com/dbr-go/dbr/engine"
	"github.com/dbr-go/dbr/nn"
)

// leaky uses B in Forward but leaves it out of Params(), the mistake a
// hand-written Params() invites.
type leaky struct{ A, B *nn.Linear }

func (m *leaky) Forward(x *engine.Tensor) *engine.Tensor { return m.B.Forward(m.A.Forward(x).ReLU()) }
func (m *leaky) Params() []nn.Param                      { return nn.Params(nn.Sub("a", m.A)) }

// TestLayerLeftOutOfParams: after a training step the engine warns once
// about B's weight, :grads lists B's tensors as used by the loss but not in
// Params(), and :summary names the layer B by its type.
func TestLayerLeftOutOfParams(t *testing.T) {
	var warn bytes.Buffer
	prev := engine.Warnings
	engine.Warnings = &warn
	defer func() { engine.Warnings = prev }()

	engine.Seed(1)
	m := &leaky{nn.NewLinear(3, 4), nn.NewLinear(4, 2)}
	opt := nn.NewSGD(m.Params(), 0.1, nn.SGDOpts{})
	before := m.B.Weight.Float32s()
	x := engine.Randn(5, 3)
	for i := 0; i < 3; i++ {
		opt.ZeroGrad()
		m.Forward(x).Sum().Backward()
		opt.Step()
	}
	if after := m.B.Weight.Float32s(); !equalF32(before, after) {
		t.Fatal("B trained although it is in no optimizer")
	}
	w := warn.String()
	// Linear's weight [2 4] and bias [2] each warn once, over three steps
	if strings.Count(w, "warning:") != 2 || !strings.Contains(w, "float32 [2 4] tensor") || !strings.Contains(w, "through Linear") {
		t.Errorf("warnings:\n%s", w)
	}

	g := Grads(m).String()
	for _, want := range []string{"a.weight", "B.Weight (Linear)", "B.Bias (Linear)", "used by the loss but not in Params()"} {
		if !strings.Contains(g, want) {
			t.Errorf("Grads lacks %q:\n%s", want, g)
		}
	}
	if strings.Contains(g, "A.Weight") {
		t.Errorf("Grads lists A's weight, which Params() has, twice:\n%s", g)
	}

	s := Summary(m, 5, 3)
	if len(s.NotInParams) != 1 || s.NotInParams[0].Name != "B (Linear)" || !s.NotInParams[0].Used {
		t.Fatalf("NotInParams %+v", s.NotInParams)
	}
	if str := s.String(); !strings.Contains(str, "⚠ B (Linear) is used by Forward") || !strings.Contains(str, "[2 4], [2]") {
		t.Errorf("Summary:\n%s", str)
	}
}

func equalF32(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// wrapLayer is a user's layer wrapping a Linear without a name prefix, so both
// sit at the same path.
type wrapLayer struct{ L *nn.Linear }

func (b *wrapLayer) Forward(x *engine.Tensor) *engine.Tensor { return b.L.Forward(x).ReLU() }
func (b *wrapLayer) Params() []nn.Param                      { return b.L.Params() }

// TestSummaryLabelsUserLayerByItsType: a user's layer in a Sequential is
// labelled by its own type, not by the Linear it wraps, and prints by it.
func TestSummaryLabelsUserLayerByItsType(t *testing.T) {
	m := nn.NewSequential([]nn.Module{&wrapLayer{nn.NewLinear(3, 4)}, nn.NewLinear(4, 2)})
	s := Summary(m, 2, 3)
	if len(s.Rows) != 2 || s.Rows[0].Type != "wrapLayer" || s.Rows[1].Type != "Linear" {
		t.Fatalf("rows %+v", s.Rows)
	}
	if str := m.String(); !strings.Contains(str, "(0): wrapLayer()") {
		t.Errorf("Sequential prints:\n%s", str)
	}
}
