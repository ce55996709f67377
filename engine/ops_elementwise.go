package engine

import (
	"math"
	"slices"

	"github.com/dbr-go/dbr/internal/kernels"
)

// Elementwise ops go through two helpers: binary (two operands, broadcast
// together) and unary (one operand). Each op gives its scalar definition f and
// its backward as a formula composed of other ops; the helpers do the loops,
// the broadcasting, the reduction of gradients back to each operand's shape
// (sumTo) and the recording. The hottest ops (Add, Sub, Mul, Div, ReLU) also
// name a type-specialized loop so that they avoid a function call per element.

// arith names a binary op with a type-specialized loop; arithNone uses f.
type arith int

const (
	arithNone arith = iota
	arithAdd
	arithSub
	arithMul
	arithDiv
)

// interruptEvery is how many elements a kernel processes between interrupt checks.
const interruptEvery = 1 << 16

// chunks calls f(lo, hi) over [0, n) in pieces of interruptEvery elements,
// checking for an interrupt after each.
func chunks(n int, f func(lo, hi int)) {
	for lo := 0; lo < n; lo += interruptEvery {
		f(lo, min(lo+interruptEvery, n))
		CheckInterrupt()
	}
}

// binary applies f elementwise to a and b broadcast together. grad returns the
// gradients of both inputs at the broadcast shape; binary sums them back to
// each input's shape. A nil grad marks the op as not differentiable. Mixed
// dtypes are promoted to Float64.
func binary(op string, a, b *Tensor, f func(x, y float64) float64, grad func(a, b, out, g *Tensor) (ga, gb *Tensor)) *Tensor {
	return binaryArith(op, arithNone, a, b, f, grad)
}

// binaryArith is binary with an optional specialized loop k, which must compute
// the same values as f.
func binaryArith(op string, k arith, a, b *Tensor, f func(x, y float64) float64, grad func(a, b, out, g *Tensor) (ga, gb *Tensor)) *Tensor {
	needTensors(op, recvArg, a, b)
	if a.dtype != b.dtype {
		a, b = a.To(Float64), b.To(Float64)
	}
	shape := broadcastShape(op, a.shape, b.shape)
	out := uninit(a.dtype, shape)
	if a.dtype == Float64 {
		binaryKernel(k, out.f64, a.f64, b.f64, shape, a.shape, b.shape, f)
	} else {
		binaryKernel(k, out.f32, a.f32, b.f32, shape, a.shape, b.shape, f)
	}
	var bw backwardFn
	if grad != nil && (a.requiresGrad || b.requiresGrad) { // else record drops it: no closure to allocate
		bw = func(g *Tensor) []*Tensor {
			ga, gb := grad(a, b, out, g)
			if ga != nil {
				ga = sumToGrad(ga, a.shape)
			}
			if gb != nil {
				gb = sumToGrad(gb, b.shape)
			}
			return []*Tensor{ga, gb}
		}
	}
	return record(op, out, bw, a, b)
}

// binaryKernel fills dst (of shape) with f(a, b), a and b broadcast to shape.
// It works row by row along the last dim, where each operand is either
// contiguous (stride 1) or repeated (stride 0).
func binaryKernel[T float](k arith, dst, a, b []T, shape, sa, sb []int, f func(x, y float64) float64) {
	if slices.Equal(sa, sb) {
		chunks(len(dst), func(lo, hi int) { arithRow(k, dst[lo:hi], a[lo:hi], b[lo:hi], 1, 1, f) })
		return
	}
	ta, tb := stridesFor(sa, shape), stridesFor(sb, shape)
	d := len(shape)
	la, lb := ta[d-1], tb[d-1]
	rowsChecked(shape, ta, tb, func(i, oa, ob, n int) {
		arithRow(k, dst[i:i+n], a[oa:], b[ob:], la, lb, f)
	})
}

// rowsChecked is walkRows checking for an interrupt every interruptEvery elements.
func rowsChecked(shape, s1, s2 []int, f func(i, o1, o2, n int)) {
	done := 0
	walkRows(shape, s1, s2, func(i, o1, o2, n int) {
		f(i, o1, o2, n)
		if done += n; done >= interruptEvery {
			done = 0
			CheckInterrupt()
		}
	})
}

// arithRow computes dst[j] = f(a[j·la], b[j·lb]) for every j, with la and lb
// in {0, 1}. For the arith ops the loops are written out per stride pattern so
// the compiler sees plain slice arithmetic (kernels.Arith when both strides are 1). In float32 the result equals
// float32(f(float64(x), float64(y))): +, -, · and / of two float32 values
// computed in float64 and rounded once are correctly rounded.
func arithRow[T float](k arith, dst, a, b []T, la, lb int, f func(x, y float64) float64) {
	n := len(dst)
	switch {
	case k != arithNone && la == 1 && lb == 1:
		kernels.Arith(int(k-arithAdd)+kernels.Add, dst, a, b) // float32 in AVX2 when available
	case k != arithNone && la == 1 && lb == 0:
		a = a[:n]
		y := b[0]
		switch k {
		case arithAdd:
			for j := range dst {
				dst[j] = a[j] + y
			}
		case arithSub:
			for j := range dst {
				dst[j] = a[j] - y
			}
		case arithMul:
			for j := range dst {
				dst[j] = a[j] * y
			}
		case arithDiv:
			for j := range dst {
				dst[j] = a[j] / y
			}
		}
	case k != arithNone && la == 0 && lb == 1:
		b = b[:n]
		x := a[0]
		switch k {
		case arithAdd:
			for j := range dst {
				dst[j] = x + b[j]
			}
		case arithSub:
			for j := range dst {
				dst[j] = x - b[j]
			}
		case arithMul:
			for j := range dst {
				dst[j] = x * b[j]
			}
		case arithDiv:
			for j := range dst {
				dst[j] = x / b[j]
			}
		}
	default:
		for j := range dst {
			dst[j] = T(f(float64(a[j*la]), float64(b[j*lb])))
		}
	}
}

