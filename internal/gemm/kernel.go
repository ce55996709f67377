package gemm

// kernel is the micro-kernel in use; init in kernel_amd64.go swaps in the
// assembly one when the CPU has AVX2 and FMA.
var (
	kernel     = kernelGo
	kernelName = "go"
)

// Kernel names the micro-kernel in use: "avx2" or "go".
func Kernel() string { return kernelName }
