package nn

import (
	"errors"
	"strings"
	"testing"

	"github.com/dbr-go/dbr/engine"
)

// lossFn computes a loss of the inputs with the given options.
type lossFn func(xs []*engine.Tensor, o LossOpts) *engine.Tensor

// checkLossRef compares a loss, for each reduction, with PyTorch's values and
// input gradients, in float64 and in float32, and runs GradCheck on the inputs
// that PyTorch differentiates.
func checkLossRef(t *testing.T, name string, opts LossOpts, f lossFn) {
	t.Helper()
	c := ref(t, name)
	for _, red := range []Reduction{None, Sum, Mean} {
		o := opts
		o.Reduction = red
		var xs, diff []*engine.Tensor
		var idx []int
		for i := 0; c.Has(key("in", i)); i++ {
			x := c.T(t, key("in", i))
			if c.Has("grad." + red.String() + "." + key("in", i)) {
				x.SetRequiresGrad(true)
				diff = append(diff, x)
				idx = append(idx, i)
			}
			xs = append(xs, x)
		}
		out := f(xs, o)
		assertClose(t, name+" "+red.String(), out, c.T(t, red.String()), 1e-9)
		out.Mul(c.T(t, "up."+red.String())).Sum().Backward()
		for k, x := range diff {
			assertClose(t, name+" "+red.String()+" grad", x.Grad(), c.T(t, "grad."+red.String()+"."+key("in", idx[k])), 1e-9)
		}
		r := engine.GradCheck(func(in []*engine.Tensor) *engine.Tensor {
			all := append([]*engine.Tensor{}, xs...)
			for k, i := range idx {
				all[i] = in[k]
			}
			return f(all, o)
		}, diff...)
		if !r.OK {
			t.Errorf("%s %s: %v", name, red, r)
		}
		// the same inputs in float32, the default dtype: a float32 loss and
		// gradients equal to PyTorch's within float32's precision
		xs32 := make([]*engine.Tensor, len(xs))
		for i, x := range xs {
			xs32[i] = x.Detach().Float32()
		}
		for _, i := range idx {
			xs32[i].SetRequiresGrad(true)
		}
		out32 := f(xs32, o)
		if out32.DType() != engine.Float32 {
			t.Errorf("%s %s: float32 inputs give a %v loss", name, red, out32.DType())
		}
		assertClose(t, name+" "+red.String()+" float32", out32, c.T(t, red.String()), 2e-5)
		out32.Mul(c.T(t, "up."+red.String()).Float32()).Sum().Backward()
		for _, i := range idx {
			if g := xs32[i].Grad(); g == nil || g.DType() != engine.Float32 {
				t.Errorf("%s %s: float32 input %d has gradient %v", name, red, i, g)
				continue
			}
			assertClose(t, name+" "+red.String()+" float32 grad", xs32[i].Grad(), c.T(t, "grad."+red.String()+"."+key("in", i)), 2e-5)
		}
	}
}

func TestMSELoss(t *testing.T) {
	checkLossRef(t, "MSELoss", LossOpts{}, func(xs []*engine.Tensor, o LossOpts) *engine.Tensor { return MSELoss(xs[0], xs[1], o) })
	// the default is the mean
	a, b := engine.New64([]float64{1, 2, 3}), engine.New64([]float64{1, 0, 0})
	if got := MSELoss(a, b).Item(); got != 13.0/3 {
		t.Errorf("MSELoss default reduction: %v, want 13/3", got)
	}
}

func TestLossShapeErrors(t *testing.T) {
	err := engine.Try(func() { MSELoss(engine.Zeros(8, 1), engine.Zeros(8)) })
	var se *engine.ShapeError
	if !errors.As(err, &se) || se.Op != "MSELoss" || !strings.Contains(err.Error(), "Squeeze(-1)") {
		t.Errorf("MSELoss([8 1], [8]): %v", err)
	}
	err = engine.Try(func() { MSELoss(engine.Zeros(2), engine.Zeros(2), LossOpts{}, LossOpts{}) })
	if err == nil {
		t.Error("two LossOpts must panic")
	}
	err = engine.Try(func() { MSELoss(engine.Zeros(2), engine.Zeros(2), LossOpts{Reduction: 7}) })
	if err == nil {
		t.Error("an unknown reduction must panic")
	}
}

