package engine

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func reduceRefOps() map[string]func(xs []*Tensor) *Tensor {
	f := func(g func(*Tensor) *Tensor) func([]*Tensor) *Tensor {
		return func(x []*Tensor) *Tensor { return g(x[0]) }
	}
	return map[string]func(xs []*Tensor) *Tensor{
		"Mean/all":          f(func(a *Tensor) *Tensor { return a.Mean() }),
		"Mean/dims":         f(func(a *Tensor) *Tensor { return a.Mean(0, 2) }),
		"MeanKeep/dim":      f(func(a *Tensor) *Tensor { return a.MeanKeep(-1) }),
		"Max/all":           f(func(a *Tensor) *Tensor { return a.Max() }),
		"Max/all-ties":      f(func(a *Tensor) *Tensor { return a.Max() }),
		"Max/dim":           f(func(a *Tensor) *Tensor { return a.Max(1) }),
		"Max/dim-ties":      f(func(a *Tensor) *Tensor { return a.Max(1) }),
		"Max/dims":          f(func(a *Tensor) *Tensor { return a.Max(0, 2) }),
		"Max/dims-ties":     f(func(a *Tensor) *Tensor { return a.Max(0, 1) }),
		"MaxKeep/dim":       f(func(a *Tensor) *Tensor { return a.MaxKeep(0) }),
		"Min/all-ties":      f(func(a *Tensor) *Tensor { return a.Min() }),
		"Min/dim-ties":      f(func(a *Tensor) *Tensor { return a.Min(0) }),
		"MinKeep/dims":      f(func(a *Tensor) *Tensor { return a.MinKeep(0, 2) }),
		"Var/all":           f(func(a *Tensor) *Tensor { return a.Var() }),
		"Var/dim":           f(func(a *Tensor) *Tensor { return a.Var(1) }),
		"VarKeep/dims":      f(func(a *Tensor) *Tensor { return a.VarKeep(0, 2) }),
		"Std/all":           f(func(a *Tensor) *Tensor { return a.Std() }),
		"Std/dim":           f(func(a *Tensor) *Tensor { return a.Std(-1) }),
		"Std/constant":      f(func(a *Tensor) *Tensor { return a.Std(1) }),
		"StdKeep/dim":       f(func(a *Tensor) *Tensor { return a.StdKeep(0) }),
		"LogSumExp/all":     f(func(a *Tensor) *Tensor { return a.LogSumExp() }),
		"LogSumExp/dims":    f(func(a *Tensor) *Tensor { return a.LogSumExp(0, 2) }),
		"LogSumExpKeep/dim": f(func(a *Tensor) *Tensor { return a.LogSumExpKeep(1) }),
		"LogSumExp/large":   f(func(a *Tensor) *Tensor { return a.LogSumExp(1) }),
		"ArgMax/dim":        f(func(a *Tensor) *Tensor { return a.ArgMax(1) }),
		"ArgMax/dim0":       f(func(a *Tensor) *Tensor { return a.ArgMax(0) }),
		"ArgMin/dim":        f(func(a *Tensor) *Tensor { return a.ArgMin(-1) }),
		"Softmax/last":      f(func(a *Tensor) *Tensor { return a.Softmax(-1) }),
		"Softmax/mid":       f(func(a *Tensor) *Tensor { return a.Softmax(1) }),
		"Softmax/large":     f(func(a *Tensor) *Tensor { return a.Softmax(1) }),
		"LogSoftmax/first":  f(func(a *Tensor) *Tensor { return a.LogSoftmax(0) }),
		"LogSoftmax/mid":    f(func(a *Tensor) *Tensor { return a.LogSoftmax(1) }),
		"LogSoftmax/large":  f(func(a *Tensor) *Tensor { return a.LogSoftmax(1) }),
	}
}

func TestReduceMatchesTorch(t *testing.T) { checkTorchRef(t, "reduce", reduceRefOps()) }

