package engine

import (
	"fmt"
	"math"

	"github.com/dbr-go/dbr/internal/kernels"
)

// Pooling ops: MaxPool2d and AvgPool2d over [N, C, H, W] inputs, forward and
// backward in one place each.

// poolGeom is the geometry of one pooling call.
type poolGeom struct {
	planes, h, w, k, s, p, oh, ow int
}

func poolGeometry(op string, x *Tensor, kernel, stride, padding int) *poolGeom {
	if len(x.shape) != 4 {
		shapeErr(op, fmt.Sprintf("input must be 4-d [N, C, H, W], got %d-d", len(x.shape)), "for one image use x.Unsqueeze(0)", x.shape)
	}
	if kernel < 1 || stride < 0 || padding < 0 {
		errorf(op, "kernel must be >= 1 and stride, padding >= 0 (stride 0 means the kernel size); got kernel %d, stride %d, padding %d", kernel, stride, padding)
	}
	if stride == 0 {
		stride = kernel
	}
	if 2*padding > kernel {
		errorf(op, "padding %d is more than half the kernel size %d; use padding <= %d", padding, kernel, kernel/2)
	}
	q := &poolGeom{planes: x.shape[0] * x.shape[1], h: x.shape[2], w: x.shape[3], k: kernel, s: stride, p: padding}
	if q.h+2*padding < kernel || q.w+2*padding < kernel {
		shapeErr(op, fmt.Sprintf("the padded input is %dx%d, smaller than the %dx%d kernel", q.h+2*padding, q.w+2*padding, kernel, kernel),
			"use a smaller kernel or more padding", x.shape)
	}
	q.oh, q.ow = (q.h+2*padding-kernel)/stride+1, (q.w+2*padding-kernel)/stride+1
	return q
}

// window returns the input rows (or columns) [lo, hi) under output row (column) o.
func (q *poolGeom) window(o, size int) (lo, hi int) {
	lo = o*q.s - q.p
	return max(lo, 0), min(lo+q.k, size)
}

// MaxPool2d returns the maximum of every kernel×kernel window of x [N, C, H,
// W], moving by stride (0 means kernel), with padding positions counting as
// −∞, as torch.nn.functional.max_pool2d. The gradient goes to the maximum of
// each window (the first one on ties).
// It panics with a *ShapeError when x is not 4-d or smaller than the kernel,
// and with an *Error when padding is more than half the kernel.
func MaxPool2d(x *Tensor, kernel, stride, padding int) *Tensor {
	q := poolGeometry("MaxPool2d", x, kernel, stride, padding)
	out := uninit(x.dtype, []int{x.shape[0], x.shape[1], q.oh, q.ow})
	shape := x.shape
	if q.is2x2() {
		// each window's maximum as its position 0–3 (maxPool2x2)
		code := make([]uint8, out.Numel())
		if x.dtype == Float64 {
			maxPool2x2(q, x.f64, out.f64, code)
		} else {
			maxPool2x2(q, x.f32, out.f32, code)
		}
		// ∂x = g at each window's maximum, 0 elsewhere
		return record("MaxPool2d", out, func(g *Tensor) []*Tensor {
			if creatingGraph() {
				return []*Tensor{rowsScatter(g, q.flatIndex(code), 1, shape)}
			}
			gx := uninit(g.dtype, shape)
			if g.dtype == Float64 {
				maxPoolBack2x2(q, gx.f64, g.f64, code)
			} else {
				maxPoolBack2x2(q, gx.f32, g.f32, code)
			}
			return []*Tensor{gx}
		}, x)
	}
	arg := uninitInts(out.Numel()) // flat index in x of each output's maximum, each written
	if x.dtype == Float64 {
		maxPool(q, x.f64, out.f64, arg)
	} else {
		maxPool(q, x.f32, out.f32, arg)
	}
	// ∂x[argmax of each window] += g
	return record("MaxPool2d", out, func(g *Tensor) []*Tensor {
		return []*Tensor{rowsScatter(g, arg, 1, shape)}
	}, x)
}

// is2x2 reports whether q is the common 2×2 pool with stride 2 and no
// padding, whose windows lie inside the input and do not overlap.
func (q *poolGeom) is2x2() bool { return q.k == 2 && q.s == 2 && q.p == 0 }

