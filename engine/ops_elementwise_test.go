package engine

import (
	"encoding/json"
	"math"
	"math/rand"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/dbr-go/dbr/internal/kernels"
)

var _ = addOps("elementwise", elementwiseOps)
var _ = addOps("core", elementwiseCoreOps)

// elementwiseOps are the op table's rows for the elementwise and comparison
// ops (see runOps).
func elementwiseOps() []opSpec {
	Seed(2)
	x0 := func(f func(*Tensor) *Tensor) func([]*Tensor) *Tensor {
		return func(x []*Tensor) *Tensor { return f(x[0]) }
	}
	un, bin := x0, func(f func(a, b *Tensor) *Tensor) func([]*Tensor) *Tensor {
		return func(x []*Tensor) *Tensor { return f(x[0], x[1]) }
	}
	a23 := Randn(2, 3)
	a3 := Randn(3)
	return []opSpec{
		{name: "Pow/broadcast", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Pow(x[1]) }},
		{name: "Pow/zero-base", torch: true, kinks: true, f: func(x []*Tensor) *Tensor { return x[0].Pow(x[1]) }},
		{name: "Maximum/broadcast", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Maximum(x[1]) }},
		{name: "Maximum/ties", torch: true, kinks: true, f: func(x []*Tensor) *Tensor { return x[0].Maximum(x[1]) }},
		{name: "Minimum/broadcast", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Minimum(x[1]) }},
		{name: "Minimum/ties", torch: true, kinks: true, f: func(x []*Tensor) *Tensor { return x[0].Minimum(x[1]) }},
		{name: "SubScalar", torch: true, f: x0(func(a *Tensor) *Tensor { return a.SubScalar(1.5) })},
		{name: "DivScalar", torch: true, f: x0(func(a *Tensor) *Tensor { return a.DivScalar(-4) })},
		{name: "PowScalar/frac", torch: true, f: x0(func(a *Tensor) *Tensor { return a.PowScalar(2.5) })},
		{name: "PowScalar/int-negative-base", torch: true, f: x0(func(a *Tensor) *Tensor { return a.PowScalar(3) })},
		{name: "PowScalar/zero", torch: true, kinks: true, f: x0(func(a *Tensor) *Tensor { return a.PowScalar(0) })},
		{name: "PowScalar/square-at-zero", torch: true, kinks: true, f: x0(func(a *Tensor) *Tensor { return a.PowScalar(2) })},
		{name: "Abs", torch: true, kinks: true, f: x0((*Tensor).Abs)},
		{name: "Log", torch: true, f: x0((*Tensor).Log)},
		{name: "Sqrt", torch: true, f: x0((*Tensor).Sqrt)},
		{name: "Square", torch: true, f: x0((*Tensor).Square)},
		{name: "Sin", torch: true, f: x0((*Tensor).Sin)},
		{name: "Cos", torch: true, f: x0((*Tensor).Cos)},
		{name: "Tanh", torch: true, f: x0((*Tensor).Tanh)},
		{name: "Sigmoid", torch: true, f: x0((*Tensor).Sigmoid)},
		{name: "ReLU", torch: true, kinks: true, f: x0((*Tensor).ReLU)},
		{name: "LeakyReLU", torch: true, kinks: true, f: x0(func(a *Tensor) *Tensor { return a.LeakyReLU(0.1) })},
		{name: "GELU", torch: true, f: x0((*Tensor).GELU)},
		{name: "Clamp", torch: true, kinks: true, f: x0(func(a *Tensor) *Tensor { return a.Clamp(-0.5, 0.5) })},
		{name: "Gt/broadcast", torch: true, noGrad: true, f: func(x []*Tensor) *Tensor { return x[0].Gt(x[1]) }},
		{name: "Ge/broadcast", torch: true, noGrad: true, f: func(x []*Tensor) *Tensor { return x[0].Ge(x[1]) }},
		{name: "Lt/broadcast", torch: true, noGrad: true, f: func(x []*Tensor) *Tensor { return x[0].Lt(x[1]) }},
		{name: "Le/broadcast", torch: true, noGrad: true, f: func(x []*Tensor) *Tensor { return x[0].Le(x[1]) }},
		{name: "Eq/broadcast", torch: true, noGrad: true, f: func(x []*Tensor) *Tensor { return x[0].Eq(x[1]) }},
		{name: "Ne/broadcast", torch: true, noGrad: true, f: func(x []*Tensor) *Tensor { return x[0].Ne(x[1]) }},
		{name: "GtScalar", torch: true, noGrad: true, f: x0(func(a *Tensor) *Tensor { return a.GtScalar(1) })},
		{name: "GeScalar", torch: true, noGrad: true, f: x0(func(a *Tensor) *Tensor { return a.GeScalar(1) })},
		{name: "LtScalar", torch: true, noGrad: true, f: x0(func(a *Tensor) *Tensor { return a.LtScalar(1) })},
		{name: "LeScalar", torch: true, noGrad: true, f: x0(func(a *Tensor) *Tensor { return a.LeScalar(1) })},
		{name: "EqScalar", torch: true, noGrad: true, f: x0(func(a *Tensor) *Tensor { return a.EqScalar(1) })},
		{name: "NeScalar", torch: true, noGrad: true, f: x0(func(a *Tensor) *Tensor { return a.NeScalar(1) })},
		{name: "Where/broadcast", torch: true, kinks: true, f: func(x []*Tensor) *Tensor { return Where(x[0], x[1], x[2]) }},
		{name: "Where/same", torch: true, kinks: true, f: func(x []*Tensor) *Tensor { return Where(x[0], x[1], x[2]) }},
		{name: "Where/scalar-branch", torch: true, kinks: true, f: func(x []*Tensor) *Tensor { return Where(x[0], x[1], x[2]) }},
		{name: "SiLU", torch: true, f: x0((*Tensor).SiLU)},
		{name: "Softplus", torch: true, f: x0(func(a *Tensor) *Tensor { return a.Softplus(1, 20) })},
		{name: "Softplus/beta", torch: true, f: x0(func(a *Tensor) *Tensor { return a.Softplus(2, 5) })},
		{name: "ELU", torch: true, kinks: true, f: x0(func(a *Tensor) *Tensor { return a.ELU(1) })},
		{name: "ELU/alpha", torch: true, f: x0(func(a *Tensor) *Tensor { return a.ELU(0.5) })},
		{name: "Log1p", torch: true, f: x0((*Tensor).Log1p)},
		{name: "Floor", torch: true, kinks: true, f: x0((*Tensor).Floor)},
		{name: "Round", torch: true, kinks: true, f: x0((*Tensor).Round)},
		{name: "Sign", torch: true, kinks: true, f: x0((*Tensor).Sign)},
		{name: "SiLU", f: un((*Tensor).SiLU), inputs: []*Tensor{Randn(2, 3).MulScalar(3)}},
		{name: "Softplus", f: un(func(a *Tensor) *Tensor { return a.Softplus(1.5, 3) }), inputs: []*Tensor{awayFrom(0.2, 3, 4).MulScalar(2)}},
		{name: "ELU", f: un(func(a *Tensor) *Tensor { return a.ELU(0.7) }), inputs: []*Tensor{awayFrom(0.1, 2, 3)}},
		{name: "Log1p", f: un((*Tensor).Log1p), inputs: []*Tensor{positive(2, 3)}},
		{name: "Floor", f: un((*Tensor).Floor), inputs: []*Tensor{Randn(2, 3).MulScalar(3).Add(Full(0.01, 2, 3))}},
		{name: "Pow/same", f: bin((*Tensor).Pow), inputs: []*Tensor{positive(2, 3), Randn(2, 3)}},
		{name: "Pow/broadcast", f: bin((*Tensor).Pow), inputs: []*Tensor{positive(2, 1, 3), Randn(4, 1)}},
		{name: "Pow/scalar-exponent", f: bin((*Tensor).Pow), inputs: []*Tensor{positive(3, 2), Randn()}},
		{name: "Maximum/same", f: bin((*Tensor).Maximum), inputs: []*Tensor{a23, distinct(a23)}},
		{name: "Maximum/broadcast", f: bin((*Tensor).Maximum), inputs: []*Tensor{Randn(2, 1, 3), Randn(4, 1)}},
		{name: "Minimum/same", f: bin((*Tensor).Minimum), inputs: []*Tensor{a23, distinct(a23)}},
		{name: "Minimum/broadcast", f: bin((*Tensor).Minimum), inputs: []*Tensor{a3, Randn(2, 3).Add(a3).Add(awayFrom(0.1, 2, 3))}},
		{name: "SubScalar", f: un(func(a *Tensor) *Tensor { return a.SubScalar(2) }), inputs: []*Tensor{Randn(2, 3)}},
		{name: "DivScalar", f: un(func(a *Tensor) *Tensor { return a.DivScalar(-3) }), inputs: []*Tensor{Randn(2, 3)}},
		{name: "PowScalar/frac", f: un(func(a *Tensor) *Tensor { return a.PowScalar(1.5) }), inputs: []*Tensor{positive(2, 3)}},
		{name: "PowScalar/negative", f: un(func(a *Tensor) *Tensor { return a.PowScalar(-2) }), inputs: []*Tensor{positive(4)}},
		{name: "PowScalar/int", f: un(func(a *Tensor) *Tensor { return a.PowScalar(3) }), inputs: []*Tensor{Randn(2, 2)}},
		{name: "Abs", f: un((*Tensor).Abs), inputs: []*Tensor{awayFrom(0.1, 2, 3)}},
		{name: "Log", f: un((*Tensor).Log), inputs: []*Tensor{positive(2, 3)}},
		{name: "Sqrt", f: un((*Tensor).Sqrt), inputs: []*Tensor{positive(2, 3)}},
		{name: "Square", f: un((*Tensor).Square), inputs: []*Tensor{Randn(2, 3)}},
		{name: "Sin", f: un((*Tensor).Sin), inputs: []*Tensor{Randn(2, 3)}},
		{name: "Cos", f: un((*Tensor).Cos), inputs: []*Tensor{Randn(2, 3)}},
		{name: "Tanh", f: un((*Tensor).Tanh), inputs: []*Tensor{Randn(2, 3)}},
		{name: "Sigmoid", f: un((*Tensor).Sigmoid), inputs: []*Tensor{Randn(2, 3).MulScalar(3)}},
		{name: "ReLU", f: un((*Tensor).ReLU), inputs: []*Tensor{awayFrom(0.1, 2, 3)}},
		{name: "LeakyReLU", f: un(func(a *Tensor) *Tensor { return a.LeakyReLU(0.2) }), inputs: []*Tensor{awayFrom(0.1, 2, 3)}},
		{name: "GELU", f: un((*Tensor).GELU), inputs: []*Tensor{Randn(2, 3).MulScalar(2)}},
		{name: "Clamp", f: un(func(a *Tensor) *Tensor { return a.Clamp(-0.5, 0.7) }),
			inputs: []*Tensor{New64([]float64{-2, -0.8, -0.3, 0, 0.4, 0.69, 0.9, 3}, 2, 4)}},
		{name: "Where/same", f: func(x []*Tensor) *Tensor { return Where(x[0].GtScalar(0), x[0], x[1]) }, inputs: []*Tensor{awayFrom(0.1, 2, 3), Randn(2, 3)}},
		{name: "Where/broadcast", f: func(x []*Tensor) *Tensor { return Where(New([]float32{1, 0, 1}), x[0], x[1]) }, inputs: []*Tensor{Randn(2, 1), Randn(4, 2, 3)}},
		{name: "Where/scalar-branch", f: func(x []*Tensor) *Tensor { return Where(New([]float32{0, 1}, 2, 1), x[0], x[1]) }, inputs: []*Tensor{Randn(), Randn(2, 3)}},
		{name: "Where/both-broadcast", f: func(x []*Tensor) *Tensor { return Where(New([]float32{1, 0}, 2, 1), x[0], x[1]) }, inputs: []*Tensor{Randn(3), Randn(2, 1)}},
		{name: "Pow/base-broadcast", f: bin((*Tensor).Pow), inputs: []*Tensor{positive(3), Randn(2, 3)}},
		// Dropout is random: reseeding before each call fixes the mask, so the
		// finite differences see the same function as Backward
		{name: "Dropout", f: un(func(a *Tensor) *Tensor { Seed(9); return a.Dropout(0.4, true) }), inputs: []*Tensor{Randn(4, 5)}},
		// one tensor used twice: both contributions must arrive
		{name: "twice/Dropout", f: un(func(a *Tensor) *Tensor { Seed(9); return a.Dropout(0.5, true).Mul(a) }), inputs: []*Tensor{Randn(3, 4)}},
		{name: "twice/Pow", f: func(x []*Tensor) *Tensor { return x[0].Pow(x[0]) }, inputs: []*Tensor{positive(2, 3)}},
		{name: "twice/Tanh*Sigmoid", f: func(x []*Tensor) *Tensor { return x[0].Tanh().Mul(x[0].Sigmoid()) }, inputs: []*Tensor{Randn(3, 2)}},
		{name: "twice/Maximum", f: func(x []*Tensor) *Tensor { return x[0].Maximum(x[0].Sin()) }, inputs: []*Tensor{Randn(5).Add(Full(0.5, 5))}},
		{name: "twice/Where", f: func(x []*Tensor) *Tensor { return Where(x[0].GtScalar(0), x[0].Square(), x[0].Exp()) }, inputs: []*Tensor{awayFrom(0.1, 2, 3)}},
		// above poolMin and the 65536-element chunks
		{name: "ReLU/big", f: un((*Tensor).ReLU), inputs: []*Tensor{awayFrom(0.01, 300, 250)}},
		{name: "Sigmoid/big", f: un((*Tensor).Sigmoid), inputs: []*Tensor{Randn(2, 3, 40, 40)}},
		{name: "Tanh/big", f: un((*Tensor).Tanh), inputs: []*Tensor{Randn(300, 250)}},
		{name: "Sigmoid/chunks", f: un((*Tensor).Sigmoid), inputs: []*Tensor{Randn(250, 300).MulScalar(3)}},
		{name: "Exp/chunks", f: un((*Tensor).Exp), inputs: []*Tensor{Randn(250, 300).MulScalar(3)}},
		{name: "Log/big", f: un((*Tensor).Log), inputs: []*Tensor{positive(70, 77)}},
		{name: "SiLU/chunks", f: un((*Tensor).SiLU), inputs: []*Tensor{Randn(250, 263).MulScalar(3)}},
		// above the 256-element blocks of the float32 backward loops, the
		// pool and the chunks; large inputs on both sides of the threshold
		{name: "Softplus/chunks", f: un(func(a *Tensor) *Tensor { return a.Softplus(2, 5) }), inputs: []*Tensor{awayFrom(0.02, 250, 263).MulScalar(3)}},
		{name: "GELU/chunks", f: un((*Tensor).GELU), inputs: []*Tensor{Randn(250, 263).MulScalar(4)}},
		{name: "ELU/chunks", f: un(func(a *Tensor) *Tensor { return a.ELU(0.7) }), inputs: []*Tensor{awayFrom(0.01, 250, 263).MulScalar(3)}},
		// the float32 loops of their own, over more than one chunk
		{name: "Sqrt/chunks", f: un((*Tensor).Sqrt), inputs: []*Tensor{positive(250, 263)}},
		{name: "Abs/chunks", f: un((*Tensor).Abs), inputs: []*Tensor{awayFrom(0.01, 250, 263)}},
		{name: "LeakyReLU/chunks", f: un(func(a *Tensor) *Tensor { return a.LeakyReLU(0.1) }), inputs: []*Tensor{awayFrom(0.01, 250, 263)}},
		{name: "PowScalar/chunks", f: un(func(a *Tensor) *Tensor { return a.PowScalar(2) }), inputs: []*Tensor{Randn(250, 263)}},
		{name: "DivScalar/chunks", f: un(func(a *Tensor) *Tensor { return a.DivScalar(3) }), inputs: []*Tensor{Randn(250, 263)}},
		{name: "Maximum/big", f: bin((*Tensor).Maximum), inputs: []*Tensor{Randn(300, 250), Randn(250).Add(Full(0.0001, 250))}},
		{name: "Where/big", f: func(x []*Tensor) *Tensor { return Where(x[0].GtScalar(0), x[0], x[1]) }, inputs: []*Tensor{awayFrom(0.01, 300, 250), Randn(250)}},
	}
}

