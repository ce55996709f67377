package engine

import (
	"fmt"
	"math"

	"github.com/dbr-go/dbr/internal/kernels"
)

// reduceDims normalizes dims (all dims when empty) and returns a mask of the
// reduced dims, the kept-dim output shape, and the output shape without them.
func reduceDims(op string, shape []int, dims []int) (mask []bool, keepShape, outShape []int) {
	mask = make([]bool, len(shape))
	if len(dims) == 0 {
		for i := range mask {
			mask[i] = true
		}
	}
	for _, d := range dims {
		nd := normDim(op, d, len(shape), shape)
		if mask[nd] {
			shapeErr(op, fmt.Sprintf("dim %d is given twice", d), "", shape)
		}
		mask[nd] = true
	}
	for i, s := range shape {
		if mask[i] {
			keepShape = append(keepShape, 1)
		} else {
			keepShape = append(keepShape, s)
			outShape = append(outShape, s)
		}
	}
	if keepShape == nil {
		keepShape = []int{}
	}
	if outShape == nil {
		outShape = []int{}
	}
	return mask, keepShape, outShape
}

// sumKeep sums t over the masked dims into keepShape, without autograd.
func sumKeep(t *Tensor, keepShape []int) *Tensor {
	return sumTo(t, keepShape)
}

// Sum returns the sum over dims (over all elements when no dim is given);
// the reduced dims are removed. SumKeep keeps them with size 1.
func (t *Tensor) Sum(dims ...int) *Tensor { return t.sum("Sum", dims, false) }

// SumKeep is Sum keeping the reduced dims with size 1 (keepdim=True).
func (t *Tensor) SumKeep(dims ...int) *Tensor { return t.sum("Sum", dims, true) }

func (t *Tensor) sum(op string, dims []int, keep bool) *Tensor {
	_, keepShape, outShape := reduceDims(op, t.shape, dims)
	out := sumKeep(t, keepShape)
	if out == t {
		out = t.clone()
	}
	if !keep {
		out.shape = outShape
	}
	// ∂t = g broadcast back over the reduced dims
	return record(op, out, func(g *Tensor) []*Tensor {
		if !creatingGraph() && len(g.f32)+len(g.f64) == 1 && g.dtype == t.dtype {
			// a sum of everything (a loss): ∂t is g's one value in every
			// element, filled, as the broadcast Add below gives it (g + 0:
			// −0 becomes +0) without its zeros and its add per element
			gt := uninit(t.dtype, t.shape)
			if t.dtype == Float64 {
				gt.fill(g.f64[0] + 0)
			} else {
				gt.fill(float64(g.f32[0] + 0))
			}
			return []*Tensor{gt}
		}
		return []*Tensor{g.Reshape(keepShape...).Add(ZerosLike(t))}
	}, t)
}

// reducedCount is the number of elements of shape that reduce into one output
// element under mask.
func reducedCount(shape []int, mask []bool) int {
	n := 1
	for i, m := range mask {
		if m {
			n *= shape[i]
		}
	}
	return n
}

// eachReduced calls f(i, o) for every flat index i of t, with o the flat index
// of the output element it reduces into (in keepShape).
func eachReduced(t *Tensor, keepShape []int, f func(i, o int)) {
	zero := make([]int, len(t.shape))
	done := 0
	walk(t.shape, stridesFor(keepShape, t.shape), zero, func(i, o, _ int) {
		f(i, o)
		if done++; done == interruptEvery {
			done = 0
			CheckInterrupt()
		}
	})
}

// sums64 sums t into keepShape, accumulating in float64 whatever t's dtype.
func sums64(t *Tensor, keepShape []int) []float64 {
	s := make([]float64, numelOf(keepShape))
	st := stridesFor(keepShape, t.shape)
	if t.dtype == Float64 {
		sumRows(s, t.f64, t.shape, st)
	} else {
		sumRows(s, t.f32, t.shape, st)
	}
	return s
}

// fromValues returns a tensor of dtype and shape holding v.
func fromValues(dtype DType, shape []int, v []float64) *Tensor {
	t := empty(dtype, shape)
	for i, x := range v {
		t.set(i, x)
	}
	return t
}

// view returns a tensor sharing t's data with another shape of the same size,
// without recording (for backward formulas).
func (t *Tensor) view(shape []int) *Tensor {
	return &Tensor{shape: shape, dtype: t.dtype, f32: t.f32, f64: t.f64}
}

