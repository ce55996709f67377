package kernels

import (
	"math"
	"math/rand"
	"testing"
)

// poolCases are the row layouts of the pool tests: n windows a row (around
// the 8- and 16-window blocks), rows of them, input rows w wide (2n, odd
// 2n+1 with a column no window covers, and wider).
func poolCases() (cs []struct{ n, rows, w int }) {
	for _, n := range []int{1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 23, 31, 32, 33, 47, 100} {
		for _, rows := range []int{1, 2, 3, 9} {
			for _, w := range []int{2 * n, 2*n + 1, 2*n + 5} {
				cs = append(cs, struct{ n, rows, w int }{n, rows, w})
			}
		}
	}
	return cs
}

var poolSpecial = []float32{-1, 0, float32(math.Copysign(0, -1)), 1, float32(math.Inf(1)), float32(math.Inf(-1))}

// poolInput returns m values full of ties, signed zeros and infinities, and
// NaNs one in nanEvery (none for 0).
func poolInput(r *rand.Rand, m int, nanEvery int) []float32 {
	x := make([]float32, m)
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

// TestMaxPool2x2Rows32 checks every kernel set this machine runs against
// the definition (the first maximum of a, b, c, d; its position as the
// code), with and without NaNs: the outputs it says it wrote are right, it
// stopped before the first window holding a NaN, it wrote nothing past
// rows·n, and without NaNs it wrote them all (AVX-512: always; AVX2: rows
// of 8 windows and more, and all rows but the last of shorter ones; Go:
// none, the engine's loop does them).
func TestMaxPool2x2Rows32(t *testing.T) { kernels(t, testMaxPool2x2Rows32) }

func testMaxPool2x2Rows32(t *testing.T) {
	r := rand.New(rand.NewSource(11))
	name := Kernel()
	for _, tc := range poolCases() {
		n, rows, w := tc.n, tc.rows, tc.w
		for _, nanEvery := range []int{0, 300, 3} {
			x := poolInput(r, 2*rows*w+5, nanEvery) // values past the rows: not windows of them
			out, code := make([]float32, rows*n+1), make([]uint8, rows*n+1)
			out[rows*n], code[rows*n] = 7, 7
			done := MaxPool2x2Rows32(out[:rows*n], code[:rows*n], x, w, rows, n)
			firstNaN := rows * n
			for o := 0; o < rows*n; o++ {
				p, j := o/n, o%n
				i := 2*p*w + 2*j
				v := [4]float32{x[i], x[i+1], x[i+w], x[i+w+1]}
				best, at := v[0], 0
				for k, y := range v {
					if y != y {
						firstNaN = min(firstNaN, o)
					}
					if y > best {
						best, at = y, k
					}
				}
				if o < done && (math.Float32bits(out[o]) != math.Float32bits(best) || int(code[o]) != at) {
					t.Fatalf("%s %+v window %d %v: %v at %d, want %v at %d", name, tc, o, v, out[o], code[o], best, at)
				}
			}
			if done < 0 || done > firstNaN {
				t.Fatalf("%s %+v: wrote %d windows, the first with a NaN is %d", name, tc, done, firstNaN)
			}
			if firstNaN == rows*n {
				least := rows * n // windows it must write without NaNs
				switch {
				case name == "go":
					least = 0
				case name == "avx2" && n < 4:
					least = 0
				case name == "avx2" && n < 8:
					least = (rows - 1) * n
				}
				if done < least {
					t.Fatalf("%s %+v: wrote %d windows of rows without NaN, want at least %d", name, tc, done, least)
				}
			}
			if out[rows*n] != 7 || code[rows*n] != 7 {
				t.Fatalf("%s %+v: wrote past the rows", name, tc)
			}
		}
	}
}

// TestMaxPool2x2BackRows32 checks every kernel set's backward against the
// definition bit for bit: each window's four values are g (NaN, ±0, ±Inf
// included) at its code and +0 elsewhere, and no other value of gx (the
// columns past 2n, the values past the rows) is written.
func TestMaxPool2x2BackRows32(t *testing.T) { kernels(t, testMaxPool2x2BackRows32) }

func testMaxPool2x2BackRows32(t *testing.T) {
	r := rand.New(rand.NewSource(12))
	name := Kernel()
	gs := append([]float32{float32(math.NaN())}, poolSpecial...)
	for _, tc := range poolCases() {
		n, rows, w := tc.n, tc.rows, tc.w
		g, code := make([]float32, rows*n), make([]uint8, rows*n)
		for o := range g {
			g[o] = float32(r.NormFloat64())
			if r.Intn(4) == 0 {
				g[o] = gs[r.Intn(len(gs))]
			}
			code[o] = uint8(r.Intn(4))
		}
		gx := make([]float32, 2*rows*w+3)
		for i := range gx {
			gx[i] = 7
		}
		MaxPool2x2BackRows32(gx, w, g, code, rows, n)
		want := make([]float32, len(gx))
		for i := range want {
			want[i] = 7
		}
		for o := range g {
			p, j := o/n, o%n
			i := 2*p*w + 2*j
			want[i], want[i+1], want[i+w], want[i+w+1] = 0, 0, 0, 0
			want[i+[4]int{0, 1, w, w + 1}[code[o]]] = g[o]
		}
		for i := range gx {
			if math.Float32bits(gx[i]) != math.Float32bits(want[i]) {
				t.Fatalf("%s %+v: gx[%d] = %v, want %v", name, tc, i, gx[i], want[i])
			}
		}
	}
}
