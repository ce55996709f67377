package engine

import (
	"fmt"
	"math"
)

// AttentionOpts are the options of ScaledDotProductAttention and
// AttentionWeights. Mask (nil for none) hides the scores where it is
// non-zero, as MaskedFill does (PyTorch 1.13's boolean attn_mask, True =
// hidden); it broadcasts to the scores [..., L, S]. Causal hides every key
// after the query's position (key j > query i), as is_causal=True. Dropout
// zeroes attention weights with that probability (0: none), as dropout_p.
// Bias (nil for none) is added to the scores before the softmax, as
// PyTorch's float attn_mask (a relative-position bias, or −∞ to hide); it
// broadcasts to the scores too.
type AttentionOpts struct {
	Mask    *Tensor
	Causal  bool
	Dropout float64
	Bias    *Tensor
}

// AttentionWeights returns softmax(q·kᵀ/√E) over the keys, the attention
// weights [..., L, S] of queries q [..., L, E] on keys k [..., S, E], with
// o.Mask and o.Causal applied (o.Dropout is not: ScaledDotProductAttention
// applies it). Batch dims broadcast as MatMul's do. A query whose keys are
// all hidden gets NaN weights, as in PyTorch.
// It panics with a *ShapeError when the shapes do not fit.
func AttentionWeights(q, k *Tensor, o AttentionOpts) *Tensor {
	needTensors("AttentionWeights", []string{"q", "k"}, q, k)
	if q.Dims() < 2 || k.Dims() < 2 || q.shape[len(q.shape)-1] != k.shape[len(k.shape)-1] {
		shapeErr("ScaledDotProductAttention", "q must be [..., L, E] and k [..., S, E] with the same E", "", q.shape, k.shape)
	}
	e := q.shape[len(q.shape)-1]
	// scaling q first, as PyTorch does, rounds as it does; the product reads
	// k transposed (no copy of kᵀ), as MatMul(k.Transpose(-2, -1)) would compute
	if _, d := broadcastDims(q.shape[:len(q.shape)-2], k.shape[:len(k.shape)-2]); d >= 0 {
		shapeErr("ScaledDotProductAttention", "the batch dims of q and k (all but the last two) must broadcast", "", q.shape, k.shape)
	}
	qs := q.MulScalar(1 / math.Sqrt(float64(e)))
	if qs.dtype != k.dtype {
		qs, k = qs.To(Float64), k.To(Float64)
	}
	s := matmulND(qs, k, true)
	l, n := s.shape[len(s.shape)-2], s.shape[len(s.shape)-1]
	if o.Mask != nil {
		if !broadcastsTo(o.Mask.shape, s.shape) {
			shapeErr("ScaledDotProductAttention", fmt.Sprintf("the mask must broadcast to the scores [..., L, S] = %v", s.shape),
				fmt.Sprintf("a mask [%d %d] hides the same keys for every batch", l, n), q.shape, k.shape, o.Mask.shape)
		}
		s = s.MaskedFill(o.Mask, math.Inf(-1))
	}
	if o.Bias != nil {
		if !broadcastsTo(o.Bias.shape, s.shape) {
			shapeErr("ScaledDotProductAttention", fmt.Sprintf("the bias must broadcast to the scores [..., L, S] = %v", s.shape),
				"", q.shape, k.shape, o.Bias.shape)
		}
		s = s.Add(o.Bias)
	}
	if o.Causal {
		s = s.MaskedFill(Ones(l, n).To(s.dtype).Triu(1), math.Inf(-1))
	}
	return s.Softmax(-1)
}

// ScaledDotProductAttention returns softmax(q·kᵀ/√E)·v for queries q
// [..., L, E], keys k [..., S, E] and values v [..., S, Ev]: [..., L, Ev],
// as torch.nn.functional.scaled_dot_product_attention, with o's mask,
// causal mask and dropout (see AttentionOpts; note that the mask hides where
// it is non-zero). It is composed of differentiable ops (MatMul, MaskedFill,
// Softmax, Dropout), so its gradient is theirs.
// It panics with a *ShapeError when the shapes do not fit.
func ScaledDotProductAttention(q, k, v *Tensor, o AttentionOpts) *Tensor {
	needTensors("ScaledDotProductAttention", []string{"q", "k", "v"}, q, k, v)
	if v.Dims() < 2 || v.shape[len(v.shape)-2] != k.shape[len(k.shape)-2] {
		shapeErr("ScaledDotProductAttention", "v must be [..., S, Ev] with k's S", "", q.shape, k.shape, v.shape)
	}
	w := AttentionWeights(q, k, o)
	return w.Dropout(o.Dropout, true).MatMul(v)
}

// broadcastsTo reports whether shape a broadcasts to shape b (b unchanged).
func broadcastsTo(a, b []int) bool {
	if len(a) > len(b) {
		return false
	}
	for i := 1; i <= len(a); i++ {
		if x := a[len(a)-i]; x != 1 && x != b[len(b)-i] {
			return false
		}
	}
	return true
}
