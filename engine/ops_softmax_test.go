package engine

import (
	"math"
	"slices"
	"testing"
)

var _ = addOps("softmax", softmaxOps)
var _ = addOps("reduce", softmaxReduceOps)

// softmaxOps are the op table's rows for CrossEntropy (see runOps; Softmax
// and LogSoftmax are in reduceOps with their PyTorch references).
func softmaxOps() []opSpec {
	Seed(5)
	ce := func(target []int) func(x []*Tensor) *Tensor {
		return func(x []*Tensor) *Tensor { return CrossEntropy(x[0], target) }
	}
	return []opSpec{
		{name: "CrossEntropy", f: ce([]int{2, 0, 4}), inputs: []*Tensor{Randn(3, 5)}},
		{name: "CrossEntropy/one-class", f: ce([]int{0, 0}), inputs: []*Tensor{Randn(2, 1)}},
		{name: "CrossEntropy/large-logits", f: ce([]int{1, 1}), inputs: []*Tensor{Randn(2, 3).MulScalar(50)}},
		// the same logits used twice: both contributions must arrive
		{name: "twice/CrossEntropy+LogSoftmax", f: func(x []*Tensor) *Tensor {
			return CrossEntropy(x[0], []int{1, 3}).Add(x[0].LogSoftmax(1).Sum(1))
		}, inputs: []*Tensor{Randn(2, 4)}},
		{name: "twice/CrossEntropy(x·x)", f: func(x []*Tensor) *Tensor { return CrossEntropy(x[0].Mul(x[0]), []int{0, 2}) }, inputs: []*Tensor{Randn(2, 3)}},
		// above poolMin
		{name: "CrossEntropy/big", f: ce([]int{0, 5, 79, 3, 3, 10, 40, 41, 0, 7, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23,
			24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47,
			48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63}), inputs: []*Tensor{Randn(64, 80)}},
	}
}

// TestCrossEntropyMatchesComposed checks the fused op against LogSoftmax,
// Gather and Neg, bit for bit, in values and gradients, in both dtypes.
func TestCrossEntropyMatchesComposed(t *testing.T) {
	Seed(6)
	target := []int{3, 0, 9, 9, 1, 5, 2, 7}
	idx := make([]float64, len(target))
	for i, v := range target {
		idx[i] = float64(v)
	}
	for _, dt := range []DType{Float32, Float64} {
		x := Randn(8, 10).MulScalar(4).To(dt).SetRequiresGrad(true)
		g := Randn(8).To(dt)
		run := func(f func() *Tensor) (out, grad []float64) {
			x.SetGrad(nil)
			y := f()
			y.BackwardWith(g)
			return y.Float64s(), x.Grad().Float64s()
		}
		want, wantGrad := run(func() *Tensor {
			return x.LogSoftmax(1).Gather(1, New64(idx, 8, 1).To(dt)).Reshape(-1).Neg()
		})
		got, gotGrad := run(func() *Tensor { return CrossEntropy(x, target) })
		if !slices.Equal(got, want) {
			t.Errorf("%v: values differ from LogSoftmax+Gather+Neg:\n got %v\nwant %v", dt, got, want)
		}
		if !slices.Equal(gotGrad, wantGrad) {
			t.Errorf("%v: gradients differ from LogSoftmax+Gather+Neg", dt)
		}
	}
	// stable for logits whose exp overflows: log(e¹⁰⁰⁰ + e¹⁰⁰¹) − 1000
	l := CrossEntropy(New64([]float64{1000, 1001}, 1, 2), []int{0}).Item()
	if want := 1 + math.Log1p(math.Exp(-1)); math.Abs(l-want) > 1e-12 {
		t.Errorf("CrossEntropy of [1000 1001] against 0 = %v, want %v", l, want)
	}
}

func TestCrossEntropyErrors(t *testing.T) {
	checkErrors(t, []errorCase{
		{"1-d", func() { CrossEntropy(Zeros(10), []int{3}) }, []string{"CrossEntropy", "[10]", "Unsqueeze(0)"}},
		{"count", func() { CrossEntropy(Zeros(4, 10), []int{1, 2}) }, []string{"CrossEntropy", "[4 10]", "target has 2"}},
		{"class", func() { CrossEntropy(Zeros(2, 10), []int{1, 10}) }, []string{"CrossEntropy", "target 10 at position 1", "[0, 10)"}},
		{"negative", func() { CrossEntropy(Zeros(2, 3), []int{-1, 0}) }, []string{"CrossEntropy", "target -1 at position 0"}},
	})
}

// softmaxReduceOps are the op table's rows for Softmax and LogSoftmax,
// with references in torchref_reduce.json.
func softmaxReduceOps() []opSpec {
	Seed(25)
	f := func(g func(*Tensor) *Tensor) func([]*Tensor) *Tensor {
		return func(x []*Tensor) *Tensor { return g(x[0]) }
	}
	r := f
	return []opSpec{
		{name: "Softmax/last", torch: true, f: f(func(a *Tensor) *Tensor { return a.Softmax(-1) })},
		{name: "Softmax/mid", torch: true, f: f(func(a *Tensor) *Tensor { return a.Softmax(1) })},
		{name: "Softmax/large", torch: true, f: f(func(a *Tensor) *Tensor { return a.Softmax(1) })},
		{name: "LogSoftmax/first", torch: true, f: f(func(a *Tensor) *Tensor { return a.LogSoftmax(0) })},
		{name: "LogSoftmax/mid", torch: true, f: f(func(a *Tensor) *Tensor { return a.LogSoftmax(1) })},
		{name: "LogSoftmax/large", torch: true, f: f(func(a *Tensor) *Tensor { return a.LogSoftmax(1) })},
		{name: "Softmax/last", f: r(func(a *Tensor) *Tensor { return a.Softmax(-1) }), inputs: []*Tensor{Randn(2, 3, 4)}},
		{name: "Softmax/first", f: r(func(a *Tensor) *Tensor { return a.Softmax(0) }), inputs: []*Tensor{Randn(3, 4)}},
		{name: "Softmax/mid", f: r(func(a *Tensor) *Tensor { return a.Softmax(1) }), inputs: []*Tensor{Randn(2, 3, 4).MulScalar(2)}},
		{name: "LogSoftmax/last", f: r(func(a *Tensor) *Tensor { return a.LogSoftmax(1) }), inputs: []*Tensor{Randn(3, 5)}},
		{name: "LogSoftmax/mid", f: r(func(a *Tensor) *Tensor { return a.LogSoftmax(1) }), inputs: []*Tensor{Randn(2, 3, 4).MulScalar(2)}},
		{name: "LogSoftmax/1d", f: r(func(a *Tensor) *Tensor { return a.LogSoftmax(0) }), inputs: []*Tensor{Randn(6)}},
		{name: "twice/Softmax·x", f: r(func(a *Tensor) *Tensor { return a.Softmax(-1).Mul(a).Sum(-1) }), inputs: []*Tensor{Randn(3, 4)}},
		{name: "twice/LogSoftmax+Std", f: r(func(a *Tensor) *Tensor { return a.LogSoftmax(0).Add(a.StdKeep(0)) }), inputs: []*Tensor{Randn(3, 4)}},
		{name: "Softmax/big", f: f(func(a *Tensor) *Tensor { return a.Softmax(1) }), inputs: []*Tensor{Randn(2, 3, 40, 40)}},
		{name: "LogSoftmax/big", f: f(func(a *Tensor) *Tensor { return a.LogSoftmax(-1) }), inputs: []*Tensor{Randn(64, 80)}},
	}
}
