package nn

import (
	"math"
	"slices"
	"testing"

	"github.com/dbr-go/dbr/engine"
)

func TestInitBounds(t *testing.T) {
	engine.Seed(1)
	w := engine.Zeros(200, 30, 3, 3) // fan_in 270, fan_out 1800
	XavierUniform(w, 2)
	checkUniform(t, "XavierUniform", w, 2*math.Sqrt(6.0/(270+1800)))
	KaimingUniform(w, 0)
	checkUniform(t, "KaimingUniform", w, math.Sqrt(3)*math.Sqrt2/math.Sqrt(270))
	KaimingNormal(w, 0)
	checkStd(t, "KaimingNormal", w, math.Sqrt2/math.Sqrt(270))
	XavierNormal(w, 1)
	checkStd(t, "XavierNormal", w, math.Sqrt(2.0/(270+1800)))
	ConstantInit(w, 0.25)
	if w.At(3, 2, 1, 0) != 0.25 {
		t.Errorf("ConstantInit: %v", w.At(3, 2, 1, 0))
	}
}

func TestInitReproducible(t *testing.T) {
	a, b := engine.Zeros(10, 20), engine.Zeros(10, 20)
	engine.Seed(42)
	KaimingNormal(a, 1)
	engine.Seed(42)
	KaimingNormal(b, 1)
	if !slices.Equal(a.Float64s(), b.Float64s()) {
		t.Error("KaimingNormal is not reproducible under engine.Seed")
	}
}

func TestInitErrors(t *testing.T) {
	if err := engine.Try(func() { XavierUniform(engine.Zeros(5), 1) }); err == nil {
		t.Error("XavierUniform on a 1-d tensor must panic with an *engine.Error")
	}
	if err := engine.Try(func() { CalculateGain("swish", 0) }); err == nil {
		t.Error("CalculateGain of an unknown name must panic with an *engine.Error")
	}
	for _, c := range []struct {
		name  string
		param float64
		want  float64
	}{{"linear", 0, 1}, {"sigmoid", 0, 1}, {"tanh", 0, 5.0 / 3}, {"relu", 0, math.Sqrt2},
		{"leaky_relu", 0.01, math.Sqrt(2 / (1 + 0.0001))}, {"leaky_relu", 0.2, math.Sqrt(2 / 1.04)}, {"selu", 0, 0.75}} {
		if got := CalculateGain(c.name, c.param); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("CalculateGain(%q, %v) = %v, want %v", c.name, c.param, got, c.want)
		}
	}
}

// TestCalculateGainZeroSlopeTorchRef: a slope of 0 is a slope of 0 (PyTorch's
// calculate_gain("leaky_relu", 0) is √2), not PyTorch's default 0.01.
func TestCalculateGainZeroSlopeTorchRef(t *testing.T) {
	c := ref(t, "calculate_gain/leaky_relu-0")
	if got, want := CalculateGain("leaky_relu", 0), c.Scalars["gain"]; math.Abs(got-want) > 1e-15 {
		t.Errorf("CalculateGain(leaky_relu, 0) = %v, PyTorch %v", got, want)
	}
	if got, want := CalculateGain("leaky_relu", 0.01), c.Scalars["gain_default"]; math.Abs(got-want) > 1e-15 {
		t.Errorf("CalculateGain(leaky_relu, 0.01) = %v, PyTorch's default %v", got, want)
	}
}

// checkStd checks that x's values have mean near 0 and standard deviation near std.
func checkStd(t *testing.T, what string, x *engine.Tensor, std float64) {
	t.Helper()
	d := x.Float64s()
	mean, sq := 0.0, 0.0
	for _, v := range d {
		mean += v
		sq += v * v
	}
	n := float64(len(d))
	mean /= n
	s := math.Sqrt(sq/n - mean*mean)
	if math.Abs(mean) > 5*std/math.Sqrt(n) || math.Abs(s-std) > 5*std/math.Sqrt(2*n) {
		t.Errorf("%s: mean %v, std %v; want 0 and %v", what, mean, s, std)
	}
}
