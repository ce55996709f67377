package inspect_test

import (
	"fmt"

	"github.com/dbr-go/dbr/engine"
	"github.com/dbr-go/dbr/inspect"
	"github.com/dbr-go/dbr/nn"
)

// MLP is a user-defined module: Summary finds its layers by running it.
type MLP struct{ Fc1, Fc2 *nn.Linear }

func (m *MLP) Forward(x *engine.Tensor) *engine.Tensor {
	return m.Fc2.Forward(m.Fc1.Forward(x).ReLU())
}
func (m *MLP) Params() []nn.Param { return nn.Params(nn.Sub("fc1", m.Fc1), nn.Sub("fc2", m.Fc2)) }

func ExampleSummary() {
	m := &MLP{nn.NewLinear(784, 128), nn.NewLinear(128, 10)}
	fmt.Println(inspect.Summary(m, 64, 784))
	// Output:
	// layer  type    output shape   params
	// fc1    Linear  [64 128]      100,480
	// ReLU   op      [64 128]
	// fc2    Linear  [64 10]         1,290
	// input [64 784] → output [64 10]
	// params: 101,770 total, 101,770 trainable, 0 frozen
}

func ExampleGraph() {
	x := engine.Ones(4, 3)
	w := engine.Ones(3, 3).SetRequiresGrad(true).SetName("w")
	h := x
	for i := 0; i < 10; i++ { // ten steps of the same cell
		h = h.MatMul(w).Tanh()
	}
	fmt.Println(inspect.Graph(h.Sum()))
	// Output:
	// graph of [] made by Sum: 21 ops, 1 parameter
	// parameters:
	//   w  [3 3]  no grad yet
	// ops (oldest first):
	//   ×10  ┌ %1 = MatMul([4 3], w)  [4 3]
	//        └ %2 = Tanh(%1)          [4 3]
	//          %21 = Sum(%20)         []     ← this tensor
}