// TestMaximumTies checks the half-and-half gradient split at ties directly.
func TestMaximumTies(t *testing.T) {
	a := New([]float32{1, 2, 5}).SetRequiresGrad(true)
	b := New([]float32{1, 3, 4}).SetRequiresGrad(true)
	a.Maximum(b).Sum().Backward()
	assertClose(t, "Maximum ∂a", a.Grad(), New([]float32{0.5, 0, 1}), 0)
	assertClose(t, "Maximum ∂b", b.Grad(), New([]float32{0.5, 1, 0}), 0)
}

func TestCompareNotDifferentiable(t *testing.T) {
	x := Randn(2, 3).SetRequiresGrad(true)
	for _, m := range []*Tensor{x.Gt(Zeros(3)), x.GtScalar(0), x.Eq(x), x.NeScalar(1)} {
		if m.RequiresGrad() {
			t.Errorf("%s: a mask must not require grad", m.Op())
		}
		if want := m.Op() + " is not differentiable"; m.NoGradReason() != want {
			t.Errorf("NoGradReason = %q, want %q", m.NoGradReason(), want)
		}
	}
	if got := x.Gt(Zeros(3)).DType(); got != Float32 {
		t.Errorf("mask dtype %v, want the input's float32", got)
	}
	if got := x.Lt(Zeros(3).To(Float64)).DType(); got != Float64 {
		t.Errorf("mixed-dtype mask dtype %v, want float64", got)
	}
}

