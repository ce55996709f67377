package engine

import "testing"

// BenchmarkMLPStep is one forward and backward pass of a 784-128-10 MLP on a
// batch of 64, the shape of the Fashion-MNIST lesson: it shows the share of
// the elementwise, softmax and broadcast-backward kernels next to MatMul.
func BenchmarkMLPStep(b *testing.B) {
	Seed(1)
	x := Randn(64, 784)
	w1, b1 := Randn(784, 128).MulScalar(0.03).SetRequiresGrad(true), Zeros(128).SetRequiresGrad(true)
	w2, b2 := Randn(128, 10).MulScalar(0.1).SetRequiresGrad(true), Zeros(10).SetRequiresGrad(true)
	for i := 0; i < b.N; i++ {
		x.MatMul(w1).Add(b1).ReLU().MatMul(w2).Add(b2).LogSoftmax(1).Mean().Backward()
	}
}
