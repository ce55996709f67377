package engine

import "testing"

// BenchmarkPerOp measures the fixed cost of an op on tiny tensors, as the
// per-op overhead rows of bench/ do (add [16], add [16] +grad, tiny
// forward+backward): what bookkeeping such as version counters adds.
func BenchmarkPerOp(b *testing.B) {
	for _, grad := range []bool{false, true} {
		name := "add16"
		if grad {
			name += "+grad"
		}
		b.Run(name, func(b *testing.B) {
			x, y := Randn(16).SetRequiresGrad(grad), Randn(16)
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				x.Add(y)
			}
		})
	}
	b.Run("tiny-fwd+bwd", func(b *testing.B) {
		x := Randn(8, 16)
		w, bias := Randn(16, 4).SetRequiresGrad(true), Randn(4).SetRequiresGrad(true)
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			x.MatMul(w).Add(bias).Sum().Backward()
		}
	})
}
