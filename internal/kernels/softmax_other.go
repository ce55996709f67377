//go:build !amd64

package kernels

func dotLanesAVX(a, b *float32, n int, l *lanes)           { panic("no assembly") }
func subMulAVX(dst, y, grad *float32, n int, s float32)    { panic("no assembly") }
func subScaledAVX(dst, grad, e *float32, n int, s float32) { panic("no assembly") }
