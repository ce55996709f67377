package engine

import (
	"errors"
	"math"
	"runtime"
	"slices"
	"testing"

	"github.com/dbr-go/dbr/internal/kernels"
)

var _ = addOps("conv", convOps)

// convOps are the op table's rows for Conv2d (see runOps).
func convOps() []opSpec {
	Seed(3)
	conv := func(o ConvOpts) func(x []*Tensor) *Tensor {
		return func(x []*Tensor) *Tensor {
			if len(x) == 3 {
				return Conv2d(x[0], x[1], x[2], o)
			}
			return Conv2d(x[0], x[1], nil, o)
		}
	}
	in := func(ts ...*Tensor) []*Tensor { return ts }
	return []opSpec{
		{name: "Conv2d/basic", f: conv(ConvOpts{}), torch: true},
		{name: "Conv2d/no-bias", f: conv(ConvOpts{}), torch: true},
		{name: "Conv2d/stride-pad", f: conv(ConvOpts{Stride: 2, Padding: 1}), torch: true},
		{name: "Conv2d/dilation", f: conv(ConvOpts{Dilation: 2, Padding: 2}), torch: true},
		{name: "Conv2d/groups", f: conv(ConvOpts{Groups: 2, Padding: 1}), torch: true},
		{name: "Conv2d/depthwise", f: conv(ConvOpts{Groups: 3, Stride: 2}), torch: true},
		{name: "Conv2d/1x1", f: conv(ConvOpts{}), torch: true},
		{name: "Conv2d/large", f: conv(ConvOpts{Padding: 1}), torch: true},
		{name: "Conv2d/first-layer", f: conv(ConvOpts{Padding: 1}), torch: true},
		// more images than convParts: each partial gradient sums several
		{name: "Conv2d/batch-9-few-taps", f: conv(ConvOpts{Padding: 1}), torch: true},
		{name: "Conv2d/batch-9", f: conv(ConvOpts{Stride: 2}), torch: true},
		{name: "Conv2d/stride", f: conv(ConvOpts{Stride: 2}), inputs: in(Randn(2, 1, 7, 6), Randn(2, 1, 3, 3), Randn(2))},
		{name: "Conv2d/padding", f: conv(ConvOpts{Padding: 2}), inputs: in(Randn(1, 2, 3, 5), Randn(2, 2, 3, 2))},
		{name: "Conv2d/stride-pad-dilation", f: conv(ConvOpts{Stride: 2, Padding: 1, Dilation: 2}), inputs: in(Randn(2, 2, 6, 7), Randn(2, 2, 3, 3), Randn(2))},
		{name: "Conv2d/dilation-3x2", f: conv(ConvOpts{Dilation: 2, Padding: 1}), inputs: in(Randn(2, 2, 5, 6), Randn(3, 2, 2, 3), Randn(3))},
		{name: "Conv2d/groups-dilation", f: conv(ConvOpts{Groups: 2, Dilation: 2, Padding: 3}), inputs: in(Randn(1, 4, 3, 4), Randn(2, 2, 3, 2))},
		{name: "Conv2d/depthwise-multiplier", f: conv(ConvOpts{Groups: 3}), inputs: in(Randn(1, 3, 4, 5), Randn(6, 1, 2, 3))},
		// fewer kernel taps than output channels per group: the weight
		// gradient is computed transposed and added in
		{name: "Conv2d/few-taps", f: conv(ConvOpts{Padding: 1}), inputs: in(Randn(2, 1, 4, 4), Randn(8, 1, 2, 2), Randn(8))},
		{name: "Conv2d/few-taps-groups", f: conv(ConvOpts{Groups: 2}), inputs: in(Randn(6, 2, 3, 4), Randn(6, 1, 1, 2))},
		{name: "Conv2d/few-taps-groups-K4<6", f: conv(ConvOpts{Groups: 2}), inputs: in(Randn(2, 2, 4, 5), Randn(12, 1, 2, 2))},
		{name: "Conv2d/few-taps-K9<10", f: conv(ConvOpts{Padding: 1}), inputs: in(Randn(2, 1, 5, 6), Randn(10, 1, 3, 3), Randn(10))},
		{name: "Conv2d/1x1-few-taps", f: conv(ConvOpts{}), inputs: in(Randn(3, 2, 4, 4), Randn(8, 2, 1, 1))},
		{name: "Conv2d/kernel-covers-input", f: conv(ConvOpts{}), inputs: in(Randn(2, 2, 3, 3), Randn(1, 2, 3, 3), Randn(1))},
		// large: above the buffer pool's poolMin and enough work for several
		// goroutines, 9 and 13 images over the 4 partial gradients
		{name: "Conv2d/big-wide", f: conv(ConvOpts{Padding: 1}), inputs: in(Randn(9, 16, 12, 12), Randn(4, 16, 3, 3), Randn(4))},
		{name: "Conv2d/big-compact", f: conv(ConvOpts{Padding: 1}), inputs: in(Randn(9, 4, 12, 12), Randn(8, 4, 3, 3), Randn(8))},
		{name: "Conv2d/big-first-layer", f: conv(ConvOpts{Padding: 1}), inputs: in(Randn(13, 1, 28, 28), Randn(16, 1, 3, 3), Randn(16))},
		{name: "Conv2d/big-strided-groups", f: conv(ConvOpts{Stride: 2, Groups: 2}), inputs: in(Randn(9, 4, 21, 21), Randn(8, 2, 3, 3), Randn(8))},
		// one tensor used twice: both contributions must arrive
		{name: "twice/Conv2d input and weight", f: func(x []*Tensor) *Tensor { return Conv2d(x[0], x[0], nil, ConvOpts{Padding: 1}) }, inputs: in(Randn(2, 2, 3, 3))},
		{name: "twice/Conv2d twice", f: func(x []*Tensor) *Tensor {
			return Conv2d(Conv2d(x[0], x[1], nil, ConvOpts{Padding: 1}), x[1], nil, ConvOpts{Padding: 1})
		}, inputs: in(Randn(1, 2, 4, 4), Randn(2, 2, 3, 3))},
	}
}

