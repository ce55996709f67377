//go:build dbr_safealloc

package engine

// makeUninit is plain make under -tags dbr_safealloc: the fallback should
// runtime.mallocgc (alloc_mallocgc.go) ever change under dbr.
func makeUninit[T float | int](n int) []T { return make([]T, n) }
