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
