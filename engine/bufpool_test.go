package engine

import (
	"slices"
	"testing"
)

// poolNet is a small CNN step whose tensors are above poolMin, with the
// cases that make buffer reuse dangerous: a gradient passed on as is (Add,
// Reshape), a tensor used twice, a retained intermediate gradient and a
// broadcast gradient summed back.
func poolNet(x, w1, b1, w2, scale *Tensor) (loss, mid *Tensor) {
	h := Conv2d(x, w1, b1, ConvOpts{Padding: 1}) // [4 8 16 16]
	// h used twice; Add passes its gradient on as is to both MulScalar and
	// ReLU, and ReLU's backward (which may overwrite a gradient nothing else
	// holds) runs first, while MulScalar's still needs that buffer
	mid = h.MulScalar(0.5).Add(h.ReLU()).RetainGrad()
	p := MaxPool2d(mid.Mul(scale), 2, 0, 0) // scale [8 1 1] broadcast
	f := p.Reshape(4, 8*8*8)                // a view of p's gradient
	return Linear(f, w2, nil).Softmax(1).Mul(f.SumKeep(1)).Sum(), mid
}

func poolParams() []*Tensor {
	Seed(3)
	return []*Tensor{
		Randn(4, 3, 16, 16),
		Randn(8, 3, 3, 3).SetRequiresGrad(true),
		Randn(8).SetRequiresGrad(true),
		Randn(5, 512).MulScalar(0.05).SetRequiresGrad(true),
		Randn(8, 1, 1).SetRequiresGrad(true),
	}
}

// poolGrads runs three steps of poolNet and returns every gradient of the
// last step and the retained one, flattened.
func poolGrads(ps []*Tensor) [][]float32 {
	var out [][]float32
	for step := 0; step < 3; step++ {
		for _, p := range ps[1:] {
			p.SetGrad(nil)
		}
		loss, mid := poolNet(ps[0], ps[1], ps[2], ps[3], ps[4])
		loss.Backward()
		out = out[:0]
		for _, p := range ps[1:] {
			out = append(out, slices.Clone(p.Grad().Float32s()))
		}
		out = append(out, slices.Clone(mid.Grad().Float32s()))
	}
	return out
}

// TestPoolKeepsGradientsExact compares the gradients of steps that reuse
// pooled buffers with those of steps that do not (an op hook turns pooling
// off), bit for bit.
func TestPoolKeepsGradientsExact(t *testing.T) {
	ps := poolParams()
	remove := AddOpHook(func(OpEvent) {})
	want := poolGrads(ps)
	remove()
	before := poolReleases.Load()
	got := poolGrads(ps)
	if poolReleases.Load() == before {
		t.Fatal("no buffer went back to the pool: the test does not exercise reuse")
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("gradient %d differs with pooled buffers", i)
		}
	}
}
