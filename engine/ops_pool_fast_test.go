package engine

import (
	"math"
	"math/rand"
	"testing"
)

// TestMaxPool2x2MatchesGeneral checks the 2×2 fast path against the general
// window rule on inputs full of ties, signed zeros, infinities and NaNs: same
// value (bit for bit) and same index (first maximum; NaN wins).
func TestMaxPool2x2MatchesGeneral(t *testing.T) {
	vals := []float32{-1, 0, float32(math.Copysign(0, -1)), 1, float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))}
	r := rand.New(rand.NewSource(1))
	x := New(make([]float32, 2*3*6*9), 2, 3, 6, 9) // odd width: the last column is not pooled
	for i := range x.f32 {
		x.f32[i] = vals[r.Intn(len(vals))]
		if r.Intn(3) == 0 {
			x.f32[i] = vals[r.Intn(4)] // more ties among ordinary values
		}
	}
	q := poolGeometry("MaxPool2d", x, 2, 0, 0)
	out := make([]float32, q.planes*q.oh*q.ow)
	arg := make([]int, len(out))
	maxPool2x2(q, x.f32, out, arg)
	for pl := 0; pl < q.planes; pl++ {
		for oy := 0; oy < q.oh; oy++ {
			for ox := 0; ox < q.ow; ox++ {
				o := (pl*q.oh+oy)*q.ow + ox
				v, i := maxPoolWindow(q, x.f32, pl, oy, ox)
				if math.Float32bits(v) != math.Float32bits(out[o]) || i != arg[o] {
					t.Fatalf("output %d: fast path gives %v at %d, general rule %v at %d", o, out[o], arg[o], v, i)
				}
			}
		}
	}
}
