package engine

import (
	"fmt"
	"math"
	"slices"

	"github.com/dbr-go/dbr/internal/kernels"
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

// LayerNorm normalizes x over its trailing dims of shape normalized, as
// torch.nn.functional.layer_norm: each group of the last len(normalized)
// dims is shifted to mean 0 and scaled to variance 1 (the biased variance,
// plus eps, under the square root), then multiplied by w and shifted by b
// (each of shape normalized, or nil for none). It is the op behind
// nn.LayerNorm, fused for speed: one pass for the statistics, one for the
// result, and a backward of two passes instead of a dozen ops.
// It panics with a *ShapeError when x's trailing dims are not normalized or
// w or b are not of that shape.
func LayerNorm(x *Tensor, normalized []int, w, b *Tensor, eps float64) *Tensor {
	needTensors("LayerNorm", []string{"x"}, x)
	shapes := [][]int{x.Shape()}
	for _, t := range []*Tensor{w, b} {
		if t != nil {
			shapes = append(shapes, t.Shape())
		}
	}
	k := len(normalized)
	fits := k > 0 && len(x.shape) >= k && slices.Equal(x.shape[len(x.shape)-k:], normalized)
	for _, t := range []*Tensor{w, b} {
		fits = fits && (t == nil || slices.Equal(t.shape, normalized))
	}
	if !fits {
		panic(&ShapeError{Op: "LayerNorm", Shapes: shapes,
			Reason: fmt.Sprintf("the input's last dims and the weight and bias must be the normalized shape %v (input, weight, bias)", normalized)})
	}
	if x.dtype == Float64 || (w != nil && w.dtype == Float64) || (b != nil && b.dtype == Float64) {
		x, w, b = x.To(Float64), optTo(w, Float64), optTo(b, Float64)
	}
	d := numelOf(normalized)
	m := numelOf(x.shape) / max(d, 1)
	y := uninit(x.dtype, x.shape)
	mean, rstd := make([]float64, m), make([]float64, m)
	if x.dtype == Float64 {
		layerNormForward(x.f64, optSlice[float64](w), optSlice[float64](b), y.f64, mean, rstd, d, eps)
	} else {
		layerNormForward32(x.f32, optSlice[float32](w), optSlice[float32](b), y.f32, mean, rstd, d, eps)
	}
	inputs := []*Tensor{x}
	for _, t := range []*Tensor{w, b} {
		if t != nil {
			inputs = append(inputs, t)
		}
	}
	// x̂ = (x - μ)·r with r = 1/√(σ² + eps); ∂b = Σ_rows g, ∂w = Σ_rows g·x̂,
	// ∂x = r·(ĝ - mean(ĝ) - x̂·mean(ĝ·x̂)) with ĝ = g·w
	return record("LayerNorm", y, func(g *Tensor) []*Tensor {
		if creatingGraph() {
			return layerNormGraph(x, w, b, g, k, eps)
		}
		var gx, gw, gb *Tensor
		if x.requiresGrad {
			gx = uninit(x.dtype, x.shape)
		}
		if w != nil && w.requiresGrad {
			gw = empty(x.dtype, w.shape)
		}
		if b != nil && b.requiresGrad {
			gb = empty(x.dtype, b.shape)
		}
		switch {
		case x.dtype == Float64:
			layerNormBackward(x.f64, optSlice[float64](w), g.f64, optSlice[float64](gx), optSlice[float64](gw), optSlice[float64](gb), mean, rstd, d)
		case gx != nil && gw != nil && gb != nil:
			layerNormBackward32(x.f32, w.f32, g.f32, gx.f32, gw.f32, gb.f32, mean, rstd, d)
		default:
			layerNormBackward(x.f32, optSlice[float32](w), g.f32, optSlice[float32](gx), optSlice[float32](gw), optSlice[float32](gb), mean, rstd, d)
		}
		gs := []*Tensor{gx}
		if w != nil {
			gs = append(gs, gw)
		}
		if b != nil {
			gs = append(gs, gb)
		}
		return gs
	}, inputs...)
}

func optTo(t *Tensor, dt DType) *Tensor {
	if t == nil {
		return nil
	}
	return t.To(dt)
}

// layerNormForward normalizes each row of d elements of x into y, keeping
// each row's mean and 1/√(σ² + eps); the statistics are summed in float64.
func layerNormForward[T float](x, w, b, y []T, mean, rstd []float64, d int, eps float64) {
	for r := range mean {
		if r%256 == 0 {
			CheckInterrupt()
		}
		row, out := x[r*d:(r+1)*d], y[r*d:(r+1)*d]
		var s float64
		for _, v := range row {
			s += float64(v)
		}
		mu := s / float64(d)
		var ss float64
		for _, v := range row {
			c := float64(v) - mu
			ss += c * c
		}
		rs := 1 / math.Sqrt(ss/float64(d)+eps)
		mean[r], rstd[r] = mu, rs
		normRow(out, row, w, b, T(mu), T(rs))
	}
}

// normRow sets out = (row - m)·q·w + b, leaving out w or b where nil.
func normRow[T float](out, row, w, b []T, m, q T) {
	switch {
	case w != nil && b != nil:
		for j, v := range row {
			out[j] = (v-m)*q*w[j] + b[j]
		}
	case w != nil:
		for j, v := range row {
			out[j] = (v - m) * q * w[j]
		}
	case b != nil:
		for j, v := range row {
			out[j] = (v-m)*q + b[j]
		}
	default:
		for j, v := range row {
			out[j] = (v - m) * q
		}
	}
}

// layerNormForward32 is layerNormForward for float32 on the kernels' row
// loops: the statistics in float64 in eight lanes (kernels.Sum64, SqDev64),
// the row with a weight and a bias by kernels.NormRow32. One float64 sum
// element after element waited on the adder's latency: LayerNorm was a
// tenth of the transformer block's step.
func layerNormForward32(x, w, b, y []float32, mean, rstd []float64, d int, eps float64) {
	for r := range mean {
		if r%256 == 0 {
			CheckInterrupt()
		}
		row, out := x[r*d:(r+1)*d], y[r*d:(r+1)*d]
		mu := kernels.Sum64(row) / float64(d)
		rs := 1 / math.Sqrt(kernels.SqDev64(row, mu)/float64(d)+eps)
		mean[r], rstd[r] = mu, rs
		if w != nil && b != nil {
			kernels.NormRow32(out, row, w, b, float32(mu), float32(rs))
		} else {
			normRow(out, row, w, b, float32(mu), float32(rs))
		}
	}
}

// layerNormBackward32 is layerNormBackward for float32 with a weight and a
// bias when all three gradients are wanted, on the kernels' row loops
// (kernels.NormGradRow32 and NormGradOut32; the sums in float64 in eight
// lanes).
func layerNormBackward32(x, w, g, gx, gw, gb []float32, mean, rstd []float64, d int) {
	for r := range mean {
		if r%256 == 0 {
			CheckInterrupt()
		}
		row, gr, out := x[r*d:(r+1)*d], g[r*d:(r+1)*d], gx[r*d:(r+1)*d]
		m, q := float32(mean[r]), float32(rstd[r])
		sg, sgx := kernels.NormGradRow32(out, row, gr, w, gw, gb, m, q)
		kernels.NormGradOut32(out, row, m, q, float32(sg/float64(d)), float32(sgx/float64(d)))
	}
}

// layerNormBackward adds the gradients into gw and gb and writes gx (each
// nil when not wanted), from the rows' saved statistics.
func layerNormBackward[T float](x, w, g, gx, gw, gb []T, mean, rstd []float64, d int) {
	for r := range mean {
		if r%256 == 0 {
			CheckInterrupt()
		}
		row, gr := x[r*d:(r+1)*d], g[r*d:(r+1)*d]
		m, q := T(mean[r]), T(rstd[r])
		var sg, sgx float64 // Σ ĝ and Σ ĝ·x̂ over the row
		for j, v := range row {
			xh := (v - m) * q
			gh := gr[j]
			if gw != nil {
				gw[j] += gh * xh
			}
			if gb != nil {
				gb[j] += gh
			}
			if w != nil {
				gh *= w[j]
			}
			sg += float64(gh)
			sgx += float64(gh * xh)
		}
		if gx == nil {
			continue
		}
		a, c := T(sg/float64(d)), T(sgx/float64(d))
		out := gx[r*d : (r+1)*d]
		for j, v := range row {
			xh := (v - m) * q
			gh := gr[j]
			if w != nil {
				gh *= w[j]
			}
			out[j] = q * (gh - a - xh*c)
		}
	}
}

// layerNormGraph is LayerNorm's backward from recorded ops, for a second
// derivative (CreateGraph): the formula of LayerNorm with x̂ and its
// statistics computed again as ops of x.
func layerNormGraph(x, w, b, g *Tensor, k int, eps float64) []*Tensor {
	dims := make([]int, k)
	for i := range dims {
		dims[i] = len(x.shape) - k + i
	}
	lead := x.shape[:len(x.shape)-k]
	xc := x.Sub(x.MeanKeep(dims...))
	std := xc.Square().MeanKeep(dims...).AddScalar(eps).Sqrt()
	xh := xc.Div(std)
	gh := g
	if w != nil {
		gh = g.Mul(w)
	}
	gs := []*Tensor{gh.Sub(gh.MeanKeep(dims...)).Sub(xh.Mul(gh.Mul(xh).MeanKeep(dims...))).Div(std)}
	sumLead := func(t *Tensor) *Tensor {
		for range lead {
			t = t.Sum(0)
		}
		return t
	}
	if w != nil {
		gs = append(gs, sumLead(g.Mul(xh)))
	}
	if b != nil {
		gs = append(gs, sumLead(g))
	}
	return gs
}
