package nn

import (
	"fmt"
	"strings"

	"github.com/dbr-go/dbr/engine"
)

// Conv2d is a 2-d convolution over NCHW input, as torch.nn.Conv2d with a
// square kernel. Weight has shape [OutChannels, InChannels/Groups, K, K] and
// Bias [OutChannels]; set Bias to nil for no bias.
type Conv2d struct {
	InChannels, OutChannels, KernelSize int
	Opts                                engine.ConvOpts
	Weight                              *engine.Tensor
	Bias                                *engine.Tensor
}

// NewConv2d returns a Conv2d layer with PyTorch's default initialization;
// o's zero fields mean stride 1, padding 0, dilation 1, groups 1.
// It panics with an *engine.Error when a size is not positive or the channels
// do not divide into the groups.
func NewConv2d(in, out, kernel int, o engine.ConvOpts) *Conv2d {
	g := o.Groups
	if g == 0 {
		g = 1
	}
	if in <= 0 || out <= 0 || kernel <= 0 || g < 0 {
		errorf("NewConv2d", "channels, kernel size and groups must be positive, got in=%d out=%d kernel=%d groups=%d", in, out, kernel, o.Groups)
	}
	if in%g != 0 || out%g != 0 {
		errorf("NewConv2d", "in_channels=%d and out_channels=%d must both be divisible by groups=%d", in, out, g)
	}
	c := &Conv2d{InChannels: in, OutChannels: out, KernelSize: kernel, Opts: o,
		Weight: param(out, in/g, kernel, kernel), Bias: param(out)}
	initLayer(c.Weight, c.Bias)
	return c
}

// Forward convolves x of shape [N, InChannels, H, W].
// It panics with a *engine.ShapeError when x does not fit.
func (c *Conv2d) Forward(x *engine.Tensor) *engine.Tensor {
	needWeight("Conv2d", c.Weight, "nn.NewConv2d(in, out, kernel, engine.ConvOpts{})")
	return engine.Conv2d(x, c.Weight, c.Bias, c.Opts)
}

// Params returns weight and bias (when not nil).
func (c *Conv2d) Params() []Param {
	ps := []Param{{Name: "weight", Tensor: c.Weight}}
	if c.Bias != nil {
		ps = append(ps, Param{Name: "bias", Tensor: c.Bias})
	}
	return ps
}

func (c *Conv2d) String() string {
	ws := c.Weight.Shape()
	s, p, d, g := or1(c.Opts.Stride), c.Opts.Padding, or1(c.Opts.Dilation), or1(c.Opts.Groups)
	var b strings.Builder
	fmt.Fprintf(&b, "Conv2d(%d, %d, kernel_size=(%d, %d), stride=(%d, %d)", ws[1]*g, ws[0], ws[2], ws[3], s, s)
	if p != 0 {
		fmt.Fprintf(&b, ", padding=(%d, %d)", p, p)
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
