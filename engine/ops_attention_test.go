package engine

import (
	"errors"
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
