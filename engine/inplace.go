package engine

import (
	"fmt"
	"slices"
)

// CopyFrom copies src's values into t in place, converting the dtype, as
// PyTorch's t.copy_(src) under no_grad. Optimizers, initializers and checkpoint
// loading use it to change a parameter without making a new tensor, so every
// module and optimizer holding t sees the new values. It records no graph and
// returns t.
//
// It panics with a *ShapeError when src's shape differs from t's, and with an
// *Error when t is the result of an op that recorded a gradient (changing it
// would make that graph's gradients wrong).
func (t *Tensor) CopyFrom(src *Tensor) *Tensor {
	if !slices.Equal(t.shape, src.shape) {
		shapeErr("CopyFrom", fmt.Sprintf("the source must have the destination's shape %v", t.shape),
			"reshape the source first", t.shape, src.shape)
	}
	if t.node != nil {
		errorf("CopyFrom", "cannot change the result of %s in place; copy into a leaf tensor (a parameter) or use Detach()", t.op)
	}
	if t == src {
		return t
	}
	t.bump("CopyFrom")
	switch {
	case t.dtype == Float64 && src.dtype == Float64:
		copy(t.f64, src.f64)
	case t.dtype == Float32 && src.dtype == Float32:
		copy(t.f32, src.f32)
	case t.dtype == Float64:
		for i, v := range src.f32 {
			t.f64[i] = float64(v)
		}
	default:
		for i, v := range src.f64 {
			t.f32[i] = float32(v)
		}
	}
	return t
}

// RawFloat32 returns the float32 slice backing t, or nil when t is Float64.
// It is not a copy: writing to it changes t (and every tensor sharing its
// data, such as t.Detach()). It is meant for compiled loops that update
// parameters in place, as optimizers do, like gonum's RawMatrix; changing a
// tensor that an autograd graph has saved makes that graph's gradients wrong,
// so each call counts as an in-place change (see Version; MarkChanged names
// the caller). To read values, use Float32s, which copies.
func (t *Tensor) RawFloat32() []float32 {
	if t.dtype == Float32 {
		t.bump("RawFloat32")
	}
	return t.f32
}

// RawFloat64 returns the float64 slice backing t, or nil when t is Float32.
// See RawFloat32.
func (t *Tensor) RawFloat64() []float64 {
	if t.dtype == Float64 {
		t.bump("RawFloat64")
	}
	return t.f64
}

// ReadRawFloat32 returns the float32 slice backing t, or nil when t is
// Float64, for reading only: like RawFloat32 it is not a copy, but the call
// is not counted as an in-place change, so a graph that saved t still
// backpropagates afterwards. Writing to it is a change no version check sees:
// use RawFloat32 to write. Optimizers read gradients through it, as
// PyTorch's optimizer.step() reads p.grad without changing its version.
func (t *Tensor) ReadRawFloat32() []float32 { return t.f32 }

// ReadRawFloat64 is ReadRawFloat32 for float64: the backing slice, or nil
// when t is Float32, for reading only.
func (t *Tensor) ReadRawFloat64() []float64 { return t.f64 }