// TestReduceMatchesTorch32 runs the same references with float32 inputs.
func TestReduceMatchesTorch32(t *testing.T) { checkTorchRef32(t, "reduce", reduceRefOps()) }

// noTies returns a tensor of the given shape holding a random permutation of
// 0..n-1 scaled by 0.1 plus noise below 0.01: no two elements are within
// 0.08, so Max/Min are smooth under GradCheck's finite differences.
func noTies(shape ...int) *Tensor {
	n := numelOf(shape)
	p := RandPerm(n)
	x := empty(Float64, shape)
	noise := Rand(n).To(Float64)
	for i := range x.f64 {
		x.f64[i] = 0.1*float64(p[i]) + 0.01*noise.f64[i]
	}
	return x
}

func TestReduceGradCheck(t *testing.T) {
	Seed(4)
	r := func(g func(*Tensor) *Tensor) func([]*Tensor) *Tensor {
		return func(x []*Tensor) *Tensor { return g(x[0]) }
	}
	cases := []gradCase{
		{"Mean/all", r(func(a *Tensor) *Tensor { return a.Mean() }), []*Tensor{Randn(2, 3, 4)}},
		{"Mean/dims", r(func(a *Tensor) *Tensor { return a.Mean(0, -1) }), []*Tensor{Randn(2, 3, 4)}},
		{"MeanKeep/dim", r(func(a *Tensor) *Tensor { return a.MeanKeep(1) }), []*Tensor{Randn(2, 3, 4)}},
		{"Mean/0d", r(func(a *Tensor) *Tensor { return a.Mean() }), []*Tensor{Randn()}},
		{"Max/all", r(func(a *Tensor) *Tensor { return a.Max() }), []*Tensor{noTies(3, 4)}},
		{"Max/dim", r(func(a *Tensor) *Tensor { return a.Max(1) }), []*Tensor{noTies(2, 3, 4)}},
		{"Max/dims", r(func(a *Tensor) *Tensor { return a.Max(0, 2) }), []*Tensor{noTies(2, 3, 4)}},
		{"MaxKeep/dim", r(func(a *Tensor) *Tensor { return a.MaxKeep(-1) }), []*Tensor{noTies(2, 3, 4)}},
		{"Min/all", r(func(a *Tensor) *Tensor { return a.Min() }), []*Tensor{noTies(3, 4)}},
		{"Max/0d", r(func(a *Tensor) *Tensor { return a.Max() }), []*Tensor{Randn()}},
		{"Sum/0d", r(func(a *Tensor) *Tensor { return a.Sum() }), []*Tensor{Randn()}},
		{"Var/dims", r(func(a *Tensor) *Tensor { return a.Var(0, -1) }), []*Tensor{Randn(2, 3, 4)}},
		{"Min/dim", r(func(a *Tensor) *Tensor { return a.Min(0) }), []*Tensor{noTies(3, 4)}},
		{"MinKeep/dims", r(func(a *Tensor) *Tensor { return a.MinKeep(1, 2) }), []*Tensor{noTies(2, 3, 4)}},
		{"Var/all", r(func(a *Tensor) *Tensor { return a.Var() }), []*Tensor{Randn(3, 4)}},
		{"Var/dim", r(func(a *Tensor) *Tensor { return a.Var(1) }), []*Tensor{Randn(2, 3, 4)}},
		{"VarKeep/dims", r(func(a *Tensor) *Tensor { return a.VarKeep(0, 2) }), []*Tensor{Randn(2, 3, 4)}},
		{"Std/all", r(func(a *Tensor) *Tensor { return a.Std() }), []*Tensor{Randn(3, 4)}},
		{"Std/dim", r(func(a *Tensor) *Tensor { return a.Std(-1) }), []*Tensor{Randn(2, 3, 4)}},
		{"StdKeep/dims", r(func(a *Tensor) *Tensor { return a.StdKeep(0, 1) }), []*Tensor{Randn(2, 3, 4)}},
		{"LogSumExp/all", r(func(a *Tensor) *Tensor { return a.LogSumExp() }), []*Tensor{Randn(3, 4)}},
		{"LogSumExp/dim", r(func(a *Tensor) *Tensor { return a.LogSumExp(1) }), []*Tensor{Randn(2, 3, 4)}},
		{"LogSumExpKeep/dims", r(func(a *Tensor) *Tensor { return a.LogSumExpKeep(0, 2) }), []*Tensor{Randn(2, 3, 4).MulScalar(3)}},
		{"Softmax/last", r(func(a *Tensor) *Tensor { return a.Softmax(-1) }), []*Tensor{Randn(2, 3, 4)}},
		{"Softmax/first", r(func(a *Tensor) *Tensor { return a.Softmax(0) }), []*Tensor{Randn(3, 4)}},
		{"Softmax/mid", r(func(a *Tensor) *Tensor { return a.Softmax(1) }), []*Tensor{Randn(2, 3, 4).MulScalar(2)}},
		{"LogSoftmax/last", r(func(a *Tensor) *Tensor { return a.LogSoftmax(1) }), []*Tensor{Randn(3, 5)}},
		{"LogSoftmax/mid", r(func(a *Tensor) *Tensor { return a.LogSoftmax(1) }), []*Tensor{Randn(2, 3, 4).MulScalar(2)}},
		{"LogSoftmax/1d", r(func(a *Tensor) *Tensor { return a.LogSoftmax(0) }), []*Tensor{Randn(6)}},
		// one tensor used twice in every family: both contributions must arrive
		{"twice/Mean+Var", r(func(a *Tensor) *Tensor { return a.Var(1).Mul(a.Mean(1)) }), []*Tensor{Randn(3, 4)}},
		{"twice/Max-LogSumExp", r(func(a *Tensor) *Tensor { return a.LogSumExp(0).Sub(a.Max(0)) }), []*Tensor{noTies(3, 4)}},
		{"twice/Softmax·x", r(func(a *Tensor) *Tensor { return a.Softmax(-1).Mul(a).Sum(-1) }), []*Tensor{Randn(3, 4)}},
		{"twice/LogSoftmax+Std", r(func(a *Tensor) *Tensor { return a.LogSoftmax(0).Add(a.StdKeep(0)) }), []*Tensor{Randn(3, 4)}},
	}
	runGradChecks(t, cases)
}

