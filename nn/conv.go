package nn

import (
	"fmt"
	"strings"

	"github.com/dbr-go/dbr/engine"
)

// Conv2d is a 2-d convolution over NCHW input, as torch.nn.Conv2d. Weight
// has shape [OutChannels, InChannels/Groups, KH, KW] and Bias [OutChannels];
// set Bias to nil for no bias. Opts.StrideHW and Opts.PaddingHW set the
// height's and the width's stride and padding apart.
type Conv2d struct {
	InChannels, OutChannels int
	KernelSize              [2]int // KH, KW
	Opts                    engine.ConvOpts
	Weight                  *engine.Tensor
	Bias                    *engine.Tensor
}

// NewConv2d returns a Conv2d layer with a square kernel and PyTorch's default
// initialization; o's zero fields mean stride 1, padding 0, dilation 1,
// groups 1. NewConv2dHW takes a KH×KW kernel.
// It panics with an *engine.Error when a size is not positive or the channels
// do not divide into the groups.
func NewConv2d(in, out, kernel int, o engine.ConvOpts) *Conv2d {
	return newConv2d("NewConv2d", in, out, kernel, kernel, o)
}

// NewConv2dHW returns a Conv2d layer with a kh×kw kernel (PyTorch's
// kernel_size=(kh, kw)); see NewConv2d.
func NewConv2dHW(in, out, kh, kw int, o engine.ConvOpts) *Conv2d {
	return newConv2d("NewConv2dHW", in, out, kh, kw, o)
}

func newConv2d(op string, in, out, kh, kw int, o engine.ConvOpts) *Conv2d {
	g := checkConv(op, in, out, kh, kw, o.Groups)
	c := &Conv2d{InChannels: in, OutChannels: out, KernelSize: [2]int{kh, kw}, Opts: o,
		Weight: param(out, in/g, kh, kw), Bias: param(out)}
	initLayer(c.Weight, c.Bias)
	return c
}

// checkConv checks a convolution layer's sizes and returns its group count.
func checkConv(op string, in, out, kh, kw, groups int) int {
	g := or1(groups)
	if in <= 0 || out <= 0 || kh <= 0 || kw <= 0 || g < 0 {
		errorf(op, "channels, kernel size and groups must be positive, got in=%d out=%d kernel=%dx%d groups=%d", in, out, kh, kw, groups)
	}
	if in%g != 0 || out%g != 0 {
		errorf(op, "in_channels=%d and out_channels=%d must both be divisible by groups=%d", in, out, g)
	}
	return g
}

// Forward convolves x of shape [N, InChannels, H, W].
// It panics with a *engine.ShapeError when x does not fit.
func (c *Conv2d) Forward(x *engine.Tensor) *engine.Tensor {
	needWeight("Conv2d", c.Weight, "nn.NewConv2d(in, out, kernel, engine.ConvOpts{})")
	return engine.Conv2d(x, c.Weight, c.Bias, c.Opts)
}

// Params returns weight and bias (when not nil).
func (c *Conv2d) Params() []Param { return weightBias(c.Weight, c.Bias) }

func weightBias(w, b *engine.Tensor) []Param {
	ps := []Param{{Name: "weight", Tensor: w}}
	if b != nil {
		ps = append(ps, Param{Name: "bias", Tensor: b})
	}
	return ps
}

func (c *Conv2d) String() string {
	ws := c.Weight.Shape()
	sh, sw := pairOf(c.Opts.Stride, c.Opts.StrideHW, 1)
	ph, pw := pairOf(c.Opts.Padding, c.Opts.PaddingHW, 0)
	d, g := or1(c.Opts.Dilation), or1(c.Opts.Groups)
	var b strings.Builder
	fmt.Fprintf(&b, "Conv2d(%d, %d, kernel_size=(%d, %d), stride=(%d, %d)", ws[1]*g, ws[0], ws[2], ws[3], sh, sw)
	if ph != 0 || pw != 0 {
		fmt.Fprintf(&b, ", padding=(%d, %d)", ph, pw)
	}
	if d != 1 {
		fmt.Fprintf(&b, ", dilation=(%d, %d)", d, d)
	}
	if g != 1 {
		fmt.Fprintf(&b, ", groups=%d", g)
	}
	if c.Bias == nil {
		b.WriteString(", bias=false")
	}
	b.WriteString(")")
	return b.String()
}

// pairOf is the (height, width) pair of a ConvOpts option: pair when set,
// else v twice (def when v is 0).
func pairOf(v int, pair [2]int, def int) (int, int) {
	if pair != [2]int{} {
		return pair[0], pair[1]
	}
	if v == 0 {
		v = def
	}
	return v, v
}

func or1(v int) int {
	if v == 0 {
		return 1
	}
	return v
}

