package engine

import "fmt"

// Reshape returns t's data viewed with a new shape holding the same number of
// elements; one size may be -1 and is then inferred.
// It panics with a *ShapeError when the sizes do not fit.
func (t *Tensor) Reshape(shape ...int) *Tensor {
	ns := append([]int{}, shape...)
	infer, known := -1, 1
	for i, s := range ns {
		switch {
		case s == -1 && infer < 0:
			infer = i
		case s < 0:
			shapeErr("Reshape", fmt.Sprintf("bad target shape %v: sizes must be >= 0 with at most one -1", shape), "", t.shape)
		default:
			known *= s
		}
	}
	if infer >= 0 {
		if known == 0 || t.Numel()%known != 0 {
			shapeErr("Reshape", fmt.Sprintf("cannot infer -1 in %v: %d elements do not divide into blocks of %d", shape, t.Numel(), known), "", t.shape)
		}
		ns[infer] = t.Numel() / known
	}
	if numelOf(ns) != t.Numel() {
		shapeErr("Reshape", fmt.Sprintf("target shape %v holds %d elements but the tensor has %d", shape, numelOf(ns), t.Numel()),
			"the product of the sizes must stay the same; use -1 for one size to infer it", t.shape)
	}
	out := &Tensor{shape: ns, dtype: t.dtype, f32: t.f32, f64: t.f64}
	in := t.shape
	// ∂t = g reshaped back
	return record("Reshape", out, func(g *Tensor) []*Tensor { return []*Tensor{g.Reshape(in...)} }, t)
}

// Permute returns t with its dims reordered: dim i of the result is dim
// dims[i] of t. It panics with a *ShapeError unless dims is a permutation.
func (t *Tensor) Permute(dims ...int) *Tensor {
	n := len(t.shape)
	if len(dims) != n {
		shapeErr("Permute", fmt.Sprintf("%d dims given for a %d-d tensor", len(dims), n), "give every dim once", t.shape)
	}
	perm := make([]int, n)
	seen := make([]bool, n)
	for i, d := range dims {
		d = normDim("Permute", d, n, t.shape)
		if seen[d] {
			shapeErr("Permute", fmt.Sprintf("dims %v repeat dim %d", dims, d), "give every dim once", t.shape)
		}
		seen[d] = true
		perm[i] = d
	}
	outShape := make([]int, n)
	inStrides := stridesFor(t.shape, t.shape)
	src := make([]int, n) // stride in t of each output dim
	for i, d := range perm {
		outShape[i] = t.shape[d]
		src[i] = inStrides[d]
	}
	out := empty(t.dtype, outShape)
	zero := make([]int, n)
	if t.dtype == Float64 {
		walk(outShape, src, zero, func(i, s, _ int) { out.f64[i] = t.f64[s] })
	} else {
		walk(outShape, src, zero, func(i, s, _ int) { out.f32[i] = t.f32[s] })
	}
	inv := make([]int, n)
	for i, d := range perm {
		inv[d] = i
	}
	// ∂t = g permuted by the inverse permutation
	return record("Permute", out, func(g *Tensor) []*Tensor { return []*Tensor{g.Permute(inv...)} }, t)
}

// Transpose returns t with dims d0 and d1 swapped.
func (t *Tensor) Transpose(d0, d1 int) *Tensor {
	n := len(t.shape)
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	a, b := normDim("Transpose", d0, n, t.shape), normDim("Transpose", d1, n, t.shape)
	perm[a], perm[b] = perm[b], perm[a]
	return t.Permute(perm...)
}

// T returns the transpose of a matrix; for more dims it swaps the last two
// (a batch of matrices), and a 0-d or 1-d tensor is returned unchanged.
func (t *Tensor) T() *Tensor {
	if len(t.shape) < 2 {
		return t
	}
	return t.Transpose(-2, -1)
}

// Squeeze removes the given dims, which must have size 1; with no dims it
// removes every dim of size 1.
// It panics with a *ShapeError when a given dim's size is not 1.
func (t *Tensor) Squeeze(dims ...int) *Tensor {
	drop := make([]bool, len(t.shape))
	if len(dims) == 0 {
		for i, s := range t.shape {
			drop[i] = s == 1
		}
	}
	for _, d := range dims {
		nd := normDim("Squeeze", d, len(t.shape), t.shape)
		if t.shape[nd] != 1 {
			shapeErr("Squeeze", fmt.Sprintf("dim %d has size %d, not 1", d, t.shape[nd]), "only dims of size 1 can be squeezed", t.shape)
		}
		drop[nd] = true
	}
	ns := []int{}
	for i, s := range t.shape {
		if !drop[i] {
			ns = append(ns, s)
		}
	}
	return t.Reshape(ns...)
}

// Unsqueeze inserts a dim of size 1 at position dim (from -Dims()-1 to Dims()).
func (t *Tensor) Unsqueeze(dim int) *Tensor {
	n := len(t.shape) + 1
	d := normDim("Unsqueeze", dim, n, t.shape)
	ns := append(append(append([]int{}, t.shape[:d]...), 1), t.shape[d:]...)
	return t.Reshape(ns...)
}
