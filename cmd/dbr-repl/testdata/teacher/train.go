package main

import (
	"fmt"

	"github.com/dbr-go/dbr/engine"
	"github.com/dbr-go/dbr/nn"
)

type Model struct{ L *nn.Linear }

func (m *Model) Forward(x *engine.Tensor) *engine.Tensor { return m.L.Forward(x) }
func (m *Model) Params() []nn.Param                      { return m.L.Params() }

func main() {
	engine.Seed(1)
	model := &Model{L: nn.NewLinear(2, 1)}
	opt := nn.NewSGD(model.Params(), 0.1, nn.SGDOpts{})
	x, y := engine.Randn(8, 2), engine.Randn(8, 1)
	var loss *engine.Tensor
	for i := 0; i < 3; i++ {
		opt.ZeroGrad()
		loss = nn.MSELoss(model.Forward(x), y)
		loss.Backward()
		opt.Step()
	}
	fmt.Printf("loss %.4f\n", loss)
}
