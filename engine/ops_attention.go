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
//
// Heads > 0 takes q, k and v time-major with that many heads side by side in
// their last dim, as MultiheadAttention's projections give them: q [L, N,
// Heads·E], k [S, N, Heads·E], v [S, N, Heads·Ev]. The weights are then [N,
// Heads, L, S] and ScaledDotProductAttention's result [L, N, Heads·Ev], the
// heads side by side again; each head's products read it where it lies,
// with no copy into a [N, Heads, T, E] layout and back (see ApplyAttention).
type AttentionOpts struct {
	Mask    *Tensor
	Causal  bool
	Dropout float64
	Bias    *Tensor
	Heads   int
}

// AttentionWeights returns softmax(q·kᵀ/√E) over the keys, the attention
// weights [..., L, S] of queries q [..., L, E] on keys k [..., S, E], with
// o.Mask and o.Causal applied (o.Dropout is not: ScaledDotProductAttention
// applies it). Batch dims broadcast as MatMul's do. A query whose keys are
// all hidden gets NaN weights, as in PyTorch. With o.Heads = H, q is [L, N,
// H·E] and k [S, N, H·E] and the weights are [N, H, L, S] (see AttentionOpts).
// It panics with a *ShapeError when the shapes do not fit.
func AttentionWeights(q, k *Tensor, o AttentionOpts) *Tensor {
	needTensors("AttentionWeights", []string{"q", "k"}, q, k)
	if o.Heads != 0 {
		return headWeights(q, k, o)
	}
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
	return maskedSoftmax(q, k, matmulND(qs, k, true), o)
}

// headWeights is AttentionWeights of q [L, N, H·E] and k [S, N, H·E] with
// o.Heads = H: the weights [N, H, L, S].
func headWeights(q, k *Tensor, o AttentionOpts) *Tensor {
	h := o.Heads
	if h < 0 || q.Dims() != 3 || k.Dims() != 3 || q.shape[1] != k.shape[1] || q.shape[2] != k.shape[2] || q.shape[2]%h != 0 {
		shapeErr("ScaledDotProductAttention", fmt.Sprintf("with Heads = %d, q must be [L, N, %d·E] and k [S, N, %d·E], time-major with the heads side by side in the last dim", h, h, h),
			"Heads = 0 takes q [..., L, E] and k [..., S, E] with the heads as a batch dim", q.shape, k.shape)
	}
	qs := q.MulScalar(1 / math.Sqrt(float64(q.shape[2]/h)))
	if qs.dtype != k.dtype {
		qs, k = qs.To(Float64), k.To(Float64)
	}
	return maskedSoftmax(q, k, attentionScores(qs, k, h), o)
}