// walkRows calls f(i, o1, o2, n) for every row along the last dim of shape:
// i is the flat index of the row's first element, o1 and o2 its offsets under
// strides s1 and s2, n the row length. A 0-d shape is one row of length 1.
func walkRows(shape, s1, s2 []int, f func(i, o1, o2, n int)) {
	total := numelOf(shape)
	if total == 0 {
		return
	}
	d := len(shape)
	if d == 0 {
		f(0, 0, 0, 1)
		return
	}
	last := shape[d-1]
	idx := make([]int, d)
	o1, o2 := 0, 0
	for i := 0; i < total; i += last {
		f(i, o1, o2, last)
		for k := d - 2; k >= 0; k-- {
			idx[k]++
			o1 += s1[k]
			o2 += s2[k]
			if idx[k] < shape[k] {
				break
			}
			o1 -= s1[k] * shape[k]
			o2 -= s2[k] * shape[k]
			idx[k] = 0
		}
	}
}

// Add returns t + o, broadcasting.
// It panics with a *ShapeError when the shapes do not broadcast.
func (t *Tensor) Add(o *Tensor) *Tensor {
	// ∂t = g, ∂o = g
	return binaryArith("Add", arithAdd, t, o, func(x, y float64) float64 { return x + y },
		func(a, b, out, g *Tensor) (*Tensor, *Tensor) { return g, g })
}

// Sub returns t - o, broadcasting.
// It panics with a *ShapeError when the shapes do not broadcast.
func (t *Tensor) Sub(o *Tensor) *Tensor {
	// ∂t = g, ∂o = -g
	return binaryArith("Sub", arithSub, t, o, func(x, y float64) float64 { return x - y },
		func(a, b, out, g *Tensor) (*Tensor, *Tensor) { return g, g.Neg() })
}

// Mul returns t * o elementwise, broadcasting.
// It panics with a *ShapeError when the shapes do not broadcast.
func (t *Tensor) Mul(o *Tensor) *Tensor {
	// ∂t = g·o, ∂o = g·t
	return binaryArith("Mul", arithMul, t, o, func(x, y float64) float64 { return x * y },
		func(a, b, out, g *Tensor) (*Tensor, *Tensor) { return g.Mul(b), g.Mul(a) })
}

// Div returns t / o elementwise, broadcasting.
// It panics with a *ShapeError when the shapes do not broadcast.
func (t *Tensor) Div(o *Tensor) *Tensor {
	// ∂t = g/o, ∂o = -g·t/o²
	return binaryArith("Div", arithDiv, t, o, func(x, y float64) float64 { return x / y },
		func(a, b, out, g *Tensor) (*Tensor, *Tensor) {
			return g.Div(b), g.Mul(out).Div(b).Neg()
		})
}

// Pow returns t raised to the power o elementwise, broadcasting.
// A negative base with a non-integer exponent gives NaN, as in PyTorch.
// It panics with a *ShapeError when the shapes do not broadcast.
func (t *Tensor) Pow(o *Tensor) *Tensor {
	// ∂t = g·o·t^(o-1) (0 where o = 0), ∂o = g·tᵒ·ln t (0 where t = 0 and o ≥ 0),
	// the conventions of PyTorch's pow_backward.
	return binary("Pow", t, o, math.Pow, func(a, b, out, g *Tensor) (*Tensor, *Tensor) {
		ga := Where(b.EqScalar(0), ZerosLike(g), g.Mul(b).Mul(a.Pow(b.SubScalar(1))))
		gb := Where(a.EqScalar(0).Mul(b.GeScalar(0)), ZerosLike(g), g.Mul(out).Mul(a.Log()))
		return ga, gb
	})
}

// Maximum returns the elementwise maximum of t and o, broadcasting. NaN in
// either operand gives NaN. Where they are equal, each gets half the gradient
// (as in PyTorch).
// It panics with a *ShapeError when the shapes do not broadcast.
func (t *Tensor) Maximum(o *Tensor) *Tensor {
	// ∂t = g·[t>o] + g/2·[t=o], ∂o = g·[t<o] + g/2·[t=o]
	return binary("Maximum", t, o, nanMax, func(a, b, out, g *Tensor) (*Tensor, *Tensor) {
		half := a.Eq(b).MulScalar(0.5)
		return maskGrad(g, a.Gt(b).Add(half)), maskGrad(g, a.Lt(b).Add(half))
	})
}