func TestElementwiseNaNAndInf(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	x := New64([]float64{nan, -inf, inf, -1, 0})
	cases := []struct {
		name string
		got  *Tensor
		want []float64
	}{
		{"ReLU", x.ReLU(), []float64{nan, 0, inf, 0, 0}},
		{"Clamp", x.Clamp(-0.5, 0.5), []float64{nan, -0.5, 0.5, -0.5, 0}},
		{"Sigmoid", x.Sigmoid(), []float64{nan, 0, 1, 1 / (1 + math.E), 0.5}},
		{"Maximum", x.Maximum(Zeros(5).To(Float64)), []float64{nan, 0, inf, 0, 0}},
		{"Minimum", Zeros(5).To(Float64).Minimum(x), []float64{nan, -inf, 0, -1, 0}},
		{"Tanh", x.Tanh(), []float64{nan, -1, 1, math.Tanh(-1), 0}},
		{"Where/nan-cond", Where(x, Ones(5), Zeros(5)), []float64{1, 1, 1, 1, 0}},
		{"Where/0-d", Where(Scalar(0), Scalar(2), Scalar(3)), []float64{3}},
	}
	for _, c := range cases {
		assertSpecial(t, c.name, c.got, c.want, 1e-15)
	}
}

// TestElementwiseShapeErrors checks that a broadcast failure names the op and
// every operand's shape.
func TestElementwiseShapeErrors(t *testing.T) {
	a, b := Zeros(2, 3), Zeros(4)
	cases := []struct {
		op string
		f  func()
	}{
		{"Add", func() { a.Add(b) }},
		{"Sub", func() { a.Sub(b) }},
		{"Mul", func() { a.Mul(b) }},
		{"Div", func() { a.Div(b) }},
		{"Pow", func() { a.Pow(b) }},
		{"Maximum", func() { a.Maximum(b) }},
		{"Minimum", func() { a.Minimum(b) }},
		{"Gt", func() { a.Gt(b) }},
		{"Ge", func() { a.Ge(b) }},
		{"Lt", func() { a.Lt(b) }},
		{"Le", func() { a.Le(b) }},
		{"Eq", func() { a.Eq(b) }},
		{"Ne", func() { a.Ne(b) }},
	}
	for _, c := range cases {
		err := Try(c.f)
		se, ok := err.(*ShapeError)
		if !ok {
			t.Errorf("%s: got %v, want a *ShapeError", c.op, err)
			continue
		}
		msg := se.Error()
		want := c.op + ": [2 3], [4]: sizes 3 and 4 at dim -1 do not broadcast"
		if !strings.HasPrefix(msg, want) {
			t.Errorf("%s: message %q, want it to start with %q", c.op, msg, want)
		}
	}
	err := Try(func() { Where(Zeros(5, 1), Zeros(2, 3), Zeros(3)) })
	if err == nil || err.Error() != "Where: [5 1], [2 3], [3]: sizes 5, 2, 1 at dim -2 do not broadcast (sizes must match or be 1, counting dims from the right)" {
		t.Errorf("Where: got %v", err)
	}
}

// TestBinaryFastPathMatchesGeneral checks the specialized loops of Add, Sub,
// Mul and Div against the general per-element path (arithNone), for float32
// and float64 and every stride pattern.
func TestBinaryFastPathMatchesGeneral(t *testing.T) {
	Seed(3)
	ops := []struct {
		k arith
		f func(x, y float64) float64
	}{
		{arithAdd, func(x, y float64) float64 { return x + y }},
		{arithSub, func(x, y float64) float64 { return x - y }},
		{arithMul, func(x, y float64) float64 { return x * y }},
		{arithDiv, func(x, y float64) float64 { return x / y }},
	}
	shapes := [][2][]int{{{3, 4}, {3, 4}}, {{3, 4}, {4}}, {{3, 4}, {3, 1}}, {{1, 4}, {3, 1}}, {{2, 1, 4}, {3, 4}}, {{}, {5}}, {{5}, {}}}
	for _, dt := range []DType{Float32, Float64} {
		for _, sh := range shapes {
			a, b := Randn(sh[0]...).To(dt), Rand(sh[1]...).AddScalar(0.5).To(dt)
			for _, op := range ops {
				fast := binaryArith("fast", op.k, a, b, op.f, nil)
				slow := binaryArith("slow", arithNone, a, b, op.f, nil)
				if !slices.Equal(fast.shape, slow.shape) {
					t.Fatalf("shape %v vs %v", fast.shape, slow.shape)
				}
				for i := 0; i < fast.Numel(); i++ {
					if fast.get(i) != slow.get(i) {
						t.Fatalf("%v %v op %d: element %d is %v, general path gives %v", dt, sh, op.k, i, fast.get(i), slow.get(i))
					}
				}
			}
		}
	}
}

func TestDropout(t *testing.T) {
	x := Ones(100, 100).SetRequiresGrad(true)
	if x.Dropout(0.5, false) != x || x.Dropout(0, true) != x {
		t.Error("Dropout must return its input when not training or when p is 0")
	}
	Seed(7)
	y := x.Dropout(0.25, true)
	Seed(7)
	y2 := x.Dropout(0.25, true)
	zeros := 0
	for i, v := range y.Float64s() {
		switch {
		case v == 0:
			zeros++
		case math.Abs(v-1/0.75) > 1e-6:
			t.Fatalf("element %d is %v, want 0 or 1/(1-p) = %v", i, v, 1/0.75)
		}
		if v != y2.get(i) {
			t.Fatal("Dropout is not reproducible after Seed")
		}
	}
	// 10000 Bernoulli(0.25) draws: the count is within 6 standard deviations (≈43) of 2500
	if zeros < 2250 || zeros > 2750 {
		t.Errorf("%d of 10000 elements zeroed, want about 2500", zeros)
	}
	y.Sum().Backward()
	assertClose(t, "Dropout grad", x.Grad(), y.Detach(), 0)
	for _, p := range []float64{-0.1, 1, math.NaN()} {
		err := Try(func() { x.Dropout(p, true) })
		if e, ok := err.(*Error); !ok || e.Op != "Dropout" {
			t.Errorf("Dropout(%v): got %v, want an *Error from Dropout", p, err)
		}
	}
}

