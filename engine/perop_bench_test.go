package engine

import (
	"testing"
	"unsafe"
)

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

// TestPerOpAllocs: the fixed cost of an op stays where it was before version
// counters existed (487348b: 6 allocations for an add of two [16] tensors,
// 7 with grad, 63 for the tiny forward+backward of BenchmarkPerOp). Version
// counters, hooks, names and optimizer marks add nothing to an op that uses
// none of them: rarely set fields sit behind one pointer (tensorMore), a node
// saves no versions (version.go), and entering a backward allocates no
// closure; operands of one shape share it with their result's broadcast
// shape (one allocation fewer than 487348b), and an op none of whose inputs
// requires grad builds no backward closure (one fewer again), and a node
// holds up to two inputs itself, so record's variadic inputs stay on the
// caller's stack (one fewer for every op). Counted, not timed: allocations do not depend on the machine's
// load. The race detector's sync.Pool drops items at random, so it is not
// counted there.
func TestPerOpAllocs(t *testing.T) {
	if raceBuild {
		t.Skip("allocation counts vary under the race detector")
	}
	x, y := Randn(16), Randn(16)
	xg := Randn(16).SetRequiresGrad(true)
	a := Randn(8, 16)
	w, bias := Randn(16, 4).SetRequiresGrad(true), Randn(4).SetRequiresGrad(true)
	w2, bias2 := Randn(16, 4).SetRequiresGrad(true).SetName("w"), Randn(4).SetRequiresGrad(true)
	w2.MarkOptimized("SGD")
	bias2.MarkOptimized("SGD")
	lw := Randn(4, 16).SetRequiresGrad(true)
	for _, c := range []struct {
		name string
		f    func()
		max  float64
	}{
		{"add16", func() { x.Add(y) }, 3},
		{"add16+grad", func() { xg.Add(y) }, 5},
		{"tiny fwd+bwd", func() { a.MatMul(w).Add(bias).Sum().Backward() }, 54},
		// an optimizer's parameters (marked, one named), changed in place each step
		{"tiny fwd+bwd, trained", func() {
			a.MatMul(w2).Add(bias2).Sum().Backward()
			w2.AddScaled_(w2.Grad(), -0.01)
			bias2.AddScaled_(bias2.Grad(), -0.01)
		}, 54},
		// Linear, nn.Linear's op: its result (tensor, shape, data), node,
		// inputs and backward closure; it allocated 15 (and 35 with its
		// backward) when it copied every operand's shape for an error it
		// had not met and built its result's shape on the heap
		{"linear [8 16]·[4 16]ᵀ+b", func() { Linear(a, lw, bias) }, 7},
		{"linear fwd+bwd", func() { Linear(a, lw, bias).Sum().Backward() }, 27},
	} {
		if got := testing.AllocsPerRun(200, c.f); got > c.max {
			t.Errorf("%s: %v allocations per run, want at most %v", c.name, got, c.max)
		}
	}
}

// TestTensorSize: a Tensor fits the 160-byte size class (176 before version
// counters); every op result pays for each byte.
func TestTensorSize(t *testing.T) {
	if s := unsafe.Sizeof(Tensor{}); s > 160 {
		t.Errorf("a Tensor takes %d bytes, want at most 160: move rarely set fields into tensorMore", s)
	}
	// a node holds up to two inputs itself: with them it is one 64-byte
	// allocation where a 48-byte node and a 16-byte inputs slice were two
	if s := unsafe.Sizeof(node{}); s > 64 {
		t.Errorf("a node takes %d bytes, want at most 64", s)
	}
}
