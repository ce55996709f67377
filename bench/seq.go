package main

import (
	"github.com/dbr-go/dbr/engine"
	"github.com/dbr-go/dbr/nn"
)

// lstmStep is torch_worker.py's lstm_step: zero the gradients, run a
// one-layer LSTM (input 256, hidden 256) over x [35, 32, 256] and
// backpropagate the sum of its output.
func lstmStep() func() {
	m := nn.NewLSTM(256, 256, nn.RNNOpts{})
	x := engine.Randn(35, 32, 256)
	return func() {
		nn.ZeroGrad(m)
		m.Forward(x).Sum().Backward()
	}
}

// transformerStep is torch_worker.py's transformer_step: zero the
// gradients, run one encoder block (d_model 128, 4 heads, feed-forward 512,
// ReLU, no dropout, norms after the blocks) over x [64, 16, 128] (sequence
// 64, batch 16) and backpropagate the sum of its output.
func transformerStep() func() {
	m := nn.NewTransformerEncoderLayer(128, 4, nn.TransformerOpts{DimFeedforward: 512, Dropout: nn.Float(0)})
	x := engine.Randn(64, 16, 128)
	return func() {
		nn.ZeroGrad(m)
		m.Forward(x).Sum().Backward()
	}
}

// seqWorkloads lists the sequence-model rows (LSTM, transformer block).
func seqWorkloads() []workload {
	return []workload{{
		name: "lstm T=35 b=32 h=256 fwd+bwd", threads: 1, target: "<=1.0",
		torch: request{Name: "lstm", Args: map[string]any{}},
		setup: lstmStep,
	}, {
		name: "transformer block fwd+bwd", threads: 1, target: "<=1.0",
		torch: request{Name: "transformer", Args: map[string]any{}},
		setup: transformerStep,
	}}
}