func BenchmarkAdd(b *testing.B) {
	for _, c := range []struct {
		name string
		x, y *Tensor
	}{
		{"small-2x3", Randn(2, 3), Randn(2, 3)},
		{"large-1000x1000", Randn(1000, 1000), Randn(1000, 1000)},
		{"large-broadcast-1000x1000+1000", Randn(1000, 1000), Randn(1000)},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(4 * c.x.Numel()))
			for i := 0; i < b.N; i++ {
				c.x.Add(c.y)
			}
		})
	}
}

func BenchmarkReLU(b *testing.B) {
	x := Randn(1000, 1000)
	b.SetBytes(int64(4 * x.Numel()))
	for i := 0; i < b.N; i++ {
		x.ReLU()
	}
}

// BenchmarkUnary32 times the float32 forwards of elementwise ops on 256×1024
// elements (and the backward of those whose gradient is a function of x).
func BenchmarkUnary32(b *testing.B) {
	x := Randn(256, 1024)
	for _, c := range []struct {
		name string
		f    func(*Tensor) *Tensor
	}{
		{"GELU", (*Tensor).GELU},
		{"ELU", func(a *Tensor) *Tensor { return a.ELU(1) }},
		{"Softplus", func(a *Tensor) *Tensor { return a.Softplus(1, 20) }},
		{"Sqrt", (*Tensor).Sqrt},
		{"Abs", (*Tensor).Abs},
		{"Neg", (*Tensor).Neg},
		{"Square", (*Tensor).Square},
		{"AddScalar", func(a *Tensor) *Tensor { return a.AddScalar(0.1) }},
		{"MulScalar", func(a *Tensor) *Tensor { return a.MulScalar(0.17677669529663687) }},
		{"DivScalar", func(a *Tensor) *Tensor { return a.DivScalar(3) }},
		{"PowScalar/2", func(a *Tensor) *Tensor { return a.PowScalar(2) }},
		{"PowScalar/3", func(a *Tensor) *Tensor { return a.PowScalar(3) }},
		{"LeakyReLU", func(a *Tensor) *Tensor { return a.LeakyReLU(0.1) }},
		{"Clamp", func(a *Tensor) *Tensor { return a.Clamp(-0.5, 0.5) }},
		{"Floor", (*Tensor).Floor},
		{"GtScalar", func(a *Tensor) *Tensor { return a.GtScalar(0) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				c.f(x)
			}
		})
	}
	for _, c := range []struct {
		name string
		f    func(*Tensor) *Tensor
	}{
		{"GELU+backward", (*Tensor).GELU},
		{"Abs+backward", (*Tensor).Abs},
		{"LeakyReLU+backward", func(a *Tensor) *Tensor { return a.LeakyReLU(0.1) }},
		{"Clamp+backward", func(a *Tensor) *Tensor { return a.Clamp(-0.5, 0.5) }},
	} {
		xg := x.Detach().SetRequiresGrad(true)
		b.Run(c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				c.f(xg).Sum().Backward()
				xg.ZeroGrad()
			}
		})
	}
}

func BenchmarkMulBackward(b *testing.B) {
	x := Randn(256, 512).SetRequiresGrad(true)
	w := Randn(512).SetRequiresGrad(true)
	for i := 0; i < b.N; i++ {
		x.Mul(w).Sum().Backward()
	}
}

// TestKernelsStopOnInterrupt checks that the long loops of this family check
// the interrupt flag (the REPL's Ctrl-C).
func TestKernelsStopOnInterrupt(t *testing.T) {
	x := Randn(300, 1000)
	ops := map[string]func(){
		"Add":        func() { x.Add(x) },
		"Add/bcast":  func() { x.Add(Ones(1000)) },
		"Exp":        func() { x.Exp() },
		"ReLU":       func() { x.ReLU() },
		"Mean":       func() { x.Mean(0) },
		"Softmax":    func() { x.Softmax(1) },
		"ArgMax":     func() { x.ArgMax(1) },
		"Dropout":    func() { x.Dropout(0.5, true) },
		"LogSumExp":  func() { x.LogSumExp() },
		"Max/dims":   func() { x.Max(0, 1) },
		"Var/dim":    func() { x.Var(1) },
		"GtScalar":   func() { x.GtScalar(0) },
		"Maximum":    func() { x.Maximum(x) },
		"Where/same": func() { Where(x, x, x) },
	}
	defer ClearInterrupt()
	for name, f := range ops {
		Interrupt()
		if err := Try(f); err != ErrInterrupted {
			t.Errorf("%s: got %v after Interrupt, want ErrInterrupted", name, err)
		}
	}
}

// TestReLUGradSelects checks that ReLU's backward selects the upstream gradient
// rather than multiplying by a mask: an infinite gradient at a negative input
// gives 0, as in PyTorch, not NaN.
func TestReLUGradSelects(t *testing.T) {
	inf := math.Inf(1)
	for _, dt := range []DType{Float32, Float64} {
		x := New64([]float64{-1, 0, 2, 3}).To(dt).SetRequiresGrad(true)
		x.ReLU().BackwardWith(New64([]float64{inf, inf, inf, -0.5}))
		assertSpecial(t, "ReLU grad "+dt.String(), x.Grad(), []float64{0, 0, inf, -0.5}, 0)
	}
}

// TestReLUGradFromResult checks ReLU's backward, which selects by its result
// rather than its input, where the two could differ: zeros of both signs,
// subnormals, infinities and NaN (the result of −0 is +0, of NaN NaN: none
// is > 0, as the input is not). Each gradient adds to a pre-filled one;
// the result used twice (y·y) and the input used twice (ReLU(x) + x) get both
// contributions. Both dtypes, and a length past the vector loops' blocks of
// 32 with a tail.
func TestReLUGradFromResult(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	sub := math.Float64frombits(1) // float64 subnormal; float32 gets its own below
	vals := []float64{-0.0, 0, 1.5, -2, inf, -inf, nan, 3e-39, -3e-39, 7}
	for _, dt := range []DType{Float32, Float64} {
		n := 37
		in := make([]float64, n)
		up := make([]float64, n)
		pre := make([]float64, n)
		for i := range in {
			in[i] = vals[i%len(vals)]
			up[i] = float64(i%7) - 2.5 // nonzero upstream gradient everywhere
			pre[i] = 0.25 * float64(i%3)
		}
		in[n-1] = math.Copysign(0, -1)
		if dt == Float64 {
			in[11] = sub
		}
		pos := func(v float64) bool { return v > 0 } // the input's sign decides
		x := New64(in).To(dt).SetRequiresGrad(true)
		x.SetGrad(New64(pre).To(dt))
		x.ReLU().BackwardWith(New64(up).To(dt))
		want := make([]float64, n)
		for i := range want {
			want[i] = pre[i]
			if pos(in[i]) {
				want[i] += up[i]
			}
		}
		assertSpecial(t, dt.String()+" ReLU grad", x.Grad(), want, 0)

		// y·y: ∂x = 2y·g where x > 0 (inf·2 stays inf)
		x.SetGrad(New64(pre).To(dt))
		y := x.ReLU()
		y.Mul(y).BackwardWith(New64(up).To(dt))
		for i := range want {
			want[i] = pre[i]
			if pos(in[i]) {
				want[i] += 2 * in[i] * up[i]
			}
		}
		assertSpecial(t, dt.String()+" ReLU result used twice", x.Grad(), want, 1e-6)

		// ReLU(x) + x: ∂x = g where x ≤ 0 or NaN, 2g where x > 0
		x.SetGrad(New64(pre).To(dt))
		x.ReLU().Add(x).BackwardWith(New64(up).To(dt))
		for i := range want {
			want[i] = pre[i] + up[i]
			if pos(in[i]) {
				want[i] += up[i]
			}
		}
		assertSpecial(t, dt.String()+" ReLU input used twice", x.Grad(), want, 0)
	}
}

