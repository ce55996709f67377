package kernels

import (
	"math"
	"math/rand"
	"testing"
)

// TestNormLoops checks the LayerNorm row loops of every kernel set this
// machine runs (go, avx2, avx512), bit for bit, against their definitions
// written out element by element here (the float64 sums in the eight lanes
// norm.go documents), at lengths around the 8-element blocks of the
// assembly, on rows of a wide range of magnitudes, and that nothing past the
// row is written.
func TestNormLoops(t *testing.T) { kernels(t, testNormLoops) }

func testNormLoops(t *testing.T) {
	r := rand.New(rand.NewSource(8))
	name := Kernel()
	rnd := func(n int, scale float64) []float32 {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(r.NormFloat64() * scale)
		}
		return x
	}
	// lane sums as norm.go defines them
	laneSum := func(n int, f func(i int) float64) float64 {
		var l [8]float64
		for i := 0; i < n; i++ {
			l[i%8] += f(i)
		}
		return ((l[0] + l[4]) + (l[2] + l[6])) + ((l[1] + l[5]) + (l[3] + l[7]))
	}
	same32 := func(what string, n int, got, want []float32) {
		t.Helper()
		for i := range want {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("%s n=%d: %s[%d] = %v, want %v", name, n, what, i, got[i], want[i])
			}
		}
	}
	same64 := func(what string, n int, got, want float64) {
		t.Helper()
		if math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("%s n=%d: %s = %v, want %v", name, n, what, got, want)
		}
	}
	for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 24, 31, 127, 128, 131} {
		for _, scale := range []float64{1e-3, 1, 1e4} {
			x, w, b, g := rnd(n, scale), rnd(n, 1), rnd(n, 1), rnd(n, 1)
			x = append(x, 99) // past the end: never read into a result
			mu := laneSum(n, func(i int) float64 { return float64(x[i]) }) / math.Max(float64(n), 1)
			same64("Sum64", n, Sum64(x[:n]), laneSum(n, func(i int) float64 { return float64(x[i]) }))
			same64("SqDev64", n, SqDev64(x[:n], mu), laneSum(n, func(i int) float64 { c := float64(x[i]) - mu; return c * c }))
			// against a plain float64 sum: the lanes only change the rounding
			if s, want := Sum64(x[:n]), plainSum(x[:n]); math.Abs(s-want) > 1e-12*(math.Abs(want)+scale*float64(n)) {
				t.Fatalf("%s n=%d: Sum64 = %v, a plain float64 sum %v", name, n, s, want)
			}
			m, q := float32(mu), float32(1/(scale+0.5))
			y := make([]float32, n+1)
			y[n] = 7
			NormRow32(y, x[:n], w, b, m, q)
			want := make([]float32, n)
			for i := range want {
				want[i] = (x[i]-m)*q*w[i] + b[i]
			}
			same32("NormRow32", n, y[:n], want)
			if y[n] != 7 {
				t.Fatalf("%s n=%d: NormRow32 wrote past the end", name, n)
			}

			gw, gb := rnd(n+1, 1), rnd(n+1, 1)
			gw0, gb0 := append([]float32(nil), gw...), append([]float32(nil), gb...)
			h := make([]float32, n+1)
			h[n] = 7
			sh, shx := NormGradRow32(h, x[:n], g, w, gw, gb, m, q)
			wantH, wantGW, wantGB := make([]float32, n), make([]float32, n), make([]float32, n)
			for i := range wantH {
				xh := (x[i] - m) * q
				wantGW[i], wantGB[i], wantH[i] = gw0[i]+g[i]*xh, gb0[i]+g[i], g[i]*w[i]
			}
			same32("NormGradRow32 h", n, h[:n], wantH)
			same32("NormGradRow32 gw", n, gw[:n], wantGW)
			same32("NormGradRow32 gb", n, gb[:n], wantGB)
			same64("NormGradRow32 Σh", n, sh, laneSum(n, func(i int) float64 { return float64(wantH[i]) }))
			same64("NormGradRow32 Σh·x̂", n, shx, laneSum(n, func(i int) float64 { return float64(wantH[i] * ((x[i] - m) * q)) }))
			if h[n] != 7 || gw[n] != gw0[n] || gb[n] != gb0[n] {
				t.Fatalf("%s n=%d: NormGradRow32 wrote past the end", name, n)
			}

			a, c := float32(sh/math.Max(float64(n), 1)), float32(shx/math.Max(float64(n), 1))
			NormGradOut32(h, x[:n], m, q, a, c)
			for i := range wantH {
				wantH[i] = q * (wantH[i] - a - (x[i]-m)*q*c)
			}
			same32("NormGradOut32", n, h[:n], wantH)
			if h[n] != 7 {
				t.Fatalf("%s n=%d: NormGradOut32 wrote past the end", name, n)
			}
		}
	}
}

func plainSum(x []float32) float64 {
	var s float64
	for _, v := range x {
		s += float64(v)
	}
	return s
}
