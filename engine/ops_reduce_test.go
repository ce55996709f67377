package engine

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

var _ = addOps("reduce", reduceOps)
var _ = addOps("core", reduceCoreOps)

// reduceOps are the op table's rows for the reductions, Softmax and
// LogSoftmax (see runOps).
func reduceOps() []opSpec {
	Seed(4)
	f := func(g func(*Tensor) *Tensor) func([]*Tensor) *Tensor {
		return func(x []*Tensor) *Tensor { return g(x[0]) }
	}
	r := f
	return []opSpec{
		{name: "Mean/all", torch: true, f: f(func(a *Tensor) *Tensor { return a.Mean() })},
		{name: "Mean/dims", torch: true, f: f(func(a *Tensor) *Tensor { return a.Mean(0, 2) })},
		{name: "MeanKeep/dim", torch: true, f: f(func(a *Tensor) *Tensor { return a.MeanKeep(-1) })},
		{name: "Max/all", torch: true, f: f(func(a *Tensor) *Tensor { return a.Max() })},
		{name: "Max/all-ties", torch: true, kinks: true, f: f(func(a *Tensor) *Tensor { return a.Max() })},
		{name: "Max/dim", torch: true, f: f(func(a *Tensor) *Tensor { return a.Max(1) })},
		{name: "Max/dim-ties", torch: true, kinks: true, f: f(func(a *Tensor) *Tensor { return a.Max(1) })},
		{name: "Max/dims", torch: true, f: f(func(a *Tensor) *Tensor { return a.Max(0, 2) })},
		{name: "Max/dims-ties", torch: true, kinks: true, f: f(func(a *Tensor) *Tensor { return a.Max(0, 1) })},
		{name: "MaxKeep/dim", torch: true, f: f(func(a *Tensor) *Tensor { return a.MaxKeep(0) })},
		{name: "Min/all-ties", torch: true, kinks: true, f: f(func(a *Tensor) *Tensor { return a.Min() })},
		{name: "Min/dim-ties", torch: true, kinks: true, f: f(func(a *Tensor) *Tensor { return a.Min(0) })},
		{name: "MinKeep/dims", torch: true, f: f(func(a *Tensor) *Tensor { return a.MinKeep(0, 2) })},
		{name: "Var/all", torch: true, f: f(func(a *Tensor) *Tensor { return a.Var() })},
		{name: "Var/dim", torch: true, f: f(func(a *Tensor) *Tensor { return a.Var(1) })},
		{name: "VarKeep/dims", torch: true, f: f(func(a *Tensor) *Tensor { return a.VarKeep(0, 2) })},
		{name: "Std/all", torch: true, f: f(func(a *Tensor) *Tensor { return a.Std() })},
		{name: "Std/dim", torch: true, f: f(func(a *Tensor) *Tensor { return a.Std(-1) })},
		{name: "Std/constant", torch: true, kinks: true, f: f(func(a *Tensor) *Tensor { return a.Std(1) })},
		{name: "StdKeep/dim", torch: true, f: f(func(a *Tensor) *Tensor { return a.StdKeep(0) })},
		{name: "LogSumExp/all", torch: true, f: f(func(a *Tensor) *Tensor { return a.LogSumExp() })},
		{name: "LogSumExp/dims", torch: true, f: f(func(a *Tensor) *Tensor { return a.LogSumExp(0, 2) })},
		{name: "LogSumExpKeep/dim", torch: true, f: f(func(a *Tensor) *Tensor { return a.LogSumExpKeep(1) })},
		{name: "LogSumExp/large", torch: true, f: f(func(a *Tensor) *Tensor { return a.LogSumExp(1) })},
		{name: "ArgMax/dim", torch: true, noGrad: true, f: f(func(a *Tensor) *Tensor { return a.ArgMax(1) })},
		{name: "ArgMax/dim0", torch: true, noGrad: true, f: f(func(a *Tensor) *Tensor { return a.ArgMax(0) })},
		{name: "ArgMin/dim", torch: true, noGrad: true, f: f(func(a *Tensor) *Tensor { return a.ArgMin(-1) })},
		{name: "Mean/all", f: r(func(a *Tensor) *Tensor { return a.Mean() }), inputs: []*Tensor{Randn(2, 3, 4)}},
		{name: "Mean/dims", f: r(func(a *Tensor) *Tensor { return a.Mean(0, -1) }), inputs: []*Tensor{Randn(2, 3, 4)}},
		{name: "MeanKeep/dim", f: r(func(a *Tensor) *Tensor { return a.MeanKeep(1) }), inputs: []*Tensor{Randn(2, 3, 4)}},
		{name: "Mean/0d", f: r(func(a *Tensor) *Tensor { return a.Mean() }), inputs: []*Tensor{Randn()}},
		{name: "Max/all", f: r(func(a *Tensor) *Tensor { return a.Max() }), inputs: []*Tensor{noTies(3, 4)}},
		{name: "Max/dim", f: r(func(a *Tensor) *Tensor { return a.Max(1) }), inputs: []*Tensor{noTies(2, 3, 4)}},
		{name: "Max/dims", f: r(func(a *Tensor) *Tensor { return a.Max(0, 2) }), inputs: []*Tensor{noTies(2, 3, 4)}},
		{name: "MaxKeep/dim", f: r(func(a *Tensor) *Tensor { return a.MaxKeep(-1) }), inputs: []*Tensor{noTies(2, 3, 4)}},
		{name: "Min/all", f: r(func(a *Tensor) *Tensor { return a.Min() }), inputs: []*Tensor{noTies(3, 4)}},
		{name: "Max/0d", f: r(func(a *Tensor) *Tensor { return a.Max() }), inputs: []*Tensor{Randn()}},
		{name: "Sum/0d", f: r(func(a *Tensor) *Tensor { return a.Sum() }), inputs: []*Tensor{Randn()}},
		{name: "Var/dims", f: r(func(a *Tensor) *Tensor { return a.Var(0, -1) }), inputs: []*Tensor{Randn(2, 3, 4)}},
		{name: "Min/dim", f: r(func(a *Tensor) *Tensor { return a.Min(0) }), inputs: []*Tensor{noTies(3, 4)}},
		{name: "MinKeep/dims", f: r(func(a *Tensor) *Tensor { return a.MinKeep(1, 2) }), inputs: []*Tensor{noTies(2, 3, 4)}},
		{name: "Var/all", f: r(func(a *Tensor) *Tensor { return a.Var() }), inputs: []*Tensor{Randn(3, 4)}},
		{name: "Var/dim", f: r(func(a *Tensor) *Tensor { return a.Var(1) }), inputs: []*Tensor{Randn(2, 3, 4)}},
		{name: "VarKeep/dims", f: r(func(a *Tensor) *Tensor { return a.VarKeep(0, 2) }), inputs: []*Tensor{Randn(2, 3, 4)}},
		{name: "Std/all", f: r(func(a *Tensor) *Tensor { return a.Std() }), inputs: []*Tensor{Randn(3, 4)}},
		{name: "Std/dim", f: r(func(a *Tensor) *Tensor { return a.Std(-1) }), inputs: []*Tensor{Randn(2, 3, 4)}},
		{name: "StdKeep/dims", f: r(func(a *Tensor) *Tensor { return a.StdKeep(0, 1) }), inputs: []*Tensor{Randn(2, 3, 4)}},
		{name: "LogSumExp/all", f: r(func(a *Tensor) *Tensor { return a.LogSumExp() }), inputs: []*Tensor{Randn(3, 4)}},
		{name: "LogSumExp/dim", f: r(func(a *Tensor) *Tensor { return a.LogSumExp(1) }), inputs: []*Tensor{Randn(2, 3, 4)}},
		// the trailing dims: float32 rows on the kernels, around their 16-lane blocks and above the pool
		{name: "LogSumExp/last", f: r(func(a *Tensor) *Tensor { return a.LogSumExp(-1) }), inputs: []*Tensor{Randn(5, 37).MulScalar(3)}},
		{name: "LogSumExp/trailing", f: r(func(a *Tensor) *Tensor { return a.LogSumExpKeep(1, 2) }), inputs: []*Tensor{Randn(3, 4, 4)}},
		{name: "LogSumExp/big-rows", f: r(func(a *Tensor) *Tensor { return a.LogSumExp(-1) }), inputs: []*Tensor{Randn(300, 250).MulScalar(5)}},
		{name: "LogSumExpKeep/dims", f: r(func(a *Tensor) *Tensor { return a.LogSumExpKeep(0, 2) }), inputs: []*Tensor{Randn(2, 3, 4).MulScalar(3)}},
		// one tensor used twice in every family: both contributions must arrive
		{name: "twice/Mean+Var", f: r(func(a *Tensor) *Tensor { return a.Var(1).Mul(a.Mean(1)) }), inputs: []*Tensor{Randn(3, 4)}},
		{name: "twice/Max-LogSumExp", f: r(func(a *Tensor) *Tensor { return a.LogSumExp(0).Sub(a.Max(0)) }), inputs: []*Tensor{noTies(3, 4)}},
		// above poolMin
		{name: "Max/big", f: f(func(a *Tensor) *Tensor { return a.Max(1) }), inputs: []*Tensor{noTies(2, 3, 40, 40)}},
		{name: "Mean/big", f: f(func(a *Tensor) *Tensor { return a.Mean(0, 2) }), inputs: []*Tensor{Randn(2, 3, 40, 40)}},
		{name: "Var/big", f: f(func(a *Tensor) *Tensor { return a.Var(1) }), inputs: []*Tensor{Randn(300, 250)}},
		{name: "LogSumExp/big", f: f(func(a *Tensor) *Tensor { return a.LogSumExp(0) }), inputs: []*Tensor{Randn(300, 250)}},
	}
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

// reduceCoreOps are the op table's rows for Sum and SumKeep, with references in torchref_core.json.
func reduceCoreOps() []opSpec {
	Seed(22)
	return []opSpec{
		{name: "Sum/all", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Sum() }},
		{name: "Sum/dims", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Sum(0, 2) }},
		{name: "SumKeep/dim", torch: true, f: func(x []*Tensor) *Tensor { return x[0].SumKeep(1) }},
		{name: "Sum/all", f: func(x []*Tensor) *Tensor { return x[0].Sum() }, inputs: []*Tensor{Randn(2, 3, 4)}},
		{name: "Sum/dim", f: func(x []*Tensor) *Tensor { return x[0].Sum(-1) }, inputs: []*Tensor{Randn(2, 3, 4)}},
		{name: "SumKeep/dims", f: func(x []*Tensor) *Tensor { return x[0].SumKeep(0, 2) }, inputs: []*Tensor{Randn(2, 3, 4)}},
		{name: "twice/Sum+Permute", f: func(x []*Tensor) *Tensor { return x[0].Sum(0).Add(x[0].Permute(1, 0).Sum(1)) }, inputs: []*Tensor{Randn(3, 2)}},
		{name: "Sum/big", f: func(x []*Tensor) *Tensor { return x[0].Sum(0) }, inputs: []*Tensor{Randn(300, 250)}},
		// the backward of a sum into one element fills ∂t: past poolMin and
		// one chunk, a dim summed into one element, a tensor used twice
		{name: "Sum/all-big", f: func(x []*Tensor) *Tensor { return x[0].Sum() }, inputs: []*Tensor{Randn(300, 251)}},
		{name: "Sum/dim-to-one", f: func(x []*Tensor) *Tensor { return x[0].Sum(1) }, inputs: []*Tensor{Randn(1, 7)}},
		{name: "twice/Sum all", f: func(x []*Tensor) *Tensor { return x[0].Sum().Mul(x[0].Exp().Sum()) }, inputs: []*Tensor{Randn(3, 4)}},
	}
}

