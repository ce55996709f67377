package engine

// Comparisons return masks: 1 where the comparison holds, 0 elsewhere, in the
// operands' dtype (float64 when they differ), so a mask multiplies straight
// into other tensors. They are not differentiable: a result records no
// gradient, and its NoGradReason says so.

// b2f turns a comparison into 0 or 1 without a branch (the compiler turns
// b2i into a flag move; a float branch mispredicts on random data, 5x slower).
func b2f(c bool) float64 { return float64(b2i(c)) }

func b2i(c bool) int {
	if c {
		return 1
	}
	return 0
}

// Gt returns the mask t > o, broadcasting.
// It panics with a *ShapeError when the shapes do not broadcast.
func (t *Tensor) Gt(o *Tensor) *Tensor {
	return binary("Gt", t, o, func(x, y float64) float64 { return b2f(x > y) }, nil)
}

// Ge returns the mask t ≥ o, broadcasting.
// It panics with a *ShapeError when the shapes do not broadcast.
func (t *Tensor) Ge(o *Tensor) *Tensor {
	return binary("Ge", t, o, func(x, y float64) float64 { return b2f(x >= y) }, nil)
}

// Lt returns the mask t < o, broadcasting.
// It panics with a *ShapeError when the shapes do not broadcast.
func (t *Tensor) Lt(o *Tensor) *Tensor {
	return binary("Lt", t, o, func(x, y float64) float64 { return b2f(x < y) }, nil)
}

// Le returns the mask t ≤ o, broadcasting.
// It panics with a *ShapeError when the shapes do not broadcast.
func (t *Tensor) Le(o *Tensor) *Tensor {
	return binary("Le", t, o, func(x, y float64) float64 { return b2f(x <= y) }, nil)
}

// Eq returns the mask t = o, broadcasting (NaN equals nothing).
// It panics with a *ShapeError when the shapes do not broadcast.
func (t *Tensor) Eq(o *Tensor) *Tensor {
	return binary("Eq", t, o, func(x, y float64) float64 { return b2f(x == y) }, nil)
}

// Ne returns the mask t ≠ o, broadcasting (NaN differs from everything).
// It panics with a *ShapeError when the shapes do not broadcast.
func (t *Tensor) Ne(o *Tensor) *Tensor {
	return binary("Ne", t, o, func(x, y float64) float64 { return b2f(x != y) }, nil)
}

// GtScalar returns the mask t > s.
func (t *Tensor) GtScalar(s float64) *Tensor {
	return unaryVec("GtScalar", t, func(x float64) float64 { return b2f(x > s) }, cmpScalar32(cmpGt, s), nil)
}

// GeScalar returns the mask t ≥ s.
func (t *Tensor) GeScalar(s float64) *Tensor {
	return unaryVec("GeScalar", t, func(x float64) float64 { return b2f(x >= s) }, cmpScalar32(cmpGe, s), nil)
}

// LtScalar returns the mask t < s.
func (t *Tensor) LtScalar(s float64) *Tensor {
	return unaryVec("LtScalar", t, func(x float64) float64 { return b2f(x < s) }, cmpScalar32(cmpLt, s), nil)
}

// LeScalar returns the mask t ≤ s.
func (t *Tensor) LeScalar(s float64) *Tensor {
	return unaryVec("LeScalar", t, func(x float64) float64 { return b2f(x <= s) }, cmpScalar32(cmpLe, s), nil)
}

// EqScalar returns the mask t = s.
func (t *Tensor) EqScalar(s float64) *Tensor {
	return unaryVec("EqScalar", t, func(x float64) float64 { return b2f(x == s) }, cmpScalar32(cmpEq, s), nil)
}

// NeScalar returns the mask t ≠ s.
func (t *Tensor) NeScalar(s float64) *Tensor {
	return unaryVec("NeScalar", t, func(x float64) float64 { return b2f(x != s) }, cmpScalar32(cmpNe, s), nil)
}

// The scalar comparisons, for cmpScalar32.
const (
	cmpGt = iota
	cmpGe
	cmpLt
	cmpLe
	cmpEq
	cmpNe
)

