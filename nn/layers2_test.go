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

func TestSeqTorchRef(t *testing.T) {
	withFloat64(func() { seqTorchRef(t) })
	seqTorchRef(t)
}

func seqTorchRef(t *testing.T) {
	t.Helper()
	lstm := func(name string, m *LSTM) {
		runRef(t, name, m, func(xs []*engine.Tensor) []*engine.Tensor {
			var lengths []int
			if c := ref(t, name); c.Has("lengths") {
				lengths = c.Ints(t, "lengths")
			}
			var h0, c0 *engine.Tensor
			if len(xs) == 3 {
				h0, c0 = xs[1], xs[2]
			}
			out, hn, cn := m.RunLengths(xs[0], lengths, h0, c0)
			return []*engine.Tensor{out, hn, cn}
		})
	}
	type oneState interface {
		Module
		RunLengths(x *engine.Tensor, lengths []int, h0 *engine.Tensor) (out, hn *engine.Tensor)
	}
	one := func(name string, m oneState) {
		runRef(t, name, m, func(xs []*engine.Tensor) []*engine.Tensor {
			var lengths []int
			if c := ref(t, name); c.Has("lengths") {
				lengths = c.Ints(t, "lengths")
			}
			var h0 *engine.Tensor
			if len(xs) == 2 {
				h0 = xs[1]
			}
			out, hn := m.RunLengths(xs[0], lengths, h0)
			return []*engine.Tensor{out, hn}
		})
	}
	lstm("LSTM/2layer-bidir-batchfirst", NewLSTM(3, 4, RNNOpts{NumLayers: 2, Bidirectional: true, BatchFirst: true}))
	lstm("LSTM/lengths-bidir", NewLSTM(3, 4, RNNOpts{Bidirectional: true}))
	lstm("LSTM/unbatched", NewLSTM(3, 4, RNNOpts{}))
	one("GRU/2layer-bidir", NewGRU(3, 4, RNNOpts{NumLayers: 2, Bidirectional: true}))
	one("GRU/lengths-2layer-batchfirst", NewGRU(2, 3, RNNOpts{NumLayers: 2, BatchFirst: true}))
	one("RNN/relu-2layer", NewRNN(3, 4, RNNOpts{NumLayers: 2, Nonlinearity: "relu"}))
	one("RNN/tanh-bidir-lengths", NewRNN(3, 4, RNNOpts{Bidirectional: true}))
}

func TestSeqGradCheck(t *testing.T) {
	engine.Seed(23)
	x := engine.Randn(4, 2, 3)
	lengths := []int{4, 2}
	lstm := NewLSTM(3, 2, RNNOpts{NumLayers: 2, Bidirectional: true})
	h0, c0 := engine.Randn(4, 2, 2), engine.Randn(4, 2, 2)
	for i, cell := range lstm.Cells {
		gradCheckLayer(t, "LSTM cell "+string(rune('0'+i)), cell, func(xs []*engine.Tensor) *engine.Tensor {
			out, hn, cn := lstm.RunLengths(xs[0], lengths, xs[1], xs[2])
			return flatCat(out, hn, cn.MulScalar(0.5))
		}, x, h0, c0)
	}
	gru := NewGRU(3, 2, RNNOpts{NumLayers: 2, Bidirectional: true, BatchFirst: true})
	for i, cell := range gru.Cells {
		gradCheckLayer(t, "GRU cell "+string(rune('0'+i)), cell, func(xs []*engine.Tensor) *engine.Tensor {
			out, hn := gru.RunLengths(xs[0], []int{1, 4}, xs[1])
			return flatCat(out, hn)
		}, x.Transpose(0, 1), h0)
	}
	rnn := NewRNN(3, 2, RNNOpts{Bidirectional: true, Nonlinearity: "tanh"})
	for i, cell := range rnn.Cells {
		gradCheckLayer(t, "RNN cell "+string(rune('0'+i)), cell, func(xs []*engine.Tensor) *engine.Tensor {
			out, hn := rnn.Run(xs[0], nil)
			return flatCat(out, hn)
		}, x)
	}
}