// TestSelectionGradsIgnoreInfinity checks that ops that select elements pass
// no gradient, not NaN, to the elements they did not select, even when the
// upstream gradient is infinite (as PyTorch).
func TestSelectionGradsIgnoreInfinity(t *testing.T) {
	inf := math.Inf(1)
	up := New64([]float64{inf, inf, inf})
	x := New64([]float64{-2, 0.5, 2}).SetRequiresGrad(true)
	o := New64([]float64{0, 0, 0}).SetRequiresGrad(true)
	cases := []struct {
		name string
		f    func() *Tensor
		of   *Tensor
		want []float64
	}{
		{"Clamp", func() *Tensor { return x.Clamp(-1, 1) }, x, []float64{0, inf, 0}},
		{"Maximum ∂x", func() *Tensor { return x.Maximum(o) }, x, []float64{0, inf, inf}},
		{"Maximum ∂o", func() *Tensor { return x.Maximum(o) }, o, []float64{inf, 0, 0}},
		{"Minimum ∂x", func() *Tensor { return x.Minimum(o) }, x, []float64{inf, 0, 0}},
		{"Where ∂a", func() *Tensor { return Where(x.GtScalar(0), x, o) }, x, []float64{0, inf, inf}},
		{"Where ∂b", func() *Tensor { return Where(x.GtScalar(0), x, o) }, o, []float64{inf, 0, 0}},
	}
	for _, c := range cases {
		x.SetGrad(nil)
		o.SetGrad(nil)
		c.f().BackwardWith(up)
		assertSpecial(t, c.name, c.of.Grad(), c.want, 0)
	}
}

// TestToGrad checks the backward of a dtype conversion, which GradCheck cannot
// do (finite differences through float32 are too coarse): the gradient comes
// back in the input's dtype and adds to what is already there.
func TestToGrad(t *testing.T) {
	x := New64([]float64{1.5, -2, 0.25}).SetRequiresGrad(true)
	x.SetGrad(New64([]float64{1, 1, 1}))
	y := x.To(Float32)
	if y.DType() != Float32 || y.Op() != "ToFloat32" {
		t.Fatalf("To(Float32): dtype %v, op %q", y.DType(), y.Op())
	}
	y.MulScalar(2).BackwardWith(New([]float32{1, 0.5, -3}))
	if x.Grad().DType() != Float64 {
		t.Errorf("grad of a float64 input has dtype %v", x.Grad().DType())
	}
	assertClose(t, "To(Float32) grad", x.Grad(), New64([]float64{3, 2, -5}), 0)

	x32 := New([]float32{0.5, 4}).SetRequiresGrad(true)
	y64 := x32.To(Float64)
	if y64.Op() != "ToFloat64" {
		t.Errorf("To(Float64) is recorded as %q", y64.Op())
	}
	y64.Square().Sum().Backward() // ∂/∂x x² = 2x
	if x32.Grad().DType() != Float32 {
		t.Errorf("grad of a float32 input has dtype %v", x32.Grad().DType())
	}
	assertClose(t, "To(Float64) grad", x32.Grad(), New([]float32{1, 8}), 0)
	if x.To(Float64) != x {
		t.Error("To the same dtype must return the tensor itself")
	}
}

// TestReLUFloat32MatchesFloat64 checks the float32 ReLU (kernels.ReLU32 and
// ReLUGrad32, AVX2 when available) against the float64 path, forward and
// backward, on a length that is not a multiple of the 16-element blocks.
func TestReLUFloat32MatchesFloat64(t *testing.T) {
	Seed(11)
	x := Randn(7, 37)
	for i := 0; i < x.Numel(); i += 5 {
		x.f32[i] = 0 // the gradient at 0 is 0
	}
	x.SetRequiresGrad(true)
	x64 := x.Float64().Detach().SetRequiresGrad(true)
	up := Randn(7, 37)
	y := x.ReLU()
	y.BackwardWith(up)
	y64 := x64.ReLU()
	y64.BackwardWith(up.Float64())
	assertClose(t, "forward", y, y64, 0)
	assertClose(t, "backward", x.Grad(), x64.Grad(), 0)
}