// MaxPool2d takes the maximum over KernelSize×KernelSize windows of NCHW
// input, as torch.nn.MaxPool2d; padding pads with -∞.
type MaxPool2d struct{ KernelSize, Stride, Padding int }

// NewMaxPool2d returns a MaxPool2d layer; stride 0 means the kernel size.
// It panics with an *engine.Error when kernel is not positive or stride or
// padding is negative.
func NewMaxPool2d(kernel, stride, padding int) *MaxPool2d {
	checkPool("NewMaxPool2d", kernel, stride, padding)
	return &MaxPool2d{KernelSize: kernel, Stride: stride, Padding: padding}
}

// Forward pools x of shape [N, C, H, W].
func (m *MaxPool2d) Forward(x *engine.Tensor) *engine.Tensor {
	return engine.MaxPool2d(x, m.KernelSize, m.Stride, m.Padding)
}

// Params returns nil: MaxPool2d has no parameters.
func (*MaxPool2d) Params() []Param { return nil }
func (m *MaxPool2d) String() string {
	s := m.Stride
	if s == 0 {
		s = m.KernelSize
	}
	return fmt.Sprintf("MaxPool2d(kernel_size=%d, stride=%d, padding=%d)", m.KernelSize, s, m.Padding)
}

// AvgPool2d averages over KernelSize×KernelSize windows of NCHW input, as
// torch.nn.AvgPool2d (padding counts as zeros in the average).
type AvgPool2d struct{ KernelSize, Stride, Padding int }

// NewAvgPool2d returns an AvgPool2d layer; stride 0 means the kernel size.
// It panics with an *engine.Error when kernel is not positive or stride or
// padding is negative.
func NewAvgPool2d(kernel, stride, padding int) *AvgPool2d {
	checkPool("NewAvgPool2d", kernel, stride, padding)
	return &AvgPool2d{KernelSize: kernel, Stride: stride, Padding: padding}
}

// Forward pools x of shape [N, C, H, W].
func (m *AvgPool2d) Forward(x *engine.Tensor) *engine.Tensor {
	return engine.AvgPool2d(x, m.KernelSize, m.Stride, m.Padding)
}

// Params returns nil: AvgPool2d has no parameters.
func (*AvgPool2d) Params() []Param { return nil }
func (m *AvgPool2d) String() string {
	s := m.Stride
	if s == 0 {
		s = m.KernelSize
	}
	return fmt.Sprintf("AvgPool2d(kernel_size=%d, stride=%d, padding=%d)", m.KernelSize, s, m.Padding)
}

// checkPool panics with an *engine.Error when the sizes of a pooling layer
// cannot work, naming the constructor the user called.
func checkPool(op string, kernel, stride, padding int) {
	if kernel <= 0 || stride < 0 || padding < 0 {
		errorf(op, "kernel must be positive and stride and padding >= 0 (stride 0 means the kernel size), got kernel=%d stride=%d padding=%d", kernel, stride, padding)
	}
}

// Conv1d is a 1-d convolution over [N, C, L] input, as torch.nn.Conv1d.
// Weight has shape [OutChannels, InChannels/Groups, K] and Bias
// [OutChannels]. Opts' scalar fields (Stride, Padding, Dilation, Groups)
// apply along L; it is Conv2d over a height of 1.
type Conv1d struct {
	InChannels, OutChannels, KernelSize int
	Opts                                engine.ConvOpts
	Weight                              *engine.Tensor
	Bias                                *engine.Tensor
}

// NewConv1d returns a Conv1d layer with PyTorch's default initialization.
// It panics with an *engine.Error when a size is not positive, the channels
// do not divide into the groups, or a per-dim (…HW) option is set.
func NewConv1d(in, out, kernel int, o engine.ConvOpts) *Conv1d {
	g := checkConv("NewConv1d", in, out, 1, kernel, o.Groups)
	if o.StrideHW != [2]int{} || o.PaddingHW != [2]int{} {
		errorf("NewConv1d", "a 1-d convolution takes Stride and Padding, not StrideHW or PaddingHW")
	}
	c := &Conv1d{InChannels: in, OutChannels: out, KernelSize: kernel, Opts: o,
		Weight: param(out, in/g, kernel), Bias: param(out)}
	initLayer(c.Weight, c.Bias)
	return c
}

