package kernels

import (
	"math"
	"math/rand"
	"testing"
)

// TestReLU32 checks the loops of every kernel set this machine runs (go,
// avx2, avx512), bit for bit, against the definition on the same special
// values (NaN, ±0, ±Inf, tiny) and random ones, at lengths around the 16-
// and 32-element blocks of the assembly.
func TestReLU32(t *testing.T) { kernels(t, testReLU32) }

func testReLU32(t *testing.T) {
	special := []float32{float32(math.NaN()), 0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), 1e-40, -1e-40, 3, -3}
	r := rand.New(rand.NewSource(5))
	name := Kernel()
	for _, n := range []int{0, 1, 15, 16, 17, 31, 32, 33, 48, 63, 64, 65, 100, min512 - 1, min512, min512 + 33} {
		x, g := make([]float32, n), make([]float32, n)
		for i := range x {
			x[i] = special[r.Intn(len(special))]
			if r.Intn(2) == 0 {
				x[i] = float32(r.NormFloat64())
			}
			g[i] = special[r.Intn(len(special))]
		}
		y, gx := make([]float32, n+1), make([]float32, n+1)
		y[n], gx[n] = 7, 7 // past the end: untouched
		ReLU32(y, x)
		ReLUGrad32(gx, x, g)
		for i, v := range x {
			want := v
			if !(v > 0) && v == v { // not positive and not NaN: +0
				want = 0
			}
			if math.Float32bits(y[i]) != math.Float32bits(want) {
				t.Fatalf("%s n=%d: ReLU(%v) = %v, want %v", name, n, v, y[i], want)
			}
			wantG := float32(0)
			if v > 0 {
				wantG = g[i]
			}
			if math.Float32bits(gx[i]) != math.Float32bits(wantG) {
				t.Fatalf("%s n=%d: grad at %v with g=%v is %v, want %v", name, n, v, g[i], gx[i], wantG)
			}
		}
		if y[n] != 7 || gx[n] != 7 {
			t.Fatalf("%s n=%d: wrote past the end", name, n)
		}
	}
}
