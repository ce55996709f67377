package nn

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/dbr-go/dbr/engine"
)

// runRef copies the reference's weights into m and compares m's forward and
// gradients with PyTorch's; step maps the inputs to the outputs.
func runRef(t *testing.T, name string, m Module, step func(xs []*engine.Tensor) []*engine.Tensor) {
	t.Helper()
	c := ref(t, name)
	for _, p := range m.Params() {
		if c.Has(p.Name) {
			p.Tensor.CopyFrom(c.T(t, p.Name))
		} else if !p.Buffer {
			t.Fatalf("%s: reference has no %q", name, p.Name)
		}
	}
	if step == nil {
		step = func(xs []*engine.Tensor) []*engine.Tensor { return []*engine.Tensor{m.Forward(xs[0])} }
	}
	checkLayerRef(t, c, step, m.Params())
	for _, p := range m.Params() {
		if c.Has("after." + p.Name) {
			assertClose(t, name+" "+p.Name+" after the step", p.Tensor, c.T(t, "after."+p.Name), refTol())
		}
	}
}

// TestLayersTorchRef runs every layer reference in float64 and again with
// float32 layers and inputs, the default.
func TestLayersTorchRef(t *testing.T) {
	withFloat64(func() { layersTorchRef(t) })
	layersTorchRef(t)
}

func layersTorchRef(t *testing.T) {
	t.Helper()
	runRef(t, "Conv2d", NewConv2d(2, 3, 3, engine.ConvOpts{}), nil)
	runRef(t, "Conv2d/opts", NewConv2d(4, 4, 3, engine.ConvOpts{Stride: 2, Padding: 1, Groups: 2}), nil)
	c := NewConv2d(1, 2, 2, engine.ConvOpts{Dilation: 2})
	c.Bias = nil
	runRef(t, "Conv2d/dilation", c, nil)
	runRef(t, "MaxPool2d", NewMaxPool2d(2, 0, 0), nil)
	runRef(t, "MaxPool2d/opts", NewMaxPool2d(3, 2, 1), nil)
	runRef(t, "AvgPool2d", NewAvgPool2d(2, 0, 0), nil)
	runRef(t, "AvgPool2d/opts", NewAvgPool2d(3, 2, 1), nil)
	runRef(t, "Flatten", NewFlatten(), nil)
	runRef(t, "ReLU", NewReLU(), nil)
	runRef(t, "Tanh", NewTanh(), nil)
	runRef(t, "Sigmoid", NewSigmoid(), nil)
	runRef(t, "GELU", NewGELU(), nil)
	runRef(t, "LeakyReLU", NewLeakyReLU(0.1), nil)
	runRef(t, "Softmax", NewSoftmax(1), nil)
	runRef(t, "LogSoftmax", NewLogSoftmax(1), nil)
	runRef(t, "LogSoftmax/first", NewLogSoftmax(0), nil)
	runRef(t, "LayerNorm", NewLayerNorm([]int{4}), nil)
	ln := NewLayerNorm([]int{3, 4})
	ln.Eps = 1e-3
	runRef(t, "LayerNorm/2d", ln, nil)
	runRef(t, "Embedding", NewEmbedding(5, 3), nil)

	bn := NewBatchNorm1d(3)
	runRef(t, "BatchNorm1d/train", bn, nil)
	// eval uses the running statistics the training step left behind
	Eval(bn)
	runRef(t, "BatchNorm1d/eval", bn, nil)
	if got := bn.NumBatchesTracked.Item(); got != 1 {
		t.Errorf("num_batches_tracked = %v, want 1", got)
	}
	bn3 := NewBatchNorm1d(2)
	bn3.Momentum = 0.2
	runRef(t, "BatchNorm1d/train3d", bn3, nil)
	bn2 := NewBatchNorm2d(3)
	runRef(t, "BatchNorm2d/train", bn2, nil)
	Eval(bn2)
	runRef(t, "BatchNorm2d/eval", bn2, nil)

	r := NewRNNCell(3, 4)
	runRef(t, "RNNCell", r, func(xs []*engine.Tensor) []*engine.Tensor { return []*engine.Tensor{r.Step(xs[0], xs[1])} })
	rr := NewRNNCell(3, 4)
	rr.Nonlinearity = "relu"
	runRef(t, "RNNCell/relu", rr, func(xs []*engine.Tensor) []*engine.Tensor { return []*engine.Tensor{rr.Step(xs[0], xs[1])} })
	g := NewGRUCell(3, 4)
	runRef(t, "GRUCell", g, func(xs []*engine.Tensor) []*engine.Tensor { return []*engine.Tensor{g.Step(xs[0], xs[1])} })
	l := NewLSTMCell(3, 4)
	runRef(t, "LSTMCell", l, func(xs []*engine.Tensor) []*engine.Tensor {
		h, c := l.Step(xs[0], xs[1], xs[2])
		return []*engine.Tensor{h, c}
	})
}

