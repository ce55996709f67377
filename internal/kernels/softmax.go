package kernels

// The loops of a float32 softmax row's backward, ∂x = y·(g − Σ g·y), and a
// log-softmax row's, ∂x = g − e^y·Σ g: the sums in float64 in eight lanes,
// as the norm loops' (norm.go), and the row in float32, rounding after each
// operation; AVX2 assembly on the avx2 and avx512 paths (softmax_amd64.s),
// the same bits as the Go loops.

// Dot64 returns Σ a[i]·b[i] for i < len(a), each product exact in float64,
// summed in float64 in eight lanes (element i into lane i mod 8, lanes added
// as Sum64's). b must be at least as long as a (it panics otherwise).
func Dot64(a, b []float32) float64 {
	b = b[:len(a)]
	var l lanes
	n := 0
	if normAsm() {
		if n = len(a) &^ 7; n > 0 {
			dotLanesAVX(&a[0], &b[0], n, &l)
		}
	}
	for i := n; i < len(a); i++ {
		l[i%8] += float64(a[i]) * float64(b[i])
	}
	return l.sum()
}

// SubMul32 sets dst[i] = y[i]·(g[i] − s) for every i < len(y). dst and g
// must be at least as long as y (it panics otherwise); dst may be y or g.
func SubMul32(dst, y, g []float32, s float32) {
	dst, g = dst[:len(y)], g[:len(y)]
	n := 0
	if normAsm() {
		if n = len(y) &^ 7; n > 0 {
			subMulAVX(&dst[0], &y[0], &g[0], n, s)
		}
	}
	for i := n; i < len(y); i++ {
		dst[i] = y[i] * (g[i] - s)
	}
}

// SubScaled32 sets dst[i] = g[i] − e[i]·s for every i < len(e), the product
// rounded before the subtraction. dst and g must be at least as long as e
// (it panics otherwise); dst may be e or g.
func SubScaled32(dst, g, e []float32, s float32) {
	dst, g = dst[:len(e)], g[:len(e)]
	n := 0
	if normAsm() {
		if n = len(e) &^ 7; n > 0 {
			subScaledAVX(&dst[0], &g[0], &e[0], n, s)
		}
	}
	for i := n; i < len(e); i++ {
		dst[i] = g[i] - float32(e[i]*s) // not fused
	}
}