// cmpScalar32 returns the float32 loop of a scalar comparison: 1 where
// x op s holds, else 0, compared in float64 (exact for a float32 x) as the
// float64 formulas do. One loop per comparison, each without a branch.
func cmpScalar32(op int, s float64) func(dst, src []float32) {
	loop := func(dst, src []float32, f func(x float64) bool) {
		dst = dst[:len(src)]
		for i, v := range src {
			dst[i] = float32(b2i(f(float64(v))))
		}
	}
	switch op {
	case cmpGt:
		return func(dst, src []float32) { loop(dst, src, func(x float64) bool { return x > s }) }
	case cmpGe:
		return func(dst, src []float32) { loop(dst, src, func(x float64) bool { return x >= s }) }
	case cmpLt:
		return func(dst, src []float32) { loop(dst, src, func(x float64) bool { return x < s }) }
	case cmpLe:
		return func(dst, src []float32) { loop(dst, src, func(x float64) bool { return x <= s }) }
	case cmpEq:
		return func(dst, src []float32) { loop(dst, src, func(x float64) bool { return x == s }) }
	}
	return func(dst, src []float32) { loop(dst, src, func(x float64) bool { return x != s }) }
}

// Where returns a where cond is non-zero and b elsewhere, with cond, a and b
// broadcast together (torch.where). The result has a's and b's dtype (float64
// when they differ); it is differentiable in a and b, not in cond.
// It panics with a *ShapeError when the three shapes do not broadcast.
func Where(cond, a, b *Tensor) *Tensor {
	needTensors("Where", []string{"cond", "a", "b"}, cond, a, b)
	if a.dtype != b.dtype {
		a, b = a.To(Float64), b.To(Float64)
	}
	shape := broadcastShape("Where", cond.shape, a.shape, b.shape)
	// the mask at the broadcast shape: 1 where a is taken
	m := empty(a.dtype, shape)
	sc := stridesFor(cond.shape, shape)
	lc := 0
	if len(shape) > 0 {
		lc = sc[len(sc)-1]
	}
	rowsChecked(shape, sc, sc, func(i, c, _, n int) {
		for j := 0; j < n; j++ {
			m.set(i+j, b2f(cond.get(c+j*lc) != 0))
		}
	})
	out := empty(a.dtype, shape)
	if a.dtype == Float64 {
		whereKernel(out.f64, m.f64, a.f64, b.f64, shape, a.shape, b.shape)
	} else {
		whereKernel(out.f32, m.f32, a.f32, b.f32, shape, a.shape, b.shape)
	}
	// ∂a = g where m, ∂b = g where not m, each summed back to its operand's shape
	return record("Where", out, func(g *Tensor) []*Tensor {
		return []*Tensor{nil, sumToGrad(maskGrad(g, m), a.shape), sumToGrad(maskGrad(g, m.Neg().AddScalar(1)), b.shape)}
	}, cond, a, b)
}

// whereKernel fills dst with a where m is non-zero and b elsewhere, a and b
// broadcast to shape (m and dst have that shape).
func whereKernel[T float](dst, m, a, b []T, shape, sa, sb []int) {
	ta, tb := stridesFor(sa, shape), stridesFor(sb, shape)
	la, lb := 0, 0
	if len(shape) > 0 {
		la, lb = ta[len(ta)-1], tb[len(tb)-1]
	}
	rowsChecked(shape, ta, tb, func(i, oa, ob, n int) {
		for j := 0; j < n; j++ {
			if m[i+j] != 0 {
				dst[i+j] = a[oa+j*la]
			} else {
				dst[i+j] = b[ob+j*lb]
			}
		}
	})
}

// All returns 1 where every element over dims is non-zero and 0 elsewhere
// (over all elements when no dim is given; the reduced dims are removed), as
// torch.all, as a mask of t's dtype. It is not differentiable.
// It panics with a *ShapeError for a bad dim.
func (t *Tensor) All(dims ...int) *Tensor { return t.logical("All", dims, true) }

// Any returns 1 where some element over dims is non-zero; see All.
func (t *Tensor) Any(dims ...int) *Tensor { return t.logical("Any", dims, false) }

func (t *Tensor) logical(op string, dims []int, all bool) *Tensor {
	needTensors(op, recvOnly, t)
	_, keepShape, outShape := reduceDims(op, t.shape, dims)
	v := make([]float64, numelOf(keepShape))
	for i := range v {
		v[i] = b2f(all)
	}
	eachReduced(t, keepShape, func(i, o int) {
		if nz := t.get(i) != 0; nz != all {
			v[o] = b2f(nz)
		}
	})
	return record(op, fromValues(t.dtype, outShape, v), nil, t)
}