func TestLayersGradCheck(t *testing.T) {
	engine.Seed(11)
	x4 := engine.Randn(2, 2, 5, 5)
	conv := NewConv2d(2, 4, 3, engine.ConvOpts{Padding: 1, Stride: 2, Groups: 2})
	fwd := func(m Module) func(xs []*engine.Tensor) *engine.Tensor {
		return func(xs []*engine.Tensor) *engine.Tensor { return m.Forward(xs[0]) }
	}
	gradCheckLayer(t, "Conv2d", conv, fwd(conv), x4)
	for _, m := range []Module{NewMaxPool2d(2, 0, 0), NewAvgPool2d(3, 2, 1), NewFlatten(), NewReLU(), NewTanh(),
		NewSigmoid(), NewGELU(), NewLeakyReLU(0.2), NewSoftmax(1), NewLogSoftmax(-1), NewDropout(0)} {
		gradCheckLayer(t, moduleString(m), m, fwd(m), x4)
	}
	// Dropout with p > 0: reseeding before each forward fixes the mask
	drop := NewDropout(0.4)
	gradCheckLayer(t, "Dropout", drop, func(xs []*engine.Tensor) *engine.Tensor {
		engine.Seed(5)
		return drop.Forward(xs[0])
	}, x4)
	bn2 := NewBatchNorm2d(2)
	gradCheckLayer(t, "BatchNorm2d/train", bn2, fwd(bn2), x4)
	Eval(bn2)
	gradCheckLayer(t, "BatchNorm2d/eval", bn2, fwd(bn2), x4)
	bn1 := NewBatchNorm1d(3)
	gradCheckLayer(t, "BatchNorm1d", bn1, fwd(bn1), engine.Randn(4, 3))
	gradCheckLayer(t, "BatchNorm1d/3d", bn1, fwd(bn1), engine.Randn(4, 3, 2))
	bn1.RunningMean.CopyFrom(engine.Randn(3))
	bn1.RunningVar.CopyFrom(engine.Rand(3).AddScalar(0.5))
	Eval(bn1)
	gradCheckLayer(t, "BatchNorm1d/eval", bn1, fwd(bn1), engine.Randn(4, 3))
	gradCheckLayer(t, "BatchNorm1d/eval-3d", bn1, fwd(bn1), engine.Randn(2, 3, 4))
	ln := NewLayerNorm([]int{5})
	NormalInit(ln.Weight, 1, 0.5)
	gradCheckLayer(t, "LayerNorm", ln, fwd(ln), engine.Randn(2, 3, 5))
	// the input used twice: normalized and added back (a residual)
	gradCheckLayer(t, "LayerNorm/residual", ln, func(xs []*engine.Tensor) *engine.Tensor { return ln.Forward(xs[0]).Add(xs[0]) }, engine.Randn(3, 5))
	ln2 := NewLayerNorm([]int{3, 4})
	NormalInit(ln2.Weight, 1, 0.5)
	NormalInit(ln2.Bias, 0, 0.5)
	gradCheckLayer(t, "LayerNorm/2d", ln2, fwd(ln2), engine.Randn(2, 3, 4))
	conv2 := NewConv2d(1, 2, 2, engine.ConvOpts{Dilation: 2})
	conv2.Bias = nil
	gradCheckLayer(t, "Conv2d/dilation-nobias", conv2, fwd(conv2), engine.Randn(2, 1, 5, 5))
	// the input used twice: through the convolution and as a residual
	conv3 := NewConv2d(2, 2, 3, engine.ConvOpts{Padding: 1})
	gradCheckLayer(t, "Conv2d/residual", conv3, func(xs []*engine.Tensor) *engine.Tensor { return conv3.Forward(xs[0]).Add(xs[0]) }, x4)
	emb := NewEmbedding(6, 3)
	idx := engine.New([]float32{0, 5, 2, 2, 1, 0}, 2, 3)
	gradCheckLayer(t, "Embedding", emb, func([]*engine.Tensor) *engine.Tensor { return emb.Forward(idx) })
	gradCheckLayer(t, "Embedding/Lookup", emb, func([]*engine.Tensor) *engine.Tensor { return emb.Lookup([]int{4, 1, 4}) })

	x, h := engine.Randn(3, 4), engine.Randn(3, 5)
	rnn := NewRNNCell(4, 5)
	gradCheckLayer(t, "RNNCell", rnn, func(xs []*engine.Tensor) *engine.Tensor { return rnn.Step(xs[0], xs[1]) }, x, h)
	rnnRelu := NewRNNCell(4, 5)
	rnnRelu.Nonlinearity = "relu"
	gradCheckLayer(t, "RNNCell/relu", rnnRelu, func(xs []*engine.Tensor) *engine.Tensor { return rnnRelu.Step(xs[0], xs[1]) }, x, h)
	gradCheckLayer(t, "RNNCell/zero-state", rnn, func(xs []*engine.Tensor) *engine.Tensor { return rnn.Step(xs[0], nil) }, x)
	gru := NewGRUCell(4, 5)
	gradCheckLayer(t, "GRUCell", gru, func(xs []*engine.Tensor) *engine.Tensor { return gru.Step(xs[0], xs[1]) }, x, h)
	gradCheckLayer(t, "GRUCell/zero-state", gru, func(xs []*engine.Tensor) *engine.Tensor { return gru.Step(xs[0], nil) }, x)
	lstm := NewLSTMCell(4, 5)
	gradCheckLayer(t, "LSTMCell", lstm, func(xs []*engine.Tensor) *engine.Tensor {
		h2, c2 := lstm.Step(xs[0], xs[1], xs[2])
		return h2.Add(c2.MulScalar(0.5))
	}, x, h, engine.Randn(3, 5))
	// three steps through a sequence, the same weights used at every step
	seq := engine.Randn(3, 2, 4)
	gradCheckLayer(t, "LSTMCell/sequence", lstm, func(xs []*engine.Tensor) *engine.Tensor {
		var h, c *engine.Tensor
		for s := 0; s < 3; s++ {
			h, c = lstm.Step(xs[0].Select(0, s), h, c)
		}
		return h
	}, seq)
}