func TestLossesTorchRef(t *testing.T) {
	two := func(f func(a, b *engine.Tensor, opts ...LossOpts) *engine.Tensor) lossFn {
		return func(xs []*engine.Tensor, o LossOpts) *engine.Tensor { return f(xs[0], xs[1], o) }
	}
	checkLossRef(t, "L1Loss", LossOpts{}, two(L1Loss))
	checkLossRef(t, "SmoothL1Loss", LossOpts{}, two(SmoothL1Loss))
	checkLossRef(t, "SmoothL1Loss/beta", LossOpts{Beta: Float(0.5)}, two(SmoothL1Loss))
	checkLossRef(t, "SmoothL1Loss/beta-0", LossOpts{Beta: Float(0)}, two(SmoothL1Loss))
	checkLossRef(t, "BCELoss", LossOpts{}, two(BCELoss))
	checkLossRef(t, "BCEWithLogitsLoss", LossOpts{}, two(BCEWithLogitsLoss))
	checkLossRef(t, "CrossEntropyLoss/probs", LossOpts{}, two(CrossEntropyLoss))

	for _, c := range []struct {
		name string
		o    LossOpts
		f    func(x *engine.Tensor, target []int, opts ...LossOpts) *engine.Tensor
	}{
		{"CrossEntropyLoss", LossOpts{}, CrossEntropyLossIndices},
		{"CrossEntropyLoss/smooth", LossOpts{LabelSmoothing: 0.2}, CrossEntropyLossIndices},
		{"NLLLoss", LossOpts{}, NLLLossIndices},
	} {
		target := ref(t, c.name).Ints(t, "target")
		checkLossRef(t, c.name, c.o, func(xs []*engine.Tensor, o LossOpts) *engine.Tensor { return c.f(xs[0], target, o) })
	}
	for _, c := range []struct {
		name string
		o    LossOpts
		f    func(x, target *engine.Tensor, opts ...LossOpts) *engine.Tensor
	}{
		{"CrossEntropyLoss/weight", LossOpts{}, CrossEntropyLoss},
		{"CrossEntropyLoss/weight-smooth", LossOpts{LabelSmoothing: 0.3}, CrossEntropyLoss},
		{"CrossEntropyLoss/ignore-smooth", LossOpts{LabelSmoothing: 0.3}, CrossEntropyLoss},
		{"NLLLoss/weight", LossOpts{}, NLLLoss},
	} {
		r := ref(t, c.name)
		target := r.T(t, "target")
		o := c.o
		if c.name != "CrossEntropyLoss/ignore-smooth" {
			o.Weight = r.T(t, "weight")
		}
		checkLossRef(t, c.name, o, func(xs []*engine.Tensor, o LossOpts) *engine.Tensor { return c.f(xs[0], target, o) })
	}
	checkLossRef(t, "CrossEntropyLoss/probs-weight", LossOpts{LabelSmoothing: 0.1, Weight: ref(t, "CrossEntropyLoss/probs-weight").T(t, "weight")}, two(CrossEntropyLoss))

	bw := ref(t, "BCELoss/weight")
	checkLossRef(t, "BCELoss/weight", LossOpts{Weight: bw.T(t, "weight")}, two(BCELoss))
	bl := ref(t, "BCEWithLogitsLoss/weights")
	checkLossRef(t, "BCEWithLogitsLoss/weights", LossOpts{Weight: bl.T(t, "weight"), PosWeight: bl.T(t, "pos_weight")}, two(BCEWithLogitsLoss))

	// the float-tensor form of the targets gives the same values
	ce := ref(t, "CrossEntropyLoss")
	assertClose(t, "CrossEntropyLoss with a tensor target", CrossEntropyLoss(ce.T(t, "in0"), ce.T(t, "target")), ce.T(t, "mean"), 1e-12)
	nll := ref(t, "NLLLoss")
	assertClose(t, "NLLLoss with a tensor target", NLLLoss(nll.T(t, "in0"), nll.T(t, "target"), LossOpts{Reduction: Sum}), nll.T(t, "sum"), 1e-12)

	for _, name := range []string{"TripletMarginLoss", "TripletMarginLoss/margin"} {
		margin := ref(t, name).Scalars["margin"]
		checkLossRef(t, name, LossOpts{}, func(xs []*engine.Tensor, o LossOpts) *engine.Tensor {
			return TripletMarginLoss(xs[0], xs[1], xs[2], margin, o)
		})
	}
	margin := ref(t, "CosineEmbeddingLoss").Scalars["margin"]
	checkLossRef(t, "CosineEmbeddingLoss", LossOpts{}, func(xs []*engine.Tensor, o LossOpts) *engine.Tensor {
		return CosineEmbeddingLoss(xs[0], xs[1], xs[2], margin, o)
	})
}

