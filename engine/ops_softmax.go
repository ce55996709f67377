package engine

import (
	"fmt"
	"math"
	"slices"

	"github.com/dbr-go/dbr/internal/kernels"
)

// Softmax and LogSoftmax have hand-written forward and backward kernels
// instead of being composed of Exp, Sum and Div:
//   - numerics: the forward subtracts each slice's maximum before exp, so
//     inputs like 1000 do not overflow, and LogSoftmax is x - max - log Σ exp(x - max)
//     rather than log(softmax), which would give -Inf for tiny probabilities;
//   - speed and memory: the composed graph would keep four intermediate
//     tensors and run six ops per backward; the fused backward is one pass
//     over the saved output.
//
// In float32, along the last dim (contiguous rows), they run on the kernels'
// vector loops: the row's maximum, e^(x − max) and its sum in one pass, then
// one scaling pass; sums are float32, added in the kernels' fixed lane order
// (the same on every CPU path), exp within the bound kernels.Exp32 states.
// Float64 and other dims keep the scalar loops below, with float64 sums.

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
	rows32 := t.dtype == Float32 && inner == 1
	switch {
	case t.dtype == Float64:
		softmaxForward(out.f64, t.f64, outer, n, inner, log)
	case rows32:
		softmaxRows32(out.f32, t.f32, n, log)
	default:
		softmaxForward(out.f32, t.f32, outer, n, inner, log)
	}
	// Softmax: ∂t = y·(g − Σ_d g·y); LogSoftmax: ∂t = g − e^y·Σ_d g
	return record(op, out, func(g *Tensor) []*Tensor {
		if creatingGraph() { // from the recorded result, for a second derivative
			if log {
				return []*Tensor{g.Sub(out.Exp().Mul(g.SumKeep(d)))}
			}
			return []*Tensor{out.Mul(g.Sub(g.Mul(out).SumKeep(d)))}
		}
		gx := uninit(t.dtype, t.shape)
		switch {
		case t.dtype == Float64:
			softmaxBackward(gx.f64, g.f64, out.f64, outer, n, inner, log)
		case rows32 && log:
			logSoftmaxBackwardRows32(gx.f32, g.f32, out.f32, n)
		case rows32:
			softmaxBackwardRows32(gx.f32, g.f32, out.f32, n)
		default:
			softmaxBackward(gx.f32, g.f32, out.f32, outer, n, inner, log)
		}
		return []*Tensor{gx}
	}, t)
}

// softmaxRows32 is softmaxForward for float32 rows of n contiguous elements:
// m = the row's maximum (0 when it is −Inf), e = e^(x − m) and s = Σ e in one
// pass, then softmax e·(1/s) or log-softmax (x − m) − ln s, as PyTorch's
// float32 kernels compute them (x − m is exact near the maximum, so the
// log-probabilities of large logits keep their precision). A NaN anywhere in
// the row, or +Inf, makes the sum NaN and every output NaN.
func softmaxRows32(y, x []float32, n int, log bool) {
	done := 0
	for lo := 0; lo < len(x); lo += n {
		row, out := x[lo:lo+n], y[lo:lo+n]
		m := kernels.Max32(row)
		if math.IsInf(float64(m), -1) {
			m = 0 // an all -Inf row: exp gives 0s and the result NaN, as in PyTorch
		}
		s := kernels.ExpSum32(out, row, m, 0)
		if log {
			ls := log32(s)
			for k, v := range row {
				out[k] = (v - m) - ls
			}
		} else {
			kernels.Scale32(out, out, 1/s)
		}
		if done += n; done >= interruptEvery {
			done = 0
			CheckInterrupt()
		}
	}
}

// log32 is ln s rounded once to float32.
func log32(s float32) float32 { return float32(math.Log(float64(s))) }

// logSoftmaxBackwardRows32 is softmaxBackward for float32 log-softmax rows:
// ∂x = g − e^y·Σg, e^y by kernels.Exp32, Σg in float64 (kernels.Sum64's
// eight lanes) rounded to float32, the rest by kernels.SubScaled32.
func logSoftmaxBackwardRows32(gx, g, y []float32, n int) {
	done := 0
	for lo := 0; lo < len(g); lo += n {
		grow, yrow, out := g[lo:lo+n], y[lo:lo+n], gx[lo:lo+n]
		s32 := float32(kernels.Sum64(grow))
		kernels.Exp32(out, yrow)
		kernels.SubScaled32(out, grow, out, s32)
		if done += n; done >= interruptEvery {
			done = 0
			CheckInterrupt()
		}
	}
}

