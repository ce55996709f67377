package repl

import (
	"fmt"
	"runtime"
	"sync/atomic"

	"github.com/dbr-go/dbr/engine"
)

// yaegi runs an interpreted call on the Go stack: unbounded recursion would
// end in Go's fatal stack overflow, which no recover catches (after about
// 300,000 calls). The
// rewriter starts every function body typed (named, method, literal,
// generic) with _dbr.Enter() and defers _dbr.Leave(); Enter stops a
// goroutine whose interpreted calls in progress exceed maxDepth.
//
// The count is per goroutine, and counts every interpreted call on it,
// rewritten or not: it is the number of yaegi's runCfg frames on the
// goroutine's stack. Walking the stack costs time in the depth, so Enter
// walks it only when the calls in progress in all goroutines together
// (inCalls, one atomic add) exceed maxDepth: until then no goroutine can.
// Blocked goroutines by the thousand therefore cost a walk of a short stack
// per call, and a recursion on one goroutine one walk, at the call that
// ends it. Nothing is reset between inputs: a goroutine recursing slowly
// across inputs is stopped like any other.
//
// The bound is low because yaegi unwinds a panic in time quadratic in the
// depth (5,000 calls: about a second); Python's default limit is 1,000. (A
// generic function that calls itself is refused before evaluation: a panic
// inside it sends yaegi's panic handler round its code forever, refuse.go.)
const maxDepth = 5000

// inCalls counts the interpreted calls in progress that Enter saw, in all
// goroutines. A call cut short without its deferred Leave (an interrupted
// evaluation) leaves it too high, which only makes Enter walk sooner.
var inCalls atomic.Int64

// enter counts a call of an interpreted function.
func enter() {
	if inCalls.Add(1) > maxDepth && interpretedDepth() > maxDepth {
		inCalls.Add(-1)
		panic(&engine.Error{Op: "call", Msg: fmt.Sprintf("stack overflow: more than %d nested calls (a recursion that does not stop?)", maxDepth)})
	}
}

func leave() { inCalls.Add(-1) }

// interpretedDepth returns the number of interpreted calls in progress on
// the current goroutine: yaegi's runCfg frames on its stack (the first
// maxDepth+1 suffice).
func interpretedDepth() int {
	pcs := make([]uintptr, 1024)
	n, skip := 0, 0
	for {
		k := runtime.Callers(skip, pcs)
		frames := runtime.CallersFrames(pcs[:k])
		for {
			f, more := frames.Next()
			if f.Function == yaegiRunCfg {
				if n++; n > maxDepth {
					return n
				}
			}
			if !more {
				break
			}
		}
		if k < len(pcs) {
			return n
		}
		skip += k
	}
}
