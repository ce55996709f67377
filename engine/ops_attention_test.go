package engine

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
)

var _ = addOps("core", attentionOps)

// attentionOps are the op table's rows for AttentionWeights and
// ScaledDotProductAttention (composed of MatMul, MaskedFill and Softmax,
// whose PyTorch references are their own rows; nn's MultiheadAttention
// checks the composition against PyTorch).
func attentionOps() []opSpec {
	Seed(41)
	// hides key 1 of every query, and keys 3-4 of query 0
	mask := New([]float32{
		0, 1, 0, 0, 0,
		0, 1, 0, 0, 0,
		0, 1, 0, 1, 1,
	}, 3, 5)
	sdpa := func(o AttentionOpts) func(x []*Tensor) *Tensor {
		return func(x []*Tensor) *Tensor { return ScaledDotProductAttention(x[0], x[1], x[2], o) }
	}
	weights := func(o AttentionOpts) func(x []*Tensor) *Tensor {
		return func(x []*Tensor) *Tensor { return AttentionWeights(x[0], x[1], o) }
	}
	return []opSpec{
		{name: "AttentionWeights/plain", f: weights(AttentionOpts{}), inputs: []*Tensor{Randn(2, 3, 4), Randn(2, 5, 4)}},
		{name: "AttentionWeights/mask", f: weights(AttentionOpts{Mask: mask}), inputs: []*Tensor{Randn(2, 3, 4), Randn(2, 5, 4)}},
		{name: "AttentionWeights/causal", f: weights(AttentionOpts{Causal: true}), inputs: []*Tensor{Randn(2, 4, 3), Randn(2, 4, 3)}},
		{name: "ScaledDotProductAttention/plain", f: sdpa(AttentionOpts{}), inputs: []*Tensor{Randn(2, 3, 4), Randn(2, 5, 4), Randn(2, 5, 3)}},
		{name: "ScaledDotProductAttention/mask", f: sdpa(AttentionOpts{Mask: mask}), inputs: []*Tensor{Randn(2, 3, 4), Randn(2, 5, 4), Randn(2, 5, 3)}},
		{name: "ScaledDotProductAttention/causal", f: sdpa(AttentionOpts{Causal: true}), inputs: []*Tensor{Randn(4, 4), Randn(4, 4), Randn(4, 2)}},
		{name: "ScaledDotProductAttention/broadcast-batch", f: sdpa(AttentionOpts{}), inputs: []*Tensor{Randn(2, 1, 3, 4), Randn(1, 2, 5, 4), Randn(1, 2, 5, 3)}},
		// scores of 4·32·32 = 4096 elements: above the pool threshold
		// Bias added to the scores (PyTorch's float attn_mask), with a mask and the causal mask
		{name: "ScaledDotProductAttention/mask-causal-bias", f: func(x []*Tensor) *Tensor {
			return ScaledDotProductAttention(x[0], x[1], x[2], AttentionOpts{Mask: mask.Narrow(1, 0, 3), Causal: true, Bias: x[3]})
		}, inputs: []*Tensor{Randn(2, 3, 4), Randn(2, 3, 4), Randn(2, 3, 2), Randn(3, 3)}},
		// q, k and v one tensor: self-attention gets all three contributions
		{name: "ScaledDotProductAttention/self", f: func(x []*Tensor) *Tensor {
			return ScaledDotProductAttention(x[0], x[0], x[0], AttentionOpts{Causal: true})
		}, inputs: []*Tensor{Randn(3, 5, 4)}},
		{name: "ScaledDotProductAttention/large", f: sdpa(AttentionOpts{Causal: true}), inputs: []*Tensor{Randn(4, 32, 16), Randn(4, 32, 16), Randn(4, 32, 8)}},
	}
}

var _ = addOps("core", attentionHeadOps)

