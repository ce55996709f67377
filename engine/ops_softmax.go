package engine

import "math"

// Softmax and LogSoftmax have hand-written forward and backward kernels
// instead of being composed of Exp, Sum and Div:
//   - numerics: the forward subtracts each slice's maximum before exp, so
//     inputs like 1000 do not overflow, and LogSoftmax is x - max - log Σ exp(x - max)
//     rather than log(softmax), which would give -Inf for tiny probabilities;
//   - speed and memory: the composed graph would keep four intermediate
//     tensors and run six ops per backward; the fused backward is one pass
//     over the saved output.

// Softmax returns exp(t) / Σ exp(t) along dim, so that every slice along dim
// sums to 1. A slice that is all -Inf gives NaN, as in PyTorch.
// It panics with a *ShapeError for a bad dim.
func (t *Tensor) Softmax(dim int) *Tensor { return t.softmax("Softmax", dim, false) }

// LogSoftmax returns log(Softmax(dim)), computed as t - m - log Σ exp(t - m)
// with m the slice's maximum, finite even where the probability underflows.
// It panics with a *ShapeError for a bad dim.
func (t *Tensor) LogSoftmax(dim int) *Tensor { return t.softmax("LogSoftmax", dim, true) }

func (t *Tensor) softmax(op string, dim int, log bool) *Tensor {
	d := normDim(op, dim, len(t.shape), t.shape)
	outer, n, inner := splitAt(t.shape, d)
	out := uninit(t.dtype, t.shape)
	if t.dtype == Float64 {
		softmaxForward(out.f64, t.f64, outer, n, inner, log)
	} else {
		softmaxForward(out.f32, t.f32, outer, n, inner, log)
	}
	return record(op, out, func(g *Tensor) []*Tensor {
		gx := uninit(t.dtype, t.shape)
		if t.dtype == Float64 {
			softmaxBackward(gx.f64, g.f64, out.f64, outer, n, inner, log)
		} else {
			softmaxBackward(gx.f32, g.f32, out.f32, outer, n, inner, log)
		}
		return []*Tensor{gx}
	}, t)
}

// softmaxForward writes the (log-)softmax of every slice along the middle dim
// of x, viewed as [outer, n, inner], into y. Sums are accumulated in float64.
func softmaxForward[T float](y, x []T, outer, n, inner int, log bool) {
	done := 0
	for o := 0; o < outer; o++ {
		for j := 0; j < inner; j++ {
			base := o*n*inner + j
			m := math.Inf(-1)
			for k := 0; k < n; k++ {
				if v := float64(x[base+k*inner]); v > m || v != v {
					m = v
				}
			}
			if math.IsInf(m, -1) {
				m = 0 // an all -Inf slice: exp gives 0s and the result NaN, as in PyTorch
			}
			s := 0.0
			for k := 0; k < n; k++ {
				e := math.Exp(float64(x[base+k*inner]) - m)
				if !log {
					y[base+k*inner] = T(e)
				}
				s += e
			}
			if log {
				ls := m + math.Log(s)
				for k := 0; k < n; k++ {
					y[base+k*inner] = T(float64(x[base+k*inner]) - ls)
				}
			} else {
				for k := 0; k < n; k++ {
					y[base+k*inner] = T(float64(y[base+k*inner]) / s)
				}
			}
		}
		if done += n * inner; done >= interruptEvery {
			done = 0
			CheckInterrupt()
		}
	}
}

// softmaxBackward writes the input gradient given the upstream gradient g and
// the saved output y:
//
//	softmax:     ∂x = y·(g - Σ g·y)
//	log-softmax: ∂x = g - exp(y)·Σ g
func softmaxBackward[T float](gx, g, y []T, outer, n, inner int, log bool) {
	for o := 0; o < outer; o++ {
		for j := 0; j < inner; j++ {
			base := o*n*inner + j
			s := 0.0
			for k := 0; k < n; k++ {
				i := base + k*inner
				if log {
					s += float64(g[i])
				} else {
					s += float64(g[i]) * float64(y[i])
				}
			}
			for k := 0; k < n; k++ {
				i := base + k*inner
				if log {
					gx[i] = T(float64(g[i]) - math.Exp(float64(y[i]))*s)
				} else {
					gx[i] = T(float64(y[i]) * (float64(g[i]) - s))
				}
			}
		}
		CheckInterrupt()
	}
}