// Minimum returns the elementwise minimum of t and o, broadcasting. NaN in
// either operand gives NaN. Where they are equal, each gets half the gradient
// (as in PyTorch).
// It panics with a *ShapeError when the shapes do not broadcast.
func (t *Tensor) Minimum(o *Tensor) *Tensor {
	// ∂t = g·[t<o] + g/2·[t=o], ∂o = g·[t>o] + g/2·[t=o]
	return binary("Minimum", t, o, nanMin, func(a, b, out, g *Tensor) (*Tensor, *Tensor) {
		half := a.Eq(b).MulScalar(0.5)
		return maskGrad(g, a.Lt(b).Add(half)), maskGrad(g, a.Gt(b).Add(half))
	})
}

// maskGrad returns g·w with w broadcast to g, and 0 wherever w is 0 even
// when g is infinite or NaN: the backward of a selection (Where, Clamp,
// Maximum, Minimum) passes no gradient to the elements it did not select,
// as PyTorch's where/masked_fill formulas do.
func maskGrad(g, w *Tensor) *Tensor {
	return binary("maskGrad", g, w, func(x, y float64) float64 {
		if y == 0 {
			return 0
		}
		return x * y
	}, func(_, w, _, g *Tensor) (*Tensor, *Tensor) { return maskGrad(g, w), nil }) // ∂g = maskGrad(g', w)
}

func nanMax(x, y float64) float64 {
	if x > y || x != x {
		return x
	}
	return y
}

func nanMin(x, y float64) float64 {
	if x < y || x != x {
		return x
	}
	return y
}

// apply returns f applied to every element of t, without recording: the
// forward loop of unary, and a helper for backward formulas.
func apply(t *Tensor, f func(x float64) float64) *Tensor {
	out := uninit(t.dtype, t.shape)
	if t.dtype == Float64 {
		chunks(len(out.f64), func(lo, hi int) {
			for i, v := range t.f64[lo:hi] {
				out.f64[lo+i] = f(v)
			}
		})
	} else {
		chunks(len(out.f32), func(lo, hi int) {
			for i, v := range t.f32[lo:hi] {
				out.f32[lo+i] = float32(f(float64(v)))
			}
		})
	}
	return out
}

// unary applies f elementwise. grad returns the input's gradient given the
// input x, the output y and the upstream gradient g; nil marks the op as not
// differentiable.
func unary(op string, t *Tensor, f func(x float64) float64, grad func(x, y, g *Tensor) *Tensor) *Tensor {
	needTensors(op, recvOnly, t)
	return unaryRecord(op, t, apply(t, f), grad)
}

// unaryVec is unary whose float32 forward is the loop k over slices: one
// of the kernels' vector loops (within the error bound its doc states), or
// a float32 loop of its own that gives the bits f in float64 rounded to
// float32 would, without a call per element; float64 keeps f.
func unaryVec(op string, t *Tensor, f func(x float64) float64, k func(dst, src []float32), grad func(x, y, g *Tensor) *Tensor) *Tensor {
	needTensors(op, recvOnly, t)
	return unaryRecord(op, t, applyVec(t, f, k), grad)
}

// applyVec is apply with the float32 loop k, as in unaryVec.
func applyVec(t *Tensor, f func(x float64) float64, k func(dst, src []float32)) *Tensor {
	if t.dtype != Float32 {
		return apply(t, f)
	}
	out := uninit(Float32, t.shape)
	chunks(len(out.f32), func(lo, hi int) { k(out.f32[lo:hi], t.f32[lo:hi]) })
	return out
}

// unaryRecord records out = op(t) with grad as in unary; ops with their own
// forward loop (ReLU) use it to keep one recording path.
func unaryRecord(op string, t, out *Tensor, grad func(x, y, g *Tensor) *Tensor) *Tensor {
	var bw backwardFn
	if grad != nil && t.requiresGrad { // else record drops it: no closure to allocate
		bw = func(g *Tensor) []*Tensor { return []*Tensor{grad(t, out, g)} }
	}
	return record(op, out, bw, t)
}

// Neg returns -t.
func (t *Tensor) Neg() *Tensor {
	// ∂t = -g
	return unaryVec("Neg", t, func(x float64) float64 { return -x }, func(dst, src []float32) {
		dst = dst[:len(src)]
		for i, v := range src {
			dst[i] = -v
		}
	}, func(x, y, g *Tensor) *Tensor { return g.MulScalar(-1) })
}

// Exp returns eᵗ elementwise (float32: a vectorized polynomial within 1.02
// ulp of the exact result).
func (t *Tensor) Exp() *Tensor {
	// ∂t = g·eᵗ
	return unaryVec("Exp", t, math.Exp, kernels.Exp32, func(x, y, g *Tensor) *Tensor { return g.Mul(y) })
}