// flatIndex returns the flat index in the input of each 2×2 window's
// maximum, given its position code 0–3 (a, b in the window's first row, c,
// d in its second).
func (q *poolGeom) flatIndex(code []uint8) []int {
	arg := make([]int, len(code))
	for o, c := range code {
		pl, oy, ox := o/(q.oh*q.ow), o/q.ow%q.oh, o%q.ow
		arg[o] = (pl*q.h+2*oy+int(c>>1))*q.w + 2*ox + int(c&1)
	}
	return arg
}

// maxPoolBack2x2 writes every element of ∂x for the 2×2, stride-2 pool
// without padding, whose windows do not overlap: each window's four values
// get its output's gradient at the maximum (its code) and 0 elsewhere, in
// one pass (float32: AVX2, or AVX-512 a plane a call); a last column or row
// no window covers (odd width or height) is cleared.
func maxPoolBack2x2[T float](q *poolGeom, gx, g []T, code []uint8) {
	w, ow := q.w, q.ow
	for pl := 0; pl < q.planes; pl++ {
		i0, o0 := pl*q.h*w, pl*q.oh*ow
		if gx32, ok := any(gx).([]float32); ok {
			kernels.MaxPool2x2BackRows32(gx32[i0:i0+q.h*w], w, any(g).([]float32)[o0:o0+q.oh*ow], code[o0:o0+q.oh*ow], q.oh, ow)
		} else {
			for oy := 0; oy < q.oh; oy++ {
				r0, r1 := gx[i0+2*oy*w:][:2*ow], gx[i0+(2*oy+1)*w:][:2*ow]
				o := o0 + oy*ow
				for ox, c := range code[o : o+ow] {
					var v [4]T
					v[c] = g[o+ox]
					r0[2*ox], r0[2*ox+1], r1[2*ox], r1[2*ox+1] = v[0], v[1], v[2], v[3]
				}
			}
		}
		if w%2 == 1 {
			for y := 0; y < 2*q.oh; y++ {
				gx[i0+y*w+w-1] = 0
			}
		}
		if q.h%2 == 1 {
			i := i0 + (q.h-1)*w
			clear(gx[i : i+w])
		}
	}
}

func maxPool[T float](q *poolGeom, x, out []T, arg []int) {
	for pl := 0; pl < q.planes; pl++ {
		CheckInterrupt()
		for oy := 0; oy < q.oh; oy++ {
			for ox := 0; ox < q.ow; ox++ {
				o := (pl*q.oh+oy)*q.ow + ox
				out[o], arg[o] = maxPoolWindow(q, x, pl, oy, ox)
			}
		}
	}
}

// maxPool2x2 pools the common 2×2 window with stride 2 and no padding (every
// window inside the input), recording each window's maximum as its
// position 0–3 (a, b in the window's first row, c, d in its second). It
// has no window arithmetic and no data-dependent branches (where the maximum
// sits is random, so branches mispredict): it picks the same element as
// maxPool, the first maximum, and takes maxPool's own rule for a window
// holding a NaN. float32 runs in AVX2 or AVX-512 (kernels.MaxPool2x2Rows32,
// a plane a call), rows or windows it leaves (a NaN) in the loop here.
func maxPool2x2[T float](q *poolGeom, x, out []T, code []uint8) {
	w, ow := q.w, q.ow
	for pl := 0; pl < q.planes; pl++ {
		CheckInterrupt()
		i0, o0 := pl*q.h*w, pl*q.oh*ow
		for oy := 0; oy < q.oh; oy++ {
			start := 0
			if x32, ok := any(x).([]float32); ok {
				o := o0 + oy*ow
				done := kernels.MaxPool2x2Rows32(any(out).([]float32)[o:o0+q.oh*ow], code[o:o0+q.oh*ow], x32[i0+2*oy*w:i0+q.h*w], w, q.oh-oy, ow)
				if oy += done / ow; oy == q.oh {
					break
				}
				start = done % ow
			}
			// row oy from window start on, in Go
			o := o0 + oy*ow
			orow, crow := out[o:o+ow], code[o:o+ow]
			i := i0 + 2*oy*w
			r0, r1 := x[i:i+2*ow], x[i+w:i+w+2*ow]
			for ox := start; ox < ow; ox++ {
				a, b, c, d := r0[2*ox], r0[2*ox+1], r1[2*ox], r1[2*ox+1]
				if a != a || b != b || c != c || d != d {
					v, at := maxPoolWindow(q, x, pl, oy, ox)
					orow[ox], crow[ox] = v, uint8((at-i-2*ox)/w*2+(at-i-2*ox)%w)
					continue
				}
				j1, j2 := b2i(b > a), b2i(d > c) // first maximum of each row
				m1, m2 := r0[2*ox+j1], r1[2*ox+j2]
				k := b2i(m2 > m1) // the second row only when strictly larger
				orow[ox], crow[ox] = x[i+2*ox+j1+k*(w+j2-j1)], uint8(j1+k*(2+j2-j1))
			}
		}
	}
}