// softmaxBackwardRows32 is softmaxBackward for float32 softmax rows:
// ∂x = y·(g − Σ g·y), the sum in float64 (kernels.Dot64's eight lanes)
// rounded to float32, the rest in float32 (kernels.SubMul32; softmaxBackward
// converts every element to float64 and back).
func softmaxBackwardRows32(gx, g, y []float32, n int) {
	done := 0
	for lo := 0; lo < len(g); lo += n {
		grow, yrow, out := g[lo:lo+n], y[lo:lo+n], gx[lo:lo+n]
		kernels.SubMul32(out, yrow, grow, float32(kernels.Dot64(grow, yrow)))
		if done += n; done >= interruptEvery {
			done = 0
			CheckInterrupt()
		}
	}
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
	// what the backward needs of each row: its log-sum-exp (float64), its
	// maximum and log-sum (float32)
	var lse []float64
	var sh []rowShift
	if logits.dtype == Float64 {
		lse = make([]float64, n)
		crossEntropyForward(out.f64, lse, logits.f64, target, c)
	} else {
		sh = make([]rowShift, n)
		crossEntropyForward32(out.f32, sh, logits.f32, target, c)
	}
	// ∂logits = g·(softmax(logits) − onehot(target)), row by row
	return record("CrossEntropy", out, func(g *Tensor) []*Tensor {
		if creatingGraph() { // from recorded ops, for a second derivative
			onehot := empty(logits.dtype, logits.shape)
			for i, t := range target {
				onehot.set(i*c+t, 1)
			}
			return []*Tensor{logits.Softmax(1).Sub(onehot).Mul(g.Unsqueeze(1))}
		}
		gx := uninit(g.dtype, logits.shape)
		if g.dtype == Float64 {
			crossEntropyBackward(gx.f64, g.f64, logits.f64, lse, target, c)
		} else {
			crossEntropyBackward32(gx.f32, g.f32, logits.f32, sh, target, c)
		}
		return []*Tensor{gx}
	}, logits)
}

// rowShift is what a float32 log-softmax row subtracts from x: its maximum m,
// then ln s, s = Σ e^(x − m).
type rowShift struct{ m, ls float32 }

// crossEntropyForward32 is crossEntropyForward for float32 with the arithmetic
// of softmaxRows32's log-softmax; sh[i] keeps row i's shifts for the backward.
func crossEntropyForward32(out []float32, sh []rowShift, x []float32, target []int, c int) {
	if c < 16 {
		crossEntropyForwardNarrow32(out, sh, x, target, c)
		return
	}
	crossEntropyForwardRows32(out, sh, x, target, c)
}

// crossEntropyForwardRows32 is crossEntropyForward32 row by row.
func crossEntropyForwardRows32(out []float32, sh []rowShift, x []float32, target []int, c int) {
	eb := takeScratch[float32](c) // the exps, which only the sum needs
	defer putScratch(eb)
	e := *eb
	for i, t := range target {
		row := x[i*c : (i+1)*c]
		m := kernels.Max32(row)
		if math.IsInf(float64(m), -1) {
			m = 0 // as softmaxRows32
		}
		ls := log32(kernels.ExpSum32(e, row, m, 0))
		sh[i] = rowShift{m, ls}
		out[i] = -((row[t] - m) - ls)
		if i%1024 == 1023 {
			CheckInterrupt()
		}
	}
}

// crossEntropyBackward32 is logSoftmaxBackwardRows32 under the one-hot
// upstream gradient −g[i]: ∂x = −e^y·s, and s − e^y·s at the target, with
// s = −g[i] and y = (x − m) − ln s as LogSoftmax stores it.
func crossEntropyBackward32(gx, g, x []float32, sh []rowShift, target []int, c int) {
	if c < 16 {
		crossEntropyBackwardNarrow32(gx, g, x, sh, target, c)
		return
	}
	crossEntropyBackwardRows32(gx, g, x, sh, target, c)
}