// MulScalar returns t·s.
func (t *Tensor) MulScalar(s float64) *Tensor {
	// ∂t = g·s
	needTensors("MulScalar", recvOnly, t)
	grad := func(x, y, g *Tensor) *Tensor { return g.MulScalar(s) }
	if t.dtype == Float32 {
		// apply's float32 arithmetic without its call per element (the
		// attention's scaling of q and its gradient): the product in
		// float64, rounded once, in AVX2 where the CPU has it
		out := uninit(Float32, t.shape)
		chunks(len(out.f32), func(lo, hi int) {
			kernels.MulScalar32(out.f32[lo:hi], t.f32[lo:hi], s)
		})
		return unaryRecord("MulScalar", t, out, grad)
	}
	return unary("MulScalar", t, func(x float64) float64 { return x * s }, grad)
}

// AddScalar returns t + s.
func (t *Tensor) AddScalar(s float64) *Tensor {
	// ∂t = g
	return unaryVec("AddScalar", t, func(x float64) float64 { return x + s }, func(dst, src []float32) {
		dst = dst[:len(src)]
		for i, v := range src {
			dst[i] = float32(float64(v) + s) // the float64 sum rounded, as f's
		}
	}, func(x, y, g *Tensor) *Tensor { return g })
}

// SubScalar returns t - s.
func (t *Tensor) SubScalar(s float64) *Tensor {
	// ∂t = g
	return unaryVec("SubScalar", t, func(x float64) float64 { return x - s }, func(dst, src []float32) {
		dst = dst[:len(src)]
		for i, v := range src {
			dst[i] = float32(float64(v) - s)
		}
	}, func(x, y, g *Tensor) *Tensor { return g })
}

// DivScalar returns t / s.
func (t *Tensor) DivScalar(s float64) *Tensor {
	// ∂t = g/s
	return unaryVec("DivScalar", t, func(x float64) float64 { return x / s }, func(dst, src []float32) {
		dst = dst[:len(src)]
		for i, v := range src {
			dst[i] = float32(float64(v) / s)
		}
	}, func(x, y, g *Tensor) *Tensor { return g.DivScalar(s) })
}

// PowScalar returns tᵖ elementwise. A negative base with a non-integer p
// gives NaN, as in PyTorch. Float32 with p = 0.5 is the square root, as in
// PyTorch (−0 at −0, NaN at −Inf); float64 keeps math.Pow's +0 and +Inf
// there.
func (t *Tensor) PowScalar(p float64) *Tensor {
	// ∂t = g·p·t^(p-1); 0 when p = 0 (PyTorch's convention, also at t = 0)
	return unaryVec("PowScalar", t, func(x float64) float64 { return math.Pow(x, p) }, func(dst, src []float32) {
		dst = dst[:len(src)]
		switch p {
		case 2: // x² of a float32 is exact in float64: the same bits as Pow's
			for i, v := range src {
				dst[i] = v * v
			}
			return
		case 0.5: // the square root, as PyTorch's float32 (−0 at −0, NaN at −Inf)
			for i, v := range src {
				dst[i] = float32(math.Sqrt(float64(v)))
			}
			return
		}
		for i, v := range src {
			dst[i] = float32(math.Pow(float64(v), p))
		}
	}, func(x, y, g *Tensor) *Tensor {
		if p == 0 {
			return ZerosLike(g)
		}
		return g.Mul(x.PowScalar(p - 1)).MulScalar(p)
	})
}

// Abs returns |t| elementwise.
func (t *Tensor) Abs() *Tensor {
	// ∂t = g·sign(t), with sign(0) = 0
	return unaryVec("Abs", t, math.Abs, func(dst, src []float32) {
		dst = dst[:len(src)]
		for i, v := range src {
			dst[i] = math.Float32frombits(math.Float32bits(v) &^ (1 << 31))
		}
	}, func(x, y, g *Tensor) *Tensor {
		return g.Mul(applyVec(x, sign, sign32))
	})
}

// sign32 is sign's float32 loop.
func sign32(dst, src []float32) {
	dst = dst[:len(src)]
	for i, v := range src {
		switch {
		case v > 0:
			dst[i] = 1
		case v < 0:
			dst[i] = -1
		case v == 0:
			dst[i] = 0
		default:
			dst[i] = v // NaN
		}
	}
}

func sign(x float64) float64 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	case x == 0:
		return 0
	}
	return x // NaN
}

// Log returns the natural logarithm elementwise (-Inf at 0, NaN below 0;
// float32: a vectorized polynomial within 0.83 ulp of the exact result).
func (t *Tensor) Log() *Tensor {
	// ∂t = g/t
	return unaryVec("Log", t, math.Log, kernels.Log32, func(x, y, g *Tensor) *Tensor { return g.Div(x) })
}

// Sqrt returns the square root elementwise (NaN below 0).
func (t *Tensor) Sqrt() *Tensor {
	// ∂t = g/(2√t)
	return unaryVec("Sqrt", t, math.Sqrt, func(dst, src []float32) {
		dst = dst[:len(src)]
		for i, v := range src {
			dst[i] = float32(math.Sqrt(float64(v))) // correctly rounded twice: the float32 square root
		}
	}, func(x, y, g *Tensor) *Tensor { return g.Div(y).MulScalar(0.5) })
}

