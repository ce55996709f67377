//go:build ignore

// Lesson 1: tensors, broadcasting and a first gradient.
//
// Run it with `go run scripts/01_tensors.go` or `dbr-repl scripts/01_tensors.go`;
// both print the same.
package main

import (
	"fmt"

	"github.com/dbr-go/dbr/engine"
)

func main() {
	x := engine.New([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	fmt.Println("x has shape", x.Shape())
	b := engine.New([]float32{10, 20, 30}, 3)
	fmt.Println("x + b =", x.Add(b))

	w := engine.Ones(3, 2).SetRequiresGrad(true)
	loss := x.MatMul(w).Sum()
	fmt.Println("loss =", loss.Item())
	loss.Backward()
	fmt.Println("dloss/dw =", w.Grad())

	for i := 0; i < 3; i++ {
		fmt.Println("step", i, "sum", x.MulScalar(float64(i)).Sum().Item())
	}
}
