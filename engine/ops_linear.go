package engine

import (
	"fmt"

	"github.com/dbr-go/dbr/internal/kernels"
)

// Linear returns x·wᵀ + b, as torch.nn.functional.linear: x is [*, in], w is
// [out, in], b is [out] or nil, and the result is [*, out]. It is the op
// behind nn.Linear. It equals x.MatMul(w.T()).Add(b) but is fused for speed:
// wᵀ is never materialized (the GEMM reads w transposed), the bias is the
// GEMM's starting value, and the backward computes only the gradients of the
// inputs that require one.
// It panics with a *ShapeError when x's last dim is not w's second, w is not
// 2-d, or b is not [out].
func Linear(x, w, b *Tensor) *Tensor {
	needTensors("Linear", []string{"x", "w"}, x, w)
	fail := func(reason, hint string) { // the shapes copied only here: a call that fits allocates none
		shapes := [][]int{x.Shape(), w.Shape()}
		if b != nil {
			shapes = append(shapes, b.Shape())
		}
		panic(&ShapeError{Op: "Linear", Shapes: shapes, Reason: reason, Hint: hint})
	}
	if len(w.shape) != 2 {
		fail("the weight must be 2-d [out, in]", "")
	}
	out, in := w.shape[0], w.shape[1]
	if len(x.shape) == 0 || x.shape[len(x.shape)-1] != in {
		fail(fmt.Sprintf("the input's last dim must be in_features=%d (weight is [out, in])", in), linearHint(x.shape, in))
	}
	if b != nil && (len(b.shape) != 1 || b.shape[0] != out) {
		fail(fmt.Sprintf("the bias must be [%d], one value per output", out), "")
	}
	if x.dtype != w.dtype || (b != nil && b.dtype != x.dtype) {
		x, w = x.To(Float64), w.To(Float64)
		if b != nil {
			b = b.To(Float64)
		}
	}
	m := numelOf(x.shape) / in
	var dims [8]int // the result's shape, on the stack up to 8 dims (alloc copies it)
	y := uninit(x.dtype, append(append(dims[:0], x.shape[:len(x.shape)-1]...), out))
	if x.dtype == Float64 {
		linearForward(x.f64, w.f64, optSlice[float64](b), y.f64, m, in, out)
	} else {
		linearForward(x.f32, w.f32, optSlice[float32](b), y.f32, m, in, out)
	}
	inputs := []*Tensor{x, w, b}[:2] // one allocation with or without b
	if b != nil {
		inputs = inputs[:3]
	}
	// ∂x = g·w, ∂w = gᵀ·x (summed over all rows of x), ∂b = Σ_rows g
	return record("Linear", y, func(g *Tensor) []*Tensor {
		gs := make([]*Tensor, len(inputs))
		if creatingGraph() { // from recorded ops, for a second derivative
			g2 := g.Reshape(-1, out)
			gs[0] = g.MatMul(w)
			gs[1] = g2.Transpose(0, 1).MatMul(x.Reshape(-1, in))
			if b != nil {
				gs[2] = g2.Sum(0)
			}
			return gs
		}
		var dst [3]*Tensor // where each gradient is added
		for i, in := range inputs {
			if !in.requiresGrad {
				continue
			}
			// A parameter's existing Grad takes the gradient directly (a GEMM
			// with beta = 1): no temporary, no second pass to add it in.
			if dst[i] = leafGradBuffer(in); dst[i] == nil {
				if i < 2 { // ∂x and ∂w: a GEMM with beta = 0 writes every element
					gs[i] = uninit(in.dtype, in.shape)
				} else {
					gs[i] = empty(in.dtype, in.shape)
				}
				dst[i] = gs[i]
			}
		}
		set := [2]bool{gs[0] != nil, gs[1] != nil}
		if x.dtype == Float64 {
			linearBackward(x.f64, w.f64, g.f64, optSlice[float64](dst[0]), optSlice[float64](dst[1]), optSlice[float64](dst[2]), m, in, out, set)
		} else {
			linearBackward(x.f32, w.f32, g.f32, optSlice[float32](dst[0]), optSlice[float32](dst[1]), optSlice[float32](dst[2]), m, in, out, set)
		}
		return gs
	}, inputs...)
}

// leafGradBuffer returns t's Grad when a backward may add t's gradient into it
// directly instead of returning it: t is a leaf that requires grad and already
// has a gradient of its dtype, and no op hook is installed (hooks are promised
// every computed gradient). Otherwise it returns nil.
func leafGradBuffer(t *Tensor) *Tensor {
	if t.node != nil || !t.requiresGrad || t.grad == nil || t.grad.dtype != t.dtype || hooks.Load() != nil || inGrad() {
		return nil
	}
	t.grad.bump("Backward (accumulating into Grad)")
	return t.grad
}

// optSlice returns t's data as []T, or nil for a nil tensor.
func optSlice[T float](t *Tensor) []T {
	if t == nil {
		return nil
	}
	return slice[T](t)
}

func linearForward[T float](x, w, b, y []T, m, in, out int) {
	beta := T(0)
	if b != nil {
		for i := 0; i < m; i++ {
			copy(y[i*out:(i+1)*out], b)
		}
		beta = 1
	}
	matmulInto(false, true, m, out, in, x, in, w, in, beta, y, out)
}

// linearBackward puts the gradients into gx, gw and gb (each nil when not
// wanted). gx (gw) is overwritten when set[0] (set[1]); otherwise it holds a
// gradient accumulated so far and the new one is added to it. gb holds zeros
// or such a gradient.
func linearBackward[T float](x, w, g, gx, gw, gb []T, m, in, out int, set [2]bool) {
	beta := func(set bool) T {
		if set {
			return 0
		}
		return 1
	}
	// ∂x last: the backward of the op before (a ReLU) reads it next, while
	// it is still in cache, beside x, which ∂w has just read.
	if gw != nil {
		matmulInto(true, false, out, in, m, g, out, x, in, beta(set[1]), gw, in)
	}
	if gb != nil {
		// ∂b += Σᵢ gᵢ, row by row in order (float32: the columns held in
		// registers down the rows, the same sums)
		if g32, ok := any(g).([]float32); ok {
			kernels.AddRows32(any(gb[:out]).([]float32), g32, m)
		} else {
			for i := 0; i < m; i++ {
				addTo(gb, g[i*out:(i+1)*out])
			}
		}
	}
	if gx != nil {
		matmulInto(false, false, m, in, out, g, out, w, in, beta(set[0]), gx, in)
	}
}

// linearHint says how to give a Linear with in features an input of shape
// x: flattened when its dims after the first hold in values, transposed when
// its first dim is in, else of shape [batch, in].
func linearHint(x []int, in int) string {
	if len(x) > 2 && numelOf(x[1:]) == in {
		return fmt.Sprintf("x.Flatten(1) makes it [%d %d]", x[0], in)
	}
	if len(x) == 2 && x[0] == in {
		return fmt.Sprintf("x.T() is [%d %d], which fits", x[1], x[0])
	}
	return fmt.Sprintf("give the input shape [batch, %d]", in)
}
