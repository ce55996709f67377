//go:build !dbr_safealloc

package engine

import "unsafe"

// makeUninit returns a slice of n elements whose values are whatever the
// memory held: for results that the caller overwrites whole (see uninit).
// Go zeroes every make, which for a large result is a serial pass over
// memory before the op's own (parallel) pass; runtime.mallocgc with
// needzero false skips it. The runtime keeps that function reachable by
// linkname on purpose ("do not remove or change the type signature",
// go.dev/issue/67401); typ nil allocates memory the collector does not scan,
// right for floats and ints. Should a Go release break that, build with
// -tags dbr_safealloc (alloc_make.go): plain make, a little slower.
// TestUninitPoisoned and the op table's poisoned run (helpers_test.go)
// check that no op reads memory it did not write.
func makeUninit[T float | int](n int) []T {
	if n == 0 {
		return []T{}
	}
	var z T
	return unsafe.Slice((*T)(mallocgc(uintptr(n)*unsafe.Sizeof(z), nil, false)), n)
}

//go:linkname mallocgc runtime.mallocgc
func mallocgc(size uintptr, typ unsafe.Pointer, needzero bool) unsafe.Pointer