func TestSeqDropoutBetweenLayers(t *testing.T) {
	engine.Seed(3)
	m := NewLSTM(3, 4, RNNOpts{NumLayers: 2, Dropout: 0.5})
	plain := NewLSTM(3, 4, RNNOpts{NumLayers: 2})
	for i, c := range m.Cells {
		plain.Cells[i] = c
	}
	x := engine.Randn(5, 2, 3)
	Eval(m)
	equalValues(t, "eval output", m.Forward(x), plain.Forward(x))
	Train(m)
	trained := m.Forward(x)
	if d := trained.Sub(plain.Forward(x)).Abs().Max().Item(); d == 0 {
		t.Errorf("in training, dropout between the layers changed nothing")
	}
	// one layer: nothing between layers, so dropout has no effect (PyTorch warns)
	one := NewGRU(3, 4, RNNOpts{Dropout: 0.5})
	Train(one)
	a := one.Forward(x)
	Eval(one)
	equalValues(t, "one-layer GRU, train vs eval", a, one.Forward(x))
}

func TestSeqErrors(t *testing.T) {
	for _, c := range []struct {
		f    func()
		want string
	}{
		{func() { NewLSTM(10, 4, RNNOpts{}).Forward(engine.Zeros(5, 3, 7)) }, "LSTM: [5 3 7]: input_size=10: expected input [T, N, 10], or [T, 10] for one sequence"},
		{func() { NewGRU(3, 4, RNNOpts{BatchFirst: true}).Forward(engine.Zeros(5, 2)) }, "GRU: [5 2]: input_size=3: expected input [N, T, 3], or [T, 3] for one sequence"},
		{func() { NewRNN(3, 4, RNNOpts{NumLayers: 2}).Run(engine.Zeros(5, 2, 3), engine.Zeros(1, 2, 4)) }, "RNN: [5 2 3], [1 2 4]: h0 [1 2 4] but it must be [num_layers·directions, N, hidden_size] = [2, 2, 4] for input [5 2 3]"},
		{func() { NewLSTM(3, 4, RNNOpts{}).RunLengths(engine.Zeros(5, 2, 3), []int{5, 6}, nil, nil) }, "LSTM: lengths [5 6]: each must be from 1 to the padded length T = 5"},
		{func() { NewRNN(3, 4, RNNOpts{Nonlinearity: "sigmoid"}) }, `NewRNN: unknown nonlinearity "sigmoid"`},
		{func() { NewLSTM(3, 4, RNNOpts{Dropout: 1}) }, "NewLSTM: dropout must be in [0, 1), got 1"},
	} {
		msg := panicMsg(c.f)
		if !strings.Contains(msg, c.want) {
			t.Errorf("got %q, want it to contain %q", msg, c.want)
		}
	}
}

func TestSeqParamNamesAndStrings(t *testing.T) {
	m := NewLSTM(3, 4, RNNOpts{NumLayers: 2, Bidirectional: true, BatchFirst: true})
	want := "weight_ih_l0 weight_hh_l0 bias_ih_l0 bias_hh_l0 weight_ih_l0_reverse weight_hh_l0_reverse bias_ih_l0_reverse bias_hh_l0_reverse " +
		"weight_ih_l1 weight_hh_l1 bias_ih_l1 bias_hh_l1 weight_ih_l1_reverse weight_hh_l1_reverse bias_ih_l1_reverse bias_hh_l1_reverse"
	if got := paramNames(m.Params()); got != want {
		t.Errorf("names %q\nwant  %q", got, want)
	}
	if got := m.Cells[2].WeightIH.Shape(); got[1] != 8 {
		t.Errorf("layer 1 reads both directions: weight_ih_l1 is %v, want [16 8]", got)
	}
	for m, want := range map[Module]string{
		m: "LSTM(3, 4, num_layers=2, batch_first=True, bidirectional=True)",
		NewGRU(2, 5, RNNOpts{Dropout: 0.1, NumLayers: 2}): "GRU(2, 5, num_layers=2, dropout=0.1)",
		NewRNN(2, 5, RNNOpts{Nonlinearity: "relu"}):       "RNN(2, 5, nonlinearity=relu)",
	} {
		if got := moduleString(m); got != want {
			t.Errorf("String() = %q, want %q", got, want)
		}
	}
}
