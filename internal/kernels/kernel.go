package kernels

// kernelName names the micro-kernels in use (see Kernel); kernel_amd64.go
// sets "avx2" when it installs the assembly.
var kernelName = "go"

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
