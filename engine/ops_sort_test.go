package engine

import (
	"math"
	"testing"
)

var _ = addOps("sort", sortOps)

// sortOps are the op table's rows for the ordering, scan, norm and copy ops
// (see runOps).
func sortOps() []opSpec {
	Seed(15)
	un := func(f func(*Tensor) *Tensor) func([]*Tensor) *Tensor {
		return func(x []*Tensor) *Tensor { return f(x[0]) }
	}
	vals := func(v, _ *Tensor) *Tensor { return v }
	idx := func(_, i *Tensor) *Tensor { return i }
	return []opSpec{
		{name: "TopK/largest", torch: true, f: un(func(a *Tensor) *Tensor { return vals(a.TopK(2, 1, true)) })},
		{name: "TopK/smallest-dim0", torch: true, f: un(func(a *Tensor) *Tensor { return vals(a.TopK(3, 0, false)) })},
		{name: "TopK/indices", torch: true, noGrad: true, f: un(func(a *Tensor) *Tensor { return idx(a.TopK(2, -1, true)) })},
		{name: "Sort/ascending", torch: true, f: un(func(a *Tensor) *Tensor { return vals(a.Sort(1, false)) })},
		{name: "Sort/descending", torch: true, f: un(func(a *Tensor) *Tensor { return vals(a.Sort(-1, true)) })},
		{name: "ArgSort/ascending", torch: true, noGrad: true, f: un(func(a *Tensor) *Tensor { return a.ArgSort(1, false) })},
		{name: "ArgSort/descending", torch: true, noGrad: true, f: un(func(a *Tensor) *Tensor { return a.ArgSort(0, true) })},
		{name: "CumSum/0", torch: true, f: un(func(a *Tensor) *Tensor { return a.CumSum(0) })},
		{name: "CumSum/-1", torch: true, f: un(func(a *Tensor) *Tensor { return a.CumSum(-1) })},
		{name: "Repeat/2d", torch: true, f: un(func(a *Tensor) *Tensor { return a.Repeat(2, 3) })},
		{name: "Repeat/new-dims", torch: true, f: un(func(a *Tensor) *Tensor { return a.Repeat(2, 1, 2) })},
		{name: "OneHot", torch: true, noGrad: true, f: un(func(a *Tensor) *Tensor { return OneHot(a, 5).To(a.DType()) })},
		{name: "All/dim", torch: true, noGrad: true, f: un(func(a *Tensor) *Tensor { return a.All(1) })},
		{name: "Any/dim", torch: true, noGrad: true, f: un(func(a *Tensor) *Tensor { return a.Any(0) })},
		{name: "All/all", torch: true, noGrad: true, f: un(func(a *Tensor) *Tensor { return a.All() })},
		{name: "Any/all", torch: true, noGrad: true, f: un(func(a *Tensor) *Tensor { return a.Any() })},
		{name: "Norm/2-dim", torch: true, f: un(func(a *Tensor) *Tensor { return a.Norm(2, 1) })},
		{name: "Norm/2-all", torch: true, f: un(func(a *Tensor) *Tensor { return a.Norm(2) })},
		{name: "Norm/1-dims", torch: true, f: un(func(a *Tensor) *Tensor { return a.Norm(1, 0, 2) })},
		{name: "Norm/inf-dim", torch: true, f: un(func(a *Tensor) *Tensor { return a.Norm(math.Inf(1), -1) })},
		{name: "Norm/inf-ties", torch: true, kinks: true, f: un(func(a *Tensor) *Tensor { return a.Norm(math.Inf(1), 1) })},
		{name: "Norm/2-zero-row", torch: true, kinks: true, f: un(func(a *Tensor) *Tensor { return a.Norm(2, 1) })},
		{name: "Norm/3-dim", torch: true, f: un(func(a *Tensor) *Tensor { return a.Norm(3, 1) })},
		{name: "Norm/1.5-all", torch: true, f: un(func(a *Tensor) *Tensor { return a.Norm(1.5) })},
		{name: "Norm/0.5-dims", torch: true, f: un(func(a *Tensor) *Tensor { return a.Norm(0.5, 0, 2) })},
		{name: "Norm/-1.5-dim", torch: true, f: un(func(a *Tensor) *Tensor { return a.Norm(-1.5, 0) })},
		{name: "Norm/0-dim", torch: true, kinks: true, f: un(func(a *Tensor) *Tensor { return a.Norm(0, 1) })},
		{name: "Norm/-inf-dim", torch: true, f: un(func(a *Tensor) *Tensor { return a.Norm(math.Inf(-1), -1) })},
		{name: "Norm/-inf-ties", torch: true, kinks: true, f: un(func(a *Tensor) *Tensor { return a.Norm(math.Inf(-1), 1) })},
		{name: "Norm/3-zero-row", torch: true, kinks: true, f: un(func(a *Tensor) *Tensor { return a.Norm(3, 1) })},
		{name: "Norm/0.5-zero-element", torch: true, kinks: true, f: un(func(a *Tensor) *Tensor { return a.Norm(0.5, 1) })},
		{name: "Norm/-1.5-zero-element", torch: true, kinks: true, f: un(func(a *Tensor) *Tensor { return a.Norm(-1.5, 1) })},
		{name: "Clone", torch: true, f: un((*Tensor).Clone)},
		{name: "TopK/batch", f: un(func(a *Tensor) *Tensor { return vals(a.TopK(4, 1, true)) }), inputs: []*Tensor{noTies(2, 6, 3)}},
		{name: "Sort/big", f: un(func(a *Tensor) *Tensor { return vals(a.Sort(0, true)) }), inputs: []*Tensor{noTies(70, 40)}},
		{name: "CumSum/big", f: un(func(a *Tensor) *Tensor { return a.CumSum(1) }), inputs: []*Tensor{Randn(50, 100)}},
		{name: "Repeat/batch", f: un(func(a *Tensor) *Tensor { return a.Repeat(1, 2, 1, 3) }), inputs: []*Tensor{Randn(2, 1, 3, 2)}},
		{name: "NormKeep/2", f: un(func(a *Tensor) *Tensor { return a.NormKeep(2, 1).Mul(a) }), inputs: []*Tensor{Randn(3, 4)}},
		{name: "Norm/1-big", f: un(func(a *Tensor) *Tensor { return a.Norm(1, 1) }), inputs: []*Tensor{awayFrom(0.01, 60, 80)}},
		{name: "Norm/2.5-big", f: un(func(a *Tensor) *Tensor { return a.Norm(2.5, 0) }), inputs: []*Tensor{awayFrom(0.01, 60, 80)}},
		{name: "twice/CumSum-Norm", f: un(func(a *Tensor) *Tensor { return a.CumSum(0).Mul(a.Norm(2)) }), inputs: []*Tensor{Randn(4, 2)}},
	}
}