// maskedSoftmax applies o's mask, bias and causal mask to the scores s
// [..., L, S] of q and k and returns their softmax over the keys.
func maskedSoftmax(q, k, s *Tensor, o AttentionOpts) *Tensor {
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
// it is non-zero). With o.Heads = H, q, k and v are [L, N, H·E], [S, N,
// H·E] and [S, N, H·Ev] and the result [L, N, H·Ev] (see AttentionOpts). It
// is composed of differentiable ops (MatMul or, with heads, AttentionScores
// and ApplyAttention, MaskedFill, Softmax, Dropout), so its gradient is theirs.
// It panics with a *ShapeError when the shapes do not fit.
func ScaledDotProductAttention(q, k, v *Tensor, o AttentionOpts) *Tensor {
	needTensors("ScaledDotProductAttention", []string{"q", "k", "v"}, q, k, v)
	if o.Heads != 0 {
		if v.Dims() != 3 || k.Dims() != 3 || v.shape[0] != k.shape[0] || v.shape[1] != k.shape[1] || (o.Heads > 0 && v.shape[2]%o.Heads != 0) {
			shapeErr("ScaledDotProductAttention", fmt.Sprintf("with Heads = %d, v must be [S, N, %d·Ev] with k's S and N", o.Heads, o.Heads), "", q.shape, k.shape, v.shape)
		}
		w := AttentionWeights(q, k, o)
		return ApplyAttention(w.Dropout(o.Dropout, true), v, o.Heads)
	}
	if v.Dims() < 2 || v.shape[len(v.shape)-2] != k.shape[len(k.shape)-2] {
		shapeErr("ScaledDotProductAttention", "v must be [..., S, Ev] with k's S", "", q.shape, k.shape, v.shape)
	}
	w := AttentionWeights(q, k, o)
	return w.Dropout(o.Dropout, true).MatMul(v)
}

// ApplyAttention returns the attention weights w [N, H, L, S] of H heads
// applied to their values v [S, N, H·Ev] (time-major, the heads side by side
// in the last dim): [L, N, H·Ev], head h's output w[n, h]·v[:, n, h] in its
// place among the last dim's H·Ev. It equals
//
//	w.MatMul(v.Reshape(S, N, H, Ev).Permute(1, 2, 0, 3)).Permute(2, 0, 1, 3).Reshape(L, N, H·Ev)
//
// but reads v and writes the result where they lie, forward and backward,
// instead of copying them into and out of a [N, H, T, Ev] layout.
// AttentionWeights with Heads = H gives such weights.
// It panics with a *ShapeError when the shapes do not fit.
func ApplyAttention(w, v *Tensor, heads int) *Tensor {
	needTensors("ApplyAttention", []string{"w", "v"}, w, v)
	if heads <= 0 || w.Dims() != 4 || v.Dims() != 3 || w.shape[0] != v.shape[1] || w.shape[1] != heads || w.shape[3] != v.shape[0] || v.shape[2]%heads != 0 {
		want := fmt.Sprintf("w [N, %d, L, S] and v [S, N, %d·Ev]", heads, heads)
		if w.Dims() == 4 && w.shape[1] == heads {
			// name the v that fits this w
			want += fmt.Sprintf(": here v [%d, %d, %d·Ev]", w.shape[3], w.shape[0], heads)
		}
		if heads <= 0 {
			want = "a positive number of heads"
		}
		shapeErr("ApplyAttention", fmt.Sprintf("the weights of %d heads and their values must be %s", heads, want), "", w.shape, v.shape)
	}
	if w.dtype != v.dtype {
		w, v = w.To(Float64), v.To(Float64)
	}
	n, l, s, e := w.shape[0], w.shape[2], w.shape[3], v.shape[2]
	ev := e / heads
	ws, vs := mats(l, s), headsOf(n, e, ev)
	out := uninit(w.dtype, []int{l, n, e})
	stridedMM(false, false, n*heads, l, ev, s, w, ws, v, vs, out, vs)
	// ∂w_i = g_i·v_iᵀ, ∂v_i = w_iᵀ·g_i for each head i (g_i, v_i in place)
	return record("ApplyAttention", out, func(g *Tensor) []*Tensor {
		var gw, gv *Tensor
		if creatingGraph() { // from recorded ops, for a second derivative
			gh := splitHeads(g, heads)
			if w.requiresGrad {
				gw = gh.MatMul(splitHeads(v, heads).Transpose(-1, -2))
			}
			if v.requiresGrad {
				gv = mergeHeads(w.Transpose(-1, -2).MatMul(gh))
			}
			return []*Tensor{gw, gv}
		}
		if w.requiresGrad {
			gw = uninit(w.dtype, w.shape)
			stridedMM(false, true, n*heads, l, s, ev, g, vs, v, vs, gw, ws)
		}
		if v.requiresGrad {
			gv = uninit(v.dtype, v.shape)
			stridedMM(true, false, n*heads, s, ev, l, w, ws, g, vs, gv, vs)
		}
		return []*Tensor{gw, gv}
	}, w, v)
}

// attentionScores returns q_i·k_iᵀ for each head i of q [L, N, H·E] and k
// [S, N, H·E] (h = H heads side by side in the last dim): [N, H, L, S].
// The products read the heads where they lie, forward and backward.
func attentionScores(q, k *Tensor, h int) *Tensor {
	l, n, e, s := q.shape[0], q.shape[1], q.shape[2], k.shape[0]
	hs, ss := headsOf(n, e, e/h), mats(l, s)
	out := uninit(q.dtype, []int{n, h, l, s})
	stridedMM(false, true, n*h, l, s, e/h, q, hs, k, hs, out, ss)
	// ∂q_i = g_i·k_i, ∂k_i = g_iᵀ·q_i
	return record("AttentionScores", out, func(g *Tensor) []*Tensor {
		var gq, gk *Tensor
		if creatingGraph() { // from recorded ops, for a second derivative
			if q.requiresGrad {
				gq = mergeHeads(g.MatMul(splitHeads(k, h)))
			}
			if k.requiresGrad {
				gk = mergeHeads(g.Transpose(-1, -2).MatMul(splitHeads(q, h)))
			}
			return []*Tensor{gq, gk}
		}
		if q.requiresGrad {
			gq = uninit(q.dtype, q.shape)
			stridedMM(false, false, n*h, l, e/h, s, g, ss, k, hs, gq, hs)
		}
		if k.requiresGrad {
			gk = uninit(k.dtype, k.shape)
			stridedMM(true, false, n*h, s, e/h, l, g, ss, q, hs, gk, hs)
		}
		return []*Tensor{gq, gk}
	}, q, k)
}

// splitHeads is x [T, N, H·E] as [N, H, T, E] (a copy, for the recorded
// backward of a second derivative); mergeHeads is its inverse.
func splitHeads(x *Tensor, h int) *Tensor {
	return x.Reshape(x.shape[0], x.shape[1], h, x.shape[2]/h).Permute(1, 2, 0, 3)
}

func mergeHeads(x *Tensor) *Tensor {
	return x.Permute(2, 0, 1, 3).Reshape(x.shape[2], x.shape[0], x.shape[1]*x.shape[3])
}

// matrices is a batch of matrices in a tensor's data: matrix i starts at
// element i·step and its rows are ld elements apart.
type matrices struct{ step, ld int }

// mats is a batch of r×c matrices one after the other.
func mats(r, c int) matrices { return matrices{r * c, c} }

// headsOf is the heads of a time-major [T, N, E] holding E/d heads of d
// features side by side: matrix n·H + h is head h of sequence n, [T, d].
func headsOf(n, e, d int) matrices { return matrices{d, n * e} }

// stridedMM sets c_i = op(a_i)·op(b_i) for the batch matrices of a, b and c
// laid out as am, bm and cm, where op transposes when ta (tb) is set: op(a_i)
// is m×k, op(b_i) k×n. Each product goes through matmulInto, which packs its
// operands from their rows wherever they lie.
func stridedMM(ta, tb bool, batch, m, n, k int, a *Tensor, am matrices, b *Tensor, bm matrices, c *Tensor, cm matrices) {
	if batch == 0 || m == 0 || n == 0 {
		return
	}
	if k == 0 { // empty products: c is cleared, and a and b (empty) are not read
		am, bm = matrices{0, 1}, matrices{0, 1}
	}
	for i := 0; i < batch; i++ {
		CheckInterrupt()
		if c.dtype == Float64 {
			matmulInto(ta, tb, m, n, k, a.f64[i*am.step:], am.ld, b.f64[i*bm.step:], bm.ld, 0, c.f64[i*cm.step:], cm.ld)
		} else {
			matmulInto(ta, tb, m, n, k, a.f32[i*am.step:], am.ld, b.f32[i*bm.step:], bm.ld, 0, c.f32[i*cm.step:], cm.ld)
		}
	}
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
