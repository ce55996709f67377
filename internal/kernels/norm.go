package kernels

// The loops of a float32 LayerNorm row: its statistics summed in float64 and
// the elementwise passes forward and backward. Each sum keeps eight lanes:
// element i goes into lane i mod 8, in order of i, and the lanes are added as
// ((l0+l4)+(l2+l6))+((l1+l5)+(l3+l7)). One running sum would wait for the
// previous addition at every element; eight lanes are what two 4-wide float64
// registers hold, so the assembly (AVX2, on the avx2 and avx512 paths) and
// the Go loops give the same bits.

// lanes are the eight running sums of a row.
type lanes [8]float64

func (l *lanes) sum() float64 {
	return ((l[0] + l[4]) + (l[2] + l[6])) + ((l[1] + l[5]) + (l[3] + l[7]))
}

// normAsm reports whether the norm loops run in assembly: on amd64, on the
// avx2 and avx512 paths.
func normAsm() bool { return normArch && kernelName != "go" }

// Sum64 returns the sum of x in float64, in eight lanes (see above).
func Sum64(x []float32) float64 {
	var l lanes
	n := 0
	if normAsm() {
		if n = len(x) &^ 7; n > 0 {
			sumLanesAVX(&x[0], n, &l)
		}
	}
	for i, v := range x[n:] {
		l[i%8] += float64(v)
	}
	return l.sum()
}

// SqDev64 returns the sum of (x[i] − mu)² in float64, in eight lanes.
func SqDev64(x []float32, mu float64) float64 {
	var l lanes
	n := 0
	if normAsm() {
		if n = len(x) &^ 7; n > 0 {
			sqDevLanesAVX(&x[0], n, mu, &l)
		}
	}
	for i, v := range x[n:] {
		c := float64(v) - mu
		l[i%8] += c * c
	}
	return l.sum()
}

// NormRow32 sets y[i] = (x[i] − m)·q·w[i] + b[i], rounding after each
// operation, for every i < len(x). y, w and b must be at least as long as x
// (it panics otherwise).
func NormRow32(y, x, w, b []float32, m, q float32) {
	y, w, b = y[:len(x)], w[:len(x)], b[:len(x)]
	n := 0
	if normAsm() {
		if n = len(x) &^ 7; n > 0 {
			normRowAVX(&y[0], &x[0], &w[0], &b[0], n, m, q)
		}
	}
	for i := n; i < len(x); i++ {
		y[i] = (x[i]-m)*q*w[i] + b[i]
	}
}

// NormGradRow32 is the first pass of a LayerNorm row's backward, with x̂ =
// (x − m)·q: gw[i] += g[i]·x̂[i], gb[i] += g[i] and h[i] = g[i]·w[i] for
// every i < len(x), and it returns Σ h and Σ h·x̂ in float64 (eight lanes
// each). h, g, w, gw and gb must be at least as long as x.
func NormGradRow32(h, x, g, w, gw, gb []float32, m, q float32) (sh, shx float64) {
	h, g, w, gw, gb = h[:len(x)], g[:len(x)], w[:len(x)], gw[:len(x)], gb[:len(x)]
	var ls, lx lanes
	n := 0
	if normAsm() {
		if n = len(x) &^ 7; n > 0 {
			normGradRowAVX(&h[0], &x[0], &g[0], &w[0], &gw[0], &gb[0], n, m, q, &ls, &lx)
		}
	}
	for i := n; i < len(x); i++ {
		xh := (x[i] - m) * q
		gw[i] += g[i] * xh
		gb[i] += g[i]
		h[i] = g[i] * w[i]
		ls[(i-n)%8] += float64(h[i])
		lx[(i-n)%8] += float64(h[i] * xh)
	}
	return ls.sum(), lx.sum()
}

// NormGradOut32 is the second pass: h[i] = q·(h[i] − a − x̂[i]·c) with x̂ =
// (x − m)·q, for every i < len(x). h must be at least as long as x.
func NormGradOut32(h, x []float32, m, q, a, c float32) {
	h = h[:len(x)]
	n := 0
	if normAsm() {
		if n = len(x) &^ 7; n > 0 {
			normGradOutAVX(&h[0], &x[0], n, m, q, a, c)
		}
	}
	for i := n; i < len(x); i++ {
		h[i] = q * (h[i] - a - (x[i]-m)*q*c)
	}
}