// elementwiseCoreOps are the op table's rows for the core arithmetic (Add, Sub, Mul, Div, Exp, Neg and the scalar forms), with references in torchref_core.json.
func elementwiseCoreOps() []opSpec {
	Seed(21)
	return []opSpec{
		{name: "Add/broadcast", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Add(x[1]) }},
		{name: "Sub/broadcast", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Sub(x[1]) }},
		{name: "Mul/broadcast", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Mul(x[1]) }},
		{name: "Div/broadcast", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Div(x[1]) }},
		{name: "Exp", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Exp() }},
		{name: "Neg", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Neg() }},
		{name: "AddScalar", torch: true, f: func(x []*Tensor) *Tensor { return x[0].AddScalar(2.5) }},
		{name: "MulScalar", torch: true, f: func(x []*Tensor) *Tensor { return x[0].MulScalar(-1.5) }},
		{name: "Sub/same", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Sub(x[1]) }},
		{name: "Mul/same", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Mul(x[1]) }},
		{name: "Div/numerator-broadcast", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Div(x[1]) }},
		{name: "Add/same", f: func(x []*Tensor) *Tensor { return x[0].Add(x[1]) }, inputs: []*Tensor{Randn(2, 3), Randn(2, 3)}},
		{name: "Add/broadcast", f: func(x []*Tensor) *Tensor { return x[0].Add(x[1]) }, inputs: []*Tensor{Randn(2, 1, 3), Randn(4, 1)}},
		{name: "Sub/broadcast", f: func(x []*Tensor) *Tensor { return x[0].Sub(x[1]) }, inputs: []*Tensor{Randn(3), Randn(2, 3)}},
		{name: "Mul/scalar-tensor", f: func(x []*Tensor) *Tensor { return x[0].Mul(x[1]) }, inputs: []*Tensor{Randn(2, 3), Randn()}},
		{name: "Div/broadcast", f: func(x []*Tensor) *Tensor { return x[0].Div(x[1]) }, inputs: []*Tensor{Randn(2, 3), Rand(3).AddScalar(1)}},
		{name: "Exp", f: func(x []*Tensor) *Tensor { return x[0].Exp() }, inputs: []*Tensor{Randn(3, 2)}},
		{name: "Neg/MulScalar/AddScalar", f: func(x []*Tensor) *Tensor { return x[0].Neg().MulScalar(3).AddScalar(2) }, inputs: []*Tensor{Randn(4)}},
		{name: "Neg", f: func(x []*Tensor) *Tensor { return x[0].Neg() }, inputs: []*Tensor{Randn(2, 3)}},
		{name: "AddScalar", f: func(x []*Tensor) *Tensor { return x[0].AddScalar(-1.5) }, inputs: []*Tensor{Randn(2, 3)}},
		{name: "MulScalar", f: func(x []*Tensor) *Tensor { return x[0].MulScalar(0.75) }, inputs: []*Tensor{Randn(3, 1, 2)}},
		{name: "Sub/same", f: func(x []*Tensor) *Tensor { return x[0].Sub(x[1]) }, inputs: []*Tensor{Randn(2, 3), Randn(2, 3)}},
		{name: "Sub/both-broadcast", f: func(x []*Tensor) *Tensor { return x[0].Sub(x[1]) }, inputs: []*Tensor{Randn(3, 1), Randn(1, 4)}},
		{name: "Mul/same", f: func(x []*Tensor) *Tensor { return x[0].Mul(x[1]) }, inputs: []*Tensor{Randn(2, 3), Randn(2, 3)}},
		{name: "Mul/broadcast", f: func(x []*Tensor) *Tensor { return x[0].Mul(x[1]) }, inputs: []*Tensor{Randn(2, 1, 4), Randn(3, 1)}},
		{name: "Mul/tensor-scalar", f: func(x []*Tensor) *Tensor { return x[0].Mul(x[1]) }, inputs: []*Tensor{Randn(), Randn(2, 3)}},
		{name: "Div/same", f: func(x []*Tensor) *Tensor { return x[0].Div(x[1]) }, inputs: []*Tensor{Randn(2, 3), Rand(2, 3).AddScalar(1)}},
		{name: "Div/numerator-broadcast", f: func(x []*Tensor) *Tensor { return x[0].Div(x[1]) }, inputs: []*Tensor{Randn(3, 1), Rand(2, 1, 4).AddScalar(1)}},
		{name: "Add/scalar-tensor", f: func(x []*Tensor) *Tensor { return x[0].Add(x[1]) }, inputs: []*Tensor{Randn(2, 3), Randn()}},
		{name: "Exp/0d", f: func(x []*Tensor) *Tensor { return x[0].Exp() }, inputs: []*Tensor{Randn()}},
		// one tensor used twice in every family: both contributions must arrive
		{name: "twice/Mul", f: func(x []*Tensor) *Tensor { return x[0].Mul(x[0]) }, inputs: []*Tensor{Randn(3, 2)}},
		{name: "twice/Div", f: func(x []*Tensor) *Tensor { return x[0].Div(x[0].Exp()) }, inputs: []*Tensor{Randn(2, 3)}},
		{name: "twice/MulScalar", f: func(x []*Tensor) *Tensor { return x[0].MulScalar(0.17677669529663687).Mul(x[0].MulScalar(-3)) }, inputs: []*Tensor{Randn(5, 7)}},
		{name: "twice/Sub broadcast", f: func(x []*Tensor) *Tensor { return x[0].Sub(x[0].SumKeep(1)) }, inputs: []*Tensor{Randn(3, 4)}},
		// above poolMin (4096 elements: pooled buffers), the 65536-element
		// chunks of elementwise loops and the GEMM's parallel threshold
		{name: "Add/big", f: func(x []*Tensor) *Tensor { return x[0].Add(x[1]) }, inputs: []*Tensor{Randn(2, 3, 40, 40), Randn(2, 3, 40, 40)}},
		{name: "Add/big-broadcast", f: func(x []*Tensor) *Tensor { return x[0].Add(x[1]) }, inputs: []*Tensor{Randn(2, 3, 40, 40), Randn(3, 1, 1)}},
		{name: "Mul/big-chunks", f: func(x []*Tensor) *Tensor { return x[0].Mul(x[1]) }, inputs: []*Tensor{Randn(300, 250), Randn(250)}},
		{name: "Div/big", f: func(x []*Tensor) *Tensor { return x[0].Div(x[1]) }, inputs: []*Tensor{Randn(70, 80), Rand(70, 80).AddScalar(1)}},
		{name: "Exp/big", f: func(x []*Tensor) *Tensor { return x[0].Exp() }, inputs: []*Tensor{Randn(300, 250)}},
		// MulScalar's float32 loop: 16 floats a block in AVX2, a chunk
		// boundary, and a remainder of 4 after the last block
		{name: "MulScalar/big-chunks", f: func(x []*Tensor) *Tensor { return x[0].MulScalar(0.17677669529663687) }, inputs: []*Tensor{Randn(300, 251)}},
		{name: "MulScalar/17", f: func(x []*Tensor) *Tensor { return x[0].MulScalar(-0.1) }, inputs: []*Tensor{Randn(17)}},
	}
}

// TestScalarFloat32Rounding checks the float32 loops of the ops with a
// float64 scalar, forward and gradient, against the float64 result rounded
// once to float32 (as their docs and the float64 formulas give it), which
// differs from float32 arithmetic with the scalar rounded first (PyTorch's)
// for a scalar such as 1/√32 or 0.1: over special values and past one chunk
// of elements.
func TestScalarFloat32Rounding(t *testing.T) {
	special := []float32{0, float32(math.Copysign(0, -1)), 1, -3, 1e-45, -1e-40, math.MaxFloat32,
		float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 0.1, 16777217, -0.3, 3e-39}
	r := rand.New(rand.NewSource(3))
	n := interruptEvery + 37
	x, up := make([]float32, n), make([]float32, n)
	for i := range x {
		if i < len(special) {
			x[i] = special[i]
		} else {
			x[i] = float32(r.NormFloat64() * 100)
		}
		up[i] = float32(r.NormFloat64())
	}
	leaky := func(v, s float64) float64 {
		if v > 0 {
			return v
		}
		return v * s
	}
	for _, c := range []struct {
		name string
		s    float64
		f    func(t *Tensor, s float64) *Tensor
		y    func(x, s float64) float64 // the forward in float64
		g    func(g, s float64) float64 // the gradient in float64, nil where it is g itself
		y32  func(x, s float32) float32 // the forward with s rounded first, which must differ somewhere (nil: s is exact)
	}{
		{"MulScalar", 1 / math.Sqrt(32), (*Tensor).MulScalar, func(x, s float64) float64 { return x * s },
			func(g, s float64) float64 { return g * s }, func(x, s float32) float32 { return x * s }},
		{"AddScalar", 0.1, (*Tensor).AddScalar, func(x, s float64) float64 { return x + s }, nil,
			func(x, s float32) float32 { return x + s }},
		{"SubScalar", 0.1, (*Tensor).SubScalar, func(x, s float64) float64 { return x - s }, nil,
			func(x, s float32) float32 { return x - s }},
		{"DivScalar", 0.1, (*Tensor).DivScalar, func(x, s float64) float64 { return x / s },
			func(g, s float64) float64 { return g / s }, func(x, s float32) float32 { return x / s }},
		{"LeakyReLU", 0.1, (*Tensor).LeakyReLU, leaky, nil, func(x, s float32) float32 { return max(x, x*s) }},
		// slopes outside [0, 1], where the larger of x and x·slope is not the result (+0 at −0.5: −0)
		{"LeakyReLU/2", 2, (*Tensor).LeakyReLU, leaky, nil, nil},
		{"LeakyReLU/-0.5", -0.5, (*Tensor).LeakyReLU, leaky, nil, nil},
	} {
		same := func(what string, got, in []float32, want func(v float64) float32, rounded func(v float32) float32) {
			t.Helper()
			diffs := 0
			for i, v := range in {
				w := want(float64(v))
				if math.Float32bits(got[i]) != math.Float32bits(w) && !(w != w && got[i] != got[i]) {
					t.Fatalf("%s %s[%d] of %g: %g, want %g", c.name, what, i, v, got[i], w)
				}
				if rounded != nil && w != rounded(v) {
					diffs++
				}
			}
			if rounded != nil && diffs == 0 {
				t.Fatalf("%s %s: no value where rounding once differs from float32 arithmetic: the test checks nothing", c.name, what)
			}
		}
		xt := New(x, n).SetRequiresGrad(true)
		y := c.f(xt, c.s)
		var rounded func(v float32) float32
		if c.y32 != nil {
			rounded = func(v float32) float32 { return c.y32(v, float32(c.s)) }
		}
		same("y", y.Float32s(), x, func(v float64) float32 { return float32(c.y(v, c.s)) }, rounded)
		if c.g == nil {
			continue // ∂x is g (AddScalar, SubScalar) or a mask's product (LeakyReLU's, checked by the op table)
		}
		y.BackwardWith(New(up, n))
		same("grad", xt.Grad().Float32s(), up, func(v float64) float32 { return float32(c.g(v, c.s)) }, nil)
	}
}

