//go:build amd64 || arm64

package engine

// goroutine returns the address of the calling goroutine's runtime
// descriptor (the g that the runtime keeps in a register or thread-local
// slot): unique among running goroutines and stable while one runs, since
// the collector never moves it. Grad mode (gradmode.go) is keyed by it. A
// finished goroutine's descriptor may be reused by a new one; no state
// outlives the NoGrad, Backward or hook call that made it, so none is
// inherited that way.
func goroutine() uintptr
