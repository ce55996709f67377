// Command epoch trains the 784-256-128-10 MLP for one epoch of
// Fashion-MNIST (batch 64, shuffled, plain SGD with lr 0.1) and prints the
// epoch's wall time. The bench runs it through dbr-repl as a script (the way
// a learner runs it) and compiled; bench/torch_worker.py has the same epoch
// in PyTorch. Data loading is outside the timed part on both sides.
package main

import (
	"fmt"
	"os"
	"time"

	"github.com/dbr-go/dbr/engine"
	"github.com/dbr-go/dbr/nn"
)

type MLP struct {
	Fc1, Fc2, Fc3 *nn.Linear
}

func (m *MLP) Forward(x *engine.Tensor) *engine.Tensor {
	return m.Fc3.Forward(m.Fc2.Forward(m.Fc1.Forward(x).ReLU()).ReLU())
}

func (m *MLP) Params() []nn.Param {
	return nn.Params(nn.Sub("fc1", m.Fc1), nn.Sub("fc2", m.Fc2), nn.Sub("fc3", m.Fc3))
}

func main() {
	engine.Seed(1)
	train, err := nn.FashionMNIST("train")
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	train.Flat = true
	model := &MLP{Fc1: nn.NewLinear(784, 256), Fc2: nn.NewLinear(256, 128), Fc3: nn.NewLinear(128, 10)}
	opt := nn.NewSGD(model.Params(), 0.1, nn.SGDOpts{})
	loader := nn.NewDataLoader(train, nn.LoaderOpts{BatchSize: 64, Shuffle: true})

	start := time.Now()
	total, n := 0.0, 0
	for loader.Next() {
		x, y := loader.Batch()
		loss := nn.CrossEntropyLoss(model.Forward(x), y)
		opt.ZeroGrad()
		loss.Backward()
		opt.Step()
		total += loss.Item()
		n++
	}
	sec := time.Since(start).Seconds()
	fmt.Printf("examples %d steps %d mean_loss %.4f\n", train.Len(), n, total/float64(n))
	fmt.Printf("epoch_seconds %.4f\n", sec)
}