// TestLossGradCheckTwice runs GradCheck on losses whose input and target are
// computed from one tensor: both contributions must reach it.
func TestLossGradCheckTwice(t *testing.T) {
	engine.Seed(13)
	for _, c := range []struct {
		name string
		f    func(x *engine.Tensor) *engine.Tensor
	}{
		{"MSELoss", func(x *engine.Tensor) *engine.Tensor { return MSELoss(x.Tanh(), x) }},
		{"L1Loss", func(x *engine.Tensor) *engine.Tensor {
			return L1Loss(x, x.Sin().MulScalar(0.5), LossOpts{Reduction: Sum})
		}},
		{"SmoothL1Loss", func(x *engine.Tensor) *engine.Tensor {
			return SmoothL1Loss(x.MulScalar(3), x, LossOpts{Beta: Float(0.5)})
		}},
		{"BCELoss", func(x *engine.Tensor) *engine.Tensor { return BCELoss(x.Sigmoid(), x.Tanh().Square()) }},
		{"BCEWithLogitsLoss", func(x *engine.Tensor) *engine.Tensor {
			return BCEWithLogitsLoss(x, x.Sigmoid(), LossOpts{Reduction: None})
		}},
		{"CrossEntropyLoss/probs", func(x *engine.Tensor) *engine.Tensor { return CrossEntropyLoss(x, x.MulScalar(2).Softmax(1)) }},
		{"CrossEntropyLoss/indices", func(x *engine.Tensor) *engine.Tensor {
			return CrossEntropyLossIndices(x.Add(x.Square()), []int{0, 3, 1}, LossOpts{LabelSmoothing: 0.1})
		}},
		{"NLLLoss", func(x *engine.Tensor) *engine.Tensor {
			return NLLLossIndices(x.LogSoftmax(1).Mul(x.Sigmoid()), []int{2, 2, 0})
		}},
		{"TripletMarginLoss", func(x *engine.Tensor) *engine.Tensor { return TripletMarginLoss(x, x.Tanh(), x.Neg(), 1) }},
		{"CosineEmbeddingLoss", func(x *engine.Tensor) *engine.Tensor {
			return CosineEmbeddingLoss(x, x.Square(), engine.New64([]float64{1, -1, 1}), 0.1, LossOpts{Reduction: Sum})
		}},
	} {
		r := engine.GradCheck(func(in []*engine.Tensor) *engine.Tensor { return c.f(in[0]) }, engine.Randn(3, 4))
		if !r.OK {
			t.Errorf("%s with one tensor twice: %v", c.name, r)
		}
	}
}

func TestLossUseErrors(t *testing.T) {
	logits := engine.Zeros(4, 3)
	for _, c := range []struct {
		f    func()
		want string
	}{
		{func() { CrossEntropyLossIndices(logits, []int{0, 1, 3, 2}) }, "not a class index in [0, 3)"},
		{func() { CrossEntropyLoss(logits, engine.Zeros(4, 1)) }, "Squeeze(1)"},
		{func() { CrossEntropyLoss(engine.Zeros(3), engine.Zeros(1)) }, "Unsqueeze(0)"},
		{func() { CrossEntropyLoss(logits, engine.New([]float32{0, 1.5, 2, 0})) }, "1.5"},
		{func() { NLLLossIndices(logits, []int{0, 1}) }, "[4 3], [2]"},
		{func() { BCELoss(engine.New([]float32{0.5, 1.5}), engine.Zeros(2)) }, "BCEWithLogitsLoss"},
		{func() { CosineEmbeddingLoss(logits, logits, engine.New([]float32{1, 0, 1, -1}), 0) }, "must be 1 (similar) or -1"},
		{func() { TripletMarginLoss(logits, logits, engine.Zeros(4, 2), 1) }, "same shape"},
		{func() { CrossEntropyLossIndices(logits, []int{0, 1, 2, 2}, LossOpts{LabelSmoothing: 2}) }, "label smoothing"},
		{func() { CrossEntropyLossIndices(logits, []int{0, 1, 2, 2}, LossOpts{Weight: engine.Ones(4)}) }, "shape [3]"},
		{func() { CrossEntropyLossIndices(logits, []int{0, -1, 2, 2}) }, "target -1 at position 1"},
		{func() { BCEWithLogitsLoss(logits, logits, LossOpts{Weight: engine.Ones(2)}) }, "must broadcast"},
		{func() { BCEWithLogitsLoss(logits, logits, LossOpts{PosWeight: engine.Ones(4)}) }, "one weight per class"},
	} {
		err := engine.Try(c.f)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want an error mentioning %q", err, c.want)
		}
	}
}

func TestCrossEntropyLearns(t *testing.T) {
	// A perfect, confident prediction has a loss near 0, a uniform one log C.
	logits := engine.New64([]float64{20, 0, 0, 0, 20, 0}, 2, 3)
	if l := CrossEntropyLossIndices(logits, []int{0, 1}).Item(); l > 1e-8 {
		t.Errorf("confident correct prediction: loss %v", l)
	}
	if l := CrossEntropyLossIndices(engine.Zeros(2, 3), []int{0, 2}).Item(); l-1.0986122886681098 > 1e-6 || l-1.0986122886681098 < -1e-6 {
		t.Errorf("uniform prediction: loss %v, want log 3", l)
	}
}

func TestCrossEntropyFloat32StaysFloat32(t *testing.T) {
	logits := engine.Randn(4, 3).SetRequiresGrad(true)
	l := CrossEntropyLossIndices(logits, []int{0, IgnoreIndex, 2, 1}, LossOpts{Weight: engine.New([]float32{1, 2, 3}), LabelSmoothing: 0.1})
	if l.DType() != engine.Float32 {
		t.Errorf("a float32 loss became %v", l.DType())
	}
	l.Backward()
	if g := logits.Grad(); g.At(1, 0) != 0 || g.At(1, 2) != 0 {
		t.Errorf("an ignored row got a gradient: %v", g)
	}
}