// TestFloat32Torch checks the float32 loops of the elementwise ops against
// PyTorch run in float32 (testdata/torchref_float32.json, from
// torchref_float32.py) on NaN, ±Inf, ±0, denormals, the edges of the kernels
// and random values, at the lengths of the reference and shifted to lengths
// either side of the vector blocks: NaN where PyTorch gives NaN, the same
// bits where it gives ±Inf or ±0, and elsewhere within the row's ulps (0:
// the same bits; 1 where dbr rounds a float64 result once and PyTorch
// computes in float32; the vectorized functions: their documented bound plus
// PyTorch's own error). Where PyTorch's float32 is less accurate (its GELU
// 1455 ulp off at −3.38 and 0 below −6, its sigmoid 0 below −88, its ELU
// eˣ − 1, which cancels near 0: −1.0133e-06 at −1e-06), the same test
// against PyTorch's float64 on the same inputs must pass instead. Where
// PyTorch's float64 cancels too, rows pass within an absolute error: ELU's
// eˣ − 1 within 2⁻²³·α, GELU's x·(1 + erf(x/√2))/2, whose 1 + erf is
// −0 at −9.5, within 2⁻²⁰ (TestVmath checks dbr's ulps against Go's math).
func TestFloat32Torch(t *testing.T) {
	raw, err := os.ReadFile("testdata/torchref_float32.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		X     []uint32
		Cases []struct {
			Name string
			Y    []uint32
			Y64  []uint32
		}
	}
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	rows := map[string]struct {
		f    func(*Tensor) *Tensor
		ulps float64
		abs  float64
	}{
		"Neg":             {(*Tensor).Neg, 0, 0},
		"AddScalar/1.5":   {func(a *Tensor) *Tensor { return a.AddScalar(1.5) }, 0, 0},
		"SubScalar/1.5":   {func(a *Tensor) *Tensor { return a.SubScalar(1.5) }, 0, 0},
		"MulScalar/0.1":   {func(a *Tensor) *Tensor { return a.MulScalar(0.1) }, 1, 0},
		"DivScalar/-4":    {func(a *Tensor) *Tensor { return a.DivScalar(-4) }, 0, 0},
		"DivScalar/3":     {func(a *Tensor) *Tensor { return a.DivScalar(3) }, 1, 0},
		"PowScalar/2":     {func(a *Tensor) *Tensor { return a.PowScalar(2) }, 0, 0},
		"PowScalar/3":     {func(a *Tensor) *Tensor { return a.PowScalar(3) }, 1, 0},
		"PowScalar/0.5":   {func(a *Tensor) *Tensor { return a.PowScalar(0.5) }, 0, 0},
		"PowScalar/-1":    {func(a *Tensor) *Tensor { return a.PowScalar(-1) }, 0, 0},
		"PowScalar/2.5":   {func(a *Tensor) *Tensor { return a.PowScalar(2.5) }, 1, 0},
		"Abs":             {(*Tensor).Abs, 0, 0},
		"Sqrt":            {(*Tensor).Sqrt, 0, 0},
		"Square":          {(*Tensor).Square, 0, 0},
		"LeakyReLU/0.1":   {func(a *Tensor) *Tensor { return a.LeakyReLU(0.1) }, 1, 0},
		"Clamp/-0.5,0.5":  {func(a *Tensor) *Tensor { return a.Clamp(-0.5, 0.5) }, 0, 0},
		"Clamp/0.5,-0.5":  {func(a *Tensor) *Tensor { return a.Clamp(0.5, -0.5) }, 0, 0},
		"Clamp/0,1":       {func(a *Tensor) *Tensor { return a.Clamp(0, 1) }, 0, 0},
		"Clamp/-1,-0":     {func(a *Tensor) *Tensor { return a.Clamp(-1, math.Copysign(0, -1)) }, 0, 0},
		"ELU/1":           {func(a *Tensor) *Tensor { return a.ELU(1) }, 1.32 + 1, 0x1p-23},
		"ELU/0.7":         {func(a *Tensor) *Tensor { return a.ELU(0.7) }, 2*1.32 + 1.5, 0.7 * 0x1p-23},
		"Softplus/1,20":   {func(a *Tensor) *Tensor { return a.Softplus(1, 20) }, 2.82 + 1, 0},
		"Softplus/2,5":    {func(a *Tensor) *Tensor { return a.Softplus(2, 5) }, 2*2.82 + 1.5, 0},
		"Softplus/-1.5,3": {func(a *Tensor) *Tensor { return a.Softplus(-1.5, 3) }, 2*2.82 + 1.5, 0},
		"Exp":             {(*Tensor).Exp, 1.02 + 1, 0},
		"Log":             {(*Tensor).Log, 0.83 + 1, 0},
		"Tanh":            {(*Tensor).Tanh, 1.34 + 1, 0},
		"Sigmoid":         {(*Tensor).Sigmoid, 2.41 + 1, 0},
		"GELU":            {(*Tensor).GELU, 7.77 + 1, 0x1p-20},
		"SiLU":            {(*Tensor).SiLU, 2.41 + 1.5, 0},
		"Floor":           {(*Tensor).Floor, 0, 0},
		"Round":           {(*Tensor).Round, 0, 0},
		"Sign":            {(*Tensor).Sign, 0, 0},
		"GtScalar/0.5":    {func(a *Tensor) *Tensor { return a.GtScalar(0.5) }, 0, 0},
		"GeScalar/-1":     {func(a *Tensor) *Tensor { return a.GeScalar(-1) }, 0, 0},
		"LtScalar/0":      {func(a *Tensor) *Tensor { return a.LtScalar(0) }, 0, 0},
		"LeScalar/0.1":    {func(a *Tensor) *Tensor { return a.LeScalar(0.1) }, 0, 0},
		"EqScalar/1":      {func(a *Tensor) *Tensor { return a.EqScalar(1) }, 0, 0},
		"NeScalar/0":      {func(a *Tensor) *Tensor { return a.NeScalar(0) }, 0, 0},
	}
	// NaN for a NaN x where PyTorch differs: Sign's doc says NaN stays, PyTorch 1.13 gives 0
	nanStays := map[string]bool{"Sign": true}
	x := make([]float32, len(ref.X))
	for i, b := range ref.X {
		x[i] = math.Float32frombits(b)
	}
	for _, c := range ref.Cases {
		row, ok := rows[c.Name]
		if !ok {
			t.Errorf("%s: a reference with no row", c.Name)
			continue
		}
		delete(rows, c.Name)
		// the reference's order, then rotated by 1..17 and cut to lengths
		// either side of 8 and 16 lanes
		for _, shift := range []int{0, 1, 7, 9, 17} {
			for _, n := range []int{len(x), 15, 16, 17, 33} {
				xs := make([]float32, n)
				for i := range xs {
					xs[i] = x[(i+shift)%len(x)]
				}
				got := row.f(New(xs, n)).Float32s()
				for i, g := range got {
					j := (i + shift) % len(x)
					w, w64 := math.Float32frombits(c.Y[j]), math.Float32frombits(c.Y64[j])
					if nanStays[c.Name] && xs[i] != xs[i] {
						w, w64 = xs[i], xs[i]
					}
					if !close32(g, w, row.ulps, row.abs) && !close32(g, w64, row.ulps, row.abs) {
						t.Fatalf("%s(%v) = %v (bits %#x), PyTorch %v (bits %#x) in float32 and %v (bits %#x) in float64: more than %v ulp apart", c.Name, xs[i], g, math.Float32bits(g), w, math.Float32bits(w), w64, math.Float32bits(w64), row.ulps)
					}
				}
			}
		}
	}
	for name := range rows {
		t.Errorf("%s: no reference in testdata/torchref_float32.json", name)
	}
}

