package engine

import (
	"math"
	"testing"
)

var _ = addOps("select", selectOps)

// selectOps are the op table's rows for Tril, Triu and MaskedFill (see runOps).
func selectOps() []opSpec {
	Seed(14)
	un := func(f func(*Tensor) *Tensor) func([]*Tensor) *Tensor {
		return func(x []*Tensor) *Tensor { return f(x[0]) }
	}
	tril := func(k int) func([]*Tensor) *Tensor { return un(func(a *Tensor) *Tensor { return a.Tril(k) }) }
	triu := func(k int) func([]*Tensor) *Tensor { return un(func(a *Tensor) *Tensor { return a.Triu(k) }) }
	mf := func(x []*Tensor) *Tensor { return x[0].MaskedFill(x[1], -1e9) }
	causal := Ones(4, 4).Triu(1)
	half := Rand(2, 1, 5).GtScalar(0.5)
	return []opSpec{
		{name: "Tril/0", torch: true, f: tril(0)},
		{name: "Tril/1", torch: true, f: tril(1)},
		{name: "Tril/-1", torch: true, f: tril(-1)},
		{name: "Triu/0", torch: true, f: triu(0)},
		{name: "Triu/2", torch: true, f: triu(2)},
		{name: "Triu/-1", torch: true, f: triu(-1)},
		// the mask is an input of the reference: finite differences along it
		// would turn zeros into non-zeros, so the rows below check GradCheck
		{name: "MaskedFill/same", torch: true, kinks: true, f: mf},
		{name: "MaskedFill/causal", torch: true, kinks: true, f: func(x []*Tensor) *Tensor {
			return x[0].MaskedFill(x[1], math.Inf(-1)).Softmax(-1)
		}},
		{name: "MaskedFill/broadcast", torch: true, kinks: true, f: func(x []*Tensor) *Tensor { return x[0].MaskedFill(x[1], 2.5) }},
		{name: "Tril/batch", f: tril(0), inputs: []*Tensor{Randn(3, 2, 4, 4)}},
		{name: "Triu/wide", f: triu(-2), inputs: []*Tensor{Randn(3, 6)}},
		{name: "Tril/big", f: tril(3), inputs: []*Tensor{Randn(8, 30, 30)}},
		{name: "MaskedFill/causal", f: un(func(a *Tensor) *Tensor { return a.MaskedFill(causal, math.Inf(-1)).Softmax(-1) }),
			inputs: []*Tensor{Randn(2, 4, 4)}},
		{name: "MaskedFill/broadcast", f: un(func(a *Tensor) *Tensor { return a.MaskedFill(half, 3) }), inputs: []*Tensor{Randn(2, 3, 5)}},
		{name: "twice/MaskedFill", f: un(func(a *Tensor) *Tensor { return a.MaskedFill(half, 0).Mul(a) }), inputs: []*Tensor{Randn(2, 3, 5)}},
	}
}

func TestSelectErrors(t *testing.T) {
	checkErrors(t, []errorCase{
		{"Tril of a vector", func() { Randn(4).Tril(0) }, []string{"Tril", "[4]", "last two dims"}},
		{"Triu of a scalar", func() { Scalar(1).Triu(0) }, []string{"Triu", "[]", "0 dims"}},
		{"MaskedFill wider mask", func() { Randn(2, 3).MaskedFill(Ones(4, 2, 3), 0) }, []string{"MaskedFill", "[2 3]", "[4 2 3]", "not to the tensor's shape"}},
		{"MaskedFill bad mask", func() { Randn(2, 3).MaskedFill(Ones(2), 0) }, []string{"MaskedFill", "[2 3]", "[2]"}},
		{"MaskedFill nil mask", func() { Randn(2, 3).MaskedFill(nil, 0) }, []string{"MaskedFill", "mask is nil"}},
	})
}

// TestTrilValues checks a few elements by hand: the diagonals kept.
func TestTrilValues(t *testing.T) {
	x := Arange(1, 10).Reshape(3, 3)
	assertClose(t, "Tril(0)", x.Tril(0), New([]float32{1, 0, 0, 4, 5, 0, 7, 8, 9}, 3, 3), 0)
	assertClose(t, "Triu(1)", x.Triu(1), New([]float32{0, 2, 3, 0, 0, 6, 0, 0, 0}, 3, 3), 0)
	assertClose(t, "Tril(-1)", x.Tril(-1), New([]float32{0, 0, 0, 4, 0, 0, 7, 8, 0}, 3, 3), 0)
}
