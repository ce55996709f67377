package engine

import "math"

// binary applies f elementwise to a and b broadcast together. grad returns the
// gradients of both inputs at the broadcast shape; binary sums them back to
// each input's shape. Mixed dtypes are promoted to Float64.
func binary(op string, a, b *Tensor, f func(x, y float64) float64, grad func(a, b, out, g *Tensor) (ga, gb *Tensor)) *Tensor {
	if a.dtype != b.dtype {
		a, b = a.To(Float64), b.To(Float64)
	}
	shape := broadcastShape(op, a.shape, b.shape)
	out := empty(a.dtype, shape)
	if sameShape(a.shape, b.shape) {
		if a.dtype == Float64 {
			for i := range out.f64 {
				out.f64[i] = f(a.f64[i], b.f64[i])
			}
		} else {
			for i := range out.f32 {
				out.f32[i] = float32(f(float64(a.f32[i]), float64(b.f32[i])))
			}
		}
	} else {
		sa, sb := stridesFor(a.shape, shape), stridesFor(b.shape, shape)
		if a.dtype == Float64 {
			walk(shape, sa, sb, func(i, ia, ib int) { out.f64[i] = f(a.f64[ia], b.f64[ib]) })
		} else {
			walk(shape, sa, sb, func(i, ia, ib int) {
				out.f32[i] = float32(f(float64(a.f32[ia]), float64(b.f32[ib])))
			})
		}
	}
	return record(op, out, func(g *Tensor) []*Tensor {
		ga, gb := grad(a, b, out, g)
		if ga != nil {
			ga = sumTo(ga, a.shape)
		}
		if gb != nil {
			gb = sumTo(gb, b.shape)
		}
		return []*Tensor{ga, gb}
	}, a, b)
}

// Add returns t + o, broadcasting.
func (t *Tensor) Add(o *Tensor) *Tensor {
	// ∂t = g, ∂o = g
	return binary("Add", t, o, func(x, y float64) float64 { return x + y },
		func(a, b, out, g *Tensor) (*Tensor, *Tensor) { return g, g })
}

// Sub returns t - o, broadcasting.
func (t *Tensor) Sub(o *Tensor) *Tensor {
	// ∂t = g, ∂o = -g
	return binary("Sub", t, o, func(x, y float64) float64 { return x - y },
		func(a, b, out, g *Tensor) (*Tensor, *Tensor) { return g, g.Neg() })
}

// Mul returns t * o elementwise, broadcasting.
func (t *Tensor) Mul(o *Tensor) *Tensor {
	// ∂t = g·o, ∂o = g·t
	return binary("Mul", t, o, func(x, y float64) float64 { return x * y },
		func(a, b, out, g *Tensor) (*Tensor, *Tensor) { return g.Mul(b), g.Mul(a) })
}

// Div returns t / o elementwise, broadcasting.
func (t *Tensor) Div(o *Tensor) *Tensor {
	// ∂t = g/o, ∂o = -g·t/o²
	return binary("Div", t, o, func(x, y float64) float64 { return x / y },
		func(a, b, out, g *Tensor) (*Tensor, *Tensor) {
			return g.Div(b), g.Mul(out).Div(b).Neg()
		})
}

// unary applies f elementwise. grad returns the input's gradient given the
// input x, the output y and the upstream gradient g.
func unary(op string, t *Tensor, f func(x float64) float64, grad func(x, y, g *Tensor) *Tensor) *Tensor {
	out := empty(t.dtype, t.shape)
	if t.dtype == Float64 {
		for i, v := range t.f64 {
			out.f64[i] = f(v)
		}
	} else {
		for i, v := range t.f32 {
			out.f32[i] = float32(f(float64(v)))
		}
	}
	var bw backwardFn
	if grad != nil {
		bw = func(g *Tensor) []*Tensor { return []*Tensor{grad(t, out, g)} }
	}
	return record(op, out, bw, t)
}

// Neg returns -t.
func (t *Tensor) Neg() *Tensor {
	// ∂t = -g
	return unary("Neg", t, func(x float64) float64 { return -x },
		func(x, y, g *Tensor) *Tensor { return g.MulScalar(-1) })
}

// Exp returns eᵗ elementwise.
func (t *Tensor) Exp() *Tensor {
	// ∂t = g·eᵗ
	return unary("Exp", t, math.Exp, func(x, y, g *Tensor) *Tensor { return g.Mul(y) })
}

// MulScalar returns t·s.
func (t *Tensor) MulScalar(s float64) *Tensor {
	// ∂t = g·s
	return unary("MulScalar", t, func(x float64) float64 { return x * s },
		func(x, y, g *Tensor) *Tensor { return g.MulScalar(s) })
}

// AddScalar returns t + s.
func (t *Tensor) AddScalar(s float64) *Tensor {
	// ∂t = g
	return unary("AddScalar", t, func(x float64) float64 { return x + s },
		func(x, y, g *Tensor) *Tensor { return g })
}

// To returns t converted to dtype (t itself when it already has that dtype).
// The conversion is differentiable.
func (t *Tensor) To(dtype DType) *Tensor {
	if t.dtype == dtype {
		return t
	}
	out := empty(dtype, t.shape)
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
	return record("To"+dtype.String(), out, func(g *Tensor) []*Tensor { return []*Tensor{g.To(from)} }, t)
}

// Float32 returns t converted to float32.
func (t *Tensor) Float32() *Tensor { return t.To(Float32) }

// Float64 returns t converted to float64.
func (t *Tensor) Float64() *Tensor { return t.To(Float64) }