func TestSortErrors(t *testing.T) {
	checkErrors(t, []errorCase{
		{"TopK too many", func() { Randn(2, 3).TopK(4, 1, true) }, []string{"TopK", "[2 3]", "k = 4 but dim 1 has size 3", "0 to 3"}},
		{"Sort bad dim", func() { Randn(2, 3).Sort(2, false) }, []string{"ArgSort", "[2 3]", "dim 2 is out of range"}},
		{"CumSum bad dim", func() { Randn(2).CumSum(-2) }, []string{"CumSum", "[2]", "out of range"}},
		{"Repeat too few", func() { Randn(2, 3).Repeat(2) }, []string{"Repeat", "[2 3]", "1 repeat counts [2] for a 2-d tensor"}},
		{"Repeat negative", func() { Randn(2).Repeat(-1) }, []string{"Repeat", "negative"}},
		{"Norm p", func() { Randn(2).Norm(math.NaN()) }, []string{"Norm", "p = NaN", "real number, math.Inf(1) or math.Inf(-1)"}},
		{"OneHot range", func() { OneHot(New([]float32{0, 5}), 5) }, []string{"OneHot", "index 5", "[0, 5)"}},
		{"OneHot fraction", func() { OneHot(New([]float32{0.5}), 3) }, []string{"Ints", "0.5", "not a whole number"}},
		{"Multinomial negative", func() { New([]float32{1, -1}).Multinomial(1, true) }, []string{"Multinomial", "-1", ">= 0"}},
		{"Multinomial too many", func() { New([]float32{1, 1}).Multinomial(3, false) }, []string{"Multinomial", "3 samples from 2 categories"}},
		{"Multinomial zero row", func() { New([]float32{0, 0}).Multinomial(1, true) }, []string{"Multinomial", "sum to 0"}},
		{"Multinomial 3-d", func() { Ones(2, 2, 2).Multinomial(1, true) }, []string{"Multinomial", "[2 2 2]", "[C] or [N, C]"}},
		{"Bernoulli range", func() { New([]float32{0.5, 1.5}).Bernoulli() }, []string{"Bernoulli", "1.5", "[0, 1]"}},
	})
}

