package kernels

// dotLanesAVX adds a[i]·b[i] into lane i mod 8 for i < n (a multiple of 8).
//
//go:noescape
func dotLanesAVX(a, b *float32, n int, l *lanes)

// subMulAVX is SubMul32's loop over n elements (a multiple of 8).
//
//go:noescape
func subMulAVX(dst, y, grad *float32, n int, s float32)

// subScaledAVX is SubScaled32's loop over n elements (a multiple of 8).
//
//go:noescape
func subScaledAVX(dst, grad, e *float32, n int, s float32)
