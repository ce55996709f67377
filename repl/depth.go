package repl

import (
	"fmt"
	"runtime"
	"sync/atomic"

	"github.com/traefik/yaegi/interp"

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
// The bound is low because a recursion stopped on a goroutine that is not
// the session's own unwinds as a panic, which yaegi makes take time
// quadratic in the depth (see stopRecursion); Python's default limit is
// 1,000. (A generic function that calls itself is refused before
// evaluation: a panic inside it sends yaegi's panic handler round its code
// forever, refuse.go.)
const maxDepth = 5000

// inCalls counts the interpreted calls in progress that Enter saw, in all
// goroutines. A call cut short without its deferred Leave (an interrupted
// evaluation) leaves it too high, which only makes Enter walk sooner.
var inCalls atomic.Int64

// enter counts a call of an interpreted function.
func (s *Session) enter() {
	if inCalls.Add(1) > maxDepth && !s.stopping(goroutineID()) && interpretedDepth() > maxDepth {
		inCalls.Add(-1)
		s.stopRecursion(&engine.Error{Op: "call", Msg: fmt.Sprintf("stack overflow: more than %d nested calls (a recursion that does not stop?)", maxDepth)})
	}
}

// Goroutines whose first function is one of these are the session's own:
// the evaluation's (yaegi runs each program on a goroutine of its own) and
// those of go statements (Session.runGoroutine).
const (
	yaegiExecute   = "github.com/traefik/yaegi/interp.(*Interpreter).ExecuteWithContext.func1"
	sessionExecute = "github.com/dbr-go/dbr/repl.(*Session).execute.func1" // yaegirun.go
	sessionGoStart = "github.com/dbr-go/dbr/repl.(*Session).runGoroutine"
)

// stopRecursion stops the calling goroutine, whose interpreted calls went
// past maxDepth, with err.
//
// A panic would do, but yaegi recovers and panics again in every
// interpreted call it unwinds, each time from inside the deferred call of
// the one before, so the stack grows as the panic unwinds and unwinding
// takes time quadratic in the depth: 2 s for 5,000 calls of a named
// function, 11 to 23 s through a function literal (more Go frames per
// call). runtime.Goexit unwinds the same frames, running their deferred
// calls (yaegi's runs a function's defers), in linear time (milliseconds),
// but it ends the goroutine: it is used on the session's own goroutines,
// whose ends report the error (the evaluation's in execProgram, a go
// statement's in runGoroutine). Elsewhere (a goroutine that compiled code
// started and may wait for, which must see a panic to pass it on) the
// recursion panics.
func (s *Session) stopRecursion(err *engine.Error) {
	switch goroutineStart() {
	case yaegiExecute, sessionExecute:
		// What yaegi prints while unwinding a panic, for the error's
		// "at:" line (innerSite).
		if site, ok := s.lastLine(); ok && site.fn != "" {
			fmt.Fprintf(s.trace, "panic: main.%s(...)\n", site.fn)
		}
		s.overflow.Store(&stopped{id: goroutineID(), err: interp.Panic{Value: err, Stack: stack()}})
		s.overflowed.Store(goroutineID(), err)
		runtime.Goexit()
	case sessionGoStart:
		s.overflowed.Store(goroutineID(), err)
		runtime.Goexit()
	}
	panic(err)
}

// A stopped is the evaluation's goroutine that stopRecursion stopped.
type stopped struct {
	id  uint64
	err interp.Panic
}

// stopping reports whether goroutine id is being stopped: the deferred
// calls of the calls it unwinds run without being stopped again.
func (s *Session) stopping(id uint64) bool {
	_, ok := s.overflowed.Load(id)
	return ok
}

// goroutineStart returns the function the calling goroutine started with.
func goroutineStart() string {
	frames := runtime.CallersFrames(callers())
	start := ""
	for {
		f, more := frames.Next()
		if f.Function != "runtime.goexit" {
			start = f.Function
		}
		if !more {
			return start
		}
	}
}

func leave() { inCalls.Add(-1) }

// interpretedDepth returns the number of interpreted calls in progress on
// the current goroutine: yaegi's runCfg frames on its stack (the first
// maxDepth+1 suffice).
func interpretedDepth() int {
	frames := runtime.CallersFrames(callers())
	n := 0
	for {
		f, more := frames.Next()
		if f.Function == yaegiRunCfg {
			if n++; n > maxDepth {
				return n
			}
		}
		if !more {
			return n
		}
	}
}

// callers returns the program counters of the calling goroutine's whole
// stack, in one walk of it (a buffer too small is replaced by one eight
// times larger, so the walks cost twice the last at most).
func callers() []uintptr {
	for size := 1024; ; size *= 8 {
		pcs := make([]uintptr, size)
		if n := runtime.Callers(2, pcs); n < size {
			return pcs[:n]
		}
	}
}