func TestIntsAndOneHot(t *testing.T) {
	x := New([]float32{3, 1, 2, 9}, 2, 2)
	if got := x.ArgMax(1).Ints(); got[0] != 0 || got[1] != 1 {
		t.Errorf("ArgMax(1).Ints() = %v, want [0 1]", got)
	}
	_, i := x.TopK(1, 1, true)
	if got := i.Ints(); got[0] != 0 || got[1] != 1 {
		t.Errorf("TopK indices %v, want [0 1]", got)
	}
	oh := OneHot(New([]float32{2, 0, 1, 2}, 2, 2), -1)
	assertClose(t, "OneHot -1", oh, New([]float32{0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1}, 2, 2, 3), 0)
}

// TestMultinomialFrequencies draws many samples with a fixed seed and checks
// each category's frequency within 5 standard deviations of its probability,
// and that draws without replacement never repeat within a row.
func TestMultinomialFrequencies(t *testing.T) {
	Seed(3)
	p := New([]float32{0.1, 0, 0.6, 0.3})
	const n = 20000
	s := p.Reshape(1, 4).Expand(n, 4).Multinomial(1, true).Ints()
	count := make([]float64, 4)
	for _, k := range s {
		count[k]++
	}
	for k, pk := range []float64{0.1, 0, 0.6, 0.3} {
		if sd := math.Sqrt(n * pk * (1 - pk)); math.Abs(count[k]-n*pk) > 5*sd {
			t.Errorf("category %d drawn %v times in %d, want %v ± %v", k, count[k], n, n*pk, 5*sd)
		}
	}
	w := Rand(50, 6).AddScalar(0.01)
	rows := w.Multinomial(6, false).Ints()
	for r := 0; r < 50; r++ {
		seen := map[int]bool{}
		for _, k := range rows[r*6 : r*6+6] {
			if seen[k] {
				t.Fatalf("row %d drew %d twice without replacement: %v", r, k, rows[r*6:r*6+6])
			}
			seen[k] = true
		}
	}
	Seed(4)
	a := p.Multinomial(5, true).Ints()
	Seed(4)
	b := p.Multinomial(5, true).Ints()
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("the same seed drew %v then %v", a, b)
		}
	}
	Seed(5)
	bern := Full(0.25, n).Bernoulli()
	if m, sd := bern.Sum().Item(), math.Sqrt(n*0.25*0.75); math.Abs(m-n*0.25) > 5*sd {
		t.Errorf("Bernoulli(0.25) gave %v ones in %d, want %v ± %v", m, n, n*0.25, 5*sd)
	}
	if bern.RequiresGrad() || Full(0.5, 3).SetRequiresGrad(true).Bernoulli().RequiresGrad() {
		t.Error("Bernoulli requires grad")
	}
}
