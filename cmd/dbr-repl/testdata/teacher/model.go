package main

import (
	"fmt"

	"github.com/dbr-go/dbr/engine"
)

type Net struct{ W *engine.Tensor }

func (n *Net) Forward(x *engine.Tensor) *engine.Tensor {
	h := x.ReLU()
	return h.MatMul(n.W)
}

func main() {
	n := &Net{W: engine.Ones(3, 2)}
	y := n.Forward(engine.Ones(1, 3))
	fmt.Println(y)
}
