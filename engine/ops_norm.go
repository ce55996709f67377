package engine

import (
	"math"
)

// Norm returns the p-norm over dims (over all elements when no dim is
// given), as torch.linalg.vector_norm(t, p, dims): p = 1 is Σ|t|, p = 2 is
// √Σt², p = math.Inf(1) is max|t|. The reduced dims are removed; NormKeep
// keeps them with size 1. The gradient at a zero norm is 0, and that of the
// inf-norm is shared evenly among tied maxima, as in PyTorch.
// It panics with an *Error for another p and a *ShapeError for a bad dim.
func (t *Tensor) Norm(p float64, dims ...int) *Tensor { return t.norm(p, dims, false) }

// NormKeep is Norm keeping the reduced dims with size 1 (keepdim=True).
func (t *Tensor) NormKeep(p float64, dims ...int) *Tensor { return t.norm(p, dims, true) }

func (t *Tensor) norm(p float64, dims []int, keep bool) *Tensor {
	needTensors("Norm", recvOnly, t)
	inf := math.IsInf(p, 1)
	if p != 1 && p != 2 && !inf {
		errorf("Norm", "p = %v is not supported; use 1, 2 or math.Inf(1)", p)
	}
	_, keepShape, outShape := reduceDims("Norm", t.shape, dims)
	v := make([]float64, numelOf(keepShape))
	eachReduced(t, keepShape, func(i, o int) {
		x := math.Abs(t.get(i))
		switch {
		case inf:
			if x > v[o] || x != x {
				v[o] = x
			}
		case p == 1:
			v[o] += x
		default:
			v[o] += x * x
		}
	})
	if p == 2 {
		for i := range v {
			v[i] = math.Sqrt(v[i])
		}
	}
	out := finishReduce(fromValues(t.dtype, keepShape, v), keep, outShape)
	return record("Norm", out, func(g *Tensor) []*Tensor {
		gk := g.Reshape(keepShape...)
		switch {
		case p == 2:
			// ∂t = g·t/‖t‖, 0 where ‖t‖ = 0
			nk := out.Reshape(keepShape...)
			return []*Tensor{Where(nk.EqScalar(0), ZerosLike(gk), gk.Div(nk)).Mul(t)}
		case p == 1:
			// ∂t = g·sign(t)
			return []*Tensor{gk.Mul(apply(t, sign))}
		}
		// ∂t = g·sign(t)/count where |t| is the maximum, count the number of maxima
		count := make([]float64, len(v))
		eachReduced(t, keepShape, func(i, o int) { count[o] += b2f(math.Abs(t.get(i)) == v[o]) })
		w := empty(t.dtype, t.shape)
		eachReduced(t, keepShape, func(i, o int) {
			if x := t.get(i); math.Abs(x) == v[o] {
				w.set(i, sign(x)/count[o])
			}
		})
		return []*Tensor{gk.Mul(w)}
	}, t)
}
