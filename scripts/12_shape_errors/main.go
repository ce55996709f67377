// Lesson 12: shape errors, on purpose.
//
// Most bugs in a network are shapes that do not fit. dbr checks them when
// the op runs, on the line that is wrong, and says which op failed, the
// shape of every operand and, when it can, what would fit. Here are the
// usual mistakes, each caught with engine.Try so that the lesson runs on;
// at the prompt or in a notebook cell you would see the same message as an
// error, and every variable would still be there.
//
// Try:
//
//   - Type one of the wrong lines at the prompt without engine.Try.
//   - Fix each mistake the way its message suggests and print the shape.
//   - Make your own mistake with Concat or Conv2d and read the message.
package main

import (
	"fmt"

	"github.com/dbr-go/dbr/engine"
	"github.com/dbr-go/dbr/nn"
)

// show runs f and prints the error it stopped with, or the shape of what
// it returned.
func show(what string, f func() *engine.Tensor) {
	var t *engine.Tensor
	if err := engine.Try(func() { t = f() }); err != nil {
		fmt.Println(what+":", err)
		return
	}
	if t == nil {
		fmt.Println(what + ": fits")
		return
	}
	fmt.Println(what+": fits, shape", t.Shape())
}

func main() {
	engine.Seed(12)
	x := engine.Randn(64, 784) // a batch of 64 flattened images
	w := engine.Randn(10, 784) // weights stored as [out, in], as nn.Linear does

	// 1. A matrix product whose inner sizes differ. The message says
	// which sizes and what would fit.
	show("x.MatMul(w)", func() *engine.Tensor { return x.MatMul(w) })
	show("x.MatMul(w.T())", func() *engine.Tensor { return x.MatMul(w.T()) })

	// 2. Broadcasting lines shapes up from the right: [64 10] and [64]
	// do not fit, [64 10] and [10] do.
	logits := x.MatMul(w.T())
	show("logits.Add(engine.Zeros(64))", func() *engine.Tensor { return logits.Add(engine.Zeros(64)) })
	show("logits.Add(engine.Zeros(10))", func() *engine.Tensor { return logits.Add(engine.Zeros(10)) })

	// 3. A reshape must keep the number of elements.
	show("x.Reshape(64, 28, 27)", func() *engine.Tensor { return x.Reshape(64, 28, 27) })
	show("x.Reshape(64, 28, 28)", func() *engine.Tensor { return x.Reshape(64, 28, 28) })

	// 4. A layer that expects other features than it gets: images not
	// flattened.
	fc := nn.NewLinear(784, 10)
	images := engine.Randn(64, 1, 28, 28)
	show("fc.Forward(images)", func() *engine.Tensor { return fc.Forward(images) })
	show("fc.Forward(images.Reshape(64, 784))", func() *engine.Tensor { return fc.Forward(images.Reshape(64, 784)) })

	// 5. A loss whose targets do not match the batch.
	labels := engine.Zeros(32)
	show("nn.CrossEntropyLoss(logits, labels)", func() *engine.Tensor { return nn.CrossEntropyLoss(logits, labels) })
	show("nn.CrossEntropyLoss(logits, engine.Zeros(64))", func() *engine.Tensor { return nn.CrossEntropyLoss(logits, engine.Zeros(64)) })

	// 6. Backward needs a single number: reduce the loss first.
	y := x.MatMul(w.T().SetRequiresGrad(true))
	show("y.Backward()", func() *engine.Tensor { y.Backward(); return nil })
	show("y.Mean().Backward()", func() *engine.Tensor { y.Mean().Backward(); return nil })
}

// Output:
// x.MatMul(w): MatMul: [64 784]·[10 784]: inner sizes 784 and 10 differ (did you mean to transpose the second operand? [10 784].T() is [784 10], which fits)
// x.MatMul(w.T()): fits, shape [64 10]
// logits.Add(engine.Zeros(64)): Add: [64 10], [64]: sizes 10 and 64 at dim -1 do not broadcast (sizes must match or one of them must be 1, counting dims from the right)
// logits.Add(engine.Zeros(10)): fits, shape [64 10]
// x.Reshape(64, 28, 27): Reshape: [64 784]: target shape [64 28 27] holds 48384 elements but the tensor has 50176 (the product of the sizes must stay the same; use -1 for one size to infer it)
// x.Reshape(64, 28, 28): fits, shape [64 28 28]
// fc.Forward(images): Linear: [64 1 28 28], [10 784], [10]: the input's last dim must be in_features=784 (weight is [out, in]) (x.Flatten(1) makes it [64 784])
// fc.Forward(images.Reshape(64, 784)): fits, shape [64 10]
// nn.CrossEntropyLoss(logits, labels): CrossEntropyLoss: [64 10], [32]: the target must be [64] class indices (one per row of the input) or [64 10] class probabilities (the input's shape)
// nn.CrossEntropyLoss(logits, engine.Zeros(64)): fits, shape []
// y.Backward(): Backward: called on a tensor of shape [64 10]; reduce it first with Sum() or Mean(), or pass the upstream gradient with BackwardWith(g)
// y.Mean().Backward(): fits