// TestNumericallyStable feeds inputs whose exp overflows float64: the results
// must be finite and exact.
func TestNumericallyStable(t *testing.T) {
	for _, dt := range []DType{Float32, Float64} {
		x := New64([]float64{1000, 1000, 1000, 1001}, 2, 2).To(dt)
		ln2 := math.Log(2)
		// log(e¹⁰⁰⁰ + e¹⁰⁰¹) = 1001 + log(1 + e⁻¹)
		assertSpecial(t, "LogSumExp", x.LogSumExp(1), []float64{1000 + ln2, 1001 + math.Log1p(math.Exp(-1))}, 1e-7)
		s := 1 / (1 + math.E)
		assertSpecial(t, "Softmax", x.Softmax(1), []float64{0.5, 0.5, s, 1 - s}, 1e-7)
		assertSpecial(t, "LogSoftmax", x.LogSoftmax(1), []float64{-ln2, -ln2, math.Log(s), math.Log(1 - s)}, 1e-7)
		// a probability of e⁻²⁰⁰⁰ underflows; its log must not
		y := New64([]float64{0, -2000}).To(dt)
		assertSpecial(t, "LogSoftmax tiny", y.LogSoftmax(0), []float64{0, -2000}, 1e-7)
		assertSpecial(t, "LogSumExp -1000", New64([]float64{-1000, -1000}).To(dt).LogSumExp(), []float64{-1000 + ln2}, 1e-7)
		xs := x.SetRequiresGrad(true)
		xs.LogSoftmax(1).Sum().Backward()
		for i, v := range xs.Grad().Float64s() {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Errorf("%v: LogSoftmax gradient element %d is %v", dt, i, v)
			}
		}
	}
	inf := math.Inf(1)
	assertSpecial(t, "LogSumExp all -Inf", New64([]float64{-inf, -inf}).LogSumExp(), []float64{-inf}, 0)
	assertSpecial(t, "LogSumExp +Inf", New64([]float64{inf, 1}).LogSumExp(), []float64{inf}, 0)
	assertSpecial(t, "Softmax with -Inf", New64([]float64{-inf, 0, 0}).Softmax(0), []float64{0, 0.5, 0.5}, 1e-15)
}