// crossEntropyBackwardRows32 is crossEntropyBackward32 row by row.
func crossEntropyBackwardRows32(gx, g, x []float32, sh []rowShift, target []int, c int) {
	for i, t := range target {
		s := -g[i]
		row, grow := x[i*c:(i+1)*c], gx[i*c:(i+1)*c]
		kernels.ExpSum32(grow, row, sh[i].m, sh[i].ls)
		et := grow[t]
		kernels.Scale32(grow, grow, -s)
		grow[t] = s - float32(et*s)
		if i%1024 == 1023 {
			CheckInterrupt()
		}
	}
}

// crossEntropyForwardNarrow32 is crossEntropyForward32 for rows of fewer
// than 16 classes (a 10-class output), which the row-by-row loop hands to
// kernels.ExpSum32 as one 16-lane block padded with −Inf each: here the exps
// of all rows are one kernels.Exp32 call, and each row's sum is added in
// ExpSum32's lane order (kernels.SumRows32, as Sum32 of the row), so the bits
// are the same. At [256, 10] the loss took 2–3% of an MLP training step row
// by row.
func crossEntropyForwardNarrow32(out []float32, sh []rowShift, x []float32, target []int, c int) {
	n := len(target)
	eb := takeScratch[float32](n * c) // every element written below
	defer putScratch(eb)
	e := *eb
	kernels.MaxRows32(out, x, c) // out holds each row's maximum, then its sum, then its loss
	for i, m := range out[:n] {
		if math.IsInf(float64(m), -1) {
			m = 0 // as softmaxRows32
		}
		sh[i].m = m
		for j, v := range x[i*c : (i+1)*c] {
			e[i*c+j] = v - m // ExpSum32's (x − m) − 0
		}
	}
	kernels.Exp32(e, e)
	kernels.SumRows32(out, e, c)
	for i, t := range target {
		ls := log32(out[i])
		sh[i].ls = ls
		out[i] = -((x[i*c+t] - sh[i].m) - ls)
		if i%1024 == 1023 {
			CheckInterrupt()
		}
	}
}

// crossEntropyBackwardNarrow32 is crossEntropyBackward32 for fewer than 16
// classes: the e^y of all rows in one kernels.Exp32 call (see
// crossEntropyForwardNarrow32), then each row scaled as Scale32 would.
func crossEntropyBackwardNarrow32(gx, g, x []float32, sh []rowShift, target []int, c int) {
	gx = gx[:len(target)*c]
	for i := range target {
		m, ls := sh[i].m, sh[i].ls
		for j, v := range x[i*c : (i+1)*c] {
			gx[i*c+j] = (v - m) - ls
		}
	}
	kernels.Exp32(gx, gx)
	for i, t := range target {
		s := -g[i]
		grow := gx[i*c : (i+1)*c]
		et := grow[t]
		for j, v := range grow {
			grow[j] = v * -s
		}
		grow[t] = s - float32(et*s)
		if i%1024 == 1023 {
			CheckInterrupt()
		}
	}
}

// crossEntropyForward computes each float64 row's loss as softmaxForward's
// log-softmax followed by a negation would, and keeps the row's log-sum-exp
// in lse.
func crossEntropyForward(out, lse, x []float64, target []int, c int) {
	for i, t := range target {
		row := x[i*c : (i+1)*c]
		m := math.Inf(-1)
		for _, v := range row {
			if v > m || v != v {
				m = v
			}
		}
		if math.IsInf(m, -1) {
			m = 0 // as softmaxForward
		}
		s := 0.0
		for _, v := range row {
			s += math.Exp(v - m)
		}
		lse[i] = m + math.Log(s)
		out[i] = -(row[t] - lse[i])
		if i%1024 == 1023 {
			CheckInterrupt()
		}
	}
}

// crossEntropyBackward writes ∂x for the float64 upstream g [N] with the
// arithmetic of softmaxBackward for log-softmax under a one-hot upstream
// gradient −g[i].
func crossEntropyBackward(gx, g, x, lse []float64, target []int, c int) {
	for i, t := range target {
		s := -g[i]
		row, grow := x[i*c:(i+1)*c], gx[i*c:(i+1)*c]
		for k, v := range row {
			up := 0.0
			if k == t {
				up = s
			}
			y := v - lse[i] // the log-probability as LogSoftmax stores it
			grow[k] = up - math.Exp(y)*s
		}
		if i%1024 == 1023 {
			CheckInterrupt()
		}
	}
}
