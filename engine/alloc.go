package engine

import (
	"fmt"
	"math/bits"
	"slices"
	"strconv"
)

// maxDims is the most dims a tensor may have, as in PyTorch.
const maxDims = 64

// maxAllocBytes is the size of the largest tensor the engine allocates: the
// machine's physical memory (0 when unknown: no limit). A larger request
// would be killed by the operating system, taking the REPL with it.
var maxAllocBytes = physicalMemory()

// smallAlloc is a number of elements (512 KiB of float64) that every machine
// running dbr has the memory for.
const smallAlloc = 1 << 16

// validShape panics with an *Error naming op when shape cannot be a tensor's
// shape: more than 64 dims, a negative size, or more elements than an int
// holds (Reshape(7, 0x6DB6DB6DB6DB6DB7) would otherwise hold "1" element).
// It returns the number of elements.
func validShape(op string, shape []int) int {
	if len(shape) > maxDims {
		panic(&Error{Op: op, Msg: fmt.Sprintf("a shape of %d dims; a tensor has at most %d dims, as in PyTorch", len(shape), maxDims)})
	}
	n, overflow, empty := 1, false, false
	for _, s := range shape {
		if s < 0 {
			shapeErr(op, "sizes must be >= 0", "", slices.Clone(shape))
		}
		hi, lo := bits.Mul64(uint64(n), uint64(s))
		overflow = overflow || hi != 0 || lo > 1<<(bits.UintSize-1)-1
		n, empty = int(lo), empty || s == 0
	}
	if empty {
		return 0
	}
	if overflow {
		panic(&Error{Op: op, Msg: fmt.Sprintf("shape %v has too many elements to allocate", slices.Clone(shape))})
	}
	return n
}

// checkAlloc panics with an *Error naming op and shape when shape is not
// valid (see validShape) or a tensor of dtype and shape cannot fit in memory.
func checkAlloc(op string, dtype DType, shape []int) {
	n := validShape(op, shape)
	if n < smallAlloc {
		return // fits any machine: no need for memoryError's arithmetic on every op
	}
	size := 4
	if dtype == Float64 {
		size = 8
	}
	if err := memoryError(op, n, size); err != nil {
		err.Msg = fmt.Sprintf("shape %v (%s) needs %s", slices.Clone(shape), dtype, err.Msg)
		panic(err)
	}
}

// CheckMemory returns an *Error naming op when n values of size bytes each
// do not fit in this machine's memory, the check every tensor allocation
// makes, or nil. Loaders call it before allocating for a count read from a
// file or a Dataset, so that a wrong count is an error instead of the
// operating system killing the process.
func CheckMemory(op string, n, size int) error {
	if err := memoryError(op, n, size); err != nil {
		err.Msg = fmt.Sprintf("%d values of %d bytes need %s", n, size, err.Msg)
		return err
	}
	return nil
}

// memoryError is CheckMemory with the start of the message left to the caller.
func memoryError(op string, n, size int) *Error {
	if n < 0 || size < 0 {
		return &Error{Op: op, Msg: fmt.Sprintf("a negative size (%d values of %d bytes)", n, size)}
	}
	hi, total := bits.Mul64(uint64(n), uint64(size))
	if hi == 0 && (maxAllocBytes == 0 || total <= maxAllocBytes) {
		return nil
	}
	need := "more than 16 EiB"
	if hi == 0 {
		need = gib(total)
	}
	return &Error{Op: op, Msg: need + ", more than this machine's memory (" + gib(maxAllocBytes) + ")"}
}

func gib(n uint64) string {
	if n == 0 {
		return "unknown"
	}
	if n < 1<<30 {
		return strconv.FormatUint(n, 10) + " bytes"
	}
	return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
}
