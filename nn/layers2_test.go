package nn

import (
	"fmt"
	"math"
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
		{func() { NewUnflatten(3, []int{2, 3}).Forward(engine.Zeros(3, 6)) }, "Unflatten: [3 6]: dim 3 is out of range for a 2-d input (use a dim from -2 to 1)"},
		{func() { NewGRU(3, 4, RNNOpts{}).RunLengths(engine.Zeros(5, 2, 3), []int{5}, nil) }, "GRU: 1 lengths for a batch of 2 sequences (input [5 2 3]): give one length per sequence, 2 in all"},
		{func() { NewUpsample(2, "cubic") }, `NewUpsample: unknown mode "cubic"`},
		{func() { NewConv1d(2, 3, 3, engine.ConvOpts{Padding: 1, Dilation: 2}).Forward(engine.Zeros(1, 2, 2)) },
			"Conv1d: [1 2 2], [3 2 3]: the padded input is 4 long (padding=1) but the kernel spans 5 (kernel_size=3, dilation=2) (an input of length 3 or more fits)"},
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

// The padding of a variable-length batch never reaches the cells, as with
// PyTorch's packed sequences: NaN or huge values there change no output, no
// final state and no gradient, the input's gradient is 0 there, and each
// sequence's final state is exactly its output at its last step.
func TestSeqPaddingIgnored(t *testing.T) {
	withFloat64(func() { seqPaddingIgnored(t) })
	seqPaddingIgnored(t)
}

func seqPaddingIgnored(t *testing.T) {
	t.Helper()
	engine.Seed(41)
	const steps, in, hid = 4, 3, 4
	lengths := []int{4, 2, 1}
	n := len(lengths)
	padded := func(s, i int) bool { return s >= lengths[i] }
	// pad returns x [T, N, in] with the steps beyond each length set to v
	pad := func(x *engine.Tensor, v float64) *engine.Tensor {
		d := x.Float64s()
		for s := 0; s < steps; s++ {
			for i := 0; i < n; i++ {
				for k := 0; k < in && padded(s, i); k++ {
					d[(s*n+i)*in+k] = v
				}
			}
		}
		return engine.New64(d, steps, n, in).To(x.DType())
	}
	lstm := NewLSTM(in, hid, RNNOpts{NumLayers: 2, Bidirectional: true})
	gru := NewGRU(in, hid, RNNOpts{Bidirectional: true, BatchFirst: true})
	rnn := NewRNN(in, hid, RNNOpts{NumLayers: 2, Nonlinearity: "relu"})
	h0 := engine.Randn(2, n, hid)
	for _, c := range []struct {
		name string
		m    Module
		dirs int
		run  func(x *engine.Tensor) []*engine.Tensor // output, then final states
	}{
		{"LSTM", lstm, 2, func(x *engine.Tensor) []*engine.Tensor {
			out, hn, cn := lstm.RunLengths(x, lengths, nil, nil)
			return []*engine.Tensor{out, hn, cn}
		}},
		{"GRU", gru, 2, func(x *engine.Tensor) []*engine.Tensor { // batch first
			out, hn := gru.RunLengths(x.Transpose(0, 1), lengths, h0)
			return []*engine.Tensor{out.Transpose(0, 1), hn}
		}},
		{"RNN", rnn, 1, func(x *engine.Tensor) []*engine.Tensor {
			out, hn := rnn.RunLengths(x, lengths, nil)
			return []*engine.Tensor{out, hn}
		}},
	} {
		x := engine.Randn(steps, n, in)
		var upstream []*engine.Tensor // a random upstream gradient per result
		var want []*engine.Tensor     // results, then parameter gradients, with zeros as padding
		for _, v := range []float64{0, math.NaN(), math.Inf(-1), 1e30} {
			xv := pad(x, v).SetRequiresGrad(true)
			got := c.run(xv)
			if upstream == nil {
				for _, r := range got {
					upstream = append(upstream, engine.Randn(r.Shape()...).To(r.DType()))
				}
			}
			loss := engine.Scalar(0).To(x.DType())
			for k, r := range got {
				loss = loss.Add(r.Mul(upstream[k]).Sum())
			}
			for _, p := range c.m.Params() {
				p.Tensor.ZeroGrad()
			}
			loss.Backward()
			for _, p := range c.m.Params() {
				got = append(got, p.Tensor.Grad())
			}
			name := fmt.Sprintf("%s %v, padding %v", c.name, x.DType(), v)
			if v == 0 {
				want = got
			}
			for k := range got {
				equalValues(t, fmt.Sprintf("%s: result %d", name, k), got[k], want[k])
			}
			g := xv.Grad().Float64s()
			for s := 0; s < steps; s++ {
				for i := 0; i < n; i++ {
					if padded(s, i) && (g[(s*n+i)*in] != 0 || g[(s*n+i)*in+in-1] != 0) {
						t.Errorf("%s: the input's gradient at padded step %d of sequence %d is %v, want 0", name, s, i, g[(s*n+i)*in:(s*n+i+1)*in])
					}
				}
			}
		}
		// the last layer's final states are its outputs at each sequence's
		// last step (forward) and at step 0 (backward), bit for bit
		out, hn := want[0], want[1]
		last := hn.Size(0) - c.dirs
		for i, l := range lengths {
			equalValues(t, c.name+" forward final state", hn.Select(0, last).Select(0, i), out.Select(0, l-1).Select(0, i).Narrow(0, 0, hid))
			if c.dirs == 2 {
				equalValues(t, c.name+" backward final state", hn.Select(0, last+1).Select(0, i), out.Select(0, 0).Select(0, i).Narrow(0, hid, hid))
			}
		}
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

func TestAttentionTorchRef(t *testing.T) {
	withFloat64(func() { attentionTorchRef(t) })
	attentionTorchRef(t)
}

// refMasks returns the reference's masks ("pad", "attn"; 1 = hidden).
func refMasks(t *testing.T, name string) Masks {
	c := ref(t, name)
	var mk Masks
	if c.Has("pad") {
		mk.KeyPadding = c.T(t, "pad").To(engine.DefaultDType())
	}
	if c.Has("attn") {
		mk.Attn = c.T(t, "attn").To(engine.DefaultDType())
	}
	if c.Has("bias") {
		mk.AttnBias = c.T(t, "bias").To(engine.DefaultDType())
	}
	return mk
}

func attentionTorchRef(t *testing.T) {
	t.Helper()
	mhaWith := func(name string, m *MultiheadAttention, causal bool, wo WeightOpts) {
		mk := refMasks(t, name)
		mk.Causal = causal
		runRef(t, name, m, func(xs []*engine.Tensor) []*engine.Tensor {
			out, w := m.AttendWeights(xs[0], xs[1], xs[2], mk, wo)
			if wo.NoWeights {
				if w != nil {
					t.Errorf("%s: NoWeights returned weights %v", name, w.Shape())
				}
				return []*engine.Tensor{out}
			}
			return []*engine.Tensor{out, w}
		})
	}
	mha := func(name string, m *MultiheadAttention) { mhaWith(name, m, false, WeightOpts{}) }
	mha("MHA/self-causal-pad", NewMultiheadAttention(6, 2, MHAOpts{}))
	mha("MHA/cross-batchfirst-headmask", NewMultiheadAttention(6, 3, MHAOpts{BatchFirst: true}))
	mha("MHA/unbatched", NewMultiheadAttention(4, 1, MHAOpts{}))
	mha("MHA/float-mask", NewMultiheadAttention(6, 2, MHAOpts{}))
	// PyTorch's attn_mask there is the causal one: Masks.Causal must cover the given keys only
	mhaWith("MHA/kdim-vdim-biaskv-zeroattn-causal", NewMultiheadAttention(6, 2, MHAOpts{KDim: 4, VDim: 5, AddBiasKV: true, AddZeroAttn: true}), true, WeightOpts{})
	mhaWith("MHA/biaskv-perhead-batchfirst-headmask", NewMultiheadAttention(6, 3, MHAOpts{BatchFirst: true, AddBiasKV: true}), false, WeightOpts{PerHead: true})
	mhaWith("MHA/zeroattn-kdim-unbatched-perhead", NewMultiheadAttention(4, 2, MHAOpts{KDim: 3, AddZeroAttn: true}), false, WeightOpts{PerHead: true})
	mhaWith("MHA/kdim-noweights-float-mask", NewMultiheadAttention(6, 2, MHAOpts{KDim: 3, VDim: 3}), false, WeightOpts{NoWeights: true})
	mha("MHA/nobias-kdim-biaskv", NewMultiheadAttention(6, 3, MHAOpts{NoBias: true, KDim: 4, AddBiasKV: true, BatchFirst: true}))
	// a float mask (AttnBias) gets zeros for the appended keys, as PyTorch pads it
	mha("MHA/biaskv-zeroattn-float-mask", NewMultiheadAttention(6, 2, MHAOpts{AddBiasKV: true, AddZeroAttn: true}))
	type runner interface {
		Module
		Run(x *engine.Tensor, mk Masks) *engine.Tensor
	}
	enc := func(name string, m runner) {
		mk := refMasks(t, name)
		runRef(t, name, m, func(xs []*engine.Tensor) []*engine.Tensor { return []*engine.Tensor{m.Run(xs[0], mk)} })
	}
	enc("TransformerEncoderLayer/post-relu", NewTransformerEncoderLayer(6, 2, TransformerOpts{DimFeedforward: 8, Dropout: Float(0)}))
	enc("TransformerEncoderLayer/pre-gelu-batchfirst", NewTransformerEncoderLayer(6, 3, TransformerOpts{DimFeedforward: 5, Dropout: Float(0),
		Activation: "gelu", NormFirst: true, BatchFirst: true, LayerNormEps: Float(1e-3)}))
	el := NewTransformerEncoderLayer(6, 2, TransformerOpts{DimFeedforward: 8, Dropout: Float(0), NormFirst: true})
	enc("TransformerEncoder/2layers-norm", NewTransformerEncoder(el, 2, NewLayerNorm([]int{6})))
}

// The same causal mask three ways: Masks.Causal, an explicit Attn mask, and
// engine.ScaledDotProductAttention against softmax written out.
func TestCausalMaskAndSDPA(t *testing.T) {
	engine.Seed(4)
	m := NewMultiheadAttention(4, 2, MHAOpts{BatchFirst: true})
	x := engine.Randn(2, 5, 4)
	a, wa := m.Attend(x, x, x, Masks{Causal: true})
	b, wb := m.Attend(x, x, x, Masks{Attn: engine.Ones(5, 5).Triu(1)})
	equalValues(t, "Causal vs Attn", a, b)
	equalValues(t, "Causal vs Attn weights", wa, wb)
	// a query never looks ahead: weights above the diagonal are 0
	wv := wa.Float64s()
	for n := 0; n < 2; n++ {
		for i := 0; i < 5; i++ {
			for j := i + 1; j < 5; j++ {
				if w := wv[(n*5+i)*5+j]; w != 0 {
					t.Fatalf("batch %d query %d gives key %d weight %v", n, i, j, w)
				}
			}
		}
	}
	withFloat64(func() {
		q, k, v := engine.Randn(2, 3, 4), engine.Randn(2, 5, 4), engine.Randn(2, 5, 6)
		mask := engine.New64([]float64{0, 0, 0, 1, 1}, 5)
		got := engine.ScaledDotProductAttention(q, k, v, engine.AttentionOpts{Mask: mask})
		// by hand: keys 3 and 4 hidden, so only the first three take part
		k3, v3 := k.Narrow(1, 0, 3), v.Narrow(1, 0, 3)
		want := q.MatMul(k3.Transpose(1, 2)).MulScalar(0.5).Softmax(-1).MatMul(v3)
		assertClose(t, "SDPA with a key mask", got, want, 1e-12)
		r := engine.GradCheck(func(in []*engine.Tensor) *engine.Tensor {
			return engine.ScaledDotProductAttention(in[0], in[1], in[2], engine.AttentionOpts{Mask: mask.Narrow(0, 2, 3), Causal: true, Bias: in[3]})
		}, q, k.Narrow(1, 0, 3), v.Narrow(1, 0, 3), engine.Randn(3, 3))
		if !r.OK || r.Checked == 0 {
			t.Errorf("SDPA GradCheck: %v", r)
		}
	})
}

func TestAttentionGradCheck(t *testing.T) {
	engine.Seed(31)
	m := NewMultiheadAttention(4, 2, MHAOpts{})
	NormalInit(m.InProjBias, 0, 0.5)
	NormalInit(m.OutProj.Bias, 0, 0.5)
	q, kv := engine.Randn(3, 2, 4), engine.Randn(5, 2, 4)
	pad := engine.New([]float32{0, 0, 0, 0, 1, 0, 1, 0, 0, 0}, 2, 5)
	in := &inProj{m.InProjWeight, m.InProjBias}
	gradCheckLayer(t, "MultiheadAttention", in, func(xs []*engine.Tensor) *engine.Tensor {
		m.InProjWeight, m.InProjBias = in.InProjWeight, in.InProjBias
		out, w := m.Attend(xs[0], xs[1], xs[2], Masks{KeyPadding: pad})
		return flatCat(out, w)
	}, q, kv, kv)
	gradCheckLayer(t, "MultiheadAttention.OutProj", m.OutProj, func(xs []*engine.Tensor) *engine.Tensor {
		out, _ := m.Attend(xs[0], xs[0], xs[0], Masks{Causal: true})
		return out
	}, q)
	// separate projections, bias_k/bias_v and the zero key, with masks over
	// the given keys; only the inputs, then only the parameters require grad
	withFloat64(func() {
		m := NewMultiheadAttention(4, 2, MHAOpts{KDim: 3, VDim: 5, AddBiasKV: true, AddZeroAttn: true, BatchFirst: true})
		NormalInit(m.InProjBias, 0, 0.5)
		sp := &sepProj{m.QProjWeight, m.KProjWeight, m.VProjWeight, m.InProjBias, m.BiasK, m.BiasV}
		q, k, v := engine.Randn(2, 3, 4), engine.Randn(2, 4, 3), engine.Randn(2, 4, 5)
		attn := engine.New64([]float64{0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0}, 3, 4)
		mk := Masks{KeyPadding: pad.Narrow(1, 0, 4), Attn: attn, Causal: true}
		fwd := func(xs []*engine.Tensor, wo WeightOpts) *engine.Tensor {
			m.QProjWeight, m.KProjWeight, m.VProjWeight = sp.QProjWeight, sp.KProjWeight, sp.VProjWeight
			m.InProjBias, m.BiasK, m.BiasV = sp.InProjBias, sp.BiasK, sp.BiasV
			out, w := m.AttendWeights(xs[0], xs[1], xs[2], mk, wo)
			if w == nil {
				return out
			}
			return flatCat(out, w)
		}
		gradCheckLayer(t, "MultiheadAttention kdim/vdim/bias_kv/zero_attn", sp, func(xs []*engine.Tensor) *engine.Tensor {
			return fwd(xs, WeightOpts{PerHead: true})
		}, q, k, v)
		r := engine.GradCheck(func(xs []*engine.Tensor) *engine.Tensor { return fwd(xs, WeightOpts{NoWeights: true}) }, q, k, v)
		if !r.OK || r.Checked == 0 {
			t.Errorf("MultiheadAttention inputs only, no weights: %v", r)
		}
	})
	for _, nf := range []bool{false, true} {
		l := NewTransformerEncoderLayer(4, 2, TransformerOpts{DimFeedforward: 6, Dropout: Float(0), NormFirst: nf, Activation: "gelu"})
		NormalInit(l.Norm1.Weight, 1, 0.5)
		NormalInit(l.Norm2.Bias, 0, 0.5)
		lin := &inProj{l.SelfAttn.InProjWeight, l.SelfAttn.InProjBias}
		for _, sub := range []Module{lin, l.SelfAttn.OutProj, l.Linear1, l.Linear2, l.Norm1, l.Norm2} {
			gradCheckLayer(t, "TransformerEncoderLayer "+moduleString(sub), sub, func(xs []*engine.Tensor) *engine.Tensor {
				l.SelfAttn.InProjWeight, l.SelfAttn.InProjBias = lin.InProjWeight, lin.InProjBias
				return l.Run(xs[0], Masks{Causal: true, KeyPadding: pad.Narrow(1, 0, 3)})
			}, q)
		}
	}
}

func TestAttentionErrorsAndNames(t *testing.T) {
	for _, c := range []struct {
		f    func()
		want string
	}{
		{func() { NewMultiheadAttention(96, 4, MHAOpts{}).Forward(engine.Zeros(16, 64, 128)) }, "MultiheadAttention: [16 64 128], [16 64 128], [16 64 128]: query [16 64 128] but embed_dim=96"},
		{func() {
			NewMultiheadAttention(4, 2, MHAOpts{}).Attend(engine.Zeros(3, 2, 4), engine.Zeros(5, 2, 4), engine.Zeros(5, 2, 4), Masks{KeyPadding: engine.Zeros(2, 3)})
		}, "key_padding_mask [2 3] must be [N, S] = [2 5]"},
		{func() {
			NewMultiheadAttention(4, 2, MHAOpts{}).Attend(engine.Zeros(3, 2, 4), engine.Zeros(5, 2, 4), engine.Zeros(4, 2, 4), Masks{})
		}, "key [5 2 4] and value [4 2 4] must have the same length"},
		{func() { NewMultiheadAttention(6, 4, MHAOpts{}) }, "embed_dim=6 must be a positive multiple of num_heads=4"},
		{func() {
			NewMultiheadAttention(4, 2, MHAOpts{KDim: 3}).Attend(engine.Zeros(3, 2, 4), engine.Zeros(5, 2, 4), engine.Zeros(5, 2, 4), Masks{})
		}, "MultiheadAttention: [3 2 4], [5 2 4], [5 2 4]: key [5 2 4] but kdim=3: expected [S, N, 3] (batch_first: [N, S, 3]) or [S, 3]"},
		{func() {
			NewMultiheadAttention(4, 2, MHAOpts{VDim: 6}).Attend(engine.Zeros(3, 4), engine.Zeros(5, 4), engine.Zeros(5, 4), Masks{})
		}, "value [5 4] but vdim=6: expected [S, N, 6]"},
		{func() { NewMultiheadAttention(4, 2, MHAOpts{KDim: -1}) }, "kdim=-1 and vdim=0 must be positive (0 means embed_dim=4)"},
		{func() {
			m := NewMultiheadAttention(4, 2, MHAOpts{AddBiasKV: true})
			m.BiasV = nil
			m.Forward(engine.Zeros(3, 2, 4))
		}, "bias_k and bias_v go together"},
		{func() { (&MultiheadAttention{}).Forward(engine.Zeros(3, 2, 4)) }, "the layer has no weights"},
		{func() { NewTransformerEncoderLayer(8, 2, TransformerOpts{Activation: "tanh"}) }, `unknown activation "tanh"`},
		{func() {
			NewTransformerEncoderLayer(8, 2, TransformerOpts{DimFeedforward: 4}).Forward(engine.Zeros(3, 2, 6))
		},
			"TransformerEncoderLayer: [3 2 6]: input [3 2 6] but d_model=8: expected [S, N, 8] or [S, 8] for one sequence"},
		{func() {
			NewTransformerEncoder(NewTransformerEncoderLayer(8, 2, TransformerOpts{DimFeedforward: 4, BatchFirst: true}), 2, nil).Forward(engine.Zeros(2, 3, 6))
		}, "TransformerEncoder: [2 3 6]: input [2 3 6] but d_model=8: expected [N, S, 8] (batch_first) or [S, 8] for one sequence"},
		{func() {
			NewTransformerEncoderLayer(8, 2, TransformerOpts{DimFeedforward: 4}).Run(engine.Zeros(3, 2, 8), Masks{KeyPadding: engine.Zeros(2, 4)})
		}, "TransformerEncoderLayer: self_attn: [3 2 8], [3 2 8], [3 2 8], [2 4]: key_padding_mask [2 4] must be [N, S] = [2 3]"},
		{func() {
			l := NewTransformerEncoderLayer(8, 2, TransformerOpts{DimFeedforward: 4})
			l.SelfAttn.InProjWeight = nil
			l.Forward(engine.Zeros(3, 2, 8))
		}, "MultiheadAttention: the layer has no weights"},
		{func() {
			engine.ScaledDotProductAttention(engine.Zeros(2, 3, 4), engine.Zeros(2, 5, 4), engine.Zeros(2, 5, 3), engine.AttentionOpts{Mask: engine.Zeros(4)})
		}, "the mask must broadcast to the scores [..., L, S] = [2 3 5]"},
	} {
		if msg := panicMsg(c.f); !strings.Contains(msg, c.want) {
			t.Errorf("got %q, want it to contain %q", msg, c.want)
		}
	}
	for m, want := range map[*MultiheadAttention][2]string{
		NewMultiheadAttention(6, 2, MHAOpts{KDim: 4, VDim: 5, AddBiasKV: true, AddZeroAttn: true}): {
			"q_proj_weight k_proj_weight v_proj_weight in_proj_bias bias_k bias_v out_proj.weight out_proj.bias",
			"MultiheadAttention(embed_dim=6, num_heads=2, kdim=4, vdim=5, add_bias_kv=True, add_zero_attn=True)"},
		NewMultiheadAttention(6, 2, MHAOpts{KDim: 6, VDim: 6, AddBiasKV: true}): {
			"in_proj_weight in_proj_bias bias_k bias_v out_proj.weight out_proj.bias",
			"MultiheadAttention(embed_dim=6, num_heads=2, add_bias_kv=True)"},
		NewMultiheadAttention(6, 2, MHAOpts{NoBias: true}): {
			"in_proj_weight out_proj.weight",
			"MultiheadAttention(embed_dim=6, num_heads=2, bias=False)"},
	} {
		if got := paramNames(m.Params()); got != want[0] {
			t.Errorf("names %q\nwant  %q", got, want[0])
		}
		if got := moduleString(m); got != want[1] {
			t.Errorf("String() = %q, want %q", got, want[1])
		}
	}
	el := NewTransformerEncoderLayer(8, 2, TransformerOpts{})
	want := "self_attn.in_proj_weight self_attn.in_proj_bias self_attn.out_proj.weight self_attn.out_proj.bias linear1.weight linear1.bias linear2.weight linear2.bias norm1.weight norm1.bias norm2.weight norm2.bias"
	if got := paramNames(el.Params()); got != want {
		t.Errorf("names %q\nwant  %q", got, want)
	}
	if got := el.Linear1.Weight.Shape(); got[0] != 2048 || *el.Opts.Dropout != 0.1 {
		t.Errorf("defaults: linear1 %v, dropout %v; want dim_feedforward 2048 and dropout 0.1", got, *el.Opts.Dropout)
	}
	enc := NewTransformerEncoder(el, 2, nil)
	if enc.Layers[0].Linear1.Weight == enc.Layers[1].Linear1.Weight || enc.Layers[1].Linear1.Weight == el.Linear1.Weight {
		t.Errorf("the encoder's layers share tensors; each must have its own")
	}
	equalValues(t, "copied layer", enc.Layers[1].Linear1.Weight, el.Linear1.Weight)
}

// inProj holds MultiheadAttention's own parameters as the exported fields
// gradCheckLayer repoints; the function under check copies them into the layer.
type inProj struct{ InProjWeight, InProjBias *engine.Tensor }

func (p *inProj) Forward(x *engine.Tensor) *engine.Tensor { return x }
func (p *inProj) Params() []Param {
	return []Param{{Name: "in_proj_weight", Tensor: p.InProjWeight}, {Name: "in_proj_bias", Tensor: p.InProjBias}}
}

// sepProj holds MultiheadAttention's separate projections and appended
// key and value biases for gradCheckLayer, as inProj does.
type sepProj struct{ QProjWeight, KProjWeight, VProjWeight, InProjBias, BiasK, BiasV *engine.Tensor }

func (p *sepProj) Forward(x *engine.Tensor) *engine.Tensor { return x }
func (p *sepProj) Params() []Param {
	return []Param{{Name: "q_proj_weight", Tensor: p.QProjWeight}, {Name: "k_proj_weight", Tensor: p.KProjWeight},
		{Name: "v_proj_weight", Tensor: p.VProjWeight}, {Name: "in_proj_bias", Tensor: p.InProjBias},
		{Name: "bias_k", Tensor: p.BiasK}, {Name: "bias_v", Tensor: p.BiasV}}
}

// Eval turns off the dropout inside attention and the encoder layer (found
// through unexported fields); Train turns it on.
func TestAttentionDropoutTrainEval(t *testing.T) {
	engine.Seed(9)
	x := engine.Randn(4, 2, 8)
	el := NewTransformerEncoderLayer(8, 2, TransformerOpts{DimFeedforward: 16}) // PyTorch's dropout 0.1
	plain := NewTransformerEncoderLayer(8, 2, TransformerOpts{DimFeedforward: 16, Dropout: Float(0)})
	engine.NoGrad(func() {
		for i, p := range plain.Params() {
			p.Tensor.CopyFrom(el.Params()[i].Tensor)
		}
	})
	Eval(el)
	equalValues(t, "encoder layer in eval", el.Forward(x), plain.Forward(x))
	Train(el)
	if d := el.Forward(x).Sub(plain.Forward(x)).Abs().Max().Item(); d == 0 {
		t.Errorf("in training, the encoder layer's dropout changed nothing")
	}
}

// The encoder layer asks its self-attention for no weights (PyTorch's
// need_weights=False): its forward averages nothing over the heads.
func TestEncoderLayerAsksForNoWeights(t *testing.T) {
	l := NewTransformerEncoderLayer(8, 2, TransformerOpts{DimFeedforward: 16, Dropout: Float(0)})
	x := engine.Randn(5, 3, 8)
	var ops []string
	remove := engine.AddOpHook(func(ev engine.OpEvent) {
		if !ev.Backward {
			ops = append(ops, ev.Op)
		}
	})
	l.Forward(x)
	remove()
	if len(ops) == 0 {
		t.Fatal("the op hook saw no op of the encoder layer's forward")
	}
	for _, op := range ops {
		if op == "Mean" {
			t.Errorf("the encoder layer's forward ran Mean (ops %v): the attention weights were averaged for nothing", ops)
		}
	}
}
