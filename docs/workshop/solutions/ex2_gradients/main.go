// Exercise 2 (after lesson 02): check by hand and with GradCheck that the
// gradient of f(x) = Σ x³ is 3x².
package main

import (
	"fmt"

	"github.com/dbr-go/dbr/engine"
)

func main() {
	engine.Seed(2)
	x := engine.Randn(4).SetRequiresGrad(true)
	x.PowScalar(3).Sum().Backward()

	want := x.Detach().Square().MulScalar(3)
	diff := x.Grad().Sub(want).Abs().Max().Item()
	fmt.Println("autograd equals 3x²:", diff < 1e-5)

	f := func(xs []*engine.Tensor) *engine.Tensor { return xs[0].PowScalar(3).Sum() }
	fmt.Println("GradCheck:", engine.GradCheck(f, engine.Randn(4)).OK)
}

// Output:
// autograd equals 3x²: true
// GradCheck: true