func TestReduceShapes(t *testing.T) {
	x := Randn(2, 3, 4)
	cases := []struct {
		name string
		got  *Tensor
		want []int
	}{
		{"Mean()", x.Mean(), []int{}},
		{"Mean(0,2)", x.Mean(0, 2), []int{3}},
		{"MeanKeep(0,2)", x.MeanKeep(0, 2), []int{1, 3, 1}},
		{"MaxKeep()", x.MaxKeep(), []int{1, 1, 1}},
		{"Min(-1)", x.Min(-1), []int{2, 3}},
		{"Var(1)", x.Var(1), []int{2, 4}},
		{"StdKeep(1)", x.StdKeep(1), []int{2, 1, 4}},
		{"LogSumExp(0)", x.LogSumExp(0), []int{3, 4}},
		{"ArgMax(1)", x.ArgMax(1), []int{2, 4}},
		{"ArgMin(-1)", x.ArgMin(-1), []int{2, 3}},
		{"Softmax(1)", x.Softmax(1), []int{2, 3, 4}},
	}
	for _, c := range cases {
		if !slices.Equal(c.got.Shape(), c.want) {
			t.Errorf("%s: shape %v, want %v", c.name, c.got.Shape(), c.want)
		}
	}
	if x.ArgMax(0).RequiresGrad() || x.SetRequiresGrad(true).ArgMax(0).NoGradReason() != "ArgMax is not differentiable" {
		t.Error("ArgMax must not be differentiable")
	}
}

func TestReduceErrors(t *testing.T) {
	x := Zeros(2, 3)
	cases := []struct {
		f    func()
		want string
	}{
		{func() { x.Mean(2) }, "Mean: [2 3]: dim 2 is out of range for a 2-d tensor (use a dim from -2 to 1)"},
		{func() { x.Var(0, -2) }, "Var: [2 3]: dim -2 is given twice"},
		{func() { x.MaxKeep(-3) }, "Max: [2 3]: dim -3 is out of range"},
		{func() { x.LogSumExp(5) }, "LogSumExp: [2 3]: dim 5 is out of range"},
		{func() { x.Softmax(2) }, "Softmax: [2 3]: dim 2 is out of range"},
		{func() { x.LogSoftmax(-3) }, "LogSoftmax: [2 3]: dim -3 is out of range"},
		{func() { x.ArgMin(2) }, "ArgMin: [2 3]: dim 2 is out of range"},
		{func() { Zeros(0, 3).Max(0) }, "Max: cannot reduce over a dim of size 0 (shape [0 3])"},
		{func() { Zeros(3, 0).ArgMax(1) }, "ArgMax: dim 1 has size 0 (shape [3 0])"},
	}
	for _, c := range cases {
		err := Try(c.f)
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("got %v, want an error starting %q", err, c.want)
		}
	}
}

func BenchmarkSoftmax(b *testing.B) {
	x := Randn(256, 1000).SetRequiresGrad(true)
	for i := 0; i < b.N; i++ {
		x.LogSoftmax(1).Mean().Backward()
	}
}
