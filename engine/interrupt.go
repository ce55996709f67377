package engine

import "sync/atomic"

var interruptFlag atomic.Bool

// Interrupt asks running ops to stop: every long compiled loop checks the flag
// and panics with ErrInterrupted. The REPL calls it on Ctrl-C.
func Interrupt() { interruptFlag.Store(true) }

var runNumber atomic.Uint64

// ClearInterrupt resets the flag set by Interrupt and starts a new run (see
// RunNumber); the REPL calls it before each evaluation.
func ClearInterrupt() {
	interruptFlag.Store(false)
	runNumber.Add(1)
}

// RunNumber counts the calls of ClearInterrupt: at the REPL, the number of
// the current evaluation; 0 throughout a compiled program. A DataLoader left
// mid-epoch by an earlier evaluation (a break, an error, Ctrl-C) starts a
// fresh epoch at its next Next.
func RunNumber() uint64 { return runNumber.Load() }

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