// Square returns t² elementwise.
func (t *Tensor) Square() *Tensor {
	// ∂t = 2·g·t
	return unaryVec("Square", t, func(x float64) float64 { return x * x }, func(dst, src []float32) {
		dst = dst[:len(src)]
		for i, v := range src {
			dst[i] = v * v // exact in float64: the same bits
		}
	}, func(x, y, g *Tensor) *Tensor { return g.Mul(x).MulScalar(2) })
}

// Sin returns sin t elementwise.
func (t *Tensor) Sin() *Tensor {
	// ∂t = g·cos t
	return unary("Sin", t, math.Sin, func(x, y, g *Tensor) *Tensor { return g.Mul(x.Cos()) })
}

// Cos returns cos t elementwise.
func (t *Tensor) Cos() *Tensor {
	// ∂t = -g·sin t
	return unary("Cos", t, math.Cos, func(x, y, g *Tensor) *Tensor { return g.Mul(x.Sin()).Neg() })
}

// Tanh returns tanh t elementwise (float32: a vectorized polynomial within
// 1.34 ulp of the exact result).
func (t *Tensor) Tanh() *Tensor {
	// ∂t = g·(1 - y²)
	return unaryVec("Tanh", t, math.Tanh, kernels.Tanh32, func(x, y, g *Tensor) *Tensor {
		if creatingGraph() {
			return g.Mul(y.Square().Neg().AddScalar(1))
		}
		return gradFromOutput(g, y, tanhGrad[float32], tanhGrad[float64])
	})
}

// gradFromOutput returns a unary op's input gradient computed from g and
// the op's output y by one loop (f32 or f64 by dtype) in place of a chain of
// ops, each with its own pass and buffer; it writes into g's buffer when
// the backward loop allows.
func gradFromOutput(g, y *Tensor, f32 func(dst, g, y []float32), f64 func(dst, g, y []float64)) *Tensor {
	gx := reuse(g) // element i of g is read only to write element i
	chunks(g.Numel(), func(lo, hi int) {
		if g.dtype == Float64 {
			f64(gx.f64[lo:hi], g.f64[lo:hi], y.f64[lo:hi])
		} else {
			f32(gx.f32[lo:hi], g.f32[lo:hi], y.f32[lo:hi])
		}
	})
	return gx
}

// tanhGrad sets dst = g·(1 - y²), as PyTorch's tanh_backward.
func tanhGrad[T float](dst, g, y []T) {
	g, y = g[:len(dst)], y[:len(dst)]
	for i := range dst {
		dst[i] = g[i] * (1 - y[i]*y[i])
	}
}

// sigmoidGrad sets dst = g·(1 - y)·y, as PyTorch's sigmoid_backward.
func sigmoidGrad[T float](dst, g, y []T) {
	g, y = g[:len(dst)], y[:len(dst)]
	for i := range dst {
		dst[i] = g[i] * (1 - y[i]) * y[i]
	}
}

// Sigmoid returns 1/(1+e⁻ᵗ) elementwise, computed without overflow for large
// |t| (float32: vectorized, within 2.41 ulp of the exact result).
func (t *Tensor) Sigmoid() *Tensor {
	// ∂t = g·y·(1 - y)
	return unaryVec("Sigmoid", t, sigmoid, kernels.Sigmoid32, func(x, y, g *Tensor) *Tensor {
		if creatingGraph() {
			return g.Mul(y.Mul(y.Neg().AddScalar(1)))
		}
		return gradFromOutput(g, y, sigmoidGrad[float32], sigmoidGrad[float64])
	})
}

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// ReLU returns max(t, 0) elementwise. Its gradient at 0 is 0, as in PyTorch.
func (t *Tensor) ReLU() *Tensor {
	out := uninit(t.dtype, t.shape)
	chunks(t.Numel(), func(lo, hi int) {
		if t.dtype == Float64 {
			reluKernel(out.f64[lo:hi], t.f64[lo:hi])
		} else {
			kernels.ReLU32(out.f32[lo:hi], t.f32[lo:hi]) // AVX2 when available
		}
	})
	// ∂t = g where t > 0, else 0 (a select, not g·mask: an infinite g stays
	// out). The result is > 0 exactly where t is (a zero, a negative or a NaN
	// gives none of them), so the backward reads the result, as PyTorch's
	// threshold_backward does: the next layer's backward has just read it
	// (∂w = gᵀ·y), while t was last read in the forward.
	return unaryRecord("ReLU", t, out, func(x, y, g *Tensor) *Tensor {
		if creatingGraph() {
			return maskGrad(g, x.GtScalar(0))
		}
		gx := reuse(g) // element i of g is read only to write element i
		chunks(y.Numel(), func(lo, hi int) {
			if y.dtype == Float64 {
				for i, v := range y.f64[lo:hi] {
					gx.f64[lo+i] = math.Float64frombits(math.Float64bits(g.f64[lo+i]) & -uint64(b2i(v > 0)))
				}
			} else {
				kernels.ReLUGrad32(gx.f32[lo:hi], y.f32[lo:hi], g.f32[lo:hi])
			}
		})
		return gx
	})
}

// reluKernel is ReLU's specialized loop. The builtin max is branch-free (a
// branch mispredicts on every other element of random data) and keeps NaN.
func reluKernel[T float](dst, src []T) {
	src = src[:len(dst)]
	for i, v := range src {
		dst[i] = max(v, 0)
	}
}