// attentionHeadOps are the op table's rows for attention with the heads side
// by side in the last dim of time-major q, k and v (AttentionOpts.Heads,
// ApplyAttention), with references in torchref_core.json (the heads split
// off and merged back by reshapes and permutes in PyTorch).
func attentionHeadOps() []opSpec {
	Seed(43)
	mask := New([]float32{0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 1, 1}, 3, 5)
	sdpa := func(o AttentionOpts) func(x []*Tensor) *Tensor {
		return func(x []*Tensor) *Tensor { return ScaledDotProductAttention(x[0], x[1], x[2], o) }
	}
	apply := func(h int) func(x []*Tensor) *Tensor {
		return func(x []*Tensor) *Tensor { return ApplyAttention(x[0], x[1], h) }
	}
	return []opSpec{
		{name: "AttentionWeights/heads", torch: true, f: func(x []*Tensor) *Tensor { return AttentionWeights(x[0], x[1], AttentionOpts{Heads: 2}) }},
		{name: "AttentionWeights/heads-mask-bias", torch: true, f: func(x []*Tensor) *Tensor {
			return AttentionWeights(x[0], x[1], AttentionOpts{Heads: 2, Mask: mask, Bias: x[2]})
		}},
		{name: "ApplyAttention", torch: true, f: apply(2)},
		{name: "ScaledDotProductAttention/heads-causal", torch: true, f: sdpa(AttentionOpts{Heads: 3, Causal: true})},
		{name: "ApplyAttention/one-head", f: apply(1), inputs: []*Tensor{Randn(3, 1, 2, 4), Randn(4, 3, 5)}},
		// one tensor as q, k and v: self-attention gets all three contributions
		{name: "ScaledDotProductAttention/heads-self", f: func(x []*Tensor) *Tensor {
			return ScaledDotProductAttention(x[0], x[0], x[0], AttentionOpts{Heads: 2, Causal: true})
		}, inputs: []*Tensor{Randn(4, 3, 6)}},
		// the weights used twice: as the values' weights and added to the result
		{name: "ApplyAttention/weights-twice", f: func(x []*Tensor) *Tensor {
			return ApplyAttention(x[0], x[1], 2).Sum().Add(x[0].Square().Sum())
		}, inputs: []*Tensor{Randn(2, 2, 3, 4), Randn(4, 2, 6)}},
		// above the pool threshold and internal/kernels's smallWork, with the
		// transformer block's head width (32) and lengths around the GEMM tiles
		{name: "ScaledDotProductAttention/heads-large", f: sdpa(AttentionOpts{Heads: 2}), inputs: []*Tensor{Randn(40, 2, 64), Randn(48, 2, 64), Randn(48, 2, 48)}},
		{name: "ApplyAttention/large", f: apply(4), inputs: []*Tensor{Randn(2, 4, 40, 48), Randn(48, 2, 4*24)}},
	}
}

// The heads read in place give the same bits as the heads copied out with
// Reshape and Permute, forward and backward: each product is the same GEMM,
// packed from other rows. Sizes on both sides of the small-product path, with
// the transformer block's; a mask and each subset of q, k, v requiring grad.
func TestAttentionHeadsSameBitsAsCopies(t *testing.T) {
	for _, c := range []struct{ l, s, n, h, e int }{{3, 5, 2, 2, 4}, {7, 9, 2, 3, 16}, {40, 48, 3, 2, 24}, {64, 64, 16, 4, 32}} {
		for _, dt := range []DType{Float32, Float64} {
			for req := 1; req < 8; req++ {
				Seed(5)
				x := []*Tensor{Randn(c.l, c.n, c.h*c.e), Randn(c.s, c.n, c.h*c.e), Randn(c.s, c.n, c.h*c.e)}
				mask := Rand(c.l, c.s).Gt(Scalar(0.8))
				up := Randn(c.l, c.n, c.h*c.e).To(dt)
				run := func(f func(q, k, v *Tensor) *Tensor) (*Tensor, []*Tensor) {
					in := make([]*Tensor, 3)
					for i := range in {
						in[i] = x[i].To(dt).SetRequiresGrad(req&(1<<i) != 0)
					}
					out := f(in[0], in[1], in[2])
					out.BackwardWith(up)
					gs := make([]*Tensor, 3)
					for i := range in {
						gs[i] = in[i].Grad()
					}
					return out, gs
				}
				got, ggot := run(func(q, k, v *Tensor) *Tensor {
					return ScaledDotProductAttention(q, k, v, AttentionOpts{Heads: c.h, Mask: mask})
				})
				want, gwant := run(func(q, k, v *Tensor) *Tensor {
					split := func(x *Tensor) *Tensor { return x.Reshape(x.Size(0), c.n, c.h, c.e).Permute(1, 2, 0, 3) }
					o := ScaledDotProductAttention(split(q), split(k), split(v), AttentionOpts{Mask: mask})
					return o.Permute(2, 0, 1, 3).Reshape(c.l, c.n, c.h*c.e)
				})
				what := fmt.Sprintf("%+v %v, inputs %03b requiring grad", c, dt, req)
				assertClose(t, what+": output", got, want, 0)
				for i := range ggot {
					if (ggot[i] == nil) != (gwant[i] == nil) {
						t.Fatalf("%s: input %d's gradient %v, want %v", what, i, ggot[i], gwant[i])
					}
					if ggot[i] != nil {
						assertClose(t, fmt.Sprintf("%s: gradient of input %d", what, i), ggot[i], gwant[i], 0)
					}
				}
			}
		}
	}
}

