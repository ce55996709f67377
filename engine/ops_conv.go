package engine

import (
	"fmt"
	"github.com/dbr-go/dbr/internal/kernels"
	"runtime"
)

// ConvOpts are the options of Conv2d. Unset fields mean PyTorch's defaults:
// Stride 1, Padding 0 (zeros on every side), Dilation 1, Groups 1. Zero is
// not an allowed stride, dilation or group count, so 0 there stands for
// nothing but the default (the rule of every options struct: see package nn).
// StrideHW and PaddingHW give the height's and the width's value apart
// (PyTorch's stride=(2, 1), padding=(1, 0)); when one is set, the scalar
// field must be unset: ConvOpts{PaddingHW: [2]int{1, 0}}.
type ConvOpts struct {
	Stride, Padding, Dilation, Groups int
	StrideHW, PaddingHW               [2]int
}

// hw returns the (height, width) pair of a scalar option v and its per-dim
// form pair, def standing for an unset scalar.
func (o ConvOpts) hw(name string, v int, pair [2]int, def int) (int, int) {
	if pair == [2]int{} {
		v = max(v, def)
		return v, v
	}
	if v != 0 {
		errorf("Conv2d", "set %s or %sHW, not both (got %s=%d, %sHW=%v)", name, name, name, v, name, pair)
	}
	return pair[0], pair[1]
}

// convGeom is the geometry of one Conv2d call.
type convGeom struct {
	n, c, h, w     int // input N, C, H, W
	oc, cg, kh, kw int // weight: out channels, in channels per group, kernel
	groups, ocg    int // groups and out channels per group
	sh, sw, ph, pw int // stride and padding of the height and the width
	d              int // dilation
	oh, ow         int // output H, W
}

func (q *convGeom) k() int { return q.cg * q.kh * q.kw } // rows of a column matrix
func (q *convGeom) l() int { return q.oh * q.ow }        // columns: output positions

// Conv2d returns the 2-d cross-correlation of x [N, C, H, W] with the filters
// w [OC, C/Groups, KH, KW] plus the bias b [OC] (b may be nil), as
// torch.nn.functional.conv2d; the result is [N, OC, OH, OW] with
// OH = (H + 2·Padding − Dilation·(KH−1) − 1)/Stride + 1, and OW likewise.
// With Groups g the channels are split into g groups convolved separately.
// It panics with a *ShapeError when the shapes do not fit and with an *Error
// for negative options.
//
// It is computed as im2col + GEMM: each image's receptive fields are unrolled
// into a matrix, so one BLAS matrix product per image and group does the work.
func Conv2d(x, w, b *Tensor, o ConvOpts) *Tensor {
	q := convGeometry(x, w, b, o)
	ins := []*Tensor{x, w}
	if b != nil {
		ins = append(ins, b)
	}
	ins = sameDType(ins)
	x, w = ins[0], ins[1]
	if b != nil {
		b = ins[2]
	}
	out := uninit(x.dtype, []int{q.n, q.oc, q.oh, q.ow})
	if x.dtype == Float64 {
		convForward(q, x.f64, w.f64, optSlice[float64](b), out.f64)
	} else {
		convForward(q, x.f32, w.f32, optSlice[float32](b), out.f32)
	}
	// ∂x = col2im(wᵀ·g), ∂w += g·colsᵀ (per image and group), ∂b = g summed over N, OH, OW
	return record("Conv2d", out, func(g *Tensor) []*Tensor {
		if creatingGraph() { // from recorded ops, for a second derivative
			return convGradOps(q, ins, g)
		}
		gs := make([]*Tensor, len(ins))
		for i, in := range ins {
			switch {
			case !in.requiresGrad:
			case i == 0: // ∂x: addBack writes every element
				gs[i] = uninit(g.dtype, in.shape)
			default: // ∂w and ∂b are sums over the images
				gs[i] = empty(g.dtype, in.shape)
			}
		}
		gs = append(gs, nil) // no bias: a nil gradient for it
		if g.dtype == Float64 {
			convBackward(q, x.f64, w.f64, g.f64, optSlice[float64](gs[0]), optSlice[float64](gs[1]), optSlice[float64](gs[2]))
		} else {
			convBackward(q, x.f32, w.f32, g.f32, optSlice[float32](gs[0]), optSlice[float32](gs[1]), optSlice[float32](gs[2]))
		}
		return gs[:len(ins)]
	}, ins...)
}

