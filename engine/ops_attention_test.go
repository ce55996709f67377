package engine

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
		{name: "ScaledDotProductAttention/large", f: sdpa(AttentionOpts{Causal: true}), inputs: []*Tensor{Randn(4, 32, 16), Randn(4, 32, 16), Randn(4, 32, 8)}},
	}
}
