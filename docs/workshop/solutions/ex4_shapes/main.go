// Exercise 4 (after lesson 12): each commented line fails with a shape
// error; the line under it is the fix the message points to.
package main

import (
	"fmt"

	"github.com/dbr-go/dbr/engine"
	"github.com/dbr-go/dbr/nn"
)

func main() {
	engine.Seed(4)
	images := engine.Randn(8, 1, 28, 28)
	fc := nn.NewLinear(784, 10)

	// logits := fc.Forward(images)
	logits := fc.Forward(images.Reshape(8, 784))
	fmt.Println("logits:", logits.Shape())

	// labels := engine.Zeros(8, 1)
	labels := engine.Zeros(8)
	loss := nn.CrossEntropyLoss(logits, labels)
	fmt.Println("loss:", loss.Shape())

	w := engine.Randn(10, 784)
	// scores := images.Reshape(8, 784).MatMul(w)
	scores := images.Reshape(8, 784).MatMul(w.T())
	fmt.Println("scores:", scores.Shape())

	// logits.Backward()
	logits.Sum().Backward()
	fmt.Println("weight gradient:", fc.Weight.Grad().Shape())
}

// Output:
// logits: [8 10]
// loss: []
// scores: [8 10]
// weight gradient: [10 784]
