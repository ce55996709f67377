package nn

import (
	"math"
	"strings"

	"github.com/dbr-go/dbr/engine"
)

// The initializers fill a tensor in place, as torch.nn.init's functions with a
// trailing underscore do, and return it. They draw from engine's generator, so
// engine.Seed makes them reproducible. Fans are computed as PyTorch does: for
// a weight of shape [out, in, k…], fan_in = in·k… and fan_out = out·k….

// fans returns fan_in and fan_out of a weight; it panics with an *engine.Error
// for fewer than 2 dims.
func fans(op string, t *engine.Tensor) (fanIn, fanOut int) {
	s := t.Shape()
	if len(s) < 2 {
		errorf(op, "fan in and fan out need a tensor of at least 2 dims, got shape %v", s)
	}
	rf := 1
	for _, d := range s[2:] {
		rf *= d
	}
	return s[1] * rf, s[0] * rf
}

// CalculateGain returns the recommended gain for a nonlinearity, as
// torch.nn.init.calculate_gain: "linear", "conv2d", "sigmoid" → 1, "tanh" →
// 5/3, "relu" → √2, "leaky_relu" → √(2/(1+param²)) (param is the negative
// slope, 0 included; PyTorch's default slope is 0.01), "selu" → 3/4.
// It panics with an *engine.Error for an unknown name.
func CalculateGain(nonlinearity string, param float64) float64 {
	switch strings.ToLower(nonlinearity) {
	case "linear", "identity", "conv1d", "conv2d", "conv3d", "sigmoid":
		return 1
	case "tanh":
		return 5.0 / 3
	case "relu":
		return math.Sqrt2
	case "leaky_relu":
		return math.Sqrt(2 / (1 + param*param))
	case "selu":
		return 0.75
	}
	errorf("CalculateGain", "unknown nonlinearity %q (use linear, sigmoid, tanh, relu, leaky_relu, selu)", nonlinearity)
	return 0
}

// UniformInit fills t with values drawn uniformly from [lo, hi) and returns t.
func UniformInit(t *engine.Tensor, lo, hi float64) *engine.Tensor {
	return t.CopyFrom(engine.Uniform(lo, hi, t.Shape()...))
}

// NormalInit fills t with values drawn from N(mean, std²) and returns t.
func NormalInit(t *engine.Tensor, mean, std float64) *engine.Tensor {
	return t.CopyFrom(engine.Randn(t.Shape()...).MulScalar(std).AddScalar(mean))
}

// ConstantInit fills t with v and returns t.
func ConstantInit(t *engine.Tensor, v float64) *engine.Tensor {
	return t.CopyFrom(engine.FullLike(t, v))
}

// XavierUniform fills t from U(-b, b) with b = gain·√(6/(fan_in+fan_out)),
// as torch.nn.init.xavier_uniform_ (Glorot), and returns t. Use gain 1 unless
// CalculateGain says otherwise. It panics for fewer than 2 dims.
func XavierUniform(t *engine.Tensor, gain float64) *engine.Tensor {
	in, out := fans("XavierUniform", t)
	b := gain * math.Sqrt(6/float64(in+out))
	return UniformInit(t, -b, b)
}

// XavierNormal fills t from N(0, std²) with std = gain·√(2/(fan_in+fan_out)),
// as torch.nn.init.xavier_normal_, and returns t. It panics for fewer than 2 dims.
func XavierNormal(t *engine.Tensor, gain float64) *engine.Tensor {
	in, out := fans("XavierNormal", t)
	return NormalInit(t, 0, gain*math.Sqrt(2/float64(in+out)))
}

// KaimingUniform fills t from U(-b, b) with b = √3·gain/√fan_in and gain =
// √(2/(1+a²)), as torch.nn.init.kaiming_uniform_ with mode "fan_in" and
// nonlinearity "leaky_relu" (a = 0 is the ReLU case; Linear and Conv2d use
// a = √5 by default), and returns t. It panics for fewer than 2 dims.
func KaimingUniform(t *engine.Tensor, a float64) *engine.Tensor {
	in, _ := fans("KaimingUniform", t)
	gain := math.Sqrt(2 / (1 + a*a))
	b := math.Sqrt(3) * gain / math.Sqrt(float64(in))
	return UniformInit(t, -b, b)
}

// KaimingNormal fills t from N(0, std²) with std = gain/√fan_in and gain =
// √(2/(1+a²)), as torch.nn.init.kaiming_normal_ with mode "fan_in" and
// nonlinearity "leaky_relu", and returns t. It panics for fewer than 2 dims.
func KaimingNormal(t *engine.Tensor, a float64) *engine.Tensor {
	in, _ := fans("KaimingNormal", t)
	return NormalInit(t, 0, math.Sqrt(2/(1+a*a))/math.Sqrt(float64(in)))
}

// initLayer gives a weight and an optional bias PyTorch's default
// initialization for Linear and Conv layers: Kaiming-uniform with a = √5 for
// the weight (which is U(±1/√fan_in)) and U(±1/√fan_in) for the bias.
func initLayer(w, b *engine.Tensor) {
	KaimingUniform(w, math.Sqrt(5))
	if b != nil {
		in, _ := fans("init", w)
		bound := 0.0
		if in > 0 {
			bound = 1 / math.Sqrt(float64(in))
		}
		UniformInit(b, -bound, bound)
	}
}

// param returns a new parameter tensor of the default dtype.
func param(shape ...int) *engine.Tensor {
	return engine.Zeros(shape...).SetRequiresGrad(true)
}