// opts returns the options that give the geometry q (for the
// convolutions that Conv2d's gradients are made of).
func (q *convGeom) opts() ConvOpts {
	return ConvOpts{StrideHW: [2]int{q.sh, q.sw}, PaddingHW: [2]int{q.ph, q.pw}, Dilation: q.d, Groups: q.groups}
}

// convGradOps is Conv2d's backward for Grad with CreateGraph (a gradient
// penalty through a convolutional critic): ∂x and ∂w are recorded ops, so
// they can be differentiated again, computed by the same kernels as the
// backward, and ∂b is a Sum.
func convGradOps(q *convGeom, ins []*Tensor, g *Tensor) []*Tensor {
	gs := make([]*Tensor, len(ins))
	if ins[0].requiresGrad {
		gs[0] = convInputGrad(q, g, ins[1])
	}
	if ins[1].requiresGrad {
		gs[1] = convWeightGrad(q, ins[0], g)
	}
	if len(ins) == 3 && ins[2].requiresGrad {
		gs[2] = g.Sum(0, 2, 3)
	}
	return gs
}

// convInputGrad is ∂x of a Conv2d of geometry q for the gradient g of its
// result and the filters w (a transposed convolution of g). It is linear in
// each: for a gradient G of the result, ∂g = Conv2d(G, w), ∂w =
// convWeightGrad(G, g).
func convInputGrad(q *convGeom, g, w *Tensor) *Tensor {
	gx := empty(g.dtype, []int{q.n, q.c, q.h, q.w})
	if g.dtype == Float64 {
		convBackward(q, nil, w.f64, g.f64, gx.f64, nil, nil)
	} else {
		convBackward(q, nil, w.f32, g.f32, gx.f32, nil, nil)
	}
	return record("conv2dInputGrad", gx, func(gg *Tensor) []*Tensor {
		gs := make([]*Tensor, 2)
		if g.requiresGrad {
			gs[0] = Conv2d(gg, w, nil, q.opts())
		}
		if w.requiresGrad {
			gs[1] = convWeightGrad(q, gg, g)
		}
		return gs
	}, g, w)
}

// convWeightGrad is ∂w of a Conv2d of geometry q for the input x and the
// gradient g of its result (a convolution of x by g). It is linear in each:
// for a gradient G of the result, ∂x = convInputGrad(g, G), ∂g =
// Conv2d(x, G).
func convWeightGrad(q *convGeom, x, g *Tensor) *Tensor {
	gw := empty(g.dtype, []int{q.oc, q.cg, q.kh, q.kw})
	if g.dtype == Float64 {
		convBackward(q, x.f64, nil, g.f64, nil, gw.f64, nil)
	} else {
		convBackward(q, x.f32, nil, g.f32, nil, gw.f32, nil)
	}
	return record("conv2dWeightGrad", gw, func(gg *Tensor) []*Tensor {
		gs := make([]*Tensor, 2)
		if x.requiresGrad {
			gs[0] = convInputGrad(q, g, gg)
		}
		if g.requiresGrad {
			gs[1] = Conv2d(x, gg, nil, q.opts())
		}
		return gs
	}, x, g)
}

