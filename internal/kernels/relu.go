package kernels

import "math"

// The ReLU loops live here, beside the GEMM, because they share its CPU
// detection and assembly: on the activations of a CNN they are memory passes
// as long as the products, and AVX2 does 8 at a time (the max pool's loops
// are in pool.go).
var (
	relu     = reluGo
	reluGrad = reluGradGo
)

// ReLU32 sets dst[i] = max(src[i], 0) for every i < len(src), with Go's max
// rules (a NaN stays NaN, -0 becomes +0). dst must be at least as long as
// src (it panics otherwise).
func ReLU32(dst, src []float32) {
	_ = dst[:len(src)]
	relu(dst, src)
}

// ReLUGrad32 sets dst[i] = g[i] where x[i] > 0 and +0 elsewhere (also where
// x is NaN), the gradient of ReLU32 at x, for every i < len(x). dst and g
// must be at least as long as x (it panics otherwise).
func ReLUGrad32(dst, x, g []float32) {
	_, _ = dst[:len(x)], g[:len(x)]
	reluGrad(dst, x, g)
}

func reluGo(dst, src []float32) {
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] = max(v, 0)
	}
}

func reluGradGo(dst, x, g []float32) {
	dst, g = dst[:len(x)], g[:len(x)]
	for i, v := range x {
		var m uint32
		if v > 0 {
			m = ^uint32(0)
		}
		dst[i] = math.Float32frombits(math.Float32bits(g[i]) & m)
	}
}