func TestConvErrors(t *testing.T) {
	cases := []errorCase{
		{"channels", func() { Conv2d(Zeros(8, 1, 28, 28), Zeros(16, 3, 3, 3), nil, ConvOpts{}) },
			[]string{"Conv2d: input [8 1 28 28], weight [16 3 3 3]: input has 1 channels but weight expects 3 with groups=1 (a weight [16 1 3 3] fits this input)"}},
		{"groups channels", func() { Conv2d(Zeros(1, 3, 5, 5), Zeros(2, 2, 3, 3), nil, ConvOpts{Groups: 2}) },
			[]string{"Conv2d: input [1 3 5 5], weight [2 2 3 3]: input has 3 channels but weight expects 4 with groups=2 (input channels 3 are not a multiple of groups 2)"}},
		{"groups", func() { Conv2d(Zeros(1, 4, 5, 5), Zeros(3, 2, 3, 3), nil, ConvOpts{Groups: 2}) },
			[]string{"Conv2d: input [1 4 5 5], weight [3 2 3 3]: 3 output channels do not split into 2 groups"}},
		{"bias", func() { Conv2d(Zeros(1, 2, 5, 5), Zeros(3, 2, 3, 3), Zeros(2), ConvOpts{}) },
			[]string{"Conv2d: input [1 2 5 5], weight [3 2 3 3], bias [2]: bias must have shape [3]"}},
		{"3-d input", func() { Conv2d(Zeros(1, 28, 28), Zeros(4, 1, 3, 3), nil, ConvOpts{}) },
			[]string{"Conv2d: input [1 28 28], weight [4 1 3 3]: input must be 4-d", "x.Unsqueeze(0)"}},
		{"too small", func() { Conv2d(Zeros(1, 1, 3, 3), Zeros(1, 1, 3, 3), nil, ConvOpts{Dilation: 2}) },
			[]string{"Conv2d: input [1 1 3 3], weight [1 1 3 3]: the padded input is 3x3 but the (dilated) kernel is 5x5"}},
		{"empty kernel", func() { Conv2d(Zeros(1, 1, 3, 3), Zeros(1, 1, 0, 2), nil, ConvOpts{}) },
			[]string{"Conv2d: input [1 1 3 3], weight [1 1 0 2]: the kernel is 0x2; it needs at least one element"}},
		{"negative", func() { Conv2d(Zeros(1, 1, 3, 3), Zeros(1, 1, 3, 3), nil, ConvOpts{Padding: -1}) },
			[]string{"Conv2d: options must be >= 0"}},
		{"pool 3-d", func() { MaxPool2d(Zeros(1, 4, 4), 2, 0, 0) }, []string{"MaxPool2d: [1 4 4]: input must be 4-d"}},
		{"pool padding", func() { AvgPool2d(Zeros(1, 1, 4, 4), 2, 0, 2) }, []string{"AvgPool2d: padding 2 is more than half the kernel size 2"}},
		{"pool small", func() { MaxPool2d(Zeros(1, 1, 2, 5), 3, 0, 0) }, []string{"MaxPool2d: [1 1 2 5]: the padded input is 2x5, smaller than the 3x3 kernel"}},
	}
	checkErrors(t, cases)
}

