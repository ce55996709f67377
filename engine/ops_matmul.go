package engine

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
)

// MatMul returns the matrix product of t and o with torch.matmul's rules:
// 1-d·1-d is a dot product, a 1-d operand is treated as a row (left) or a
// column (right) vector and that dim is removed from the result, and operands
// with more than 2 dims are batches of matrices whose batch dims broadcast.
// It panics with a *ShapeError when the inner sizes differ or the batch dims
// do not broadcast.
func (t *Tensor) MatMul(o *Tensor) *Tensor {
	needTensors("MatMul", recvArg, t, o)
	if t.Dims() == 0 || o.Dims() == 0 {
		matmulShapeErr(t, o, "MatMul needs operands with at least 1 dim", "use Mul to multiply by a scalar")
	}
	a, b := t, o
	if a.dtype != b.dtype {
		a, b = a.To(Float64), b.To(Float64)
	}
	if a.Dims() == 1 {
		a = a.Reshape(1, -1)
	}
	if b.Dims() == 1 {
		b = b.Reshape(-1, 1)
	}
	k1, k2 := a.shape[a.Dims()-1], b.shape[b.Dims()-2]
	if k1 != k2 {
		hint := ""
		if bl := o.shape[o.Dims()-1]; o.Dims() >= 2 && bl == k1 {
			hint = fmt.Sprintf("did you mean to transpose the second operand? %v.T() is %v, which fits", o.shape, swapLast(o.shape))
		} else if t.Dims() >= 2 && t.shape[t.Dims()-2] == k2 {
			hint = fmt.Sprintf("did you mean to transpose the first operand? %v.T() is %v, which fits", t.shape, swapLast(t.shape))
		} else {
			hint = fmt.Sprintf("%v needs a second operand of %s", t.shape, fitsAfter(o.shape, k1))
		}
		matmulShapeErr(t, o, fmt.Sprintf("inner sizes %d and %d differ", k1, k2), hint)
	}
	// the batch dims (all but the last two) broadcast; checked here so that
	// the error shows both operands' full shapes
	ab, bb := a.shape[:a.Dims()-2], b.shape[:b.Dims()-2]
	if _, k := broadcastDims(ab, bb); k >= 0 {
		matmulShapeErr(t, o, fmt.Sprintf("batch sizes %d and %d at dim %d do not broadcast", dimFromEnd(ab, k), dimFromEnd(bb, k), -k-3),
			"the batch dims, all but the last two, must match or one of them must be 1, counting from the right")
	}
	out := matmulND(a, b, false)
	switch {
	case t.Dims() == 1 && o.Dims() == 1:
		return out.Reshape()
	case t.Dims() == 1:
		return out.Squeeze(-2)
	case o.Dims() == 1:
		return out.Squeeze(-1)
	}
	return out
}

// fitsAfter says what second operand of a product fits after a first whose
// last size is k, keeping the rest of the given operand's shape b: a length k
// for a vector, else b with its next-to-last size k.
func fitsAfter(b []int, k int) string {
	if len(b) == 1 {
		return fmt.Sprintf("length %d", k)
	}
	c := append([]int{}, b...)
	c[len(c)-2] = k
	return fmt.Sprintf("shape %v", c)
}

func swapLast(s []int) []int {
	c := append([]int{}, s...)
	c[len(c)-1], c[len(c)-2] = c[len(c)-2], c[len(c)-1]
	return c
}

func matmulShapeErr(a, b *Tensor, reason, hint string) {
	panic(&ShapeError{Op: "MatMul", Shapes: [][]int{a.Shape(), b.Shape()}, Sep: "·", Reason: reason, Hint: hint})
}

