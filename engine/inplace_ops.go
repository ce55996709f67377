package engine

import (
	"fmt"
	"slices"

	"github.com/dbr-go/dbr/internal/kernels"
)

// AddScaled_ adds alpha·o to t in place, as PyTorch's t.add_(o, alpha=alpha)
// under no_grad: optimizers use it to move a parameter along its gradient
// without making new tensors (for a float32 t the update is computed in
// float32, as PyTorch does). It records no graph and returns t.
//
// It panics with a *ShapeError when o's shape differs from t's, and with an
// *Error when t is the result of an op that recorded a gradient (changing it
// would make that graph's gradients wrong).
func (t *Tensor) AddScaled_(o *Tensor, alpha float64) *Tensor {
	if !slices.Equal(t.shape, o.shape) {
		shapeErr("AddScaled_", fmt.Sprintf("the addend must have the tensor's shape %v", t.shape), "", t.shape, o.shape)
	}
	if t.node != nil {
		errorf("AddScaled_", "cannot change the result of %s in place; update a leaf tensor (a parameter) or use Detach()", t.op)
	}
	t.bump("AddScaled_")
	switch {
	case t.dtype == Float32 && o.dtype == Float32:
		kernels.Saxpy(float32(alpha), o.f32, t.f32) // AVX2 when available
	case t.dtype == Float64 && o.dtype == Float64:
		axpy(alpha, o.f64, t.f64)
	case t.dtype == Float32:
		for i, v := range o.f64 {
			t.f32[i] = float32(float64(t.f32[i]) + alpha*v)
		}
	default:
		for i, v := range o.f32 {
			t.f64[i] += alpha * float64(v)
		}
	}
	return t
}

// addTo adds src into dst elementwise (AVX2 for float32 when available).
func addTo[T float](dst, src []T) {
	if s, ok := any(src).([]float32); ok {
		kernels.Saxpy(1, s, any(dst).([]float32))
		return
	}
	axpy(1, src, dst)
}

// axpy sets y += a·x.
func axpy[T float](a T, x, y []T) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += a * v
	}
}
