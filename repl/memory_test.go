package repl

import (
	"fmt"
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

// Input handling is linear: yaegi copies the whole global frame to make the
// function literal each statement and definition runs in, so the frame must
// not grow with the number of inputs (it grew by a slot each, which made a
// piped script of 10,000 `x := ...` lines quadratic). Inputs that declare
// nothing new leave the frame as it was; a new variable takes one slot.
func TestGlobalFrameFlat(t *testing.T) {
	s, out := newSession(t)
	evalOK(t, s, out, "x := 0\nw := engine.Ones(2, 2)\nfunc f(n int) int { return n + 1 }")
	evalOK(t, s, out, "y := w.MulScalar(2)")
	before := globalSlots(s.in).Len()
	for i := 0; i < 200; i++ {
		for _, in := range []string{
			fmt.Sprintf("x := %d", i),
			fmt.Sprintf("x = f(%d)", i),
			"y := w.MulScalar(2)",
			"y.Shape()",
			"for i := 0; i < 2; i++ { x++ }",
			"fmt.Sprint(x)",
		} {
			evalOK(t, s, out, in)
		}
		evalErr(t, s, out, "w.MatMul(engine.Ones(3, 3))")
	}
	if after := globalSlots(s.in).Len(); after != before {
		t.Errorf("1,400 inputs that declare nothing new grew the global frame from %d to %d slots", before, after)
	}
	evalOK(t, s, out, "fresh := 1")
	if after := globalSlots(s.in).Len(); after != before+1 {
		t.Errorf("a new variable: the global frame has %d slots, want %d", after, before+1)
	}
	if got := evalOK(t, s, out, "x, fresh, f(1), y.Shape()"); got != "202 1 2 [2 2]\n" {
		t.Errorf("after the inputs: %q", got)
	}
}
