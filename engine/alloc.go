package engine

import (
	"fmt"
	"math/bits"
	"unsafe"
)

// maxAllocBytes is the size of the largest tensor the engine allocates: the
// machine's physical memory (0 when unknown: no limit). A larger request
// would be killed by the operating system, taking the REPL with it.
var maxAllocBytes = physicalMemory()

// checkAlloc panics with an *Error naming op and shape when a tensor of
// dtype and shape cannot fit in memory.
func checkAlloc(op string, dtype DType, shape []int) {
	size := uint64(4)
	if dtype == Float64 {
		size = 8
	}
	n := size
	overflow := false
	for _, s := range shape {
		if s <= 0 {
			return
		}
		hi, lo := bits.Mul64(n, uint64(s))
		if hi != 0 {
			overflow = true
		}
		n = lo
	}
	if !overflow && (maxAllocBytes == 0 || n <= maxAllocBytes) {
		return
	}
	if overflow {
		panic(&Error{Op: op, Msg: fmt.Sprintf("shape %v has too many elements to allocate", shape)})
	}
	panic(&Error{Op: op, Msg: fmt.Sprintf("shape %v (%s) needs %s, more than this machine's memory (%s)",
		shape, dtype, gib(n), gib(maxAllocBytes))})
}

func gib(n uint64) string {
	if n == 0 {
		return "unknown"
	}
	return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
}

// makeUninit returns a slice of n elements whose values are whatever the
// memory held: for results that the caller overwrites whole (see uninit).
// Go zeroes every make, which for a large result is a serial pass over
// memory before the op's own (parallel) pass; runtime.mallocgc with
// needzero false skips it. The runtime keeps that function reachable by
// linkname on purpose ("do not remove or change the type signature",
// go.dev/issue/67401); typ nil allocates memory the collector does not scan,
// right for floats.
func makeUninit[T float](n int) []T {
	if n == 0 {
		return []T{}
	}
	var z T
	return unsafe.Slice((*T)(mallocgc(uintptr(n)*unsafe.Sizeof(z), nil, false)), n)
}

//go:linkname mallocgc runtime.mallocgc
func mallocgc(size uintptr, typ unsafe.Pointer, needzero bool) unsafe.Pointer