// TestSumAllGradValues checks the backward of a sum of every element in
// float32 and float64, with and without CreateGraph: each element of ∂t is
// the upstream value plus zero, so −0 arrives as +0 (as the broadcast add
// gives it), NaN as NaN and a pre-filled gradient is added to.
func TestSumAllGradValues(t *testing.T) {
	for _, dt := range []DType{Float32, Float64} {
		for _, create := range []bool{false, true} {
			for _, up := range []float64{2.5, math.Copysign(0, -1), math.NaN(), math.Inf(-1)} {
				x := Randn(300, 251).To(dt).SetRequiresGrad(true)
				x.SetGrad(Full(0.5, 300, 251).To(dt)) // pre-filled
				y := x.Sum()
				gs := Grad([]*Tensor{y}, []*Tensor{x}, GradOpts{GradOutputs: []*Tensor{New64([]float64{up}).To(dt).Reshape()}, CreateGraph: create})
				want := up + 0
				for i, v := range gs[0].Float64s() {
					if !(v == want || (v != v && want != want)) || math.Signbit(v) != math.Signbit(want) && want == want {
						t.Fatalf("%v create=%v up=%v: ∂x[%d] = %v, want %v", dt, create, up, i, v, want)
					}
				}
				y = x.Sum()
				y.BackwardWith(New64([]float64{up}).To(dt).Reshape())
				for i, v := range x.Grad().Float64s() {
					if w := 0.5 + want; !(v == w || (v != v && w != w)) {
						t.Fatalf("%v up=%v: accumulated ∂x[%d] = %v, want %v", dt, up, i, v, w)
					}
				}
			}
		}
	}
}

