package repl

import (
	"runtime"
	"testing"
)

// heapInUse returns the live heap after a collection.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// Redeclaring a tensor with := again and again, or running a training step
// typed as top-level lines again and again, keeps memory flat: each line
// below makes a 4 MB tensor (1000×1000 float32), so a leak of one tensor
// per line grows the heap by 4 MB a line, 240 MB over the 60 lines; the
// bound allows 3 such tensors plus the session's own growth.
func TestRedeclareMemoryFlat(t *testing.T) {
	s, out := newSession(t)
	evalOK(t, s, out, "w := engine.Randn(1000, 1000).SetRequiresGrad(true)\nx := engine.Randn(1, 1000)")
	step := []string{
		"y := engine.Randn(1000, 1000)",
		"h := x.MatMul(w)",
		"loss := h.Mul(h).Sum()",
		"w.ZeroGrad()",
		"loss.Backward()",
		"y := w.Grad().MulScalar(0.01)",
	}
	for _, l := range step {
		evalOK(t, s, out, l)
	}
	before := heapInUse()
	for i := 0; i < 10; i++ {
		for _, l := range step {
			evalOK(t, s, out, l)
		}
	}
	after := heapInUse()
	runtime.KeepAlive(s) // else the whole session is garbage before the second measure
	const bound = 3*4<<20 + 4<<20
	if after > before+bound {
		t.Errorf("60 redeclarations grew the heap by %.1f MB (from %.1f MB), more than %.0f MB", float64(after-before)/(1<<20), float64(before)/(1<<20), float64(bound)/(1<<20))
	}
}
