package nn_test

import (
	"fmt"

	"github.com/dbr-go/dbr/engine"
	"github.com/dbr-go/dbr/nn"
)

func ExampleLinear() {
	engine.Seed(0)
	fc := nn.NewLinear(784, 128)
	x := engine.Randn(64, 784)
	fmt.Println(fc)
	fmt.Println(fc.Forward(x).Shape())
	for _, p := range fc.Params() {
		fmt.Println(p.Name, p.Tensor.Shape())
	}
	// Output:
	// Linear(in_features=784, out_features=128, bias=true)
	// [64 128]
	// weight [128 784]
	// bias [128]
}

func ExampleSequential() {
	model := nn.NewSequential([]nn.Module{nn.NewLinear(4, 8)})
	model.Add(nn.NewLinear(8, 2))
	fmt.Println(model)
	for _, p := range model.Params() {
		fmt.Println(p.Name, p.Tensor.Shape())
	}
	// Output:
	// Sequential(
	//   (0): Linear(in_features=4, out_features=8, bias=true)
	//   (1): Linear(in_features=8, out_features=2, bias=true)
	// )
	// 0.weight [8 4]
	// 0.bias [8]
	// 1.weight [2 8]
	// 1.bias [2]
}

func ExampleSGD() {
	// Fit y = 2x - 1 with one Linear layer.
	engine.Seed(1)
	x := engine.Randn(32, 1)
	y := x.MulScalar(2).AddScalar(-1)
	model := nn.NewLinear(1, 1)
	opt := nn.NewSGD(model.Params(), 0.1, nn.SGDOpts{Momentum: 0.9})
	for step := 0; step < 200; step++ {
		opt.ZeroGrad()
		loss := nn.MSELoss(model.Forward(x), y)
		loss.Backward()
		opt.Step()
	}
	fmt.Printf("weight %.3f bias %.3f\n", model.Weight.Item(), model.Bias.Item())
	// Output:
	// weight 2.000 bias -1.000
}

func ExampleCrossEntropyLoss() {
	logits := engine.New([]float32{2, 0, 0, 0, 0, 3}, 2, 3) // 2 samples, 3 classes
	labels := engine.New([]float32{0, 2})                   // class indices, as a DataLoader yields them
	fmt.Printf("%.4f\n", nn.CrossEntropyLoss(logits, labels).Item())
	fmt.Printf("%.4f\n", nn.CrossEntropyLossIndices(logits, []int{1, 0}, nn.LossOpts{Reduction: nn.Sum}).Item())
	fmt.Println(nn.CrossEntropyLoss(logits, labels, nn.LossOpts{Reduction: nn.None}).Shape())
	// Output:
	// 0.1672
	// 5.3345
	// [2]
}

func ExampleLSTMCell() {
	engine.Seed(0)
	cell := nn.NewLSTMCell(8, 16)
	seq := engine.Randn(5, 3, 8) // 5 time steps of a batch of 3
	var h, c *engine.Tensor      // nil: start from zeros
	for t := 0; t < seq.Size(0); t++ {
		h, c = cell.Step(seq.Select(0, t), h, c)
	}
	fmt.Println(h.Shape(), c.Shape())
	// Output:
	// [3 16] [3 16]
}

func ExampleClipGradNorm() {
	w := engine.New([]float32{0, 0}).SetRequiresGrad(true)
	w.MulScalar(3).Sum().Backward() // gradient [3 3], norm 4.2426
	params := []nn.Param{{Name: "w", Tensor: w}}
	fmt.Printf("%.4f\n", nn.ClipGradNorm(params, 1))
	fmt.Printf("%.4f\n", w.Grad().Float64s())
	// Output:
	// 4.2426
	// [0.7071 0.7071]
}

func ExampleStepLR() {
	w := engine.Zeros(1).SetRequiresGrad(true)
	opt := nn.NewAdam([]nn.Param{{Name: "w", Tensor: w}}, 0.1, nn.AdamOpts{})
	sched := nn.NewStepLR(opt, 2, 0.5)
	for epoch := 0; epoch < 6; epoch++ {
		// … train one epoch with opt …
		sched.Step()
		fmt.Printf("%g ", opt.LR())
	}
	fmt.Println()
	// Output:
	// 0.1 0.05 0.05 0.025 0.025 0.0125
}

// A model's own struct, with a Dropout in an unexported field: Train and Eval
// reach it.
type classifier struct {
	Fc   *nn.Linear
	drop *nn.Dropout
}

func (m *classifier) Forward(x *engine.Tensor) *engine.Tensor { return m.Fc.Forward(m.drop.Forward(x)) }
func (m *classifier) Params() []nn.Param                      { return nn.Sub("fc", m.Fc) }

func ExampleEval() {
	engine.Seed(0)
	m := &classifier{Fc: nn.NewLinear(4, 2), drop: nn.NewDropout(0.5)}
	x := engine.Ones(1, 4)
	nn.Eval(m) // Dropout passes its input through: the output is deterministic
	same := m.Forward(x).Sub(m.Forward(x)).Abs().Sum().Item() == 0
	fmt.Println(m.drop.Training(), same)
	nn.Train(m)
	fmt.Println(m.drop.Training())
	// Output:
	// false true
	// true
}
