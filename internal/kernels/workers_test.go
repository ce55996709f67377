package kernels

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestParallelRunsEveryShare calls parallel many times, from several
// goroutines at once, so that workers are reused while awake, after
// sleeping, and handed between callers: every share must run exactly once
// per call, with its own index.
func TestParallelRunsEveryShare(t *testing.T) {
	var wg sync.WaitGroup
	for c := 0; c < 4; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for call := 0; call < 300; call++ {
				n := 1 + call%5
				var ran [5]atomic.Int32
				parallel(n, func(w int) { ran[w].Add(1) })
				for w := 0; w < 5; w++ {
					want := int32(0)
					if w < n {
						want = 1
					}
					if got := ran[w].Load(); got != want {
						t.Errorf("call %d with %d shares: share %d ran %d times", call, n, w, got)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
}

// TestParallelPanic checks that a panic in a share on a worker, or on the
// caller, reaches the caller after every other share has finished.
func TestParallelPanic(t *testing.T) {
	for _, bad := range []int{0, 2} {
		var finished atomic.Int32
		got := func() (e any) {
			defer func() { e = recover() }()
			parallel(4, func(w int) {
				if w == bad {
					panic("stop")
				}
				finished.Add(1)
			})
			return nil
		}()
		if got != "stop" {
			t.Errorf("panic in share %d: parallel gave %v, want the panic \"stop\"", bad, got)
		}
		if n := finished.Load(); n != 3 {
			t.Errorf("panic in share %d: %d other shares had finished when parallel returned, want 3", bad, n)
		}
	}
}

// TestParallelWakesSleepingCaller: a caller that stops polling and sleeps
// (a share far longer than the others) returns only once that share has
// finished, call after call on the same pooled groups, alternating with
// calls whose shares end while the caller still polls.
func TestParallelWakesSleepingCaller(t *testing.T) {
	for call := 0; call < 40; call++ {
		slow := call%2 == 0
		var finished atomic.Int32
		parallel(2, func(w int) {
			if w == 1 && slow {
				time.Sleep(2 * time.Millisecond)
			}
			finished.Add(1)
		})
		if n := finished.Load(); n != 2 {
			t.Fatalf("call %d (slow share %v): parallel returned with %d of 2 shares finished", call, slow, n)
		}
	}
}