// LeakyReLU returns t where t > 0 and slope·t elsewhere (PyTorch's default
// slope is 0.01). Its gradient at 0 is slope, as in PyTorch.
func (t *Tensor) LeakyReLU(slope float64) *Tensor {
	// ∂t = g·(t > 0 ? 1 : slope)
	return unaryVec("LeakyReLU", t, func(x float64) float64 {
		if x > 0 {
			return x
		}
		return x * slope
	}, func(dst, src []float32) {
		dst = dst[:len(src)]
		if slope >= 0 && slope <= 1 {
			// the larger of x and x·slope, without a branch that random
			// signs mispredict: the same bits (−0·slope is −0, and NaN stays)
			for i, v := range src {
				dst[i] = max(v, float32(float64(v)*slope))
			}
			return
		}
		for i, v := range src {
			if v > 0 {
				dst[i] = v
			} else {
				dst[i] = float32(float64(v) * slope)
			}
		}
	}, func(x, y, g *Tensor) *Tensor {
		s32 := float32(slope)
		return g.Mul(applyVec(x, func(v float64) float64 {
			if v > 0 {
				return 1
			}
			return slope
		}, func(dst, src []float32) {
			dst = dst[:len(src)]
			for i, v := range src {
				dst[i] = s32
				if v > 0 {
					dst[i] = 1
				}
			}
		}))
	})
}

// GELU returns t·Φ(t), Φ the standard normal CDF, in the exact erf form
// (PyTorch's default, approximate='none'); float32: vectorized exponentials
// and a polynomial, within 7.77 ulp of the exact result.
func (t *Tensor) GELU() *Tensor {
	// ∂t = g·(Φ(t) + t·φ(t)), φ the standard normal density
	return unaryVec("GELU", t, func(x float64) float64 { return x * normCDF(x) }, kernels.GELU32,
		func(x, y, g *Tensor) *Tensor {
			if creatingGraph() { // recorded, for a second derivative
				return g.Mul(geluGrad(x))
			}
			if x.dtype == Float32 {
				gx := reuse(g) // element i of g is read only to write element i
				chunks(x.Numel(), func(lo, hi int) { kernels.GELUGrad32(gx.f32[lo:hi], g.f32[lo:hi], x.f32[lo:hi]) })
				return gx
			}
			return g.Mul(apply(x, geluDeriv))
		})
}

func geluDeriv(v float64) float64 { return normCDF(v) + v*normPDF(v) }

func normPDF(v float64) float64 { return math.Exp(-v*v/2) / math.Sqrt(2*math.Pi) }

// geluGrad is GELU's derivative Φ(t) + t·φ(t) as a recorded op, for GELU's
// backward under Grad with CreateGraph. Its own derivative, φ(t)·(2 − t²),
// is a raw loop: a third derivative through GELU stops here, with an error
// naming geluGrad.
func geluGrad(t *Tensor) *Tensor {
	// ∂t = g·φ(t)·(2 − t²)
	return unary("geluGrad", t, geluDeriv, func(x, y, g *Tensor) *Tensor {
		return g.Mul(apply(x, func(v float64) float64 { return normPDF(v) * (2 - v*v) }))
	})
}

func normCDF(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }

// Clamp limits every element to [lo, hi] (NaN stays NaN; when lo > hi every
// element becomes hi, as in PyTorch). Pass math.Inf(±1) for a one-sided clamp.
// The gradient is 0 where t is outside [lo, hi] and passes at the bounds.
func (t *Tensor) Clamp(lo, hi float64) *Tensor {
	// ∂t = g·[lo ≤ t ≤ hi]
	// float32 compares with the bounds rounded to float32, as PyTorch does:
	// the forward gives the bits of f's result rounded (x < lo selects the
	// same elements as x < float32(lo), or gives float32(lo) either way;
	// likewise hi); the gradient's mask passes an x equal to a bound that
	// rounding moved past it
	lo32, hi32 := float32(lo), float32(hi)
	return unaryVec("Clamp", t, func(x float64) float64 {
		if x < lo {
			x = lo
		}
		if x > hi {
			x = hi
		}
		return x
	}, func(dst, src []float32) {
		dst = dst[:len(src)]
		if lo32 != 0 && hi32 != 0 && lo32 == lo32 && hi32 == hi32 {
			// without branches that random data mispredicts: the same bits
			// (the builtins differ from the comparisons only at a zero or NaN
			// bound)
			for i, v := range src {
				dst[i] = min(max(v, lo32), hi32)
			}
			return
		}
		for i, v := range src {
			if v < lo32 {
				v = lo32
			}
			if v > hi32 {
				v = hi32
			}
			dst[i] = v
		}
	}, func(x, y, g *Tensor) *Tensor {
		return maskGrad(g, applyVec(x, func(v float64) float64 {
			if v >= lo && v <= hi {
				return 1
			}
			return 0
		}, func(dst, src []float32) {
			dst = dst[:len(src)]
			for i, v := range src {
				dst[i] = 0
				if v >= lo32 && v <= hi32 {
					dst[i] = 1
				}
			}
		}))
	})
}

