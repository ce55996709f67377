package kernels

import (
	"math"
	"math/rand"
	"testing"
)

// TestSoftmaxLoops checks Dot64, SubMul32 and SubScaled32 on every kernel
// set, at lengths around the 8-float blocks: Dot64 against the lane sums
// written out here (the same bits) and against a plain float64 sum (within
// 1e-15 of the sum of |products|), SubMul32 against y·(g − s) and
// SubScaled32 against g − e·s in Go, also in place, with NaN and ±Inf among
// the inputs, nothing written past the end.
func TestSoftmaxLoops(t *testing.T) {
	kernels(t, func(t *testing.T) {
		r := rand.New(rand.NewSource(9))
		for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1000} {
			a, b := make([]float32, n), make([]float32, n)
			for i := range a {
				a[i], b[i] = float32(r.NormFloat64()), float32(r.Float64())
			}
			var l [8]float64
			plain, mag := 0.0, 0.0
			for i := range a {
				p := float64(a[i]) * float64(b[i])
				l[i%8] += p
				plain += p
				mag += math.Abs(p)
			}
			want := ((l[0] + l[4]) + (l[2] + l[6])) + ((l[1] + l[5]) + (l[3] + l[7]))
			got := Dot64(a, b)
			if math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("n=%d: Dot64 = %v, the lane order gives %v", n, got, want)
			}
			if math.Abs(got-plain) > 1e-15*mag {
				t.Fatalf("n=%d: Dot64 = %v, a plain sum %v", n, got, plain)
			}
			if n > 2 {
				a[1], b[2] = float32(math.Inf(1)), float32(math.NaN())
			}
			s := float32(r.NormFloat64())
			dst := make([]float32, n+1)
			dst[n] = 7
			SubMul32(dst[:n], b, a, s)
			for i := range b {
				w := b[i] * (a[i] - s)
				if math.Float32bits(dst[i]) != math.Float32bits(w) && !(w != w && dst[i] != dst[i]) {
					t.Fatalf("n=%d: SubMul32 element %d is %v, want %v", n, i, dst[i], w)
				}
			}
			if dst[n] != 7 {
				t.Fatalf("n=%d: SubMul32 wrote past the end", n)
			}
			g, y := append([]float32(nil), a...), append([]float32(nil), b...)
			SubMul32(g, b, g, s)
			SubMul32(y, y, a, s)
			for i := range g {
				if !(math.Float32bits(g[i]) == math.Float32bits(dst[i]) || g[i] != g[i] && dst[i] != dst[i]) ||
					!(math.Float32bits(y[i]) == math.Float32bits(dst[i]) || y[i] != y[i] && dst[i] != dst[i]) {
					t.Fatalf("n=%d: SubMul32 in place gives %v and %v at %d, not %v", n, g[i], y[i], i, dst[i])
				}
			}
			ds := make([]float32, n+1)
			ds[n] = 7
			SubScaled32(ds[:n], a, b, s)
			for i := range b {
				w := a[i] - float32(b[i]*s)
				if math.Float32bits(ds[i]) != math.Float32bits(w) && !(w != w && ds[i] != ds[i]) {
					t.Fatalf("n=%d: SubScaled32 element %d is %v, want %v", n, i, ds[i], w)
				}
			}
			if ds[n] != 7 {
				t.Fatalf("n=%d: SubScaled32 wrote past the end", n)
			}
			e := append([]float32(nil), b...)
			SubScaled32(e, a, e, s)
			for i := range e {
				if math.Float32bits(e[i]) != math.Float32bits(ds[i]) && !(e[i] != e[i] && ds[i] != ds[i]) {
					t.Fatalf("n=%d: SubScaled32 in place gives %v at %d, not %v", n, e[i], i, ds[i])
				}
			}
		}
	})
}
