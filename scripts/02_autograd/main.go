// Lesson 2: automatic differentiation.
//
// Mark the tensors you want gradients for with SetRequiresGrad(true). Every
// op on them is recorded as it runs; Backward walks that record from a
// one-element result back to those tensors and adds each gradient into Grad.
//
// Try:
//
//   - Make y = x·x·x and check that dy/dx = 3x² = 12.
//   - Use q instead of q.Detach() and predict the new gradient of p.
//   - Print x.Grad() right before and right after x.ZeroGrad().
package main

import (
	"fmt"

	"github.com/dbr-go/dbr/engine"
)

func main() {
	engine.Seed(2)

	// y = x² + 3x at x = 2. dy/dx = 2x + 3 = 7.
	x := engine.Scalar(2).SetRequiresGrad(true)
	y := x.Mul(x).Add(x.MulScalar(3))
	fmt.Println("y =", y.Item(), "made by", y.Op())
	y.Backward()
	fmt.Println("dy/dx =", x.Grad().Item())

	// A leaf is a tensor you made, not the result of an op.
	fmt.Println("x is a leaf:", x.IsLeaf(), " y is a leaf:", y.IsLeaf())

	// Gradients accumulate: a second Backward adds to Grad. Clear it first
	// with ZeroGrad (optimizers do this for you).
	y2 := x.Mul(x).Add(x.MulScalar(3))
	y2.Backward()
	fmt.Println("after a second backward:", x.Grad().Item())
	x.ZeroGrad()

	// A tensor used twice gets both contributions: in z = w·a + w·b the
	// gradient of w is a + b.
	w := engine.New([]float32{1, 2, 3}, 3).SetRequiresGrad(true)
	a := engine.New([]float32{1, 1, 1}, 3)
	b := engine.New([]float32{10, 20, 30}, 3)
	z := w.Mul(a).Sum().Add(w.Mul(b).Sum())
	z.Backward()
	fmt.Println("dz/dw =", w.Grad().Float32s(), "= a + b")

	// Gradients of a small linear model: loss = mean((x·W - t)²).
	inputs := engine.Randn(4, 3)
	target := engine.Randn(4, 2)
	W := engine.Randn(3, 2).SetRequiresGrad(true)
	loss := inputs.MatMul(W).Sub(target).Square().Mean()
	loss.Backward()
	fmt.Printf("loss %.4f, grad of W has shape %v and norm %.4f\n",
		loss.Item(), W.Grad().Shape(), W.Grad().Square().Sum().Sqrt().Item())

	// NoGrad runs code without recording: useful for evaluation and for
	// updating weights by hand.
	engine.NoGrad(func() {
		W2 := W.Sub(W.Grad().MulScalar(0.1)) // one step of gradient descent
		fmt.Println("inside NoGrad, W2 requires grad:", W2.RequiresGrad())
		fmt.Printf("loss after one step: %.4f\n", inputs.MatMul(W2).Sub(target).Square().Mean().Item())
	})

	// Detach cuts a tensor from its history: no gradient flows through it.
	p := engine.Scalar(3).SetRequiresGrad(true)
	q := p.Mul(p)          // q = p², depends on p
	r := q.Detach().Mul(p) // q is treated as the constant 9 here
	r.Backward()
	fmt.Println("d(detach(p²)·p)/dp =", p.Grad().Item(), "(only the 9, not 3p² = 27)")
	fmt.Println("why q.Detach() has no grad:", q.Detach().NoGradReason())

	// Backward on something that does not require grad is an error.
	err := engine.Try(func() { engine.Ones(2).Sum().Backward() })
	fmt.Println("error:", err)

	// GradCheck compares Backward with finite differences on your own
	// function. It works in float64 and reports the largest difference.
	f := func(xs []*engine.Tensor) *engine.Tensor {
		v, u := xs[0], xs[1]
		return v.Exp().AddScalar(1).Log().Mul(u).Sum() // Σ log(1 + eᵛ)·u
	}
	v := engine.Randn(3, 4)
	u := engine.Randn(4) // broadcast against [3 4]
	report := engine.GradCheck(f, v, u)
	fmt.Println("gradcheck ok:", report.OK, "elements checked:", report.Checked)
}

// Output:
// y = 10 made by Add
// dy/dx = 7
// x is a leaf: true  y is a leaf: false
// after a second backward: 14
// dz/dw = [11 21 31] = a + b
// loss 1.0648, grad of W has shape [3 2] and norm 0.9034
// inside NoGrad, W2 requires grad: false
// loss after one step: 0.9865
// d(detach(p²)·p)/dp = 9 (only the 9, not 3p² = 27)
// why q.Detach() has no grad: it was detached
// error: Backward: this tensor does not require grad: none of the tensors it was computed from requires grad (make parameters with SetRequiresGrad(true))
// gradcheck ok: true elements checked: 16