// maxPoolWindow computes one output of maxPool the general way.
func maxPoolWindow[T float](q *poolGeom, x []T, pl, oy, ox int) (T, int) {
	y0, y1 := q.window(oy, q.h)
	x0, x1 := q.window(ox, q.w)
	best, bi := T(math.Inf(-1)), (pl*q.h+y0)*q.w+x0
	for iy := y0; iy < y1; iy++ {
		for ix := x0; ix < x1; ix++ {
			i := (pl*q.h+iy)*q.w + ix
			if v := x[i]; v > best || v != v { // as PyTorch: NaN wins
				best, bi = v, i
			}
		}
	}
	return best, bi
}

// AvgPool2d returns the mean of every kernel×kernel window of x [N, C, H, W],
// moving by stride (0 means kernel); padding positions count as zeros in the
// mean (count_include_pad=True, PyTorch's default).
// It panics like MaxPool2d.
func AvgPool2d(x *Tensor, kernel, stride, padding int) *Tensor {
	q := poolGeometry("AvgPool2d", x, kernel, stride, padding)
	out := uninit(x.dtype, []int{x.shape[0], x.shape[1], q.oh, q.ow})
	if x.dtype == Float64 {
		avgPool(q, x.f64, out.f64, false)
	} else {
		avgPool(q, x.f32, out.f32, false)
	}
	// ∂x[i] += g[o]/kernel² for every input i in the window of output o
	return record("AvgPool2d", out, func(g *Tensor) []*Tensor { return []*Tensor{avgPoolGrad(q, g, x.shape)} }, x)
}

// avgPoolGrad is AvgPool2d's ∂x for the gradient g of its result. Under
// Grad with CreateGraph, when g requires grad, it is recorded (op
// avgPool2dGrad), its own backward AvgPool2d of the same geometry, so that
// it can be differentiated again.
func avgPoolGrad(q *poolGeom, g *Tensor, shape []int) *Tensor {
	gx := empty(g.dtype, shape)
	if g.dtype == Float64 {
		avgPool(q, gx.f64, g.f64, true)
	} else {
		avgPool(q, gx.f32, g.f32, true)
	}
	if !g.requiresGrad || !creatingGraph() {
		return gx
	}
	return record("avgPool2dGrad", gx, func(gg *Tensor) []*Tensor { return []*Tensor{AvgPool2d(gg, q.k, q.s, q.p)} }, g)
}

// avgPool sets out[o] to the mean of x over the window of o, or, when back is
// set, adds out[o]/kernel² to x over that window (the adjoint).
func avgPool[T float](q *poolGeom, x, out []T, back bool) {
	scale := 1 / T(q.k*q.k)
	for pl := 0; pl < q.planes; pl++ {
		CheckInterrupt()
		for oy := 0; oy < q.oh; oy++ {
			y0, y1 := q.window(oy, q.h)
			for ox := 0; ox < q.ow; ox++ {
				x0, x1 := q.window(ox, q.w)
				o := (pl*q.oh+oy)*q.ow + ox
				var sum T
				for iy := y0; iy < y1; iy++ {
					row := x[(pl*q.h+iy)*q.w:][x0:x1]
					for j := range row {
						if back {
							row[j] += out[o] * scale
						} else {
							sum += row[j]
						}
					}
				}
				if !back {
					out[o] = sum * scale
				}
			}
		}
	}
}