// Forward convolves x of shape [N, InChannels, L] into [N, OutChannels, L'].
// It panics with a *engine.ShapeError when x does not fit.
func (c *Conv1d) Forward(x *engine.Tensor) *engine.Tensor {
	needWeight("Conv1d", c.Weight, "nn.NewConv1d(in, out, kernel, engine.ConvOpts{})")
	ws := c.Weight.Shape()
	g := or1(c.Opts.Groups)
	if x.Dims() != 3 || x.Size(1) != ws[1]*g {
		hint := ""
		if x.Dims() == 2 {
			hint = "for one sequence use x.Unsqueeze(0)"
		}
		shapeError("Conv1d", fmt.Sprintf("expected input [N, %d, L] for weight %v", ws[1]*g, ws), hint, x.Shape())
	}
	if padded, span := x.Size(2)+2*c.Opts.Padding, or1(c.Opts.Dilation)*(ws[2]-1)+1; padded < span {
		shapeError("Conv1d", fmt.Sprintf("the padded input is %d long (padding=%d) but the kernel spans %d (kernel_size=%d, dilation=%d)",
			padded, c.Opts.Padding, span, ws[2], or1(c.Opts.Dilation)), fmt.Sprintf("an input of length %d or more fits", span-2*c.Opts.Padding), x.Shape(), ws)
	}
	o := c.Opts
	o.StrideHW, o.PaddingHW = [2]int{1, or1(o.Stride)}, [2]int{0, o.Padding}
	o.Stride, o.Padding = 0, 0
	ws2 := []int{ws[0], ws[1], 1, ws[2]}
	y := engine.Conv2d(x.Unsqueeze(2), c.Weight.Reshape(ws2...), c.Bias, o)
	return y.Squeeze(2)
}

// Params returns weight and bias (when not nil).
func (c *Conv1d) Params() []Param { return weightBias(c.Weight, c.Bias) }

func (c *Conv1d) String() string {
	ws := c.Weight.Shape()
	g := or1(c.Opts.Groups)
	var b strings.Builder
	fmt.Fprintf(&b, "Conv1d(%d, %d, kernel_size=(%d,), stride=(%d,)", ws[1]*g, ws[0], ws[2], or1(c.Opts.Stride))
	if c.Opts.Padding != 0 {
		fmt.Fprintf(&b, ", padding=(%d,)", c.Opts.Padding)
	}
	if d := or1(c.Opts.Dilation); d != 1 {
		fmt.Fprintf(&b, ", dilation=(%d,)", d)
	}
	if g != 1 {
		fmt.Fprintf(&b, ", groups=%d", g)
	}
	if c.Bias == nil {
		b.WriteString(", bias=false")
	}
	b.WriteString(")")
	return b.String()
}

// ConvTranspose2d is the transposed 2-d convolution over NCHW input, as
// torch.nn.ConvTranspose2d (the gradient of Conv2d with respect to its
// input; it upsamples). Weight has shape [InChannels, OutChannels/Groups,
// KH, KW], Bias [OutChannels]. Opts' Stride, Padding, Dilation and Groups
// (and StrideHW, PaddingHW) mean what they mean to PyTorch's layer;
// OutputPadding adds rows and columns at the bottom and right. The output is
// H' = (H−1)·stride − 2·padding + dilation·(KH−1) + output_padding + 1.
//
// It is composed of differentiable ops: the input spread out by the stride
// (zeros between its values), padded by dilation·(K−1)−padding, and
// convolved with the flipped, transposed filters.
type ConvTranspose2d struct {
	InChannels, OutChannels int
	KernelSize              [2]int
	Opts                    engine.ConvOpts
	OutputPadding           [2]int
	Weight                  *engine.Tensor
	Bias                    *engine.Tensor
}

// NewConvTranspose2d returns a ConvTranspose2d layer with a square kernel
// and PyTorch's default initialization; NewConvTranspose2dHW takes a KH×KW
// kernel. It panics with an *engine.Error when a size is not positive or the
// channels do not divide into the groups.
func NewConvTranspose2d(in, out, kernel int, o engine.ConvOpts) *ConvTranspose2d {
	return newConvTranspose2d("NewConvTranspose2d", in, out, kernel, kernel, o)
}

// NewConvTranspose2dHW returns a ConvTranspose2d layer with a kh×kw kernel.
func NewConvTranspose2dHW(in, out, kh, kw int, o engine.ConvOpts) *ConvTranspose2d {
	return newConvTranspose2d("NewConvTranspose2dHW", in, out, kh, kw, o)
}

func newConvTranspose2d(op string, in, out, kh, kw int, o engine.ConvOpts) *ConvTranspose2d {
	g := checkConv(op, in, out, kh, kw, o.Groups)
	c := &ConvTranspose2d{InChannels: in, OutChannels: out, KernelSize: [2]int{kh, kw}, Opts: o,
		Weight: param(in, out/g, kh, kw), Bias: param(out)}
	initLayer(c.Weight, c.Bias)
	return c
}