// With no keys, the products are empty: the output and q's gradient are
// zeros (as PyTorch's empty softmax times empty values), whatever the memory
// held before (poisoned here).
func TestAttentionHeadsNoKeys(t *testing.T) {
	poisonUninit.Store(true)
	defer poisonUninit.Store(false)
	for _, dt := range []DType{Float32, Float64} {
		q := Randn(3, 2, 4).To(dt).SetRequiresGrad(true)
		out := ScaledDotProductAttention(q, Randn(0, 2, 4).To(dt), Randn(0, 2, 6).To(dt), AttentionOpts{Heads: 2})
		out.BackwardWith(RandnLike(out))
		assertClose(t, dt.String()+" output", out, Zeros(3, 2, 6).To(dt), 0)
		assertClose(t, dt.String()+" gradient of q", q.Grad(), Zeros(3, 2, 4).To(dt), 0)
	}
}

// Weights and values of different dtypes are multiplied in float64.
func TestApplyAttentionMixedDTypes(t *testing.T) {
	w, v := Randn(2, 2, 3, 4), Randn(4, 2, 6).To(Float32)
	got := ApplyAttention(w.To(Float64), v, 2)
	if got.DType() != Float64 {
		t.Fatalf("float64 weights on float32 values gave %v, want float64", got.DType())
	}
	assertClose(t, "mixed dtypes", got, ApplyAttention(w.To(Float64), v.To(Float64), 2), 0)
}

// Heads that do not fit are reported with every operand's shape and what
// would fit.
func TestAttentionHeadsShapeErrors(t *testing.T) {
	for _, c := range []struct {
		f    func()
		want []string
	}{
		{func() { AttentionWeights(Randn(3, 2, 8), Randn(5, 2, 8), AttentionOpts{Heads: 3}) },
			[]string{"ScaledDotProductAttention", "[3 2 8]", "[5 2 8]", "Heads = 3", "[L, N, 3·E]"}},
		{func() { AttentionWeights(Randn(3, 2, 8), Randn(5, 4, 8), AttentionOpts{Heads: 2}) },
			[]string{"ScaledDotProductAttention", "[3 2 8]", "[5 4 8]", "[S, N, 2·E]"}},
		{func() { AttentionWeights(Randn(2, 3, 2, 8), Randn(2, 5, 2, 8), AttentionOpts{Heads: 2}) },
			[]string{"ScaledDotProductAttention", "[2 3 2 8]", "Heads = 0 takes q [..., L, E]"}},
		{func() {
			ScaledDotProductAttention(Randn(3, 2, 8), Randn(5, 2, 8), Randn(4, 2, 8), AttentionOpts{Heads: 2})
		},
			[]string{"ScaledDotProductAttention", "[4 2 8]", "v must be [S, N, 2·Ev] with k's S and N"}},
		{func() { ApplyAttention(Randn(2, 2, 3, 5), Randn(4, 2, 6), 2) },
			[]string{"ApplyAttention", "[2 2 3 5]", "[4 2 6]", "w [N, 2, L, S] and v [S, N, 2·Ev]", "here v [5, 2, 2·Ev]"}},
		{func() { ApplyAttention(Randn(2, 3, 3, 5), Randn(5, 2, 6), 2) },
			[]string{"ApplyAttention", "[2 3 3 5]", "[5 2 6]"}},
		{func() { ApplyAttention(Randn(2, 2, 3, 5), Randn(5, 2, 6), 0) },
			[]string{"ApplyAttention", "a positive number of heads"}},
	} {
		err := Try(c.f)
		var se *ShapeError
		if !errors.As(err, &se) {
			t.Errorf("got %v, want a *ShapeError", err)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q does not say %q", err, w)
			}
		}
	}
}

// A fully hidden row gives NaN weights, as PyTorch's softmax over −∞ does.
func TestAttentionFullyMaskedRow(t *testing.T) {
	w := AttentionWeights(Randn(1, 2, 3), Randn(1, 2, 3), AttentionOpts{Mask: New64([]float64{1, 1, 0, 0}, 2, 2)})
	v := w.Float64s()
	if !math.IsNaN(v[0]) || !math.IsNaN(v[1]) || math.Abs(v[2]+v[3]-1) > 1e-6 {
		t.Errorf("weights %v: want NaN in the hidden row and a softmax in the other", v)
	}
}

// Batch dims of q and k that do not broadcast are reported by the attention
// op with both shapes.
func TestAttentionBatchMismatch(t *testing.T) {
	err := Try(func() { AttentionWeights(Randn(2, 3, 4), Randn(3, 5, 4), AttentionOpts{}) })
	var se *ShapeError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "ScaledDotProductAttention") ||
		!strings.Contains(err.Error(), "[2 3 4]") || !strings.Contains(err.Error(), "[3 5 4]") || !strings.Contains(err.Error(), "broadcast") {
		t.Errorf("got %v, want a shape error of the attention op naming [2 3 4] and [3 5 4]", err)
	}
}
