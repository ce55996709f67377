package main

import (
	"github.com/dbr-go/dbr/engine"
	"github.com/dbr-go/dbr/nn"
)

// mlp is the 784-256-128-10 net of torch_worker.py's MLP.
type mlp struct{ Fc1, Fc2, Fc3 *nn.Linear }

func newMLP() *mlp {
	return &mlp{nn.NewLinear(784, 256), nn.NewLinear(256, 128), nn.NewLinear(128, 10)}
}

func (m *mlp) Forward(x *engine.Tensor) *engine.Tensor {
	return m.Fc3.Forward(m.Fc2.Forward(m.Fc1.Forward(x).ReLU()).ReLU())
}

func (m *mlp) Params() []nn.Param {
	return nn.Params(nn.Sub("fc1", m.Fc1), nn.Sub("fc2", m.Fc2), nn.Sub("fc3", m.Fc3))
}

// cnn is torch_worker.py's CNN: two 3×3 convs (1→16→32 channels, padding 1),
// each followed by ReLU and 2×2 max pooling, then a linear layer to 10.
type cnn struct {
	C1, C2 *nn.Conv2d
	Pool   *nn.MaxPool2d
	Fc     *nn.Linear
}

func newCNN() *cnn {
	return &cnn{
		C1:   nn.NewConv2d(1, 16, 3, engine.ConvOpts{Padding: 1}),
		C2:   nn.NewConv2d(16, 32, 3, engine.ConvOpts{Padding: 1}),
		Pool: nn.NewMaxPool2d(2, 0, 0),
		Fc:   nn.NewLinear(32*7*7, 10),
	}
}

func (c *cnn) Forward(x *engine.Tensor) *engine.Tensor {
	x = c.Pool.Forward(c.C1.Forward(x).ReLU())
	x = c.Pool.Forward(c.C2.Forward(x).ReLU())
	return c.Fc.Forward(x.Flatten(1))
}

func (c *cnn) Params() []nn.Param {
	return nn.Params(nn.Sub("c1", c.C1), nn.Sub("c2", c.C2), nn.Sub("fc", c.Fc))
}

// trainStep returns one SGD step of m on a fixed random batch, as
// torch_worker.py's train_step.
func trainStep(m nn.Module, shape []int) func() {
	opt := nn.NewSGD(m.Params(), 0.01, nn.SGDOpts{})
	x := engine.Randn(shape...)
	labels := make([]float32, shape[0])
	for i := range labels {
		labels[i] = float32(engine.RandInt(10))
	}
	y := engine.New(labels)
	return func() {
		opt.ZeroGrad()
		nn.CrossEntropyLoss(m.Forward(x), y).Backward()
		opt.Step()
	}
}

// trainWorkloads lists the training-step workloads (MLP, CNN).
func trainWorkloads() []workload {
	var ws []workload
	for _, batch := range []int{64, 256} {
		batch := batch
		ws = append(ws, workload{
			name: "mlp step b=" + itoa(batch), threads: 1, target: "<=0.8",
			torch: request{Name: "mlp", Args: map[string]any{"batch": batch}},
			setup: func() func() { return trainStep(newMLP(), []int{batch, 784}) },
		})
	}
	ws = append(ws, workload{
		name: "cnn step b=64", threads: 1, target: "<=0.8",
		torch: request{Name: "cnn", Args: map[string]any{"batch": 64}},
		setup: func() func() { return trainStep(newCNN(), []int{64, 1, 28, 28}) },
	})
	// not a stated target: the CNN as the REPL runs it by default, on every core
	ws = append(ws, workload{
		name: "cnn step b=64", threads: 2,
		torch: request{Name: "cnn", Args: map[string]any{"batch": 64}},
		setup: func() func() { return trainStep(newCNN(), []int{64, 1, 28, 28}) },
	})
	return ws
}
