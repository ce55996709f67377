package engine

import "sync/atomic"

var interruptFlag atomic.Bool

// Interrupt asks running ops to stop: every long compiled loop checks the flag
// and panics with ErrInterrupted. The REPL calls it on Ctrl-C.
func Interrupt() { interruptFlag.Store(true) }

// ClearInterrupt resets the flag set by Interrupt; the REPL calls it before
// each evaluation.
func ClearInterrupt() { interruptFlag.Store(false) }

// Interrupted reports whether Interrupt was called since the last ClearInterrupt.
func Interrupted() bool { return interruptFlag.Load() }

// CheckInterrupt panics with ErrInterrupted when Interrupt has been called.
// Long loops in compiled code (in the engine, nn, or a user's package) call it
// every millisecond or so of work.
func CheckInterrupt() {
	if interruptFlag.Load() {
		panic(ErrInterrupted)
	}
}