// creatingGraph reports, inside a backward closure, whether Grad runs it
// with CreateGraph: only then does gradient recording stay on. A backward
// with a fast loop of its own (a function of the input computed by apply,
// or a kernel) builds its result from recorded ops instead, so that the
// gradient can be differentiated again.
func creatingGraph() bool { return GradEnabled() }

// SiLU returns t·σ(t) elementwise (also called swish), as torch.nn.functional.silu.
func (t *Tensor) SiLU() *Tensor {
	// ∂t = g·σ(t)·(1 + t·(1 - σ(t)))
	return unaryVec("SiLU", t, func(x float64) float64 { return x * sigmoid(x) }, silu32, func(x, y, g *Tensor) *Tensor {
		if creatingGraph() {
			s := x.Sigmoid()
			return g.Mul(s.Mul(x.Mul(s.Neg().AddScalar(1)).AddScalar(1)))
		}
		if x.dtype == Float32 {
			gx := reuse(g) // element i of g is read only to write element i
			chunks(x.Numel(), func(lo, hi int) { siluGrad32(gx.f32[lo:hi], g.f32[lo:hi], x.f32[lo:hi]) })
			return gx
		}
		return g.Mul(apply(x, func(v float64) float64 { s := sigmoid(v); return s * (1 + v*(1-s)) }))
	})
}

// silu32 sets dst = x·σ(x), σ by kernels.Sigmoid32; below x = −87, where
// σ(x) is denormal and x·σ(x) would multiply its few bits (−1.46e-43 at
// −103.9 for −7.3e-44), in float64 rounded once instead (a rare path).
func silu32(dst, x []float32) {
	kernels.Sigmoid32(dst, x)
	kernels.Arith(kernels.Mul, dst, x, dst)
	for i, v := range x {
		if v < siluTail {
			dst[i] = float32(float64(v) * sigmoid(float64(v)))
		}
	}
}

// siluTail is where σ(x) of a float32 x turns denormal (−87.34), rounded up.
const siluTail = -87

// siluGrad32 sets dst = g·σ(x)·(1 + x·(1 − σ(x))), σ by kernels.Sigmoid32,
// below siluTail by siluGradTail32 (dst may be g).
func siluGrad32(dst, g, x []float32) {
	var s [256]float32
	for lo := 0; lo < len(x); lo += len(s) {
		n := min(len(s), len(x)-lo)
		kernels.Sigmoid32(s[:n], x[lo:lo+n])
		for i, si := range s[:n] {
			v := x[lo+i]
			if v < siluTail {
				dst[lo+i] = siluGradTail32(g[lo+i], v)
				continue
			}
			dst[lo+i] = g[lo+i] * (si * (1 + v*(1-si)))
		}
	}
}

// siluGradTail32 is g·σ(x)·(1 + x·(1 − σ(x))) below siluTail, where σ(x)
// is denormal: in float64, rounded once.
func siluGradTail32(g, x float32) float32 {
	s := sigmoid(float64(x))
	return float32(float64(g) * (s * (1 + float64(x)*(1-s))))
}

// Softplus returns log(1 + e^(beta·t))/beta elementwise, and t itself where
// beta·t > threshold (for stability), as torch.nn.functional.softplus(t,
// beta, threshold); PyTorch's defaults are beta 1 and threshold 20.
// Float32 computes beta·t in float32 (beta and threshold rounded to float32,
// as PyTorch does) and the rest with vectorized exp and log, within 2.82 ulp
// before the division by beta. It panics with an *Error when beta is 0.
func (t *Tensor) Softplus(beta, threshold float64) *Tensor {
	if beta == 0 {
		errorf("Softplus", "beta must be non-zero (PyTorch's default is 1)")
	}
	// ∂t = g·σ(beta·t), and g where beta·t > threshold
	return unaryVec("Softplus", t, func(x float64) float64 {
		if x*beta > threshold {
			return x
		}
		return math.Log1p(math.Exp(x*beta)) / beta
	}, func(dst, src []float32) { kernels.Softplus32(dst, src, float32(beta), float32(threshold)) }, func(x, y, g *Tensor) *Tensor {
		if creatingGraph() {
			bx := x.MulScalar(beta)
			return Where(bx.GtScalar(threshold), g, g.Mul(bx.Sigmoid()))
		}
		if x.dtype == Float32 {
			gx := reuse(g) // element i of g is read only to write element i
			chunks(x.Numel(), func(lo, hi int) {
				softplusGrad32(gx.f32[lo:hi], g.f32[lo:hi], x.f32[lo:hi], float32(beta), float32(threshold))
			})
			return gx
		}
		return g.Mul(apply(x, func(v float64) float64 {
			if v*beta > threshold {
				return 1
			}
			return sigmoid(v * beta)
		}))
	})
}

