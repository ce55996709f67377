package kernels

// normArch: the norm loops of norm.go have AVX2 assembly (norm_amd64.s),
// run on the avx2 and avx512 paths.
const normArch = true

// sumLanesAVX adds x[i] into lane i mod 8 for i < n (a multiple of 8).
//
//go:noescape
func sumLanesAVX(x *float32, n int, l *lanes)

// sqDevLanesAVX adds (x[i] − mu)² into lane i mod 8 for i < n (a multiple of 8).
//
//go:noescape
func sqDevLanesAVX(x *float32, n int, mu float64, l *lanes)

// normRowAVX is NormRow32's loop over n elements (a multiple of 8).
//
//go:noescape
func normRowAVX(y, x, w, b *float32, n int, m, q float32)

// normGradRowAVX is NormGradRow32's loop over n elements (a multiple of 8),
// its sums into the lanes ls and lx.
//
//go:noescape
func normGradRowAVX(h, x, grad, w, gw, gb *float32, n int, m, q float32, ls, lx *lanes)

// normGradOutAVX is NormGradOut32's loop over n elements (a multiple of 8).
//
//go:noescape
func normGradOutAVX(h, x *float32, n int, m, q, a, c float32)
