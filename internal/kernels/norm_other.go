//go:build !amd64

package kernels

// normArch: the norm loops have no assembly outside amd64.
const normArch = false

func sumLanesAVX(x *float32, n int, l *lanes)                 { panic("no assembly") }
func sqDevLanesAVX(x *float32, n int, mu float64, l *lanes)   { panic("no assembly") }
func normRowAVX(y, x, w, b *float32, n int, m, q float32)     { panic("no assembly") }
func normGradOutAVX(h, x *float32, n int, m, q, a, c float32) { panic("no assembly") }
func normGradRowAVX(h, x, grad, w, gw, gb *float32, n int, m, q float32, ls, lx *lanes) {
	panic("no assembly")
}