// convGeometry checks the operands of Conv2d and returns its geometry.
func convGeometry(x, w, b *Tensor, o ConvOpts) *convGeom {
	shapes, labels := [][]int{x.shape, w.shape}, []string{"input", "weight"}
	if b != nil {
		shapes, labels = append(shapes, b.shape), append(labels, "bias")
	}
	fail := func(reason, hint string) {
		panic(&ShapeError{Op: "Conv2d", Shapes: shapes, Labels: labels, Reason: reason, Hint: hint})
	}
	if o.Stride < 0 || o.Padding < 0 || o.Dilation < 0 || o.Groups < 0 || min(o.StrideHW[0], o.StrideHW[1], o.PaddingHW[0], o.PaddingHW[1]) < 0 {
		errorf("Conv2d", "options must be >= 0 (0 means the default), got %+v", o)
	}
	q := &convGeom{d: max(o.Dilation, 1), groups: max(o.Groups, 1)}
	q.sh, q.sw = o.hw("Stride", o.Stride, o.StrideHW, 1)
	q.ph, q.pw = o.hw("Padding", o.Padding, o.PaddingHW, 0)
	if q.sh == 0 || q.sw == 0 {
		errorf("Conv2d", "StrideHW %v: both strides must be positive", o.StrideHW)
	}
	if len(x.shape) != 4 {
		fail(fmt.Sprintf("input must be 4-d [N, C, H, W], got %d-d", len(x.shape)), "for one image use x.Unsqueeze(0)")
	}
	if len(w.shape) != 4 {
		fail(fmt.Sprintf("weight must be 4-d [OC, C/groups, KH, KW], got %d-d", len(w.shape)), "")
	}
	q.n, q.c, q.h, q.w = x.shape[0], x.shape[1], x.shape[2], x.shape[3]
	q.oc, q.cg, q.kh, q.kw = w.shape[0], w.shape[1], w.shape[2], w.shape[3]
	if q.c != q.cg*q.groups {
		hint := fmt.Sprintf("input channels %d are not a multiple of groups %d", q.c, q.groups)
		if q.c%q.groups == 0 {
			hint = fmt.Sprintf("a weight %v fits this input", []int{q.oc, q.c / q.groups, q.kh, q.kw})
		}
		fail(fmt.Sprintf("input has %d channels but weight expects %d with groups=%d", q.c, q.cg*q.groups, q.groups), hint)
	}
	if q.oc%q.groups != 0 {
		fail(fmt.Sprintf("%d output channels do not split into %d groups", q.oc, q.groups), "weight dim 0 must be a multiple of groups")
	}
	if b != nil && (len(b.shape) != 1 || b.shape[0] != q.oc) {
		fail(fmt.Sprintf("bias must have shape [%d], one value per output channel", q.oc), "")
	}
	if q.kh == 0 || q.kw == 0 {
		fail(fmt.Sprintf("the kernel is %dx%d; it needs at least one element", q.kh, q.kw), "")
	}
	q.ocg = q.oc / q.groups
	ekh, ekw := q.d*(q.kh-1)+1, q.d*(q.kw-1)+1
	ph, pw := q.h+2*q.ph, q.w+2*q.pw
	if ph < ekh || pw < ekw {
		fail(fmt.Sprintf("the padded input is %dx%d but the (dilated) kernel is %dx%d", ph, pw, ekh, ekw),
			"use a smaller kernel or more padding")
	}
	q.oh, q.ow = (ph-ekh)/q.sh+1, (pw-ekw)/q.sw+1
	return q
}

// Conv2d's images run on all cores (kernels.Parallel), each goroutine with its
// own buffers; the per-image products then stay on their goroutine.
// convParts is how many partial weight (and bias) gradients the backward
// sums: image n adds into part n mod convParts, each part's images in order,
// and the parts are added in order at the end, so the gradient is the same
// bit for bit whatever the number of cores.
const convParts = 4

// convWorkers returns how many goroutines a Conv2d over images spreads over:
// up to GOMAXPROCS and at most limit, one for a product too small to repay
// the handover.
func convWorkers(q *convGeom, limit int) int {
	work := q.n * q.oc * q.k() * q.l() // multiply-adds of the forward
	return max(1, min(runtime.GOMAXPROCS(0), limit, work/(1<<18)))
}

func convForward[T float](q *convGeom, x, w, b, out []T) {
	K, L := q.k(), q.l()
	workers := convWorkers(q, q.n)
	kernels.Parallel(workers, func(wk int) {
		u := newUnroll[T](q)
		res := u.wideBuf(q.ocg) // the GEMM's result when it is wide
		for n := wk; n < q.n; n += workers {
			CheckInterrupt()
			for g := 0; g < q.groups; g++ {
				if u.direct {
					u.directForward(x, w, b, out, n, g)
					continue
				}
				cols := u.columns(x, n, g)
				dst := out[(n*q.oc+g*q.ocg)*L:][:q.ocg*L]
				if res != nil {
					dst = res
				}
				// the bias is the GEMM's starting value (beta = 1): one write
				// pass instead of adding it over the result afterwards
				var beta T
				if b != nil {
					beta = 1
					for oc := 0; oc < q.ocg; oc++ {
						fillT(dst[oc*u.lw:(oc+1)*u.lw], b[g*q.ocg+oc])
					}
				}
				matmulInto(false, false, q.ocg, u.lw, K, w[g*q.ocg*K:], K, cols, u.lw, beta, dst, u.lw)
				if res != nil {
					copyRows(out[(n*q.oc+g*q.ocg)*L:], q.ow, res, u.wp, q.ocg*q.oh, q.ow)
				}
			}
		}
	})
}

