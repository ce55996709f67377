package nn

import (
	"strings"
	"testing"

	"github.com/dbr-go/dbr/engine"
)

// The layers of issue 14 beyond the recurrent and attention ones: PyTorch's
// values (testdata/layersref.py) in float64 and float32, GradCheck, messages.

func TestLayers2TorchRef(t *testing.T) {
	withFloat64(func() { layers2TorchRef(t) })
	layers2TorchRef(t)
}

func layers2TorchRef(t *testing.T) {
	t.Helper()
	runRef(t, "Conv2d/hw", NewConv2dHW(2, 3, 2, 3, engine.ConvOpts{StrideHW: [2]int{2, 1}, PaddingHW: [2]int{1, 0}}), nil)
	runRef(t, "Conv1d", NewConv1d(4, 6, 3, engine.ConvOpts{Stride: 2, Padding: 1, Groups: 2}), nil)
	c1 := NewConv1d(2, 3, 2, engine.ConvOpts{Dilation: 2})
	c1.Bias = nil
	runRef(t, "Conv1d/dilation", c1, nil)
	ct := NewConvTranspose2d(2, 3, 3, engine.ConvOpts{Stride: 2, Padding: 1})
	ct.OutputPadding = [2]int{1, 1}
	runRef(t, "ConvTranspose2d", ct, nil)
	runRef(t, "ConvTranspose2d/hw", NewConvTranspose2dHW(4, 2, 2, 3, engine.ConvOpts{StrideHW: [2]int{1, 2}, PaddingHW: [2]int{0, 2}, Groups: 2, Dilation: 2}), nil)
	ctp := NewConvTranspose2d(3, 2, 2, engine.ConvOpts{})
	ctp.Bias = nil
	runRef(t, "ConvTranspose2d/plain", ctp, nil)
	runRef(t, "AdaptiveAvgPool2d", NewAdaptiveAvgPool2d(3, 2), nil)
	runRef(t, "AdaptiveAvgPool2d/up", NewAdaptiveAvgPool2d(4, 1), nil)
	runRef(t, "GroupNorm", NewGroupNorm(2, 6), nil)
	gn := NewGroupNorm(3, 3)
	gn.Eps = 1e-3
	runRef(t, "GroupNorm/3d", gn, nil)
	runRef(t, "Upsample/nearest", NewUpsample(2, "nearest"), nil)
	runRef(t, "Upsample/nearest-size", &Upsample{Size: [2]int{5, 7}}, nil)
	runRef(t, "Upsample/bilinear", NewUpsample(2, "bilinear"), nil)
	runRef(t, "Upsample/bilinear-1.5", NewUpsample(1.5, "bilinear"), nil)
	runRef(t, "Upsample/bilinear-align", &Upsample{Size: [2]int{5, 3}, Mode: "bilinear", AlignCorners: true}, nil)
	runRef(t, "Identity", NewIdentity(), nil)
	runRef(t, "Unflatten", NewUnflatten(1, []int{2, 3}), nil)
}

func TestLayers2GradCheck(t *testing.T) {
	engine.Seed(21)
	fwd := func(m Module) func(xs []*engine.Tensor) *engine.Tensor {
		return func(xs []*engine.Tensor) *engine.Tensor { return m.Forward(xs[0]) }
	}
	x4 := engine.Randn(2, 4, 5, 4)
	for _, m := range []Module{
		NewConv2dHW(4, 2, 3, 2, engine.ConvOpts{StrideHW: [2]int{1, 2}, PaddingHW: [2]int{2, 0}, Groups: 2}),
		NewConvTranspose2d(4, 2, 3, engine.ConvOpts{Stride: 2, Padding: 1, Groups: 2}),
		NewConvTranspose2dHW(4, 3, 2, 3, engine.ConvOpts{StrideHW: [2]int{3, 1}, Dilation: 2}),
		NewAdaptiveAvgPool2d(3, 3), NewGroupNorm(2, 4), NewUpsample(2, "nearest"), NewUpsample(1.5, "bilinear"),
		&Upsample{Size: [2]int{3, 7}, Mode: "bilinear", AlignCorners: true}, NewIdentity(), NewUnflatten(1, []int{2, -1}),
	} {
		if g, ok := m.(*GroupNorm); ok {
			NormalInit(g.Weight, 1, 0.5)
			NormalInit(g.Bias, 0, 0.5)
		}
		gradCheckLayer(t, moduleString(m), m, fwd(m), x4)
	}
	c1 := NewConv1d(4, 4, 3, engine.ConvOpts{Stride: 2, Padding: 2, Dilation: 2, Groups: 4})
	gradCheckLayer(t, "Conv1d", c1, fwd(c1), engine.Randn(3, 4, 9))
}

func TestLayers2Errors(t *testing.T) {
	for _, c := range []struct {
		f    func()
		want string
	}{
		{func() { NewConv1d(4, 6, 3, engine.ConvOpts{}).Forward(engine.Zeros(2, 3, 7)) }, "Conv1d: [2 3 7]: expected input [N, 4, L] for weight [6 4 3]"},
		{func() { NewConvTranspose2d(2, 3, 3, engine.ConvOpts{}).Forward(engine.Zeros(1, 3, 4, 4)) }, "ConvTranspose2d: [1 3 4 4]: expected input [N, 2, H, W] for weight [2 3 3 3] (in_channels=2)"},
		{func() { NewGroupNorm(2, 6).Forward(engine.Zeros(2, 4, 3)) }, "GroupNorm: [2 4 3]: expected input [N, 6, *] (num_channels=6) (NewGroupNorm(2, 4) fits this input)"},
		{func() { NewUpsample(2, "bilinear").Forward(engine.Zeros(2, 3)) }, "Upsample: [2 3]: expected input [N, C, H, W], got a 2-d input"},
		{func() { NewUnflatten(1, []int{4, 2}).Forward(engine.Zeros(3, 6)) }, "Unflatten: [3 6]: sizes [4 2] do not multiply to dim 1's size 6"},
		{func() { NewUpsample(2, "cubic") }, `NewUpsample: unknown mode "cubic"`},
		{func() {
			engine.Conv2d(engine.Zeros(1, 1, 4, 4), engine.Zeros(1, 1, 2, 2), nil, engine.ConvOpts{Padding: 1, PaddingHW: [2]int{1, 0}})
		}, "Conv2d: set Padding or PaddingHW, not both"},
	} {
		msg := panicMsg(c.f)
		if !strings.Contains(msg, c.want) {
			t.Errorf("got %q, want it to contain %q", msg, c.want)
		}
	}
}

// panicMsg returns the message of f's panic, or "" when f does not panic.
func panicMsg(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok {
				msg = e.Error()
			} else {
				msg = "non-error panic"
			}
		}
	}()
	f()
	return ""
}
