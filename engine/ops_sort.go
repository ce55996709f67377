package engine

import (
	"fmt"
	"math"
	"sort"
)

// Ordering ops. Indices come back as a tensor of the input's dtype holding
// whole numbers, as ArgMax returns them and Gather takes them (float32 holds
// every index below 2²⁴ exactly); Ints turns one into []int, the form
// CrossEntropy's targets and IndexSelect take. Values are the input gathered
// at those indices (Gather), so their gradient goes back to the positions
// they came from.

// Sort returns t's values along dim in ascending order (descending when
// descending is set) and the index in t of each, as torch.sort; equal values
// keep their order, NaN sorts as the largest, as in PyTorch.
// It panics with a *ShapeError for a bad dim.
func (t *Tensor) Sort(dim int, descending bool) (values, indices *Tensor) {
	indices = t.ArgSort(dim, descending)
	return t.Gather(dim, indices), indices
}

// ArgSort returns the indices that sort t along dim (see Sort).
// It panics with a *ShapeError for a bad dim.
func (t *Tensor) ArgSort(dim int, descending bool) *Tensor {
	needTensors("ArgSort", recvOnly, t)
	d := normDim("ArgSort", dim, len(t.shape), t.shape)
	return sortedIndices("ArgSort", t, d, t.shape[d], descending)
}

// TopK returns the k largest values along dim (the k smallest when largest is
// false), in order, and their indices in t, as torch.topk with sorted=True.
// It panics with a *ShapeError when k is negative or larger than dim's size.
func (t *Tensor) TopK(k, dim int, largest bool) (values, indices *Tensor) {
	needTensors("TopK", recvOnly, t)
	d := normDim("TopK", dim, len(t.shape), t.shape)
	if k < 0 || k > t.shape[d] {
		shapeErr("TopK", fmt.Sprintf("k = %d but dim %d has size %d", k, dim, t.shape[d]),
			fmt.Sprintf("k goes from 0 to %d", t.shape[d]), t.shape)
	}
	indices = sortedIndices("TopK", t, d, k, largest)
	return t.Gather(d, indices), indices
}

// sortedIndices returns the first k indices of each slice along d in sorted
// order, as a tensor of t's shape with k at d. It records no gradient.
func sortedIndices(op string, t *Tensor, d, k int, desc bool) *Tensor {
	outer, n, inner := splitAt(t.shape, d)
	shape := append([]int{}, t.shape...)
	shape[d] = k
	out := empty(t.dtype, shape)
	idx, vals := make([]int, n), make([]float64, n)
	// less puts NaN last in ascending order and first in descending order
	less := func(a, b float64) bool {
		if desc {
			return a > b || (a != a && b == b)
		}
		return a < b || (b != b && a == a)
	}
	for o := 0; o < outer; o++ {
		for j := 0; j < inner; j++ {
			for i := range idx {
				idx[i], vals[i] = i, t.get((o*n+i)*inner+j)
			}
			sort.SliceStable(idx, func(a, b int) bool { return less(vals[idx[a]], vals[idx[b]]) })
			for i := 0; i < k; i++ {
				out.set((o*k+i)*inner+j, float64(idx[i]))
			}
		}
		CheckInterrupt()
	}
	return record(op, out, nil, t)
}

// CumSum returns the running sum along dim, as torch.cumsum: element i is
// the sum of elements 0..i.
// It panics with a *ShapeError for a bad dim.
func (t *Tensor) CumSum(dim int) *Tensor {
	needTensors("CumSum", recvOnly, t)
	return t.cumSum(normDim("CumSum", dim, len(t.shape), t.shape), false)
}

// cumSum sums from the end when reverse is set: the backward of the other.
func (t *Tensor) cumSum(d int, reverse bool) *Tensor {
	outer, n, inner := splitAt(t.shape, d)
	out := empty(t.dtype, t.shape)
	for o := 0; o < outer; o++ {
		for j := 0; j < inner; j++ {
			s := 0.0
			for i := 0; i < n; i++ {
				k := i
				if reverse {
					k = n - 1 - i
				}
				at := (o*n+k)*inner + j
				s += t.get(at)
				out.set(at, s)
			}
		}
		CheckInterrupt()
	}
	// ∂t[i] = Σ_{j ≥ i} g[j]: the running sum of g from the other end
	return record("CumSum", out, func(g *Tensor) []*Tensor { return []*Tensor{g.cumSum(d, !reverse)} }, t)
}

// Ints returns the values of an index tensor (as ArgMax, TopK or
// Multinomial return) as []int, in row-major order.
// It panics with an *Error when a value is not a whole number.
func (t *Tensor) Ints() []int {
	needTensors("Ints", recvOnly, t)
	out := make([]int, t.Numel())
	for i := range out {
		v := t.get(i)
		if v != math.Trunc(v) || math.Abs(v) > 1<<53 {
			errorf("Ints", "element %v is %v, not a whole number", unflatten(i, t.shape), v)
		}
		out[i] = int(v)
	}
	return out
}

// OneHot returns a tensor of index's shape plus a last dim of size
// numClasses, 1 at each index's class and 0 elsewhere, as
// torch.nn.functional.one_hot (in the default dtype, as a float mask);
// numClasses -1 means the largest index + 1.
// It panics with an *Error when an index is not a whole number in
// [0, numClasses).
func OneHot(index *Tensor, numClasses int) *Tensor {
	needTensors("OneHot", []string{"index"}, index)
	cls := index.Ints()
	if numClasses == -1 {
		numClasses = 0
		for _, c := range cls {
			numClasses = max(numClasses, c+1)
		}
	}
	if numClasses < 0 {
		errorf("OneHot", "numClasses must be >= 0 or -1, got %d", numClasses)
	}
	out := empty(DefaultDType(), append(index.Shape(), numClasses))
	for i, c := range cls {
		if c < 0 || c >= numClasses {
			errorf("OneHot", "index %d at %v is outside [0, %d)", c, unflatten(i, index.shape), numClasses)
		}
		out.set(i*numClasses+c, 1)
	}
	return record("OneHot", out, nil, index)
}