// convBackward fills gx, gw and gb (each may be nil when not needed; gw and
// gb start at zero).
//
// The GEMM computes each image's weight gradient transposed, ∂wᵀ += cols·gᵀ
// [K, OC/groups] per group: A = cols is read in place (its rows are the
// taps), only gᵀ, OC/groups rows, is packed transposed, and the tiles are
// full where ∂w [OC/groups, K] would leave rows or columns of them empty
// (16→32 channels: 32 rows in 12-row tiles, 144 columns in 32-wide ones).
// The sums are the same; each part's sum is transposed into ∂w at the end.
func convBackward[T float](q *convGeom, x, w, g, gx, gw, gb []T) {
	// partial gradients: part 0 is gw (gb) itself, the others are added in
	// order at the end
	parts := min(convParts, q.n)
	gwPart, gbPart, gwT := make([][]T, parts), make([][]T, parts), make([][]T, parts)
	for p := range parts {
		gwPart[p], gbPart[p] = gw, gb
		if p > 0 && gw != nil {
			gwPart[p] = make([]T, len(gw))
		}
		if p > 0 && gb != nil {
			gbPart[p] = make([]T, len(gb))
		}
	}
	workers := convWorkers(q, parts)
	kernels.Parallel(workers, func(wk int) {
		u := newUnroll[T](q)
		u.gWide = u.wideBuf(q.ocg)
		var dcols, dpad []T
		if gx != nil {
			dcols = make([]T, q.k()*u.lw)
			dpad = make([]T, q.cg*u.plane)
		}
		for p := wk; p < parts; p += workers {
			if gw != nil && !u.direct {
				gwT[p] = make([]T, len(gw)) // [groups, K, OC/groups]
			}
			for n := p; n < q.n; n += parts {
				convBackwardImage(q, u, n, x, w, g, gx, gwPart[p], gwT[p], gbPart[p], dcols, dpad)
			}
		}
	})
	K := q.k()
	for p := range parts {
		if t := gwT[p]; t != nil { // gwPart[p] is still 0
			for grp := 0; grp < q.groups; grp++ {
				gwg, tg := gwPart[p][grp*q.ocg*K:][:q.ocg*K], t[grp*K*q.ocg:][:K*q.ocg]
				for k := 0; k < K; k++ {
					for oc, v := range tg[k*q.ocg : (k+1)*q.ocg] {
						gwg[oc*K+k] = v
					}
				}
			}
		}
	}
	for p := 1; p < parts; p++ {
		if gw != nil {
			addTo(gw, gwPart[p])
		}
		if gb != nil {
			addTo(gb, gbPart[p])
		}
	}
}

// convBackwardImage adds image n's weight and bias gradients into gw (the
// direct path) or gwT (transposed, the GEMM's) and gb, and writes its input
// gradient into gx (each may be nil); dcols and dpad are scratch for the
// input gradient.
func convBackwardImage[T float](q *convGeom, u *unroll[T], n int, x, w, g, gx, gw, gwT, gb, dcols, dpad []T) {
	K, L := q.k(), q.l()
	CheckInterrupt()
	for oc := range gb {
		gb[oc] += planeSum(g[(n*q.oc+oc)*L : (n*q.oc+oc+1)*L])
	}
	for grp := 0; grp < q.groups; grp++ {
		gs := g[(n*q.oc+grp*q.ocg)*L:][:q.ocg*L]
		if u.wide {
			copyRows(u.gWide, u.wp, gs, q.ow, q.ocg*q.oh, q.ow)
			gs = u.gWide
		}
		switch {
		case gw != nil && u.direct:
			u.directWeightGrad(x, gs, gw[grp*q.ocg*K:(grp+1)*q.ocg*K], n, grp)
		case gw != nil:
			cols := u.columns(x, n, grp)
			matmulInto(false, true, K, q.ocg, u.lw, cols, u.lw, gs, u.lw, 1, gwT[grp*K*q.ocg:(grp+1)*K*q.ocg], q.ocg)
		}
		if gx != nil {
			matmulInto(true, false, K, u.lw, q.ocg, w[grp*q.ocg*K:], K, gs, u.lw, 0, dcols, u.lw)
			u.addBack(dcols, dpad, n, grp, gx)
		}
	}
}

