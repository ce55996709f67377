package kernels

import "math"

// The ReLU loops live here, beside the GEMM, because they share its CPU
// detection and assembly: on the activations of a CNN they are memory passes
// as long as the products, and AVX2 does 8 at a time.
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

// maxPoolRow, when AVX2 is there, pools the leading windows of a row; it
// returns how many outputs it did (stopping at a window holding a NaN).
var maxPoolRow = maxPoolRowNone

// maxPoolRowNone pools nothing: MaxPool2x2Row32's Go loop does it all.
func maxPoolRowNone(out []float32, arg []int, r0, r1 []float32, base, w int) int { return 0 }

// MaxPool2x2Row32 computes leading outputs of one row of a 2×2, stride-2 max
// pool with AVX2: out[o] = the first maximum of r0[2o], r0[2o+1], r1[2o],
// r1[2o+1] (in that order) and arg[o] its index base+2o (+1 for the odd
// column, +w for the second row). It returns how many outputs it wrote, a
// multiple of 8; the caller does the rest, and any window holding a NaN
// stops it (the caller's general rule handles NaNs). Without AVX2 it returns 0.
func MaxPool2x2Row32(out []float32, arg []int, r0, r1 []float32, base, w int) int {
	n := min(len(out), len(arg), len(r0)/2, len(r1)/2)
	return maxPoolRow(out[:n], arg[:n], r0, r1, base, w)
}
