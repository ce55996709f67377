//go:build !amd64

package kernels

// The loops of vmath.go: only the Go ones outside amd64.

func map32(op int, dst, src []float32) { mapGo(op, dst, src) }

func geluGrad32(dst, g, x []float32) { geluGrad32Go(dst, g, x) }

func max32(x []float32, l *[16]float32) { max32Go(x, l) }

func sum32(x []float32, l *[16]float32) { sum32Go(x, l) }

func expSum32(dst, src []float32, m, c float32, l *[16]float32) {
	expSum32Go(dst, src, m, c, l)
}

func scale32(dst, src []float32, a float32) { scale32Go(dst, src, a) }
