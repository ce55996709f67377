package gemm

// kernel is the micro-kernel in use; init in kernel_amd64.go swaps in the
// assembly one when the CPU has AVX2 and FMA.
var (
	kernel     = kernelGo
	kernelName = "go"
	// packTrans16, when set, packs a full 16-column panel of a transposed B
	// for k a multiple of 8: dst[q*16+j] = src[j*ld+q].
	packTrans16 func(dst, src *float32, ld, k int)
	// packRows6, when set, packs a full 6-row panel of an untransposed A for
	// k a multiple of 8: dst[q*6+r] = src[r*ld+q], writing two floats past
	// dst[k*6-1].
	packRows6 func(dst, src *float32, ld, k int)
	// packCopy16, when set, copies a full 16-column panel of an
	// untransposed B: dst[q*16+j] = src[q*ld+j].
	packCopy16 func(dst, src *float32, ld, k int)
)

// saxpy is Saxpy's loop; init in kernel_amd64.go swaps in AVX2.
var saxpy = saxpyGo

func saxpyGo(a float32, x, y []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += a * v
	}
}

// Saxpy sets y[i] += a·x[i] for every i < len(x); y must be at least as long
// as x (it panics otherwise). The engine's in-place optimizer updates use it.
func Saxpy(a float32, x, y []float32) {
	_ = y[:len(x)]
	saxpy(a, x, y)
}

// Kernel names the micro-kernel in use: "avx2" or "go".
func Kernel() string { return kernelName }
