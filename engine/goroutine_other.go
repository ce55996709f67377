//go:build !amd64 && !arm64

package engine

import "runtime"

// goroutine returns the calling goroutine's id, read from the header of its
// stack trace: correct but slow (microseconds), used on architectures
// without goroutine_$GOARCH.s. See goroutine.go.
func goroutine() uintptr {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)] // "goroutine 123 [running]: …"
	var id uintptr
	for _, c := range b[len("goroutine "):] {
		if c < '0' || c > '9' {
			break
		}
		id = id*10 + uintptr(c-'0')
	}
	return id
}
