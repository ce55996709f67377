package engine

import "math/rand/v2"

// Dropout zeroes each element with probability p and scales the others by
// 1/(1-p) ("inverted" dropout, as torch.nn.functional.dropout), so the
// expected value is unchanged and evaluation needs no rescaling. When training
// is false or p is 0 it returns t itself. The random draws come from the
// engine's generator, so Seed makes them reproducible.
// It panics with an *Error unless 0 ≤ p < 1.
func (t *Tensor) Dropout(p float64, training bool) *Tensor {
	if !(p >= 0 && p < 1) {
		errorf("Dropout", "p must be in [0, 1), got %v (p is the probability of zeroing an element)", p)
	}
	if !training || p == 0 {
		return t
	}
	scale := 1 / (1 - p)
	mask := empty(t.dtype, t.shape)
	withRNG(func(r *rand.Rand) {
		chunks(mask.Numel(), func(lo, hi int) {
			for i := lo; i < hi; i++ {
				if r.Float64() >= p {
					mask.set(i, scale)
				}
			}
		})
	})
	out := empty(t.dtype, t.shape)
	if t.dtype == Float64 {
		arithRow(arithMul, out.f64, t.f64, mask.f64, 1, 1, nil)
	} else {
		arithRow(arithMul, out.f32, t.f32, mask.f32, 1, 1, nil)
	}
	// ∂t = g·mask
	return record("Dropout", out, func(g *Tensor) []*Tensor { return []*Tensor{g.Mul(mask)} }, t)
}
