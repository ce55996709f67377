package gemm

// kernel is the micro-kernel in use; init in kernel_amd64.go swaps in the
// assembly one when the CPU has AVX2 and FMA.
var (
	kernel     = kernelGo
	kernelName = "go"
	// packTrans16, when set, packs a full 16-column panel of a transposed B
	// for k a multiple of 8: dst[q*16+j] = src[j*ld+q].
	packTrans16 func(dst, src *float32, ld, k int)
)

// Kernel names the micro-kernel in use: "avx2" or "go".
func Kernel() string { return kernelName }
