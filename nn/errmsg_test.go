package nn

import (
	"errors"
	"strings"
	"testing"

	"github.com/dbr-go/dbr/engine"
)

// panicker is a layer whose Forward panics with v.
type panicker struct{ v any }

func (p *panicker) Forward(x *engine.Tensor) *engine.Tensor { panic(p.v) }
func (p *panicker) Params() []Param                         { return nil }
func (p *panicker) String() string                          { return "Panicker()" }

// recovered returns the value f panics with (nil when it returns).
func recovered(f func()) (r any) {
	defer func() { r = recover() }()
	f()
	return nil
}

// TestSequentialNamesFailingLayer checks that an error raised inside a layer
// of a Sequential says which layer failed and keeps its type, so the REPL
// still reports it as a user error.
func TestSequentialNamesFailingLayer(t *testing.T) {
	seq := NewSequential([]Module{NewLinear(4, 3), NewReLU(), NewLinear(5, 2)})
	err := engine.Try(func() { seq.Forward(engine.Zeros(2, 4)) })
	var se *engine.ShapeError
	if !errors.As(err, &se) {
		t.Fatalf("got %v (%T), want a *engine.ShapeError", err, err)
	}
	want := "Sequential layer 2 (Linear(in_features=5, out_features=2, bias=true)): Linear: [2 3], [2 5], [2]: the input's last dim must be in_features=5"
	if !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %q, want it to start with %q", err, want)
	}
	if len(se.Shapes) != 3 || len(se.Shapes[0]) != 2 || se.Shapes[0][1] != 3 {
		t.Errorf("the wrapped error lost its operand shapes: %v", se.Shapes)
	}

	nested := NewSequential([]Module{NewLinear(4, 4), NewSequential([]Module{NewLinear(3, 2)})})
	err = engine.Try(func() { nested.Forward(engine.Zeros(2, 4)) })
	want = "Sequential layer 1 (Sequential): Sequential layer 0 (Linear(in_features=3, out_features=2, bias=true)): Linear: [2 4], [2 3], [2]: "
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("nested: error %v, want it to start with %q", err, want)
	}

	// an *engine.Error keeps its type; the layer's own error is not modified
	orig := &engine.Error{Op: "Probe", Msg: "bad input"}
	err = engine.Try(func() { NewSequential([]Module{NewTanh(), &panicker{orig}}).Forward(engine.Zeros(1)) })
	var ee *engine.Error
	if !errors.As(err, &ee) || err.Error() != "Sequential layer 1 (Panicker()): Probe: bad input" {
		t.Errorf("engine.Error: got %v (%T)", err, err)
	}
	if orig.Op != "Probe" {
		t.Errorf("the layer's error was modified: Op %q", orig.Op)
	}

	// a layer whose String panics (built without weights) is named by its type
	err = engine.Try(func() { NewSequential([]Module{&Linear{}}).Forward(engine.Zeros(2, 4)) })
	if err == nil || !strings.HasPrefix(err.Error(), "Sequential layer 0 (*nn.Linear): Linear: the layer has no Weight") {
		t.Errorf("layer without weights: got %v", err)
	}
}

// TestSequentialPassesOtherPanics checks that an interrupt and a panic that is
// not a dbr error (a bug) come out of a Sequential unchanged.
func TestSequentialPassesOtherPanics(t *testing.T) {
	x := engine.Zeros(1)
	if r := recovered(func() { NewSequential([]Module{&panicker{engine.ErrInterrupted}}).Forward(x) }); r != engine.ErrInterrupted {
		t.Errorf("interrupt: got %v, want engine.ErrInterrupted itself", r)
	}
	if r := recovered(func() { NewSequential([]Module{NewReLU(), &panicker{"boom"}}).Forward(x) }); r != "boom" {
		t.Errorf("other panic: got %v, want %q unchanged", r, "boom")
	}
}

