package kernels

import (
	"math"
	"math/rand"
	"testing"
)

// TestMaxPool2x2Row32 checks every kernel set this machine runs against the
// definition (the first maximum of a, b, c, d; its position as the code) on
// rows full of ties, signed zeros and infinities, at lengths around the 8-
// and 16-window blocks, with and without NaNs: the outputs it says it wrote
// are right, it wrote nothing past the row, and without NaNs it wrote the
// row whole (AVX-512: always; AVX2: rows of 8 and more; Go: none, the
// engine's loop does them).
func TestMaxPool2x2Row32(t *testing.T) { kernels(t, testMaxPool2x2Row32) }

var poolSpecial = []float32{-1, 0, float32(math.Copysign(0, -1)), 1, float32(math.Inf(1)), float32(math.Inf(-1))}

func poolRow(r *rand.Rand, n int, nanEvery int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = poolSpecial[r.Intn(4)] // ties among ordinary values
		if r.Intn(3) == 0 {
			x[i] = float32(r.NormFloat64())
		}
		if r.Intn(5) == 0 {
			x[i] = poolSpecial[4+r.Intn(2)]
		}
		if nanEvery > 0 && r.Intn(nanEvery) == 0 {
			x[i] = float32(math.NaN())
		}
	}
	return x
}

func testMaxPool2x2Row32(t *testing.T) {
	r := rand.New(rand.NewSource(11))
	name := Kernel()
	for _, n := range []int{0, 1, 5, 7, 8, 9, 15, 16, 17, 23, 31, 32, 33, 47, 100} {
		for _, nanEvery := range []int{0, 40, 3} {
			r0, r1 := poolRow(r, 2*n+3, nanEvery), poolRow(r, 2*n+3, nanEvery) // values past the row: not windows of it
			out, code := make([]float32, n+1), make([]uint8, n+1)
			out[n], code[n] = 7, 7
			done := MaxPool2x2Row32(out[:n], code[:n], r0, r1)
			firstNaN := n
			for o := 0; o < n; o++ {
				w := [4]float32{r0[2*o], r0[2*o+1], r1[2*o], r1[2*o+1]}
				best, at := float32(math.Inf(-1)), 0
				for i, v := range w {
					if v != v {
						firstNaN = min(firstNaN, o)
					}
					if v > best || i == 0 {
						best, at = v, i
					}
				}
				if o < done && (math.Float32bits(out[o]) != math.Float32bits(best) || int(code[o]) != at) {
					t.Fatalf("%s n=%d window %d %v: %v at %d, want %v at %d", name, n, o, w, out[o], code[o], best, at)
				}
			}
			if done < 0 || done > firstNaN {
				t.Fatalf("%s n=%d: wrote %d windows, the first with a NaN is %d", name, n, done, firstNaN)
			}
			want := n // windows written without NaNs
			switch {
			case name == "go" || name == "avx2" && n < 8:
				want = 0
			}
			if firstNaN == n && done != want {
				t.Fatalf("%s n=%d: wrote %d windows of a row without NaN, want %d", name, n, done, want)
			}
			if out[n] != 7 || code[n] != 7 {
				t.Fatalf("%s n=%d: wrote past the row", name, n)
			}
		}
	}
}

// TestMaxPool2x2BackRow32 checks every kernel set's backward against the
// definition bit for bit: each window's four values are g (NaN, ±0, ±Inf
// included) at its code and +0 elsewhere, over rows first filled with NaN
// (every value must be written), nothing past the row.
func TestMaxPool2x2BackRow32(t *testing.T) { kernels(t, testMaxPool2x2BackRow32) }

func testMaxPool2x2BackRow32(t *testing.T) {
	r := rand.New(rand.NewSource(12))
	name := Kernel()
	gs := append([]float32{float32(math.NaN())}, poolSpecial...)
	for _, n := range []int{0, 1, 5, 7, 8, 9, 15, 16, 17, 23, 31, 32, 33, 47, 100} {
		g, code := make([]float32, n), make([]uint8, n)
		for o := range g {
			g[o] = float32(r.NormFloat64())
			if r.Intn(4) == 0 {
				g[o] = gs[r.Intn(len(gs))]
			}
			code[o] = uint8(r.Intn(4))
		}
		r0, r1 := make([]float32, 2*n+1), make([]float32, 2*n+1)
		for i := range r0 {
			r0[i], r1[i] = float32(math.NaN()), float32(math.NaN())
		}
		r0[2*n], r1[2*n] = 7, 7
		MaxPool2x2BackRow32(r0[:2*n], r1[:2*n], g, code)
		for o := range g {
			got := [4]float32{r0[2*o], r0[2*o+1], r1[2*o], r1[2*o+1]}
			for i, v := range got {
				want := uint32(0)
				if i == int(code[o]) {
					want = math.Float32bits(g[o])
				}
				if math.Float32bits(v) != want {
					t.Fatalf("%s n=%d window %d (code %d, g %v): %v, want bits %#x", name, n, o, code[o], g[o], got, want)
				}
			}
		}
		if r0[2*n] != 7 || r1[2*n] != 7 {
			t.Fatalf("%s n=%d: wrote past the row", name, n)
		}
	}
}
