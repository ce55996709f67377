package engine

import (
	"fmt"
	"math"
	"slices"
)

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

// CrossEntropy returns the loss of each row of logits [N, C] against its
// class index target[i]: −log softmax(logits)[i, target[i]], as
// torch.nn.functional.cross_entropy with reduction='none'; the result is
// [N]. nn.CrossEntropyLoss adds the reductions, class weights and label
// smoothing on top.
//
// It is LogSoftmax(1) and picking one column fused into one op: the forward
// keeps only each row's log-sum-exp, and the backward writes
// g[i]·(softmax(logits)[i] − onehot(target[i])) in one pass, without the [N,
// C] log-probabilities and their gradient that the two ops would store. The
// values are those of logits.LogSoftmax(1).Gather(1, t).Neg(), bit for bit.
// It panics with a *ShapeError when logits is not 2-d or target does not
// have N entries, and with an *Error for an index outside [0, C).
func CrossEntropy(logits *Tensor, target []int) *Tensor {
	if len(logits.shape) != 2 || len(target) != logits.shape[0] {
		hint := "logits are [batch, classes] with one class index per row"
		if len(logits.shape) == 1 {
			hint = "for one sample use logits.Unsqueeze(0)"
		}
		shapeErr("CrossEntropy", fmt.Sprintf("logits must be 2-d [N, C] and target have N entries; target has %d", len(target)), hint, logits.shape)
	}
	n, c := logits.shape[0], logits.shape[1]
	for i, t := range target {
		if t < 0 || t >= c {
			errorf("CrossEntropy", "target %d at position %d is not a class index in [0, %d)", t, i, c)
		}
	}
	target = slices.Clone(target)
	out := uninit(logits.dtype, []int{n})
	lse := make([]float64, n) // each row's log-sum-exp, for the backward
	if logits.dtype == Float64 {
		crossEntropyForward(out.f64, lse, logits.f64, target, c)
	} else {
		crossEntropyForward(out.f32, lse, logits.f32, target, c)
	}
	return record("CrossEntropy", out, func(g *Tensor) []*Tensor {
		gx := uninit(g.dtype, logits.shape)
		if g.dtype == Float64 {
			crossEntropyBackward(gx.f64, g.f64, logits.f64, lse, target, c)
		} else {
			crossEntropyBackward(gx.f32, g.f32, logits.f32, lse, target, c)
		}
		return []*Tensor{gx}
	}, logits)
}

// crossEntropyForward computes each row's loss as softmaxForward's log-softmax
// followed by a negation would, and keeps the row's log-sum-exp in lse.
func crossEntropyForward[T float](out []T, lse []float64, x []T, target []int, c int) {
	for i, t := range target {
		row := x[i*c : (i+1)*c]
		m := math.Inf(-1)
		for _, v := range row {
			if v := float64(v); v > m || v != v {
				m = v
			}
		}
		if math.IsInf(m, -1) {
			m = 0 // as softmaxForward
		}
		s := 0.0
		for _, v := range row {
			s += math.Exp(float64(v) - m)
		}
		lse[i] = m + math.Log(s)
		out[i] = -T(float64(row[t]) - lse[i])
		if i%1024 == 1023 {
			CheckInterrupt()
		}
	}
}

// crossEntropyBackward writes ∂x for the upstream g [N] with the arithmetic of
// softmaxBackward for log-softmax under a one-hot upstream gradient −g[i].
func crossEntropyBackward[T float](gx, g, x []T, lse []float64, target []int, c int) {
	for i, t := range target {
		gt := -g[i]
		s := float64(gt)
		row, grow := x[i*c:(i+1)*c], gx[i*c:(i+1)*c]
		for k, v := range row {
			up := 0.0
			if k == t {
				up = s
			}
			y := T(float64(v) - lse[i]) // the log-probability as LogSoftmax stores it
			grow[k] = T(up - math.Exp(float64(y))*s)
		}
		if i%1024 == 1023 {
			CheckInterrupt()
		}
	}
}