// softplusGrad32 sets dst = g·σ(β·x), and g where β·x > threshold, in
// float32 as PyTorch's softplus_backward, σ by kernels.Sigmoid32 (dst may
// be g).
func softplusGrad32(dst, g, x []float32, beta, threshold float32) {
	var s [256]float32
	for lo := 0; lo < len(x); lo += len(s) {
		n := min(len(s), len(x)-lo)
		for i, v := range x[lo : lo+n] {
			s[i] = v * beta
		}
		kernels.Sigmoid32(s[:n], s[:n])
		for i, si := range s[:n] {
			if x[lo+i]*beta > threshold {
				si = 1
			}
			dst[lo+i] = g[lo+i] * si
		}
	}
}

// ELU returns t where t > 0 and alpha·(eᵗ - 1) elsewhere, as
// torch.nn.functional.elu(t, alpha) (PyTorch's default alpha is 1).
// Float32 rounds alpha to float32, as PyTorch does, and computes eᵗ - 1
// vectorized, within 1.32 ulp before the product by alpha.
func (t *Tensor) ELU(alpha float64) *Tensor {
	// ∂t = g where t > 0, else g·alpha·eᵗ = g·(y + alpha)
	return unaryVec("ELU", t, func(x float64) float64 {
		if x > 0 {
			return x
		}
		return alpha * math.Expm1(x)
	}, func(dst, src []float32) { kernels.ELU32(dst, src, float32(alpha)) }, func(x, y, g *Tensor) *Tensor {
		if creatingGraph() {
			return Where(x.GtScalar(0), g, g.Mul(y.AddScalar(alpha)))
		}
		if x.dtype == Float32 {
			gx := reuse(g) // element i of g is read only to write element i
			chunks(x.Numel(), func(lo, hi int) { eluGrad32(gx.f32[lo:hi], g.f32[lo:hi], x.f32[lo:hi], float32(alpha)) })
			return gx
		}
		return g.Mul(apply(x, func(v float64) float64 {
			if v > 0 {
				return 1
			}
			return alpha * math.Exp(v)
		}))
	})
}

// eluGrad32 sets dst = g where x > 0 and (g·α)·eˣ elsewhere, in float32 as
// PyTorch's elu_backward, eˣ by kernels.Exp32 (dst may be g).
func eluGrad32(dst, g, x []float32, alpha float32) {
	var e [256]float32
	for lo := 0; lo < len(x); lo += len(e) {
		n := min(len(e), len(x)-lo)
		kernels.Exp32(e[:n], x[lo:lo+n])
		for i, ei := range e[:n] {
			if x[lo+i] > 0 {
				dst[lo+i] = g[lo+i]
			} else {
				dst[lo+i] = (g[lo+i] * alpha) * ei // PyTorch's order
			}
		}
	}
}

// Log1p returns log(1 + t) elementwise, accurate for small t.
func (t *Tensor) Log1p() *Tensor {
	// ∂t = g/(1 + t)
	return unary("Log1p", t, math.Log1p, func(x, y, g *Tensor) *Tensor { return g.Div(x.AddScalar(1)) })
}

// Floor returns the largest whole number <= each element. Its gradient is 0,
// as in PyTorch.
func (t *Tensor) Floor() *Tensor {
	return unaryVec("Floor", t, math.Floor, func(dst, src []float32) {
		dst = dst[:len(src)]
		for i, v := range src {
			dst[i] = float32(math.Floor(float64(v))) // exact
		}
	}, zeroGrad)
}

// Round returns each element rounded to the nearest whole number, halves to
// even (as torch.round: 0.5 → 0, 1.5 → 2). Its gradient is 0, as in PyTorch.
func (t *Tensor) Round() *Tensor {
	return unaryVec("Round", t, math.RoundToEven, func(dst, src []float32) {
		dst = dst[:len(src)]
		for i, v := range src {
			dst[i] = float32(math.RoundToEven(float64(v))) // exact
		}
	}, zeroGrad)
}

// Sign returns -1, 0 or 1 by the sign of each element (NaN stays NaN). Its
// gradient is 0, as in PyTorch.
func (t *Tensor) Sign() *Tensor {
	return unaryVec("Sign", t, sign, sign32, zeroGrad)
}

// zeroGrad is the backward of a piecewise constant op: zeros, recorded as a
// function of g (maskGrad) so that Grad with CreateGraph can go on through it.
func zeroGrad(x, y, g *Tensor) *Tensor { return maskGrad(g, ZerosLike(g)) }

// To returns t converted to dtype (t itself when it already has that dtype).
// The conversion is differentiable.
func (t *Tensor) To(dtype DType) *Tensor {
	if t.dtype == dtype {
		return t
	}
	out := uninit(dtype, t.shape)
	if dtype == Float64 {
		for i, v := range t.f32 {
			out.f64[i] = float64(v)
		}
	} else {
		for i, v := range t.f64 {
			out.f32[i] = float32(v)
		}
	}
	from := t.dtype
	op := "ToFloat32" // named after the methods Float32 and Float64
	if dtype == Float64 {
		op = "ToFloat64"
	}
	return record(op, out, func(g *Tensor) []*Tensor { return []*Tensor{g.To(from)} }, t)
}

// Float32 returns t converted to float32.
func (t *Tensor) Float32() *Tensor { return t.To(Float32) }

// Float64 returns t converted to float64.
func (t *Tensor) Float64() *Tensor { return t.To(Float64) }
