package nn

import (
	"fmt"
	"testing"

	"github.com/dbr-go/dbr/engine"
)

// mlpParams returns the parameters of a 784-128-10 MLP with gradients set.
func mlpParams() []Param {
	fc1, fc2 := NewLinear(784, 128), NewLinear(128, 10)
	ps := Params(Sub("fc1", fc1), Sub("fc2", fc2))
	for _, p := range ps {
		p.Tensor.SetGrad(engine.RandnLike(p.Tensor))
	}
	return ps
}

func BenchmarkSGDStep(b *testing.B) {
	opt := NewSGD(mlpParams(), 0.01, SGDOpts{Momentum: 0.9})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		opt.Step()
	}
}

func BenchmarkAdamStep(b *testing.B) {
	opt := NewAdam(mlpParams(), 0.001, AdamOpts{})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		opt.Step()
	}
}

func BenchmarkMLPTrainStep(b *testing.B) {
	fc1, fc2 := NewLinear(784, 128), NewLinear(128, 10)
	ps := Params(Sub("fc1", fc1), Sub("fc2", fc2))
	opt := NewAdam(ps, 0.001, AdamOpts{})
	x := engine.Randn(64, 784)
	y := make([]int, 64)
	for i := range y {
		y[i] = i % 10
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		opt.ZeroGrad()
		CrossEntropyLossIndices(fc2.Forward(fc1.Forward(x).ReLU()), y).Backward()
		opt.Step()
	}
}

// BenchmarkCrossEntropyLoss runs CrossEntropyLoss forward and backward on
// random logits: the MLP's batches of 64 and 256 over 10 classes, and 256
// rows over 1000 classes.
func BenchmarkCrossEntropyLoss(b *testing.B) {
	for _, s := range []struct{ n, c int }{{64, 10}, {256, 10}, {256, 1000}} {
		engine.Seed(1)
		x := engine.Randn(s.n, s.c).SetRequiresGrad(true)
		t := make([]int, s.n)
		for i := range t {
			t[i] = engine.RandInt(s.c)
		}
		b.Run(fmt.Sprintf("%dx%d", s.n, s.c), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				CrossEntropyLossIndices(x, t).Backward()
			}
		})
	}
}

// BenchmarkSequenceModels runs bench's sequence rows forward and backward:
// an LSTM (input and hidden 256) over 35 steps of a batch of 32, and one
// transformer encoder block (d_model 128, 4 heads, feed-forward 512) over a
// sequence of 64 in a batch of 16. Its allocations per step are a measure
// that a busy machine does not disturb.
func BenchmarkSequenceModels(b *testing.B) {
	for _, c := range []struct {
		name string
		m    Module
		x    *engine.Tensor
	}{
		{"lstm", NewLSTM(256, 256, RNNOpts{}), engine.Randn(35, 32, 256)},
		{"transformer", NewTransformerEncoderLayer(128, 4, TransformerOpts{DimFeedforward: 512, Dropout: Float(0)}), engine.Randn(64, 16, 128)},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				ZeroGrad(c.m)
				c.m.Forward(c.x).Sum().Backward()
			}
		})
	}
}