// unroll lays out the receptive fields of one image and group as a matrix
// [C/groups·KH·KW, lw] for the GEMM, and adds such a matrix back (im2col
// and its adjoint col2im).
//
// The image's planes are first copied into zero-padded planes of
// (H+2·Padding)×Wp values, Wp = W+2·Padding, so that no copy needs a bounds
// test: kernel tap (c, ki, kj) reads plane c from offset ki·d·Wp + kj·d on,
// output position (oy, ox) at oy·Stride·Wp + ox·Stride past that. Then either
//   - the compact grid: lw = OH·OW columns, each tap's row is OH runs of OW
//     values (copies for stride 1); or
//   - the wide grid, for stride 1: the output is computed at OH×Wp
//     positions, Dilation·(KW−1) more per row than OW, whose values are
//     dropped. Each tap's row is then one contiguous run of lw = OH·Wp
//     values: one copy per tap and one vector add per tap back, for a GEMM
//     (KW−1)·d/Wp wider and the results (or gradients) moved between the
//     grids, OC/groups·OH short copies.
//
// The wide grid pays off when there are more taps than output channels
// (16→32 channels 3×3 at 14×14: 18% faster forward + backward); a first layer
// (1→16 channels) is faster compact. The dropped positions take part in the
// weight gradient's sums with a zero gradient, which adds nothing, except
// that an infinite input value there makes 0·∞ = NaN.
type unroll[T float] struct {
	q             *convGeom
	wide          bool
	direct        bool      // float32 with few taps: no unrolling (directForward)
	dot           []float32 // directWeightGrad: one channel's gradients, a tap each
	wp, plane, lw int       // padded row, padded plane (with slack for the wide grid's last taps), columns
	taps          []int     // where kernel tap k = (c, ki, kj) starts reading in pad
	pad, cols     []T
	gWide         []T // backward: the gradient on the wide grid (its extra columns stay 0)
}

func newUnroll[T float](q *convGeom) *unroll[T] {
	u := &unroll[T]{q: q, lw: q.l(), wp: q.w + 2*q.pw}
	u.plane = (q.h+2*q.ph)*u.wp + q.d*(q.kw-1)
	u.pad = make([]T, q.cg*u.plane) // the borders stay 0: only the insides are written
	if u.wide = q.sh == 1 && q.sw == 1 && 2*q.ocg < q.k(); u.wide {
		u.lw = q.oh * u.wp
	}
	_, f32 := any(u.pad).([]float32)
	u.direct = f32 && kernels.DirectConv() && convDirect && q.sh == 1 && q.sw == 1 && q.k() < q.ocg
	if u.direct {
		u.dot = make([]float32, q.k())
	} else {
		u.cols = make([]T, q.k()*u.lw)
	}
	for c := 0; c < q.cg; c++ {
		for ki := 0; ki < q.kh; ki++ {
			for kj := 0; kj < q.kw; kj++ {
				u.taps = append(u.taps, c*u.plane+ki*q.d*u.wp+kj*q.d)
			}
		}
	}
	return u
}

// wideBuf returns a zeroed [rows, lw] buffer for results on the wide grid, or
// nil on the compact grid (results go straight to their tensor).
func (u *unroll[T]) wideBuf(rows int) []T {
	if !u.wide {
		return nil
	}
	return make([]T, rows*u.lw)
}

// padPlanes copies image n, group grp of x into the insides of the
// zero-padded planes.
func (u *unroll[T]) padPlanes(x []T, n, grp int) {
	q := u.q
	for c := 0; c < q.cg; c++ {
		src := x[((n*q.c)+grp*q.cg+c)*q.h*q.w:]
		copyRows(u.pad[c*u.plane+q.ph*u.wp+q.pw:], u.wp, src, q.w, q.h, q.w)
	}
}

// A convolution with fewer kernel taps than output channels per group (a
// first layer: K = 9) multiplies a [OC, K] matrix by a [K, OH·OW] one: a
// product only K deep, where unrolling the image, packing both operands and
// storing each result tile after 9 steps cost more than the multiply-adds.
// With AVX-512 (kernels.DirectConv) and stride 1, float32 computes it
// straight from the padded planes instead: each output row as K vector
// multiply-adds of shifted input rows (kernels.ConvRows32), each weight
// gradient as one dot product of the gradient's plane with the input
// shifted by each tap (kernels.DotRows32). convDirect off (tests) keeps
// im2col.
var convDirect = true

// directForward writes image n, group g of Conv2d's result from the padded
// planes (u.direct).
func (u *unroll[T]) directForward(x, w, b, out []T, n, g int) {
	q := u.q
	K, L := q.k(), q.l()
	u.padPlanes(x, n, g)
	var bias []float32
	if b != nil {
		bias = any(b).([]float32)[g*q.ocg : (g+1)*q.ocg]
	}
	kernels.ConvRows32(any(out).([]float32)[(n*q.oc+g*q.ocg)*L:], L, any(u.pad).([]float32), u.wp, u.taps,
		any(w).([]float32)[g*q.ocg*K:(g+1)*q.ocg*K], q.oh, q.ow, bias)
}