// matmulND multiplies a [..., m, k] by b [..., k, n] (both at least 2-d,
// inner sizes already checked), broadcasting the batch dims.
func matmulND(a, b *Tensor, tb bool) *Tensor {
	out := bmm(a, b, false, tb)
	// ∂a = g·bᵀ, ∂b = aᵀ·g, each summed over the batch dims it was broadcast
	// along; with tb (a·bᵀ): ∂a = g·b, ∂b = gᵀ·a
	return record("MatMul", out, func(g *Tensor) []*Tensor {
		// only the gradients some input needs: x·w with a constant x skips ∂x
		var ga, gb *Tensor
		if creatingGraph() { // from recorded ops, for a second derivative
			if a.requiresGrad {
				if tb {
					ga = sumToGrad(g.MatMul(b), a.shape)
				} else {
					ga = sumToGrad(g.MatMul(b.Transpose(-1, -2)), a.shape)
				}
			}
			if b.requiresGrad {
				if tb {
					gb = sumToGrad(g.Transpose(-1, -2).MatMul(a), b.shape)
				} else {
					gb = sumToGrad(a.Transpose(-1, -2).MatMul(g), b.shape)
				}
			}
			return []*Tensor{ga, gb}
		}
		if a.requiresGrad {
			ga = sumTo(bmm(g, b, false, !tb), a.shape)
		}
		if b.requiresGrad {
			if tb {
				gb = sumTo(bmm(g, a, true, false), b.shape)
			} else {
				gb = sumTo(bmm(a, g, true, false), b.shape)
			}
		}
		return []*Tensor{ga, gb}
	}, a, b)
}

// bmm returns op(a)·op(b) for batches of matrices, where op transposes the
// last two dims when ta (tb) is set, broadcasting the batch dims. It records
// no autograd. Each product goes through matmulInto.
func bmm(a, b *Tensor, ta, tb bool) *Tensor {
	ad, bd := a.Dims(), b.Dims()
	m, k := a.shape[ad-2], a.shape[ad-1]
	if ta {
		m, k = k, m
	}
	n := b.shape[bd-1]
	if tb {
		n = b.shape[bd-2]
	}
	batch := broadcastShape("MatMul", a.shape[:ad-2], b.shape[:bd-2])
	outShape := append(append([]int{}, batch...), m, n)
	if m == 0 || n == 0 || k == 0 {
		return empty(a.dtype, outShape) // a product over an empty inner dim is all zeros
	}
	out := uninit(a.dtype, outShape) // every product below stores (beta = 0)
	sa, sb := stridesFor(a.shape[:ad-2], batch), stridesFor(b.shape[:bd-2], batch)
	am, bm := a.shape[ad-2]*a.shape[ad-1], b.shape[bd-2]*b.shape[bd-1]
	ops := []int{}
	walk(batch, sa, sb, func(i, ia, ib int) { ops = append(ops, i, ia, ib) })
	lda, ldb := a.shape[ad-1], b.shape[bd-1]
	for p := 0; p < len(ops); p += 3 {
		CheckInterrupt()
		i, ia, ib := ops[p], ops[p+1], ops[p+2]
		if a.dtype == Float64 {
			matmulInto(ta, tb, m, n, k, a.f64[ia*am:(ia+1)*am], lda, b.f64[ib*bm:(ib+1)*bm], ldb, 0, out.f64[i*m*n:(i+1)*m*n], n)
		} else {
			matmulInto(ta, tb, m, n, k, a.f32[ia*am:(ia+1)*am], lda, b.f32[ib*bm:(ib+1)*bm], ldb, 0, out.f32[i*m*n:(i+1)*m*n], n)
		}
	}
	return out
}

// matmulInto computes c = op(a)·op(b) + beta·c for row-major matrices through the
// installed BLAS (dbr's GEMM unless built with -tags netlib), where op
// transposes when ta (tb) is set. Every product in the engine goes through it.
func matmulInto[T float](ta, tb bool, m, n, k int, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 { // an empty product: c = beta·c, and c is not read when beta is 0
		for i := 0; i < m; i++ {
			row := c[i*ldc : i*ldc+n]
			if beta == 0 {
				clear(row)
			}
			for j := range row {
				row[j] *= beta
			}
		}
		return
	}
	tA, tB := blas.NoTrans, blas.NoTrans
	if ta {
		tA = blas.Trans
	}
	if tb {
		tB = blas.Trans
	}
	switch a := any(a).(type) {
	case []float32:
		blas32.Implementation().Sgemm(tA, tB, m, n, k, 1, a, lda, any(b).([]float32), ldb, float32(beta), any(c).([]float32), ldc)
	case []float64:
		blas64.Implementation().Dgemm(tA, tB, m, n, k, 1, a, lda, any(b).([]float64), ldb, float64(beta), any(c).([]float64), ldc)
	}
}
