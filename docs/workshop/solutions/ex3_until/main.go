// Exercise 3 (after lessons 03 and 11): fit y = 2x + 1 with one nn.Linear,
// training until the loss is below 0.001 rather than for a fixed number of
// steps. The stopping rule is a plain Go condition on a value: with
// define-by-run, nothing has to be declared ahead.
package main

import (
	"fmt"

	"github.com/dbr-go/dbr/engine"
	"github.com/dbr-go/dbr/nn"
)

func main() {
	engine.Seed(3)
	x := engine.Randn(32, 1)
	y := x.MulScalar(2).AddScalar(1)
	fc := nn.NewLinear(1, 1)
	opt := nn.NewSGD(fc.Params(), 0.1, nn.SGDOpts{})
	steps := 0
	for {
		loss := nn.MSELoss(fc.Forward(x), y)
		if loss.Item() < 0.001 {
			break
		}
		opt.ZeroGrad()
		loss.Backward()
		opt.Step()
		steps++
	}
	fmt.Println("steps:", steps)
	fmt.Printf("weight %.2f, bias %.2f\n", fc.Weight.Item(), fc.Bias.Item())
}

// Output:
// steps: 25
// weight 1.98, bias 0.98
