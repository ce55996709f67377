// Lesson 9: finding out what went wrong.
//
// Because the graph is built as the program runs, you can stop at any line
// and ask: what shape is this, what values does it hold, did a gradient reach
// that weight, and which op made the first NaN? Package inspect answers.
//
// Try:
//
//   - Fix Net.Forward (pass h, not h.Detach()) and run GradsFrom again.
//   - Print inspect.Graph(loss) to see where the graph is cut.
package main

import (
	"fmt"

	"github.com/dbr-go/dbr/engine"
	"github.com/dbr-go/dbr/inspect"
	"github.com/dbr-go/dbr/nn"
)

// Net has a bug: Forward detaches the hidden layer, so no gradient reaches
// the first layer.
type Net struct {
	Fc1, Fc2 *nn.Linear
}

func (n *Net) Forward(x *engine.Tensor) *engine.Tensor {
	h := n.Fc1.Forward(x).ReLU()
	return n.Fc2.Forward(h.Detach()) // the bug
}

func (n *Net) Params() []nn.Param {
	return nn.Params(nn.Sub("fc1", n.Fc1), nn.Sub("fc2", n.Fc2))
}

func main() {
	engine.Seed(9)

	// 1. Shapes: a summary runs one forward pass and lists every layer's
	// output shape and parameter count.
	net := &Net{Fc1: nn.NewLinear(20, 16), Fc2: nn.NewLinear(16, 3)}
	fmt.Println(inspect.Summary(net, 8, 20))

	// The same for an input that does not fit: the summary stops at the
	// layer that refused it, and says why.
	fmt.Println(inspect.Summary(net, 8, 10))

	// 2. Values: statistics of a tensor, one line.
	x := engine.Randn(8, 20)
	fmt.Println(inspect.Stats(net.Fc1.Forward(x).ReLU().SetName("hidden")))

	// 3. Gradients: one backward pass, then ask which parameters got a
	// gradient, how large it is next to the weight, and how often each
	// parameter was used.
	y := engine.New([]float32{0, 1, 2, 0, 1, 2, 0, 1}, 8)
	loss := nn.CrossEntropyLoss(net.Forward(x), y)
	loss.Backward()
	fmt.Println(inspect.GradsFrom(loss, net))
	// The fix: pass h itself, not h.Detach(), to Fc2.

	// 4. NaN: anomaly mode stops at the first op that makes a NaN or an
	// infinity, and names it.
	inspect.DetectAnomaly(true)
	err := engine.Try(func() {
		v := engine.New([]float32{1, 0, -1}, 3)
		v.Log().Sum() // log(0) = -Inf
	})
	inspect.DetectAnomaly(false)
	fmt.Println("error:", err)
}

// Output:
// layer  type    output shape  params
// fc1    Linear  [8 16]           336
// ReLU   op      [8 16]
// fc2    Linear  [8 3]             51
// input [8 20] → output [8 3]
// params: 387 total, 387 trainable, 0 frozen
// input [8 10]
// params: 387 total, 387 trainable, 0 frozen
// the forward pass stopped at its first op: Linear: [8 10], [16 20], [16]: the input's last dim must be in_features=20 (weight is [out, in]) (give the input shape [batch, 20])
// name    shape   dtype    min    max   mean     std  zeros  NaN  Inf
// hidden  [8 16]  float32    0  1.818  0.271  0.4072     66    0    0
// param       shape     ‖grad‖  ‖grad‖/‖w‖  zeros  NaN/Inf  uses
// fc1.weight  [16 20]        –           –      –        –     0  ⚠ no gradient reached this parameter (cut by Detach)
// fc1.bias    [16]           –           –      –        –     0  ⚠ no gradient reached this parameter (cut by Detach)
// fc2.weight  [3 16]    0.4189      0.4163     0%        0     1
// fc2.bias    [3]      0.04816       1.037     0%        0     1
// error: Log: produced NaN and Inf in the forward pass (anomaly mode): output [3] min 0 max 0 mean 0, 1 NaN, 1 Inf
//   input 0: [3] min -1 max 1 mean 0