func TestConvInterrupt(t *testing.T) {
	defer ClearInterrupt()
	x, w := Zeros(2, 1, 4, 4), Zeros(1, 1, 3, 3)
	for name, f := range map[string]func(){
		"Conv2d":    func() { Conv2d(x, w, nil, ConvOpts{}) },
		"MaxPool2d": func() { MaxPool2d(x, 2, 0, 0) },
		"AvgPool2d": func() { AvgPool2d(x, 2, 0, 0) },
	} {
		Interrupt()
		if err := Try(f); !errors.Is(err, ErrInterrupted) {
			t.Errorf("%s after Interrupt: %v, want ErrInterrupted", name, err)
		}
		ClearInterrupt()
	}
}

// TestConvAllCoresSameAsOne runs Conv2d forward and backward over images on
// several goroutines and on one: values and all three gradients must be
// equal bit for bit (the weight gradient is summed in a fixed order), for
// the wide-grid, compact and first-layer paths.
func TestConvAllCoresSameAsOne(t *testing.T) {
	Seed(8)
	for _, c := range []struct {
		name string
		x, w *Tensor
		o    ConvOpts
	}{
		{"wide", Randn(9, 16, 12, 12), Randn(4, 16, 3, 3), ConvOpts{Padding: 1}},
		{"compact", Randn(9, 4, 12, 12), Randn(8, 4, 3, 3), ConvOpts{Padding: 1}},
		{"first-layer", Randn(9, 1, 28, 28), Randn(16, 1, 3, 3), ConvOpts{Padding: 1}},
		{"strided-groups", Randn(9, 4, 21, 21), Randn(8, 2, 3, 3), ConvOpts{Stride: 2, Groups: 2}},
	} {
		b := Randn(c.w.Size(0))
		run := func(procs int) [][]float32 {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
			x, w, b := c.x.Detach().SetRequiresGrad(true), c.w.Detach().SetRequiresGrad(true), b.Detach().SetRequiresGrad(true)
			y := Conv2d(x, w, b, c.o)
			Seed(9)
			y.BackwardWith(RandnLike(y))
			return [][]float32{y.Float32s(), x.Grad().Float32s(), w.Grad().Float32s(), b.Grad().Float32s()}
		}
		one, four := run(1), run(4)
		for i, what := range []string{"output", "input gradient", "weight gradient", "bias gradient"} {
			if !slices.Equal(one[i], four[i]) {
				t.Errorf("%s: the %s on 4 cores differs from the one on 1 core", c.name, what)
			}
		}
	}
}