// close32 reports whether got is NaN where want is, the same bits where want
// is ±Inf or ±0 or ulps is 0, and else within ulps of want or abs of it
// (abs also for a zero want).
func close32(got, want float32, ulps, abs float64) bool {
	switch {
	case want != want:
		return got != got
	case math.Float32bits(got) == math.Float32bits(want):
		return true
	case math.IsInf(float64(want), 0) || ulps == 0 || got != got:
		return false
	case math.Abs(float64(got)-float64(want)) <= abs:
		return true
	}
	return want != 0 && ulpDiff32(got, want) <= ulps
}

// TestActivationGrads32 checks the float32 backward loops of ELU and
// Softplus (eluGrad32, softplusGrad32) against their formulas in float64:
// g·α·eˣ at x ≤ 0 (at 0 too: g·α, not g) and g above; g·σ(β·x), and g
// where β·x, rounded to float32, is above the threshold (at the threshold
// itself: σ). Over more elements than one block of their scratch (256),
// ±0, ±Inf and x right at the threshold, with a random upstream gradient,
// within 4 ulp (the vector exps and sigmoids and two roundings).
func TestActivationGrads32(t *testing.T) {
	r := rand.New(rand.NewSource(17))
	inf := math.Inf(1)
	sigmoid := func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }
	for _, c := range []struct {
		name    string
		f       func(*Tensor) *Tensor
		special []float32
		grad    func(x, g float64) float64
	}{
		{"ELU/0.5", func(x *Tensor) *Tensor { return x.ELU(0.5) }, []float32{0, float32(math.Copysign(0, -1)), float32(inf), float32(-inf), 1e-30, -1e-30},
			func(x, g float64) float64 {
				if x > 0 {
					return g
				}
				return g * 0.5 * math.Exp(x)
			}},
		{"Softplus/2,1", func(x *Tensor) *Tensor { return x.Softplus(2, 1) }, []float32{0.5, 0.49999997, 0.50000006, 0, float32(inf), float32(-inf)},
			func(x, g float64) float64 {
				if b := float32(x) * 2; b > 1 {
					return g
				}
				return g * sigmoid(2*x)
			}},
		{"Softplus/1,20", func(x *Tensor) *Tensor { return x.Softplus(1, 20) }, []float32{20, 19.999998, 20.000002},
			func(x, g float64) float64 {
				if x > 20 {
					return g
				}
				return g * sigmoid(x)
			}},
	} {
		const n = 3*256 + 5
		xs, gs := make([]float32, n), make([]float32, n)
		for i := range xs {
			xs[i] = float32(r.Float64()*8 - 6)
			if i%97 < len(c.special) {
				xs[i] = c.special[i%97]
			}
			gs[i] = float32(r.NormFloat64())
		}
		x := New(xs, n).SetRequiresGrad(true)
		c.f(x).BackwardWith(New(gs, n))
		for i, got := range x.Grad().Float32s() {
			want := float32(c.grad(float64(xs[i]), float64(gs[i])))
			if !close32(got, want, 4, 0) {
				t.Fatalf("%s: ∂x at x = %v (g %v) is %v, want %v", c.name, xs[i], gs[i], got, want)
			}
		}
	}
	// ELU's in PyTorch's order, (g·α)·eˣ, eˣ by kernels.Exp32: the same bits
	// (PyTorch 1.13's float32 elu_backward gives those of (g·α)·torch.exp(x);
	// g·(α·eˣ) differs in 69253 of 200000 random x in [−10, 0])
	const n = 1000
	xs, gs, e := make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range xs {
		xs[i], gs[i] = float32(r.Float64()*-10), float32(r.NormFloat64())
	}
	kernels.Exp32(e, xs)
	x := New(xs, n).SetRequiresGrad(true)
	x.ELU(0.7).BackwardWith(New(gs, n))
	for i, got := range x.Grad().Float32s() {
		if want := (gs[i] * float32(0.7)) * e[i]; math.Float32bits(got) != math.Float32bits(want) {
			t.Fatalf("ELU/0.7: ∂x at x = %v (g %v) is %v, want (g·α)·eˣ = %v", xs[i], gs[i], got, want)
		}
	}
}

// TestSiLUTail32 checks float32 SiLU and its gradient where σ(x) is
// denormal or near it (x from −110 to −80, both sides of the −87 where they
// change method) against x·σ(x) and g·σ(x)·(1 + x·(1 − σ(x))) in float64,
// with g of both signs and magnitudes: within 2 ulp (2⁻¹⁴⁹ in the denormal
// range), where multiplying a denormal σ(x) was 50 ulp off.
func TestSiLUTail32(t *testing.T) {
	var xs, gs []float32
	for x := float32(-110); x < -80; x += 0.37 {
		xs = append(xs, x)
		gs = append(gs, float32(len(xs)%5-2)*1.7+0.3)
	}
	n := len(xs)
	x := New(xs, n).SetRequiresGrad(true)
	y := x.SiLU()
	y.BackwardWith(New(gs, n))
	gotY, gotG := y.Float32s(), x.Grad().Float32s()
	for i, v := range xs {
		s := 1 / (1 + math.Exp(-float64(v)))
		wy := float64(v) * s
		wg := float64(gs[i]) * s * (1 + float64(v)*(1-s))
		if e := ulpDiff32(gotY[i], float32(wy)); e > 2 {
			t.Errorf("SiLU(%v) = %v, want %v: %.1f ulp", v, gotY[i], float32(wy), e)
		}
		if e := ulpDiff32(gotG[i], float32(wg)); e > 2 {
			t.Errorf("SiLU's gradient at %v (g %v) = %v, want %v: %.1f ulp", v, gs[i], gotG[i], float32(wg), e)
		}
	}
}

// TestLowerKernelPaths runs the op table, TestFloat32Torch,
// TestSoftmaxRows32, TestAttentionHeadsSameBitsAsCopies,
// TestScalarFloat32Rounding, TestReLUGradFromResult, TestActivationGrads32,
// TestLayerNormRows32Float64Sums, TestLogSoftmaxGradRows32Float64Sum and
// TestConvFewTapsStrided again in a child process on each kernel set below
// the one in use (DBR_CPU=avx2 and generic under avx512; generic under avx2),
// so that the engine's float32 loops meet the same cases on every path this
// machine has (the kernels' own tests compare the paths bit for bit). Not
// under the race detector, whose run takes the widest path only.
func TestLowerKernelPaths(t *testing.T) {
	if raceBuild || os.Getenv("DBR_CPU") != "" {
		t.Skip("the widest path only: under -race, or in a child already")
	}
	var lower []string
	switch kernels.Kernel() {
	case "avx512":
		lower = []string{"avx2", "generic"}
	case "avx2":
		lower = []string{"generic"}
	}
	for _, env := range lower {
		cmd := exec.Command(os.Args[0], "-test.run", "^(TestOps|TestFloat32Torch|TestSoftmaxRows32|TestAttentionHeadsSameBitsAsCopies|TestScalarFloat32Rounding|TestReLUGradFromResult|TestActivationGrads32|TestLayerNormRows32Float64Sums|TestLogSoftmaxGradRows32Float64Sum|TestConvFewTapsStrided)$", "-test.count=1")
		cmd.Env = append(os.Environ(), "DBR_CPU="+env)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("DBR_CPU=%s: %v\n%s", env, err, out)
		}
	}
}

// ulpDiff32 is |got − want| in units of the last place of want as a float32
// (2⁻¹⁴⁹ in the denormal range).
func ulpDiff32(got, want float32) float64 {
	ulp := 0x1p-149
	if a := math.Abs(float64(want)); a >= 0x1p-126 {
		_, e := math.Frexp(a)
		ulp = math.Ldexp(1, e-24)
	}
	return math.Abs(float64(got)-float64(want)) / ulp
}
