package nn

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/dbr-go/dbr/engine"
)

func TestLinearTorchRef(t *testing.T) {
	for _, name := range []string{"Linear", "Linear/3d", "Linear/nobias"} {
		t.Run(name, func(t *testing.T) {
			c := ref(t, name)
			// in float64, then with float32 layer and inputs (the default)
			for _, run := range []func(func()){withFloat64, func(f func()) { f() }} {
				run(func() {
					w := c.T(t, "weight")
					l := NewLinear(w.Size(1), w.Size(0))
					if !c.Has("bias") {
						l.Bias = nil
					}
					loadParams(t, c, l.Params())
					checkLayerRef(t, c, func(xs []*engine.Tensor) []*engine.Tensor {
						return []*engine.Tensor{l.Forward(xs[0])}
					}, l.Params())
				})
			}
		})
	}
}

func TestLinearGradCheck(t *testing.T) {
	for _, shape := range [][]int{{4, 3}, {3}, {2, 5, 3}} {
		l := NewLinear(3, 2)
		gradCheckLayer(t, "Linear", l, func(xs []*engine.Tensor) *engine.Tensor { return l.Forward(xs[0]) }, engine.Randn(shape...))
	}
	l := NewLinear(3, 3)
	l.Bias = nil
	// the input used twice: through the layer and added to its output
	gradCheckLayer(t, "Linear/twice", l, func(xs []*engine.Tensor) *engine.Tensor { return l.Forward(xs[0]).Add(xs[0]) }, engine.Randn(2, 3))
}

func TestLinearShapeError(t *testing.T) {
	l := NewLinear(784, 128)
	err := engine.Try(func() { l.Forward(engine.Zeros(64, 28, 28)) })
	var se *engine.ShapeError
	if !errors.As(err, &se) || se.Op != "Linear" {
		t.Fatalf("got %v, want a Linear *ShapeError", err)
	}
	for _, want := range []string{"[64 28 28]", "[128 784]", "in_features=784", "Flatten(1)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

// The hint suggests Flatten(1) only for an input whose dims after the
// first hold in_features values, T() for a transposed 2-d input.
func TestLinearShapeHints(t *testing.T) {
	l := NewLinear(4, 3)
	for _, c := range []struct {
		x         *engine.Tensor
		want, not string
	}{
		{engine.Zeros(2, 3), "(give the input shape [batch, 4])", "Flatten"},
		{engine.Zeros(4, 2), "(x.T() is [2 4], which fits)", "Flatten"},
		{engine.Zeros(5, 2, 2), "(x.Flatten(1) makes it [5 4])", "T()"},
		{engine.Zeros(5, 3, 3), "(give the input shape [batch, 4])", "Flatten"},
	} {
		err := engine.Try(func() { l.Forward(c.x) })
		if err == nil || !strings.HasSuffix(err.Error(), c.want) || strings.Contains(err.Error(), c.not) {
			t.Errorf("input %v: error %v, want it to end with %q and not mention %s", c.x.Shape(), err, c.want, c.not)
		}
	}
}

func TestLinearInitAndString(t *testing.T) {
	engine.Seed(7)
	a := NewLinear(400, 50)
	engine.Seed(7)
	b := NewLinear(400, 50)
	if !slices.Equal(a.Weight.Float64s(), b.Weight.Float64s()) || !slices.Equal(a.Bias.Float64s(), b.Bias.Float64s()) {
		t.Error("NewLinear is not reproducible under engine.Seed")
	}
	// Kaiming-uniform with a=√5 is U(±1/√fan_in), as is the bias.
	bound := 1 / math.Sqrt(400)
	checkUniform(t, "Linear.weight", a.Weight, bound)
	checkUniform(t, "Linear.bias", a.Bias, bound)
	if !a.Weight.RequiresGrad() || !a.Bias.RequiresGrad() {
		t.Error("Linear parameters must require grad")
	}
	if got, want := a.String(), "Linear(in_features=400, out_features=50, bias=true)"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	a.Bias = nil
	if got, want := a.String(), "Linear(in_features=400, out_features=50, bias=false)"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if ps := a.Params(); len(ps) != 1 || ps[0].Name != "weight" {
		t.Errorf("Params without bias: %v", ps)
	}
}

// checkUniform checks that t's values lie in [-b, b] and spread over it like
// a uniform distribution: mean near 0 and variance near b²/3.
func checkUniform(t *testing.T, what string, x *engine.Tensor, b float64) {
	t.Helper()
	d := x.Float64s()
	mean, sq := 0.0, 0.0
	for _, v := range d {
		if v < -b || v > b {
			t.Fatalf("%s: value %v outside ±%v", what, v, b)
		}
		mean += v
		sq += v * v
	}
	n := float64(len(d))
	mean /= n
	variance := sq/n - mean*mean
	// standard errors: mean b/√(3n), variance ≈ b²·0.3/√n; allow 5 of them
	if math.Abs(mean) > 5*b/math.Sqrt(3*n) {
		t.Errorf("%s: mean %v is far from 0 for U(±%v) with %d values", what, mean, b, len(d))
	}
	if math.Abs(variance-b*b/3) > 5*0.3*b*b/math.Sqrt(n) {
		t.Errorf("%s: variance %v, want about %v", what, variance, b*b/3)
	}
}
