package engine

import (
	"fmt"
	"slices"
)

// Reshape returns t's data viewed with a new shape holding the same number of
// elements; one size may be -1 and is then inferred.
// It panics with a *ShapeError when the sizes do not fit.
func (t *Tensor) Reshape(shape ...int) *Tensor {
	ns := append([]int{}, shape...)
	infer := -1
	for i, s := range ns {
		switch {
		case s == -1 && infer < 0:
			infer = i
			ns[i] = 1
		case s < 0:
			shapeErr("Reshape", fmt.Sprintf("bad target shape %v: sizes must be >= 0 with at most one -1", shape), "", t.shape)
		}
	}
	known := validShape("Reshape", ns)
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
	if !inBackwardClosure() { // a backward's own views never reach user code, nor its in-place calls
		out.ver = t.sharedVersion()
	}
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
	out := uninit(t.dtype, outShape)
	if t.dtype == Float64 {
		permuteInto(out.f64, t.f64, outShape, src)
	} else {
		permuteInto(out.f32, t.f32, outShape, src)
	}
	inv := make([]int, n)
	for i, d := range perm {
		inv[d] = i
	}
	// ∂t = g permuted by the inverse permutation
	return record("Permute", out, func(g *Tensor) []*Tensor { return []*Tensor{g.Permute(inv...)} }, t)
}

