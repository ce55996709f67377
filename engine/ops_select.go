package engine

import (
	"fmt"
	"slices"
)

// Ops that keep some elements and replace the others: Tril and Triu keep a
// triangle of each matrix, MaskedFill replaces the elements a mask picks.
// Their backward is a selection of g by the same positions, built from
// recorded ops, so it can itself be differentiated (Grad with CreateGraph).

// Tril returns the lower triangle of each matrix in the last two dims of t,
// as torch.tril(t, diagonal): element [i, j] is kept where j - i <= diagonal
// and set to 0 elsewhere. diagonal 0 is the main diagonal, 1 keeps one more
// diagonal above it, -1 drops the main diagonal.
// It panics with a *ShapeError when t has fewer than 2 dims.
func (t *Tensor) Tril(diagonal int) *Tensor { return t.triangle("Tril", diagonal, true) }

// Triu returns the upper triangle of each matrix in the last two dims of t,
// as torch.triu(t, diagonal): element [i, j] is kept where j - i >= diagonal.
// It panics with a *ShapeError when t has fewer than 2 dims.
func (t *Tensor) Triu(diagonal int) *Tensor { return t.triangle("Triu", diagonal, false) }

func (t *Tensor) triangle(op string, k int, lower bool) *Tensor {
	needTensors(op, recvOnly, t)
	if len(t.shape) < 2 {
		shapeErr(op, fmt.Sprintf("needs a matrix or a batch of matrices, got %d dims", len(t.shape)),
			"the triangle is taken over the last two dims; Unsqueeze(0) makes a vector a 1-row matrix", t.shape)
	}
	out := t.clone()
	r, c := t.shape[len(t.shape)-2], t.shape[len(t.shape)-1]
	for m := 0; m < numelOf(t.shape); m += r * c {
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				if lower && j-i > k || !lower && j-i < k {
					out.set(m+i*c+j, 0)
				}
			}
		}
		CheckInterrupt()
	}
	// ∂t = g with the same triangle kept
	return record(op, out, func(g *Tensor) []*Tensor { return []*Tensor{g.triangle(op, k, lower)} }, t)
}

// MaskedFill returns t with value wherever mask is non-zero, as
// torch.Tensor.masked_fill(mask, value); mask (a float mask, as the
// comparisons return) broadcasts to t's shape. The gradient passes where
// mask is zero and is 0 where value was put.
// It panics with a *ShapeError when mask does not broadcast to t's shape.
func (t *Tensor) MaskedFill(mask *Tensor, value float64) *Tensor {
	needTensors("MaskedFill", []string{"the tensor it is called on", "mask"}, t, mask)
	if s := broadcastShape("MaskedFill", t.shape, mask.shape); !slices.Equal(s, t.shape) {
		shapeErr("MaskedFill", fmt.Sprintf("the mask broadcasts to %v, not to the tensor's shape", s),
			fmt.Sprintf("a mask for %v has at most its dims, each of its size or 1", t.shape), t.shape, mask.shape)
	}
	// keep is 1 where t is kept, at t's shape and dtype
	keep := empty(t.dtype, t.shape)
	sm := stridesFor(mask.shape, t.shape)
	walk(t.shape, sm, sm, func(i, o, _ int) { keep.set(i, b2f(mask.get(o) == 0)) })
	out := t.clone()
	for i := range t.Numel() {
		if keep.get(i) == 0 {
			out.set(i, value)
		}
	}
	// ∂t = g where mask is 0, else 0; mask gets no gradient
	return record("MaskedFill", out, func(g *Tensor) []*Tensor { return []*Tensor{maskGrad(g, keep), nil} }, t, mask)
}