// TestConvDirectMatchesUnrolled runs float32 Conv2d forward and backward
// with fewer taps than output channels both ways, straight from the padded
// planes (convDirect, with AVX-512) and through im2col and the GEMM, and
// compares the result and the three gradients (they sum in other orders, so
// within float32 rounding of the sizes of the terms): rows narrower than,
// equal to and wider than the 32-column blocks, dilation, groups, no bias,
// the input requiring grad or not.
func TestConvDirectMatchesUnrolled(t *testing.T) {
	Seed(31)
	for _, c := range []struct {
		name     string
		x, w     *Tensor
		o        ConvOpts
		bias, gx bool
	}{
		{"first-layer", Randn(5, 1, 28, 28), Randn(16, 1, 3, 3), ConvOpts{Padding: 1}, true, false},
		{"wide-rows", Randn(3, 1, 9, 41), Randn(12, 1, 3, 3), ConvOpts{Padding: 1}, true, true},
		{"row-of-32", Randn(2, 1, 6, 30), Randn(10, 1, 3, 3), ConvOpts{Padding: 1}, false, true},
		{"dilation", Randn(2, 1, 11, 13), Randn(16, 1, 3, 3), ConvOpts{Dilation: 2, Padding: 2}, true, false},
		{"groups", Randn(3, 2, 8, 9), Randn(20, 1, 3, 3), ConvOpts{Groups: 2}, true, true},
		{"rgb", Randn(2, 3, 10, 10), Randn(32, 3, 3, 3), ConvOpts{Padding: 1}, true, false},
	} {
		q := convGeometry(c.x, c.w, nil, c.o)
		if got := newUnroll[float32](q).direct; got != kernels.DirectConv() {
			t.Fatalf("%s: direct path %v, want %v (kernels %s)", c.name, got, kernels.DirectConv(), kernels.Kernel())
		}
		run := func(direct bool) [][]float32 {
			defer func(old bool) { convDirect = old }(convDirect)
			convDirect = direct
			x, w := c.x.Detach().SetRequiresGrad(c.gx), c.w.Detach().SetRequiresGrad(true)
			var b *Tensor
			Seed(32)
			if c.bias {
				b = Randn(c.w.Size(0)).SetRequiresGrad(true)
			}
			y := Conv2d(x, w, b, c.o)
			Seed(33)
			y.BackwardWith(RandnLike(y))
			res := [][]float32{y.Float32s(), w.Grad().Float32s()}
			if c.gx {
				res = append(res, x.Grad().Float32s())
			}
			if c.bias {
				res = append(res, b.Grad().Float32s())
			}
			return res
		}
		direct, unrolled := run(true), run(false)
		for i := range direct {
			scale := 0.0
			for _, v := range unrolled[i] {
				scale = max(scale, math.Abs(float64(v)))
			}
			for j := range direct[i] {
				if d := math.Abs(float64(direct[i][j] - unrolled[i][j])); d > 1e-5*scale || d != d {
					t.Fatalf("%s: result %d element %d: direct %v, unrolled %v", c.name, i, j, direct[i][j], unrolled[i][j])
				}
			}
		}
	}
}

// TestConvFewTapsStrided checks float32 Conv2d with fewer taps than output
// channels (the shape that takes the direct loops, which step one column
// and one row at a time) and a stride of 2 along one dim only, forward and
// weight gradient, against the convolution written out in float64, within
// 10⁻⁵ of the sum of the terms' sizes.
func TestConvFewTapsStrided(t *testing.T) {
	Seed(35)
	for _, s := range [][2]int{{1, 2}, {2, 1}} {
		const n, h, wd, oc, k, p = 2, 9, 12, 16, 3, 1
		x, w := Randn(n, 1, h, wd).To(Float32), Randn(oc, 1, k, k).To(Float32).SetRequiresGrad(true)
		y := Conv2d(x, w, nil, ConvOpts{StrideHW: s, Padding: p})
		oh, ow := (h+2*p-k)/s[0]+1, (wd+2*p-k)/s[1]+1
		if want := []int{n, oc, oh, ow}; !slices.Equal(y.Shape(), want) {
			t.Fatalf("stride %v: shape %v, want %v", s, y.Shape(), want)
		}
		g := RandnLike(y)
		y.BackwardWith(g)
		xv, wv, yv, gv, gw := x.Float64s(), w.Float64s(), y.Float64s(), g.Float64s(), w.Grad().Float64s()
		in := func(b, iy, ix int) float64 {
			if iy < 0 || iy >= h || ix < 0 || ix >= wd {
				return 0
			}
			return xv[(b*h+iy)*wd+ix]
		}
		wantW, sizeW := make([]float64, len(wv)), make([]float64, len(wv))
		for b := 0; b < n; b++ {
			for o := 0; o < oc; o++ {
				for oy := 0; oy < oh; oy++ {
					for ox := 0; ox < ow; ox++ {
						i := ((b*oc+o)*oh+oy)*ow + ox
						want, size := 0.0, 0.0
						for ki := 0; ki < k; ki++ {
							for kj := 0; kj < k; kj++ {
								v := in(b, oy*s[0]+ki-p, ox*s[1]+kj-p)
								want += wv[(o*k+ki)*k+kj] * v
								size += math.Abs(wv[(o*k+ki)*k+kj] * v)
								wantW[(o*k+ki)*k+kj] += gv[i] * v
								sizeW[(o*k+ki)*k+kj] += math.Abs(gv[i] * v)
							}
						}
						if math.Abs(yv[i]-want) > 1e-5*size {
							t.Fatalf("stride %v: y[%d %d %d %d] = %v, want %v", s, b, o, oy, ox, yv[i], want)
						}
					}
				}
			}
		}
		for i := range wantW {
			if math.Abs(gw[i]-wantW[i]) > 1e-5*sizeW[i] {
				t.Fatalf("stride %v: ∂w[%d] = %v, want %v", s, i, gw[i], wantW[i])
			}
		}
	}
}