// finishReduce gives out (computed at keepShape) the shape the caller asked for.
func finishReduce(out *Tensor, keep bool, outShape []int) *Tensor {
	if !keep {
		out.shape = outShape
	}
	return out
}

// Mean returns the mean over dims (over all elements when no dim is given);
// the reduced dims are removed. It panics with a *ShapeError for a bad dim.
func (t *Tensor) Mean(dims ...int) *Tensor { return t.mean(dims, false) }

// MeanKeep is Mean keeping the reduced dims with size 1 (keepdim=True).
func (t *Tensor) MeanKeep(dims ...int) *Tensor { return t.mean(dims, true) }

func (t *Tensor) mean(dims []int, keep bool) *Tensor {
	mask, keepShape, outShape := reduceDims("Mean", t.shape, dims)
	n := float64(reducedCount(t.shape, mask))
	s := sums64(t, keepShape)
	for i := range s {
		s[i] /= n
	}
	out := finishReduce(fromValues(t.dtype, keepShape, s), keep, outShape)
	// ∂t = g/n broadcast back over the reduced dims
	return record("Mean", out, func(g *Tensor) []*Tensor {
		return []*Tensor{g.Reshape(keepShape...).MulScalar(1 / n).Add(ZerosLike(t))}
	}, t)
}

// Max returns the maximum over dims (over all elements when no dim is given);
// the reduced dims are removed. NaN propagates. The gradient follows PyTorch:
// with one dim (torch.max(x, dim)) it goes to the first maximal element of each
// slice; with no dim or several dims (x.max(), torch.amax) it is shared evenly
// among tied maxima.
// It panics with a *ShapeError for a bad dim and with an *Error when a
// reduced dim has size 0.
func (t *Tensor) Max(dims ...int) *Tensor { return t.extreme("Max", dims, false, true) }

// MaxKeep is Max keeping the reduced dims with size 1 (keepdim=True).
func (t *Tensor) MaxKeep(dims ...int) *Tensor { return t.extreme("Max", dims, true, true) }

// Min returns the minimum over dims; see Max for gradients, ties and panics.
func (t *Tensor) Min(dims ...int) *Tensor { return t.extreme("Min", dims, false, false) }

// MinKeep is Min keeping the reduced dims with size 1 (keepdim=True).
func (t *Tensor) MinKeep(dims ...int) *Tensor { return t.extreme("Min", dims, true, false) }

// better reports whether v replaces the current extreme b (NaN wins).
func better(v, b float64, isMax bool) bool {
	if v != v {
		return b == b
	}
	if isMax {
		return v > b
	}
	return v < b
}

func (t *Tensor) extreme(op string, dims []int, keep, isMax bool) *Tensor {
	mask, keepShape, outShape := reduceDims(op, t.shape, dims)
	if reducedCount(t.shape, mask) == 0 {
		errorf(op, "cannot reduce over a dim of size 0 (shape %v): the result would have no value", t.shape)
	}
	nOut := numelOf(keepShape)
	best := make([]float64, nOut)
	arg := make([]int, nOut)
	for i := range arg {
		arg[i] = -1
	}
	eachReduced(t, keepShape, func(i, o int) {
		if v := t.get(i); arg[o] < 0 || better(v, best[o], isMax) {
			best[o], arg[o] = v, i
		}
	})
	out := finishReduce(fromValues(t.dtype, keepShape, best), keep, outShape)
	first := len(dims) == 1
	return record(op, out, func(g *Tensor) []*Tensor {
		if first {
			// ∂t = g at the first extreme of each slice
			return []*Tensor{rowsScatter(g.Reshape(nOut), arg, 1, t.shape)}
		}
		// ∂t = g / (number of ties) at every element equal to the extreme
		tie := func(i, o int) bool { v := t.get(i); return v == best[o] || (v != v && best[o] != best[o]) }
		count := make([]float64, nOut)
		eachReduced(t, keepShape, func(i, o int) {
			if tie(i, o) {
				count[o]++
			}
		})
		gk := g.view(keepShape)
		if creatingGraph() { // g spread over the ties by recorded ops, for a second derivative
			share := empty(g.dtype, t.shape)
			eachReduced(t, keepShape, func(i, o int) {
				if tie(i, o) {
					share.set(i, 1/count[o])
				}
			})
			return []*Tensor{g.Reshape(keepShape...).Expand(t.shape...).Mul(share)}
		}
		gx := empty(g.dtype, t.shape)
		eachReduced(t, keepShape, func(i, o int) {
			if tie(i, o) {
				gx.set(i, gk.get(o)/count[o])
			}
		})
		return []*Tensor{gx}
	}, t)
}

