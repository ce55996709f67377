package engine

import (
	"math"
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

// TestUninitOpsOverwritePooledData fills the pool with NaN buffers of every
// result size and checks that the ops allocating with uninit overwrite all
// of them: their results match those computed on fresh memory.
func TestUninitOpsOverwritePooledData(t *testing.T) {
	Seed(4)
	x, w, b, c := Randn(2, 3, 40, 40), Randn(4, 3, 3, 3), Randn(4), Randn(3, 1, 1)
	m, v := Randn(64, 80), Randn(80, 70)
	x64 := Randn(2, 3, 40, 40).To(Float64)
	odd := Randn(2, 3, 41, 40)
	ops := map[string]func() *Tensor{
		"Add":       func() *Tensor { return x.Add(x) },
		"Add/bcast": func() *Tensor { return x.Add(c) },
		"Exp":       func() *Tensor { return x.Exp() },
		"ReLU":      func() *Tensor { return x.ReLU() },
		"ReLU/64":   func() *Tensor { return x64.ReLU() },
		"Conv2d":    func() *Tensor { return Conv2d(x, w, b, ConvOpts{Padding: 1}) },
		"Conv2d/nb": func() *Tensor { return Conv2d(x, w, nil, ConvOpts{Stride: 2}) },
		"MaxPool2d": func() *Tensor { return MaxPool2d(x, 2, 0, 0) },
		"AvgPool2d": func() *Tensor { return AvgPool2d(x, 3, 1, 1) },
		"MatMul":    func() *Tensor { return m.MatMul(v) },
		"Linear":    func() *Tensor { return Linear(m, v.T(), nil) },
		"Softmax":   func() *Tensor { return x.Softmax(1) },
		"clone":     func() *Tensor { return x.clone() },
		"To":        func() *Tensor { return x.To(Float64) },
		// backward kernels writing gradients into uninit buffers
		"ReLU/grad":         func() *Tensor { return gradOf(x, func(x *Tensor) *Tensor { return x.ReLU() }) },
		"MaxPool2d/grad":    func() *Tensor { return gradOf(odd, func(x *Tensor) *Tensor { return MaxPool2d(x, 2, 0, 0) }) },
		"Softmax/grad":      func() *Tensor { return gradOf(x, func(x *Tensor) *Tensor { return x.Softmax(1) }) },
		"CrossEntropy/grad": func() *Tensor { return gradOf(m, func(x *Tensor) *Tensor { return CrossEntropy(x, make([]int, 64)) }) },
	}
	for name, op := range ops {
		want := op().To(Float64).Float64s()
		n := len(want)
		poisonPool(n)
		got := op().To(Float64).Float64s()
		if !slices.Equal(got, want) {
			t.Errorf("%s: result on pooled memory differs from the result on fresh memory", name)
		}
	}
}

// poisonPool empties the pools of n-element buffers (a backward may have put
// back buffers holding the right values) and fills them with NaN buffers.
func poisonPool(n int) {
	for _, dt := range []DType{Float32, Float64} {
		for poolFor(dt, n).Get() != nil {
		}
		for range 4 {
			poison := &Tensor{dtype: dt}
			if dt == Float32 {
				poison.f32 = make([]float32, n)
				for i := range poison.f32 {
					poison.f32[i] = float32(math.NaN())
				}
			} else {
				poison.f64 = make([]float64, n)
				for i := range poison.f64 {
					poison.f64[i] = math.NaN()
				}
			}
			release(poison)
		}
	}
}

// gradOf returns the gradient of f at x for a fixed upstream gradient.
func gradOf(x *Tensor, f func(*Tensor) *Tensor) *Tensor {
	x = x.Detach().SetRequiresGrad(true)
	y := f(x)
	Seed(9)
	y.BackwardWith(RandnLike(y))
	return x.Grad()
}