func TestLayerStrings(t *testing.T) {
	for _, c := range []struct {
		m    Module
		want string
	}{
		{NewConv2d(1, 32, 3, engine.ConvOpts{}), "Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1))"},
		{NewConv2d(4, 8, 5, engine.ConvOpts{Stride: 2, Padding: 1, Dilation: 2, Groups: 2}), "Conv2d(4, 8, kernel_size=(5, 5), stride=(2, 2), padding=(1, 1), dilation=(2, 2), groups=2)"},
		{NewMaxPool2d(2, 0, 0), "MaxPool2d(kernel_size=2, stride=2, padding=0)"},
		{NewAvgPool2d(3, 1, 1), "AvgPool2d(kernel_size=3, stride=1, padding=1)"},
		{NewBatchNorm1d(3), "BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=true)"},
		{NewBatchNorm2d(16), "BatchNorm2d(16, eps=1e-05, momentum=0.1, affine=true)"},
		{NewLayerNorm([]int{4}), "LayerNorm((4,), eps=1e-05, elementwise_affine=true)"},
		{NewLayerNorm([]int{3, 4}), "LayerNorm((3, 4), eps=1e-05, elementwise_affine=true)"},
		{NewDropout(0.5), "Dropout(p=0.5)"},
		{NewEmbedding(10, 3), "Embedding(10, 3)"},
		{NewFlatten(), "Flatten(start_dim=1, end_dim=-1)"},
		{NewReLU(), "ReLU()"},
		{NewTanh(), "Tanh()"},
		{NewSigmoid(), "Sigmoid()"},
		{NewGELU(), "GELU(approximate='none')"},
		{NewLeakyReLU(0.01), "LeakyReLU(negative_slope=0.01)"},
		{NewSoftmax(1), "Softmax(dim=1)"},
		{NewRNNCell(3, 4), "RNNCell(3, 4)"},
		{NewLSTMCell(3, 4), "LSTMCell(3, 4)"},
		{NewGRUCell(3, 4), "GRUCell(3, 4)"},
	} {
		if got := moduleString(c.m); got != c.want {
			t.Errorf("String() = %q, want %q", got, c.want)
		}
	}
}

func TestLayerParamNames(t *testing.T) {
	bn := NewBatchNorm2d(4)
	if got := paramNames(bn.Params()); got != "weight bias running_mean running_var num_batches_tracked" {
		t.Errorf("BatchNorm2d names: %q", got)
	}
	if n := len(Tensors(bn.Params())); n != 2 {
		t.Errorf("BatchNorm2d has %d trainable tensors, want 2", n)
	}
	if got := paramNames(NewLSTMCell(2, 3).Params()); got != "weight_ih weight_hh bias_ih bias_hh" {
		t.Errorf("LSTMCell names: %q", got)
	}
	l := NewLSTMCell(2, 3)
	if s := l.WeightIH.Shape(); s[0] != 12 || s[1] != 2 {
		t.Errorf("LSTMCell weight_ih shape %v, want [12 2]", s)
	}
}