// Var returns the unbiased variance over dims (divided by n-1, as PyTorch's
// default), over all elements when no dim is given; the reduced dims are
// removed. A single element gives NaN. It panics with a *ShapeError for a bad dim.
func (t *Tensor) Var(dims ...int) *Tensor { return t.variance("Var", dims, false) }

// VarKeep is Var keeping the reduced dims with size 1 (keepdim=True).
func (t *Tensor) VarKeep(dims ...int) *Tensor { return t.variance("Var", dims, true) }

// Std returns the unbiased standard deviation over dims, the square root of
// Var. Its gradient is 0 where the deviation is 0, as in PyTorch.
func (t *Tensor) Std(dims ...int) *Tensor { return t.variance("Std", dims, false) }

// StdKeep is Std keeping the reduced dims with size 1 (keepdim=True).
func (t *Tensor) StdKeep(dims ...int) *Tensor { return t.variance("Std", dims, true) }

func (t *Tensor) variance(op string, dims []int, keep bool) *Tensor {
	mask, keepShape, outShape := reduceDims(op, t.shape, dims)
	n := float64(reducedCount(t.shape, mask))
	mean := sums64(t, keepShape)
	for i := range mean {
		mean[i] /= n
	}
	// two passes (mean, then squared deviations) avoid the cancellation of Σx² - n·mean²
	ss := make([]float64, len(mean))
	eachReduced(t, keepShape, func(i, o int) { d := t.get(i) - mean[o]; ss[o] += d * d })
	for i := range ss {
		ss[i] /= n - 1
		if op == "Std" {
			ss[i] = math.Sqrt(ss[i])
		}
	}
	outK := fromValues(t.dtype, keepShape, ss)
	out := finishReduce(outK.view(keepShape), keep, outShape)
	meanT := fromValues(t.dtype, keepShape, mean)
	return record(op, out, func(g *Tensor) []*Tensor {
		if creatingGraph() { // from recorded ops (the mean and the result depend on t), for a second derivative
			gk, dev := g.Reshape(keepShape...), t.Sub(t.MeanKeep(dims...))
			if op == "Var" {
				return []*Tensor{gk.Mul(dev).MulScalar(2 / (n - 1))}
			}
			sk := out.Reshape(keepShape...)
			return []*Tensor{Where(sk.EqScalar(0), ZerosLike(gk), gk.Div(sk)).Mul(dev).MulScalar(1 / (n - 1))}
		}
		gk := g.view(keepShape)
		if op == "Var" {
			// ∂t = g·2(t - mean)/(n-1)
			return []*Tensor{gk.Mul(t.Sub(meanT)).MulScalar(2 / (n - 1))}
		}
		// ∂t = g·(t - mean)/((n-1)·std), 0 where std = 0
		w := Where(outK.EqScalar(0), ZerosLike(gk), gk.Div(outK))
		return []*Tensor{w.Mul(t.Sub(meanT)).MulScalar(1 / (n - 1))}
	}, t)
}

// LogSumExp returns log Σ exp(t) over dims (over all elements when no dim is
// given), computed as m + log Σ exp(t - m) with m the maximum, so large inputs
// do not overflow. The reduced dims are removed.
// It panics with a *ShapeError for a bad dim.
func (t *Tensor) LogSumExp(dims ...int) *Tensor { return t.logSumExp(dims, false) }

// LogSumExpKeep is LogSumExp keeping the reduced dims with size 1 (keepdim=True).
func (t *Tensor) LogSumExpKeep(dims ...int) *Tensor { return t.logSumExp(dims, true) }

func (t *Tensor) logSumExp(dims []int, keep bool) *Tensor {
	mask, keepShape, outShape := reduceDims("LogSumExp", t.shape, dims)
	nOut := numelOf(keepShape)
	var outK *Tensor
	if n, ok := trailing(mask, t.shape); ok && t.dtype == Float32 {
		outK = fromValues(Float32, keepShape, logSumExpRows32(t.f32, n, nOut))
	} else {
		outK = fromValues(t.dtype, keepShape, logSumExpGeneral(t, keepShape, nOut))
	}
	out := finishReduce(outK.view(keepShape), keep, outShape)
	// ∂t = g·exp(t - out), the softmax of t over dims
	return record("LogSumExp", out, func(g *Tensor) []*Tensor {
		if creatingGraph() { // the recorded result, for a second derivative
			return []*Tensor{g.Reshape(keepShape...).Mul(t.Sub(out.Reshape(keepShape...)).Exp())}
		}
		return []*Tensor{g.view(keepShape).Mul(t.Sub(outK).Exp())}
	}, t)
}

