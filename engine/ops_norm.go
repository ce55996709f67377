package engine

import (
	"math"
)

// Norm returns the p-norm over dims (over all elements when no dim is
// given), as torch.linalg.vector_norm(t, p, dims): for a real p ≠ 0 it is
// (Σ|t|ᵖ)^(1/p) (p = 1 is Σ|t|, p = 2 is √Σt²), p = 0 counts the nonzero
// elements, p = math.Inf(1) is max|t| and p = math.Inf(-1) is min|t|.
// The reduced dims are removed; NormKeep keeps them with size 1.
// The gradients follow PyTorch's: 0 for p = 0, 0 at a zero norm, 0 at a zero
// element when p < 1 (where the derivative is infinite), and shared evenly
// among tied extrema for p = ±Inf.
// It panics with an *Error for a NaN p and a *ShapeError for a bad dim.
func (t *Tensor) Norm(p float64, dims ...int) *Tensor { return t.norm(p, dims, false) }

// NormKeep is Norm keeping the reduced dims with size 1 (keepdim=True).
func (t *Tensor) NormKeep(p float64, dims ...int) *Tensor { return t.norm(p, dims, true) }

func (t *Tensor) norm(p float64, dims []int, keep bool) *Tensor {
	needTensors("Norm", recvOnly, t)
	if p != p {
		errorf("Norm", "p = NaN is not a norm order; use a real number, math.Inf(1) or math.Inf(-1)")
	}
	inf := math.IsInf(p, 0)
	_, keepShape, outShape := reduceDims("Norm", t.shape, dims)
	v := make([]float64, numelOf(keepShape))
	if math.IsInf(p, -1) {
		for i := range v {
			v[i] = math.Inf(1)
		}
	}
	eachReduced(t, keepShape, func(i, o int) {
		x := math.Abs(t.get(i))
		switch {
		case p > 0 && inf:
			v[o] = nanMax(x, v[o])
		case inf:
			v[o] = nanMin(x, v[o])
		case p == 0:
			v[o] += b2f(x != 0)
		case p == 1:
			v[o] += x
		case p == 2:
			v[o] += x * x
		default:
			v[o] += math.Pow(x, p)
		}
	})
	if p != 0 && p != 1 && !inf {
		for i := range v {
			v[i] = math.Pow(v[i], 1/p)
		}
	}
	out := finishReduce(fromValues(t.dtype, keepShape, v), keep, outShape)
	return record("Norm", out, func(g *Tensor) []*Tensor {
		gk := g.Reshape(keepShape...)
		nk := out.Reshape(keepShape...)
		switch {
		case p == 0:
			// ∂t = 0: the count is piecewise constant
			return []*Tensor{maskGrad(gk, ZerosLike(t))}
		case p == 1:
			// ∂t = g·sign(t)
			return []*Tensor{gk.Mul(apply(t, sign))}
		case p == 2:
			// ∂t = g·t/‖t‖, 0 where ‖t‖ = 0
			return []*Tensor{Where(nk.EqScalar(0), ZerosLike(gk), gk.Div(nk)).Mul(t)}
		case inf:
			// ∂t = g·sign(t)/count where |t| is the extremum (or NaN), count
			// the number of such elements
			count := make([]float64, len(v))
			hit := func(x float64, o int) bool { return math.Abs(x) == v[o] || x != x }
			eachReduced(t, keepShape, func(i, o int) { count[o] += b2f(hit(t.get(i), o)) })
			w := empty(t.dtype, t.shape)
			eachReduced(t, keepShape, func(i, o int) {
				if x := t.get(i); hit(x, o) {
					w.set(i, sign(x)/count[o])
				}
			})
			return []*Tensor{gk.Mul(w)}
		}
		// ∂t = g·sign(t)·|t|^(p-1) / ‖t‖^(p-1), 0 where t = 0 or ‖t‖ = 0
		st := Where(t.EqScalar(0), ZerosLike(t), t.Abs().PowScalar(p-1).Mul(apply(t, sign)))
		sg := Where(nk.EqScalar(0), ZerosLike(gk), gk.Div(nk.PowScalar(p-1)))
		return []*Tensor{st.Mul(sg)}
	}, t)
}