// TestCrossEntropyTargetForms checks that a wrong target names both forms
// CrossEntropyLoss accepts, and what is wrong with the one given.
func TestCrossEntropyTargetForms(t *testing.T) {
	logits := engine.Zeros(4, 3)
	for _, c := range []struct {
		target *engine.Tensor
		want   []string
	}{
		{engine.Zeros(4, 2), []string{"CrossEntropyLoss: [4 3], [4 2]:", "[4] class indices", "[4 3] class probabilities", "needs 3 columns, one per class; this one has 2"}},
		{engine.Zeros(5), []string{"CrossEntropyLoss: [4 3], [5]:", "[4] class indices", "[4 3] class probabilities"}},
		{engine.Zeros(4, 1), []string{"[4] class indices", "target.Squeeze(1)"}},
	} {
		err := engine.Try(func() { CrossEntropyLoss(logits, c.target) })
		var se *engine.ShapeError
		if !errors.As(err, &se) {
			t.Errorf("target %v: got %v, want a *engine.ShapeError", c.target.Shape(), err)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("target %v: error %q does not contain %q", c.target.Shape(), err, w)
			}
		}
	}
	// NLLLoss takes class indices only and says so
	err := engine.Try(func() { NLLLoss(logits, engine.Zeros(4, 3)) })
	if err == nil || !strings.Contains(err.Error(), "NLLLoss: [4 3], [4 3]: the target must be [4]: one class index per row") || strings.Contains(err.Error(), "probabilities") {
		t.Errorf("NLLLoss: got %v", err)
	}
}

// TestLayerErrorsSayWhatFits checks that the errors of BatchNorm, Embedding,
// the recurrent cells and BCEWithLogitsLoss's PosWeight say what is wrong and
// what would fit.
func TestLayerErrorsSayWhatFits(t *testing.T) {
	emb := NewEmbedding(10, 4)
	for _, c := range []struct {
		name string
		f    func()
		want []string
	}{
		{"BatchNorm1d dims", func() { NewBatchNorm1d(3).Forward(engine.Zeros(2, 3, 4, 4)) },
			[]string{"BatchNorm1d: [2 3 4 4]: expected input [N, 3] or [N, 3, L], got a 4-d input", "use BatchNorm2d"}},
		{"BatchNorm1d features", func() { NewBatchNorm1d(3).Forward(engine.Zeros(2, 4)) },
			[]string{"BatchNorm1d: [2 4]:", "[N, 3, L], but dim 1 (features) is 4", "NewBatchNorm1d(4) fits this input"}},
		{"BatchNorm2d dims", func() { NewBatchNorm2d(3).Forward(engine.Zeros(3, 4, 4)) },
			[]string{"BatchNorm2d: [3 4 4]: expected input [N, 3, H, W], got a 3-d input", "x.Unsqueeze(0)"}},
		{"BatchNorm2d channels", func() { NewBatchNorm2d(3).Forward(engine.Zeros(2, 1, 4, 4)) },
			[]string{"BatchNorm2d: [2 1 4 4]:", "[N, 3, H, W], but dim 1 (channels) is 1", "NewBatchNorm2d(1) fits this input"}},
		{"Embedding fraction", func() { emb.Forward(engine.New([]float32{1, 2.5})) },
			[]string{"Embedding: index 2.5 at position 1 is not a whole number"}},
		{"Embedding range", func() { emb.Forward(engine.New([]float32{1, 12})) },
			[]string{"Embedding: index 12 at position 1 is out of range [0, 10)", "the weight [10 4] has 10 rows"}},
		{"Embedding Lookup", func() { emb.Lookup([]int{-1}) },
			[]string{"Embedding: index -1 at position 0 is out of range [0, 10)"}},
		{"LSTMCell unbatched", func() { NewLSTMCell(3, 4).Step(engine.Zeros(5), nil, nil) },
			[]string{"LSTMCell: [5]: the input must be [batch, 3] or [3]", "NewLSTMCell(5, 4) fits this input"}},
		{"GRUCell sequence", func() { NewGRUCell(3, 4).Step(engine.Zeros(7, 2, 3), nil) },
			[]string{"GRUCell: [7 2 3]:", "step through x.Select(0, t)"}},
		{"RNNCell state", func() { NewRNNCell(3, 4).Step(engine.Zeros(3), engine.Zeros(2, 4)) },
			[]string{"RNNCell: [3], [2 4]: the state must be [4] (or [1, 4]) to match the input"}},
		{"PosWeight", func() {
			BCEWithLogitsLoss(engine.Zeros(4, 3), engine.Zeros(4, 3), LossOpts{PosWeight: engine.Ones(2)})
		}, []string{"BCEWithLogitsLoss: [4 3], [2]:", "give a PosWeight of shape [3]"}},
	} {
		err := engine.Try(c.f)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not contain %q", c.name, err, w)
			}
		}
	}
}