func TestDropoutTrainEval(t *testing.T) {
	engine.Seed(2)
	d := NewDropout(0.5)
	x := engine.Ones(1000)
	y := d.Forward(x).Float64s()
	zeros := 0
	for _, v := range y {
		switch v {
		case 0:
			zeros++
		case 2:
		default:
			t.Fatalf("training dropout gave %v; want 0 or 1/(1-p) = 2", v)
		}
	}
	if zeros < 400 || zeros > 600 {
		t.Errorf("%d of 1000 zeroed with p=0.5", zeros)
	}
	Eval(d)
	if d.Training() || d.Forward(x) != x {
		t.Error("in evaluation mode Dropout must pass its input through")
	}
	if err := engine.Try(func() { NewDropout(1) }); err == nil {
		t.Error("NewDropout(1) must panic")
	}
}

func TestBatchNormEvalUsesRunningStats(t *testing.T) {
	bn := NewBatchNorm1d(2)
	bn.RunningMean.CopyFrom(engine.New([]float32{1, -1}))
	bn.RunningVar.CopyFrom(engine.New([]float32{4, 0.25}))
	Eval(bn)
	y := bn.Forward(engine.New([]float32{3, 0}, 1, 2)).Float64s()
	// (3-1)/√(4+1e-5) ≈ 1, (0+1)/√(0.25+1e-5) ≈ 2
	if d0, d1 := y[0]-2/math.Sqrt(4+1e-5), y[1]-1/math.Sqrt(0.25+1e-5); d0*d0 > 1e-10 || d1*d1 > 1e-10 {
		t.Errorf("eval BatchNorm gave %v", y)
	}
	Train(bn)
	err := engine.Try(func() { bn.Forward(engine.Ones(1, 2)) })
	if err == nil || !strings.Contains(err.Error(), "more than one value per channel") {
		t.Errorf("training on one sample: %v", err)
	}
}

func TestLayerShapeErrors(t *testing.T) {
	for _, c := range []struct {
		f    func()
		op   string
		want string
	}{
		{func() { NewBatchNorm2d(3).Forward(engine.Zeros(2, 4, 5, 5)) }, "BatchNorm2d", "[N, 3, H, W]"},
		{func() { NewBatchNorm1d(3).Forward(engine.Zeros(2, 4)) }, "BatchNorm1d", "[2 4]"},
		{func() { NewLayerNorm([]int{4}).Forward(engine.Zeros(2, 5)) }, "LayerNorm", "[4]"},
		{func() { NewLSTMCell(3, 4).Step(engine.Zeros(2, 5), nil, nil) }, "LSTMCell", "[batch, 3]"},
		{func() { NewGRUCell(3, 4).Step(engine.Zeros(2, 3), engine.Zeros(3, 4)) }, "GRUCell", "[2, 4]"},
	} {
		err := engine.Try(c.f)
		var se *engine.ShapeError
		if !errors.As(err, &se) || se.Op != c.op || !strings.Contains(err.Error(), c.want) {
			t.Errorf("want a %s *ShapeError mentioning %q, got %v", c.op, c.want, err)
		}
	}
	if err := engine.Try(func() { NewEmbedding(3, 2).Forward(engine.New([]float32{3})) }); err == nil {
		t.Error("an index out of range must panic")
	}
}

func TestCellsUnbatchedAndZeroState(t *testing.T) {
	l := NewLSTMCell(3, 2)
	x := engine.Randn(3)
	h, c := l.Step(x, nil, nil)
	if !slices.Equal(h.Shape(), []int{2}) || !slices.Equal(c.Shape(), []int{2}) {
		t.Fatalf("unbatched LSTMCell gave %v %v", h.Shape(), c.Shape())
	}
	hb, _ := l.Step(x.Unsqueeze(0), engine.Zeros(1, 2), engine.Zeros(1, 2))
	assertClose(t, "unbatched vs batched", h, hb.Squeeze(0), 1e-6)
	assertClose(t, "Forward is a zero-state Step", l.Forward(x), h, 0)
}

func TestBatchNormWithoutRunningStats(t *testing.T) {
	x := engine.Randn(5, 3)
	ref := NewBatchNorm1d(3).Forward(x) // training mode: batch statistics
	bn := NewBatchNorm1d(3)
	bn.RunningMean, bn.RunningVar = nil, nil
	Eval(bn)
	assertClose(t, "BatchNorm1d without running stats in Eval", bn.Forward(x), ref, 1e-6)
	if got := paramNames(bn.Params()); got != "weight bias" {
		t.Errorf("names without running stats: %q", got)
	}
	Train(bn)
	assertClose(t, "BatchNorm1d without running stats in Train", bn.Forward(x), ref, 1e-6)
}

func TestLiteralLayerWithoutWeight(t *testing.T) {
	err := engine.Try(func() { (&Linear{}).Forward(engine.Zeros(2, 3)) })
	var e *engine.Error
	if !errors.As(err, &e) || !strings.Contains(err.Error(), "nn.NewLinear") {
		t.Errorf("Linear{} without a weight: %v", err)
	}
}