// Forward returns the transposed convolution of x [N, InChannels, H, W].
// It panics with a *engine.ShapeError when x does not fit, and with an
// *engine.Error when OutputPadding is not smaller than the stride or the
// dilation (PyTorch's rule).
func (c *ConvTranspose2d) Forward(x *engine.Tensor) *engine.Tensor {
	needWeight("ConvTranspose2d", c.Weight, "nn.NewConvTranspose2d(in, out, kernel, engine.ConvOpts{})")
	ws := c.Weight.Shape()
	g := or1(c.Opts.Groups)
	if x.Dims() != 4 || x.Size(1) != ws[0] {
		hint := ""
		if x.Dims() == 3 {
			hint = "for one image use x.Unsqueeze(0)"
		}
		shapeError("ConvTranspose2d", fmt.Sprintf("expected input [N, %d, H, W] for weight %v (in_channels=%d)", ws[0], ws, ws[0]), hint, x.Shape())
	}
	sh, sw := pairOf(c.Opts.Stride, c.Opts.StrideHW, 1)
	ph, pw := pairOf(c.Opts.Padding, c.Opts.PaddingHW, 0)
	d := or1(c.Opts.Dilation)
	oph, opw := c.OutputPadding[0], c.OutputPadding[1]
	if oph < 0 || opw < 0 || (oph >= sh && oph >= d) || (opw >= sw && opw >= d) {
		errorf("ConvTranspose2d", "output_padding %v must be >= 0 and smaller than the stride (%d, %d) or the dilation %d", c.OutputPadding, sh, sw, d)
	}
	n, h, w := x.Size(0), x.Size(2), x.Size(3)
	kh, kw := ws[2], ws[3]
	if oh, ow := (h-1)*sh-2*ph+d*(kh-1)+oph+1, (w-1)*sw-2*pw+d*(kw-1)+opw+1; oh <= 0 || ow <= 0 {
		shapeError("ConvTranspose2d", fmt.Sprintf("the output would be %dx%d: the padding (%d, %d) is too large for this input", oh, ow, ph, pw), "", x.Shape())
	}
	// spread the input: stride−1 zeros between neighbours
	if sh > 1 {
		x = x.Unsqueeze(3).Pad([]int{0, 0, 0, sh - 1}, 0).Reshape(n, ws[0], h*sh, w).Narrow(2, 0, (h-1)*sh+1)
	}
	if sw > 1 {
		hh := x.Size(2)
		x = x.Unsqueeze(4).Pad([]int{0, sw - 1}, 0).Reshape(n, ws[0], hh, w*sw).Narrow(3, 0, (w-1)*sw+1)
	}
	eh, ew := d*(kh-1)-ph, d*(kw-1)-pw
	x = x.Pad([]int{ew, ew + opw, eh, eh + oph}, 0)
	// filters: flipped in space, in and out channels swapped within each group
	f := c.Weight.IndexSelect(2, reversed(kh)).IndexSelect(3, reversed(kw))
	f = f.Reshape(g, ws[0]/g, ws[1], kh, kw).Permute(0, 2, 1, 3, 4).Reshape(ws[1]*g, ws[0]/g, kh, kw)
	return engine.Conv2d(x, f, c.Bias, engine.ConvOpts{Dilation: d, Groups: g})
}

// reversed returns n−1, …, 1, 0.
func reversed(n int) []int {
	r := make([]int, n)
	for i := range r {
		r[i] = n - 1 - i
	}
	return r
}

// Params returns weight and bias (when not nil).
func (c *ConvTranspose2d) Params() []Param { return weightBias(c.Weight, c.Bias) }

func (c *ConvTranspose2d) String() string {
	ws := c.Weight.Shape()
	g := or1(c.Opts.Groups)
	sh, sw := pairOf(c.Opts.Stride, c.Opts.StrideHW, 1)
	ph, pw := pairOf(c.Opts.Padding, c.Opts.PaddingHW, 0)
	var b strings.Builder
	fmt.Fprintf(&b, "ConvTranspose2d(%d, %d, kernel_size=(%d, %d), stride=(%d, %d)", ws[0], ws[1]*g, ws[2], ws[3], sh, sw)
	if ph != 0 || pw != 0 {
		fmt.Fprintf(&b, ", padding=(%d, %d)", ph, pw)
	}
	if c.OutputPadding != [2]int{} {
		fmt.Fprintf(&b, ", output_padding=(%d, %d)", c.OutputPadding[0], c.OutputPadding[1])
	}
	if g != 1 {
		fmt.Fprintf(&b, ", groups=%d", g)
	}
	if d := or1(c.Opts.Dilation); d != 1 {
		fmt.Fprintf(&b, ", dilation=(%d, %d)", d, d)
	}
	if c.Bias == nil {
		b.WriteString(", bias=false")
	}
	b.WriteString(")")
	return b.String()
}