// directWeightGrad adds image n, group grp's weight gradient into gwg
// [OC/groups, K] from the gradient gs of its result (u.direct).
func (u *unroll[T]) directWeightGrad(x, gs, gwg []T, n, grp int) {
	q := u.q
	K, L := q.k(), q.l()
	u.padPlanes(x, n, grp)
	pad, g32 := any(u.pad).([]float32), any(gs).([]float32)
	dot := u.dot[:K]
	for oc := 0; oc < q.ocg; oc++ {
		kernels.DotRows32(dot, g32[oc*L:], q.ow, pad, u.taps, u.wp, q.oh, q.ow)
		for k, v := range dot {
			gwg[oc*K+k] += T(v)
		}
	}
}

// columns unrolls image n, group grp of x and returns the matrix [K, lw].
func (u *unroll[T]) columns(x []T, n, grp int) []T {
	q := u.q
	u.padPlanes(x, n, grp)
	for k := range q.k() {
		row, src := u.cols[k*u.lw:][:u.lw], u.pad[u.taps[k]:]
		switch {
		case u.wide:
			copy(row, src)
		case q.sh == 1 && q.sw == 1:
			copyRows(row, q.ow, src, u.wp, q.oh, q.ow)
		default:
			for oy := 0; oy < q.oh; oy++ {
				r, in := row[oy*q.ow:][:q.ow], src[oy*q.sh*u.wp:]
				for ox := range r {
					r[ox] = in[ox*q.sw]
				}
			}
		}
	}
	return u.cols
}

// addBack adds the matrix cols [K, lw] back into image n, group grp, and
// writes the sums to every element of that image's group in dx (Conv2d's
// backward hands out ∂x without zeroing it); dpad is a scratch
// [C/groups, plane] for the padded planes.
func (u *unroll[T]) addBack(cols, dpad []T, n, grp int, dx []T) {
	q := u.q
	clear(dpad)
	for k := range q.k() {
		row, dst := cols[k*u.lw:][:u.lw], dpad[u.taps[k]:]
		switch {
		case u.wide:
			addTo(dst[:u.lw], row)
		case q.sh == 1 && q.sw == 1:
			for oy := 0; oy < q.oh; oy++ {
				addTo(dst[oy*u.wp:][:q.ow], row[oy*q.ow:][:q.ow])
			}
		default:
			for oy := 0; oy < q.oh; oy++ {
				r, out := row[oy*q.ow:][:q.ow], dst[oy*q.sh*u.wp:]
				for ox, v := range r {
					out[ox*q.sw] += v
				}
			}
		}
	}
	for c := 0; c < q.cg; c++ {
		dst := dx[((n*q.c)+grp*q.cg+c)*q.h*q.w:]
		copyRows(dst, q.w, dpad[c*u.plane+q.ph*u.wp+q.pw:], u.wp, q.h, q.w)
	}
}

// copyRows copies rows runs of n values from src (rows ss apart) to dst
// (rows ds apart); float32 in vector moves (kernels.CopyRows32), not a
// call of copy per run of 14–30 values.
func copyRows[T float](dst []T, ds int, src []T, ss, rows, n int) {
	if d32, ok := any(dst).([]float32); ok {
		kernels.CopyRows32(d32, ds, any(src).([]float32), ss, rows, n)
		return
	}
	for r := 0; r < rows; r++ {
		copy(dst[r*ds:][:n], src[r*ss:][:n])
	}
}

// planeSum returns the sum of v: float32 in vectors (kernels.Sum32's fixed
// order of 16 lanes), float64 with sum4.
func planeSum[T float](v []T) T {
	if v32, ok := any(v).([]float32); ok {
		return T(kernels.Sum32(v32))
	}
	return sum4(v)
}

// sum4 returns the sum of v with four independent partial sums: one long
// chain of dependent adds is latency-bound (about 4x slower).
func sum4[T float](v []T) T {
	var s0, s1, s2, s3 T
	i := 0
	for ; i+4 <= len(v); i += 4 {
		s0 += v[i]
		s1 += v[i+1]
		s2 += v[i+2]
		s3 += v[i+3]
	}
	for ; i < len(v); i++ {
		s0 += v[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// fillT sets every element of o to v.
func fillT[T float](o []T, v T) {
	if len(o) == 0 {
		return
	}
	o[0] = v
	for i := 1; i < len(o); i *= 2 { // doubling copies run at memmove speed
		copy(o[i:], o[:i])
	}
}