// trailing reports whether the dims mask reduces exactly the last dims of
// shape, so that each result reduces n contiguous elements.
func trailing(mask []bool, shape []int) (n int, ok bool) {
	k := len(mask)
	for k > 0 && mask[k-1] {
		k--
	}
	for _, m := range mask[:k] {
		if m {
			return 0, false
		}
	}
	return numelOf(shape[k:]), true
}

// logSumExpRows32 is LogSumExp of each of nOut float32 rows of n contiguous
// elements, on the kernels' vector loops: m the row's maximum (0 where it is
// ±Inf), e^(x − m) summed in float32 in the kernels' lane order, then
// ln s + m in float64.
func logSumExpRows32(x []float32, n, nOut int) []float64 {
	vals := make([]float64, nOut)
	e := make([]float32, n)
	done := 0
	for o := range vals {
		row := x[o*n : (o+1)*n]
		m := kernels.Max32(row)
		if math.IsInf(float64(m), 0) { // all -Inf, or an +Inf: shifting would give NaN
			m = 0
		}
		s := kernels.ExpSum32(e, row, m, 0)
		vals[o] = math.Log(float64(s)) + float64(m)
		if done += n; done >= interruptEvery {
			done = 0
			CheckInterrupt()
		}
	}
	return vals
}

// logSumExpGeneral is LogSumExp over any dims, in float64.
func logSumExpGeneral(t *Tensor, keepShape []int, nOut int) []float64 {
	m := make([]float64, nOut)
	for i := range m {
		m[i] = math.Inf(-1)
	}
	eachReduced(t, keepShape, func(i, o int) {
		if v := t.get(i); better(v, m[o], true) {
			m[o] = v
		}
	})
	for i, v := range m {
		if math.IsInf(v, 0) { // all -Inf, or an +Inf: shifting would give NaN
			m[i] = 0
		}
	}
	s := make([]float64, nOut)
	eachReduced(t, keepShape, func(i, o int) { s[o] += math.Exp(t.get(i) - m[o]) })
	for i := range s {
		s[i] = math.Log(s[i]) + m[i]
	}
	return s
}

// splitAt returns the sizes before dim d (outer), of d (n) and after it (inner):
// element (o, k, j) is at flat index (o·n + k)·inner + j.
func splitAt(shape []int, d int) (outer, n, inner int) {
	return numelOf(shape[:d]), shape[d], numelOf(shape[d+1:])
}

// ArgMax returns the index of the maximum along dim, as a tensor of t's dtype
// with dim removed; ties give the first index and NaN counts as the maximum,
// as in PyTorch. It is not differentiable.
// It panics with a *ShapeError for a bad dim and with an *Error when dim has size 0.
func (t *Tensor) ArgMax(dim int) *Tensor { return t.argExtreme("ArgMax", dim, true) }

// ArgMin returns the index of the minimum along dim; see ArgMax.
func (t *Tensor) ArgMin(dim int) *Tensor { return t.argExtreme("ArgMin", dim, false) }

func (t *Tensor) argExtreme(op string, dim int, isMax bool) *Tensor {
	d := normDim(op, dim, len(t.shape), t.shape)
	outer, n, inner := splitAt(t.shape, d)
	if n == 0 {
		errorf(op, "dim %d has size 0 (shape %v): there is no index to return", dim, t.shape)
	}
	outShape := append(append([]int{}, t.shape[:d]...), t.shape[d+1:]...)
	out := empty(t.dtype, outShape)
	for o := 0; o < outer; o++ {
		for j := 0; j < inner; j++ {
			base := o*n*inner + j
			best, arg := t.get(base), 0
			for k := 1; k < n; k++ {
				if v := t.get(base + k*inner); better(v, best, isMax) {
					best, arg = v, k
				}
			}
			out.set(o*inner+j, float64(arg))
		}
		CheckInterrupt()
	}
	return record(op, out, nil, t)
}
