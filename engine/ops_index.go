package engine

import (
	"fmt"
	"math"
)

// IndexSelect returns the entries index[0], index[1], … of dim, in that order,
// as torch.index_select; indices may repeat, and negative ones count from the
// end. The result has len(index) entries along dim.
// It panics with a *ShapeError when an index is out of range.
func (t *Tensor) IndexSelect(dim int, index []int) *Tensor {
	d := normDim("IndexSelect", dim, len(t.shape), t.shape)
	n := t.shape[d]
	idx := make([]int, len(index))
	for j, i := range index {
		if i < -n || i >= n {
			shapeErr("IndexSelect", fmt.Sprintf("index %d (position %d) is out of range for dim %d of size %d", i, j, dim, n),
				fmt.Sprintf("indices go from %d to %d", -n, n-1), t.shape)
		}
		idx[j] = (i + n) % n
	}
	outer, inner := numelOf(t.shape[:d]), numelOf(t.shape[d+1:])
	outShape := t.Shape()
	outShape[d] = len(idx)
	out := empty(t.dtype, outShape)
	// rows maps row r = o*len(idx)+j of the result to row o*n+idx[j] of t.
	rows := make([]int, outer*len(idx))
	for o := 0; o < outer; o++ {
		for j, k := range idx {
			rows[o*len(idx)+j] = o*n + k
		}
	}
	gatherRows(out, t, rows, inner)
	in := t.shape
	// ∂t[…, index[j], …] += g[…, j, …]
	return record("IndexSelect", out, func(g *Tensor) []*Tensor { return []*Tensor{rowsScatter(g, rows, inner, in)} }, t)
}

// Gather picks, along dim, the entry named by index at every position, as
// torch.gather: for dim 1 of a 3-d tensor, out[i][j][k] = t[i][index[i][j][k]][k].
// index holds whole numbers (a float tensor, as ArgMax returns), has t's
// number of dims and no size larger than t's outside dim; the result has
// index's shape. Negative indices count from the end.
// It panics with a *ShapeError when the shapes do not fit or an index is out
// of range or not a whole number.
func (t *Tensor) Gather(dim int, index *Tensor) *Tensor {
	nd := len(t.shape)
	if len(index.shape) != nd {
		shapeErr("Gather", fmt.Sprintf("index has %d dims but the input has %d", len(index.shape), nd),
			"index needs the input's number of dims", t.shape, index.shape)
	}
	d := normDim("Gather", dim, nd, t.shape)
	for i := range t.shape {
		if i != d && index.shape[i] > t.shape[i] {
			shapeErr("Gather", fmt.Sprintf("index size %d at dim %d is larger than the input's %d", index.shape[i], i, t.shape[i]),
				fmt.Sprintf("outside dim %d, index sizes can be at most the input's", d), t.shape, index.shape)
		}
	}
	n := t.shape[d]
	xs := rowStrides(t.shape)
	st := append([]int{}, xs...)
	st[d] = 0
	// src[i] is the flat offset in t of element i of the result.
	src := make([]int, index.Numel())
	zero := make([]int, nd)
	walk(index.shape, st, zero, func(i, o, _ int) {
		v := index.get(i)
		if v != math.Trunc(v) || v < float64(-n) || v >= float64(n) {
			shapeErr("Gather", fmt.Sprintf("index value %v at %v is not a whole number from %d to %d (dim %d has size %d)", v, unflatten(i, index.shape), -n, n-1, d, n),
				"", t.shape, index.shape)
		}
		src[i] = o + ((int(v)+n)%n)*xs[d]
	})
	out := empty(t.dtype, index.shape)
	gatherRows(out, t, src, 1)
	in := t.shape
	// ∂t[src[i]] += g[i]; index gets no gradient
	return record("Gather", out, func(g *Tensor) []*Tensor { return []*Tensor{rowsScatter(g, src, 1, in), nil} }, t, index)
}

// gatherRows copies row rows[r] of src into row r of dst, rows having inner
// elements; the primitive behind IndexSelect and Gather.
func gatherRows(dst, src *Tensor, rows []int, inner int) {
	if dst.dtype == Float64 {
		gatherRowsT(dst.f64, src.f64, rows, inner)
	} else {
		gatherRowsT(dst.f32, src.f32, rows, inner)
	}
}

func gatherRowsT[T float](dst, src []T, rows []int, inner int) {
	for r, s := range rows {
		copy(dst[r*inner:(r+1)*inner], src[s*inner:(s+1)*inner])
	}
}

// rowsScatter is the backward of gatherRows (IndexSelect, Gather,
// MaxPool2d): row r of g, of inner elements, added into row rows[r] of a
// zero tensor of the given shape. Under Grad with CreateGraph, when g
// requires grad, it is recorded (op scatterRows, whose backward gathers the
// rows back) so that it can be differentiated again.
func rowsScatter(g *Tensor, rows []int, inner int, shape []int) *Tensor {
	out := empty(g.dtype, shape)
	scatterAddRows(out, g, rows, inner)
	if !g.requiresGrad || !creatingGraph() {
		return out
	}
	gShape := g.shape
	return record("scatterRows", out, func(gg *Tensor) []*Tensor { return []*Tensor{rowsGather(gg, rows, inner, gShape)} }, g)
}

// rowsGather is gatherRows into a new tensor of the given shape, the
// adjoint of rowsScatter, recorded as gatherRows under Grad with
// CreateGraph (its backward rowsScatter).
func rowsGather(t *Tensor, rows []int, inner int, shape []int) *Tensor {
	out := uninit(t.dtype, shape)
	gatherRows(out, t, rows, inner)
	if !t.requiresGrad || !creatingGraph() {
		return out
	}
	tShape := t.shape
	return record("gatherRows", out, func(gg *Tensor) []*Tensor { return []*Tensor{rowsScatter(gg, rows, inner, tShape)} }, t)
}

// scatterAddRows adds row r of src into row rows[r] of dst: the backward of gatherRows.
func scatterAddRows(dst, src *Tensor, rows []int, inner int) {
	if dst.dtype == Float64 {
		scatterAddRowsT(dst.f64, src.f64, rows, inner)
	} else {
		scatterAddRowsT(dst.f32, src.f32, rows, inner)
	}
}

func scatterAddRowsT[T float](dst, src []T, rows []int, inner int) {
	if inner == 1 {
		scatterAdd(dst, src, rows)
		return
	}
	for r, s := range rows {
		d, g := dst[s*inner:(s+1)*inner], src[r*inner:(r+1)*inner]
		for i := range d {
			d[i] += g[i]
		}
	}
}

// scatterAdd adds src[o] into dst[at[o]] for every o (one element per index:
// scatterAddRows with rows of one, without the per-row slicing).
func scatterAdd[T float](dst, src []T, at []int) {
	src = src[:len(at)]
	for o, i := range at {
		dst[i] += src[o]
	}
}