// permuteInto writes every element of out (of shape) from in, where src
// holds the stride in in of each dim of out: row by row, a row whose
// elements are contiguous in in (the last dim kept last: attention's
// [L, N, H, D] → [N, H, L, D]) as one copy.
func permuteInto[T float](out, in []T, shape, src []int) {
	if len(shape) == 0 {
		out[0] = in[0]
		return
	}
	last := src[len(src)-1]
	walkRows(shape, src, src, func(i, o, _, n int) {
		if last == 1 {
			copy(out[i:i+n], in[o:o+n])
			return
		}
		row := out[i : i+n]
		for j := range row {
			row[j] = in[o+j*last]
		}
	})
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

// T returns the transpose of a matrix. For more dims it swaps the last two
// dims (a batch of matrices), as PyTorch's x.mT, not PyTorch's x.T, which
// reverses every dim: for that, use Permute (x.Permute(2, 1, 0) for 3-d).
// A 0-d or 1-d tensor is returned unchanged.
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

// Flatten joins dims into one: with no argument all of them (the result is
// 1-d), with one the dims from start to the last, with two the dims from start
// to end inclusive, as torch.flatten.
// It panics with a *ShapeError when a dim is out of range or start > end.
func (t *Tensor) Flatten(dims ...int) *Tensor {
	n := len(t.shape)
	if n == 0 {
		return t.Reshape(1)
	}
	start, end := 0, n-1
	switch len(dims) {
	case 0:
	case 1:
		start = normDim("Flatten", dims[0], n, t.shape)
	case 2:
		start, end = normDim("Flatten", dims[0], n, t.shape), normDim("Flatten", dims[1], n, t.shape)
	default:
		errorf("Flatten", "takes no dims (all), start, or start and end; got %d values %v", len(dims), dims)
	}
	if start > end {
		shapeErr("Flatten", fmt.Sprintf("start dim %d comes after end dim %d", dims[0], dims[1]), "give start <= end", t.shape)
	}
	ns := append([]int{}, t.shape[:start]...)
	ns = append(ns, numelOf(t.shape[start:end+1]))
	return t.Reshape(append(ns, t.shape[end+1:]...)...)
}

// Expand returns t broadcast to shape: dims of size 1 grow to the given size,
// -1 keeps a dim's size, and new dims may be added in front, as
// torch.Tensor.expand (the result is a copy, not a view).
// It panics with a *ShapeError when a dim of size other than 1 would change.
func (t *Tensor) Expand(shape ...int) *Tensor {
	nd, lead := len(t.shape), len(shape)-len(t.shape)
	if lead < 0 {
		shapeErr("Expand", fmt.Sprintf("target %v has %d dims, fewer than the tensor's %d", shape, len(shape), nd),
			"give one size per dim (new dims go in front); -1 keeps a size", t.shape)
	}
	ns := make([]int, len(shape))
	for i, s := range shape {
		cur := 1
		if i >= lead {
			cur = t.shape[i-lead]
		}
		switch {
		case s == -1 && i >= lead:
			ns[i] = cur
		case s == cur || (cur == 1 && s >= 0):
			ns[i] = s
		case i < lead:
			shapeErr("Expand", fmt.Sprintf("target %v: new leading dim %d needs a size >= 0, got %d", shape, i, s),
				"-1 only keeps the size of an existing dim", t.shape)
		default:
			shapeErr("Expand", fmt.Sprintf("cannot expand dim %d of size %d to %d (target %v)", i-lead, cur, s, shape),
				"only dims of size 1 can grow; -1 keeps a size", t.shape)
		}
	}
	out := empty(t.dtype, ns)
	st, zero := stridesFor(t.shape, ns), make([]int, len(ns))
	if t.dtype == Float64 {
		walk(ns, st, zero, func(i, o, _ int) { out.f64[i] = t.f64[o] })
	} else {
		walk(ns, st, zero, func(i, o, _ int) { out.f32[i] = t.f32[o] })
	}
	in := t.shape
	// ∂t = g summed over the expanded dims (the backward of any broadcast)
	return record("Expand", out, func(g *Tensor) []*Tensor { return []*Tensor{sumToGrad(g, in)} }, t)
}

// Narrow returns the length elements of dim starting at start (negative
// counts from the end), as torch.narrow.
// It panics with a *ShapeError when the range does not fit in the dim.
func (t *Tensor) Narrow(dim, start, length int) *Tensor {
	d := normDim("Narrow", dim, len(t.shape), t.shape)
	n, s := t.shape[d], start
	if s < 0 {
		s += n
	}
	if s < 0 || s > n {
		shapeErr("Narrow", fmt.Sprintf("start %d is out of range for dim %d of size %d", start, dim, n),
			fmt.Sprintf("use a start from %d to %d", -n, n), t.shape)
	}
	if length < 0 || s+length > n {
		shapeErr("Narrow", fmt.Sprintf("start %d with length %d does not fit in dim %d of size %d", start, length, dim, n),
			fmt.Sprintf("from start %d the length can be 0 to %d", start, n-s), t.shape)
	}
	return t.narrow("Narrow", d, s, length, false)
}

// Slice returns elements start to end (exclusive) of dim, as t[..., start:end]
// in Python: negative indices count from the end and out-of-range ones are
// clamped, so Slice never fails on the range (it may return an empty tensor).
func (t *Tensor) Slice(dim, start, end int) *Tensor {
	d := normDim("Slice", dim, len(t.shape), t.shape)
	n := t.shape[d]
	clamp := func(i int) int {
		if i < 0 {
			i += n
		}
		return max(0, min(i, n))
	}
	s, e := clamp(start), clamp(end)
	return t.narrow("Slice", d, s, max(e-s, 0), false)
}

// Select returns index i of dim with that dim removed, as t[..., i, ...] in
// Python; negative i counts from the end.
// It panics with a *ShapeError when i is out of range.
func (t *Tensor) Select(dim, i int) *Tensor {
	d := normDim("Select", dim, len(t.shape), t.shape)
	n, j := t.shape[d], i
	if j < 0 {
		j += n
	}
	if j < 0 || j >= n {
		shapeErr("Select", fmt.Sprintf("index %d is out of range for dim %d of size %d", i, dim, n),
			fmt.Sprintf("use an index from %d to %d", -n, n-1), t.shape)
	}
	return t.narrow("Select", d, j, 1, true)
}

// narrow is the primitive behind Narrow, Slice, Select, Split and Chunk: it
// copies [s, s+length) of dim d, and removes d when drop is set (length 1).
func (t *Tensor) narrow(op string, d, s, length int, drop bool) *Tensor {
	start := make([]int, len(t.shape))
	start[d] = s
	block := t.Shape()
	block[d] = length
	out := place(t, start, block, block, make([]int, len(block)), 0)
	if drop {
		out.shape = append(out.shape[:d:d], out.shape[d+1:]...)
	}
	in := t.shape
	// ∂t = g placed at [s, s+length) of dim d, zeros elsewhere
	out = record(op, out, func(g *Tensor) []*Tensor {
		if creatingGraph() { // recorded, for a second derivative
			return []*Tensor{placeGrad(g.Reshape(block...), make([]int, len(block)), block, in, start)}
		}
		gb := &Tensor{shape: block, dtype: g.dtype, f32: g.f32, f64: g.f64} // g with dim d back
		return []*Tensor{place(gb, make([]int, len(block)), block, in, start, 0)}
	}, t)
	if out.node != nil {
		out.node.into = func(g, dst *Tensor) {
			gb := &Tensor{shape: block, dtype: g.dtype, f32: g.f32, f64: g.f64}
			blockAdd(dst, start, gb, make([]int, len(block)), block)
		}
	}
	return out
}

// Split cuts dim into pieces of size elements (the last may be smaller), as
// torch.split with an int size.
// It panics with an *Error when size < 1.
func (t *Tensor) Split(size, dim int) []*Tensor {
	d := normDim("Split", dim, len(t.shape), t.shape)
	if size < 1 {
		errorf("Split", "piece size must be >= 1, got %d (dim %d of %v has size %d)", size, dim, t.shape, t.shape[d])
	}
	return t.pieces("Split", d, size)
}

// Chunk cuts dim into n pieces of equal size (the last may be smaller), as
// torch.chunk: pieces have ceil(size/n) elements, so fewer than n pieces come
// back when the size does not allow n (and n empty pieces when the dim is empty).
// It panics with an *Error when n < 1.
func (t *Tensor) Chunk(n, dim int) []*Tensor {
	d := normDim("Chunk", dim, len(t.shape), t.shape)
	if n < 1 {
		errorf("Chunk", "number of chunks must be >= 1, got %d", n)
	}
	if t.shape[d] == 0 { // n empty pieces, as torch.chunk
		out := make([]*Tensor, n)
		for i := range out {
			out[i] = t.narrow("Chunk", d, 0, 0, false)
		}
		return out
	}
	return t.pieces("Chunk", d, max((t.shape[d]+n-1)/n, 1))
}

func (t *Tensor) pieces(op string, d, size int) []*Tensor {
	n := t.shape[d]
	if n == 0 {
		return []*Tensor{t.narrow(op, d, 0, 0, false)}
	}
	var out []*Tensor
	for s := 0; s < n; s += size {
		out = append(out, t.narrow(op, d, s, min(size, n-s), false))
	}
	return out
}

// Pad adds value around t, as torch.nn.functional.pad in constant mode: pads
// holds (before, after) pairs starting from the last dim, so Pad([]int{1, 1,
// 2, 0}, 0) adds one column on each side and two rows on top. Negative pads
// crop, as in PyTorch.
// It panics with a *ShapeError when pads has an odd length, covers more dims
// than t has, or crops more than a dim holds.
func (t *Tensor) Pad(pads []int, value float64) *Tensor {
	nd := len(t.shape)
	if len(pads)%2 != 0 || len(pads) > 2*nd {
		shapeErr("Pad", fmt.Sprintf("pads %v has %d values; it needs (before, after) pairs, at most %d for a %d-d tensor", pads, len(pads), 2*nd, nd),
			"pairs go from the last dim backwards: (left, right, top, bottom, …)", t.shape)
	}
	src, dst, block, out := make([]int, nd), make([]int, nd), t.Shape(), t.Shape()
	for i := 0; i < len(pads)/2; i++ {
		d, b, a := nd-1-i, pads[2*i], pads[2*i+1]
		out[d] += a + b
		src[d], dst[d] = max(-b, 0), max(b, 0)
		block[d] = t.shape[d] - max(-b, 0) - max(-a, 0)
		if block[d] < 0 || out[d] < 0 {
			shapeErr("Pad", fmt.Sprintf("pads (%d, %d) of dim %d crop more than its size %d", b, a, d, t.shape[d]),
				"negative pads crop; together they can remove at most the whole dim", t.shape)
		}
	}
	res := place(t, src, block, out, dst, value)
	in := t.shape
	// ∂t = g cropped back to where t sits in the result (zeros where t was cropped)
	return record("Pad", res, func(g *Tensor) []*Tensor { return []*Tensor{placeGrad(g, dst, block, in, src)} }, t)
}

// Cat joins tensors along an existing dim, as torch.cat; all other dims must
// match. Mixed float32/float64 inputs give a float64 result.
// It panics with a *ShapeError when the shapes do not fit and with an *Error
// when ts is empty.
func Cat(ts []*Tensor, dim int) *Tensor {
	if len(ts) == 0 {
		errorf("Cat", "needs at least one tensor")
	}
	for i, t := range ts {
		needTensors("Cat", []string{fmt.Sprintf("tensor %d of the list", i)}, t)
	}
	shapes := shapesOf(ts)
	nd := len(ts[0].shape)
	if nd == 0 {
		shapeErr("Cat", "0-d tensors have no dim to join along", "use Stack to join scalars into a new dim", shapes...)
	}
	if dim < -nd || dim >= nd {
		shapeErr("Cat", fmt.Sprintf("dim %d is out of range for %d-d tensors", dim, nd), fmt.Sprintf("use a dim from %d to %d", -nd, nd-1), shapes...)
	}
	d := (dim + nd) % nd
	for k, x := range ts {
		if len(x.shape) != nd {
			shapeErr("Cat", fmt.Sprintf("tensor %d has %d dims but tensor 0 has %d", k, len(x.shape), nd),
				"all tensors need the same number of dims; Unsqueeze or Reshape first", shapes...)
		}
		for i := range x.shape {
			if i != d && x.shape[i] != ts[0].shape[i] {
				hint := fmt.Sprintf("all dims but %d must match", d)
				if j := onlyDiff(shapes); j >= 0 {
					hint += fmt.Sprintf("; these differ only at dim %d, so Cat(ts, %d) fits", j, j)
				}
				shapeErr("Cat", fmt.Sprintf("sizes at dim %d differ (%d in tensor 0, %d in tensor %d) but the tensors are joined along dim %d",
					i, ts[0].shape[i], x.shape[i], k, d), hint, shapes...)
			}
		}
	}
	xs := sameDType(ts)
	outShape := append([]int{}, ts[0].shape...)
	outShape[d] = 0
	for _, x := range xs {
		outShape[d] += x.shape[d]
	}
	out := empty(xs[0].dtype, outShape)
	starts := make([][]int, len(xs))
	off := 0
	for k, x := range xs {
		starts[k] = make([]int, nd)
		starts[k][d] = off
		blockCopy(out, starts[k], x, make([]int, nd), x.shape)
		off += x.shape[d]
	}
	// ∂ts[k] = the block of g where ts[k] sits
	return record("Cat", out, func(g *Tensor) []*Tensor {
		gs := make([]*Tensor, len(xs))
		for k, x := range xs {
			gs[k] = placeGrad(g, starts[k], x.shape, x.shape, make([]int, nd))
		}
		return gs
	}, xs...)
}

// Stack joins tensors of equal shape along a new dim at position dim, as
// torch.stack. It panics with a *ShapeError when the shapes differ and with
// an *Error when ts is empty.
func Stack(ts []*Tensor, dim int) *Tensor {
	if len(ts) == 0 {
		errorf("Stack", "needs at least one tensor")
	}
	shapes := shapesOf(ts)
	for k, x := range ts {
		if !slices.Equal(x.shape, ts[0].shape) {
			shapeErr("Stack", fmt.Sprintf("tensor %d has shape %v but tensor 0 has %v", k, x.shape, ts[0].shape),
				"Stack needs equal shapes; Cat joins along an existing dim", shapes...)
		}
	}
	nd := len(ts[0].shape) + 1
	if dim < -nd || dim >= nd {
		shapeErr("Stack", fmt.Sprintf("dim %d is out of range for stacking %d-d tensors", dim, nd-1),
			fmt.Sprintf("use a dim from %d to %d", -nd, nd-1), shapes...)
	}
	us := make([]*Tensor, len(ts))
	for k, x := range ts {
		us[k] = x.Unsqueeze(dim)
	}
	return Cat(us, dim)
}

func shapesOf(ts []*Tensor) [][]int {
	s := make([][]int, len(ts))
	for i, t := range ts {
		s[i] = t.shape
	}
	return s
}

// onlyDiff returns the one dim at which shapes of equal rank differ, or -1.
func onlyDiff(shapes [][]int) int {
	found := -1
	for i := range shapes[0] {
		for _, s := range shapes[1:] {
			if len(s) != len(shapes[0]) {
				return -1
			}
			if s[i] != shapes[0][i] {
				if found >= 0 && found != i {
					return -1
				}
				found = i
			}
		}
	}
	return found
}

// sameDType returns ts converted to Float64 when their dtypes are mixed.
func sameDType(ts []*Tensor) []*Tensor {
	mixed := false
	for _, t := range ts {
		mixed = mixed || t.dtype != ts[0].dtype
	}
	if !mixed {
		return ts
	}
	out := make([]*Tensor, len(ts))
	for i, t := range ts {
		out[i] = t.To(Float64)
	}
	return out
}

// place is the data primitive of the ops above: it returns a tensor of shape
// out filled with fill, with the block of src starting at srcStart copied to
// dstStart. It records no autograd. A block that covers all of out (Narrow
// and Select forward: a step of an RNN's input projection, a head of
// attention) is copied into unzeroed memory.
func place(src *Tensor, srcStart, block, out, dstStart []int, fill float64) *Tensor {
	res := uninit(src.dtype, out)
	if !slices.Equal(block, out) {
		res.fill(fill)
	}
	blockCopy(res, dstStart, src, srcStart, block)
	return res
}

// placeGrad is place with zeros around for a backward closure: recorded
// (op "place", whose backward places the block back where it came from)
// when Grad creates a graph and g requires grad, so that the gradients of
// Narrow, Select, Split, Chunk, Pad and Cat can be differentiated again.
func placeGrad(g *Tensor, srcStart, block, out, dstStart []int) *Tensor {
	res := place(g, srcStart, block, out, dstStart, 0)
	if !g.requiresGrad || !creatingGraph() {
		return res
	}
	in := g.shape
	return record("place", res, func(gg *Tensor) []*Tensor { return []*Tensor{placeGrad(gg, dstStart, block, in, srcStart)} }, g)
}

// blockCopy copies the block of the given shape from src at srcStart into dst
// at dstStart; dst and src have the same dtype and number of dims.
func blockCopy(dst *Tensor, dstStart []int, src *Tensor, srcStart []int, block []int) {
	ds, ss, do, so := blockStrides(dst, dstStart, src, srcStart, block)
	if dst.dtype == Float64 {
		copyBlock(dst.f64, ds, do, src.f64, ss, so, block)
	} else {
		copyBlock(dst.f32, ds, do, src.f32, ss, so, block)
	}
}

// blockStrides returns dst's and src's row strides and the offsets of the
// block's first element in each.
func blockStrides(dst *Tensor, dstStart []int, src *Tensor, srcStart []int, block []int) (ds, ss []int, do, so int) {
	ds, ss = rowStrides(dst.shape), rowStrides(src.shape)
	for d := range block {
		do += dstStart[d] * ds[d]
		so += srcStart[d] * ss[d]
	}
	return ds, ss, do, so
}

// blockAdd is blockCopy adding into dst instead of overwriting it.
func blockAdd(dst *Tensor, dstStart []int, src *Tensor, srcStart []int, block []int) {
	ds, ss, do, so := blockStrides(dst, dstStart, src, srcStart, block)
	if dst.dtype == Float64 {
		walkRows(block, ds, ss, func(_, d, s, n int) { addTo(dst.f64[do+d:do+d+n], src.f64[so+s:so+s+n]) })
	} else {
		walkRows(block, ds, ss, func(_, d, s, n int) { addTo(dst.f32[do+d:do+d+n], src.f32[so+s:so+s+n]) })
	}
}

// copyBlock copies a block row by row (the last dim is contiguous in both).
func copyBlock[T float](dst []T, ds []int, do int, src []T, ss []int, so int, block []int) {
	walkRows(block, ds, ss, func(_, d, s, n int) {
		copy(dst[do+d:do+d+n], src[so+s:so+s+n])
	})
}

// rowStrides returns the row-major strides of a contiguous tensor of shape.
func rowStrides(shape []int) []int {
	st := make([]int, len(shape))
	s := 1
	for i := len(shape) - 1; i >= 0; i-- {
		st[i] = s
		s *= shape[i]
	}
	return st
}

// Clone returns a copy of t with its own data, as torch.Tensor.clone; the
// gradient passes through unchanged. Changing the copy in place leaves t as
// it was.
func (t *Tensor) Clone() *Tensor {
	needTensors("Clone", recvOnly, t)
	// ∂t = g
	return record("Clone", t.clone(), func(g *Tensor) []*Tensor { return []*Tensor{g} }, t)
}

// Repeat returns t tiled reps[i] times along dim i, as torch.Tensor.repeat:
// reps may have more entries than t has dims (new dims go in front). It is
// built from Expand and Reshape, so its gradient sums the copies.
// It panics with a *ShapeError when reps has fewer entries than t has dims or
// one is negative.
func (t *Tensor) Repeat(reps ...int) *Tensor {
	needTensors("Repeat", recvOnly, t)
	lead := len(reps) - len(t.shape)
	if lead < 0 {
		shapeErr("Repeat", fmt.Sprintf("%d repeat counts %v for a %d-d tensor", len(reps), reps, len(t.shape)),
			"give one count per dim (more go in front as new dims)", t.shape)
	}
	in := append(make([]int, lead), t.shape...)
	pairs, expanded, final := []int{}, []int{}, []int{}
	for i, r := range reps {
		if r < 0 {
			shapeErr("Repeat", fmt.Sprintf("repeat count %d at dim %d is negative", r, i), "counts are >= 0", t.shape)
		}
		if i < lead {
			in[i] = 1
		}
		pairs = append(pairs, 1, in[i])
		expanded = append(expanded, r, in[i])
		final = append(final, r*in[i])
	}
	return t.Reshape(pairs...).Expand(expanded...).Reshape(final...)
}