// TestLogSumExpSpecialRows checks float32 LogSumExp over the last dim (the
// kernels' rows) on rows with +Inf, NaN, all −Inf and large values against
// float64.
func TestLogSumExpSpecialRows(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	rows := [][]float64{
		{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17},
		{1, inf, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17},
		{1, 2, nan, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17},
		{-inf, -inf, -inf, -inf, -inf, -inf, -inf, -inf, -inf, -inf, -inf, -inf, -inf, -inf, -inf, -inf, -inf},
		{1000, 999, 998, -inf, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1000},
	}
	var flat []float64
	for _, r := range rows {
		flat = append(flat, r...)
	}
	x := New64(flat, len(rows), 17)
	got, want := x.To(Float32).LogSumExp(-1).Float64s(), x.LogSumExp(-1).Float64s()
	for i := range want {
		w, g := want[i], got[i]
		if math.IsNaN(w) || math.IsInf(w, 0) {
			if !(math.IsNaN(w) && math.IsNaN(g)) && g != w {
				t.Errorf("row %d: float32 gives %v, float64 %v", i, g, w)
			}
			continue
		}
		if math.Abs(g-w) > 1e-6*math.Abs(w) {
			t.Errorf("row %d: float32 gives %v, float64 %v", i, g, w)
		}
	}
}

// BenchmarkSoftmaxBackward32 times a float32 Softmax over the last dim
// forward and backward on the transformer block's attention rows ([4096,
// 64]: batch 16 × 4 heads × 64 queries, 64 keys) and on [256, 1000].
func BenchmarkSoftmaxBackward32(b *testing.B) {
	for _, s := range [][2]int{{4096, 64}, {256, 1000}} {
		x := Randn(s[0], s[1]).SetRequiresGrad(true)
		up := Randn(s[0], s[1])
		b.Run(fmt.Sprintf("%dx%d", s[0], s[1]), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				x.Softmax(1).BackwardWith(up)
				x.ZeroGrad()
			}
		})
	}
}
