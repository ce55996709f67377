package engine

import (
	"fmt"
	"math/bits"
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
