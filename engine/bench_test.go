package engine

import (
	"fmt"
	"testing"
)

// BenchmarkMatMul multiplies two n×n float32 matrices and reports GFLOP/s
// (2·n³ floating-point operations per product).
func BenchmarkMatMul(b *testing.B) {
	for _, n := range []int{128, 256, 512, 1024} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			Seed(1)
			x, y := Randn(n, n).Float32(), Randn(n, n).Float32()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				x.MatMul(y)
			}
			b.ReportMetric(2*float64(n)*float64(n)*float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkConv2d runs the first layer of a small CNN on a Fashion-MNIST-sized
// batch: 64 images 1×28×28, 16 filters 3×3, padding 1; forward alone and
// forward + backward.
func BenchmarkConv2d(b *testing.B) {
	Seed(1)
	x := Randn(64, 1, 28, 28).Float32()
	w, bias := Randn(16, 1, 3, 3).SetRequiresGrad(true), Zeros(16).SetRequiresGrad(true)
	o := ConvOpts{Padding: 1}
	flops := 2 * 64 * 16 * 28 * 28 * 9.0 // multiply-adds of the forward
	b.Run("forward", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			NoGrad(func() { Conv2d(x, w, bias, o) })
		}
		b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	})
	b.Run("forward+backward", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			Conv2d(x, w, bias, o).Sum().Backward()
		}
	})
	b.Run("maxpool", func(b *testing.B) {
		y := Randn(64, 16, 28, 28)
		for i := 0; i < b.N; i++ {
			MaxPool2d(y, 2, 0, 0)
		}
	})
	b.Run("maxpool+backward", func(b *testing.B) {
		y := Randn(64, 16, 28, 28).SetRequiresGrad(true)
		g := Randn(64, 16, 14, 14)
		for i := 0; i < b.N; i++ {
			MaxPool2d(y, 2, 0, 0).BackwardWith(g)
		}
	})
}

// BenchmarkConvLayers runs forward + backward of the two conv layers of the
// bench's CNN (batch 64: 1→16 channels at 28×28, 16→32 at 14×14, 3×3,
// padding 1) and of a stride-2 layer, with a random upstream gradient.
func BenchmarkConvLayers(b *testing.B) {
	Seed(1)
	for _, c := range []struct {
		name                string
		in, out, hw, stride int
		inputNeedsGrad      bool
	}{
		{"1x28x28-16", 1, 16, 28, 1, false},
		{"16x14x14-32", 16, 32, 14, 1, true},
		{"16x28x28-32/stride2", 16, 32, 28, 2, true},
	} {
		o := ConvOpts{Padding: 1, Stride: c.stride}
		x := Randn(64, c.in, c.hw, c.hw).SetRequiresGrad(c.inputNeedsGrad)
		w, bias := Randn(c.out, c.in, 3, 3).SetRequiresGrad(true), Randn(c.out).SetRequiresGrad(true)
		var g *Tensor
		NoGrad(func() { g = RandnLike(Conv2d(x, w, bias, o)) })
		b.Run(c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				Conv2d(x, w, bias, o).BackwardWith(g)
			}
		})
	}
}
