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
	// Widths 9 and 39 (odd: the last column is not pooled; 39 gives rows of
	// 19 outputs, two blocks of 8 for the AVX2 path and a rest), 14 and 3
	// (rows of 7 and 1 outputs, pooled eight at a time across rows), with
	// NaNs everywhere, rarely, or never.
	for _, tc := range []struct{ w, nanEvery int }{{9, 1}, {39, 1}, {39, 200}, {39, 0}, {14, 0}, {14, 50}, {3, 0}, {3, 20}} {
		x := New(make([]float32, 2*3*6*tc.w), 2, 3, 6, tc.w)
		for i := range x.f32 {
			x.f32[i] = vals[r.Intn(4)] // ties among ordinary values
			if r.Intn(3) == 0 {
				x.f32[i] = float32(r.NormFloat64())
			}
			if r.Intn(5) == 0 {
				x.f32[i] = vals[5+r.Intn(2)] // ±Inf
			}
			if tc.nanEvery > 0 && r.Intn(tc.nanEvery*7) == 0 {
				x.f32[i] = float32(math.NaN())
			}
		}
		checkMaxPool2x2(t, x)
	}
}

func checkMaxPool2x2(t *testing.T, x *Tensor) {
	t.Helper()
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

// TestConv2dWeightGradFewTaps covers Conv2d's transposed weight-gradient
// product, taken when a group has fewer kernel taps than output channels
// (K = 9 < 10 and, with groups, K = 4 < 6), in float64 (GradCheck) and in
// float32 against the unfused composition through MatMul.
func TestConv2dWeightGradFewTaps(t *testing.T) {
	Seed(9)
	runGradChecks(t, []gradCase{
		{"K9<10", func(x []*Tensor) *Tensor { return Conv2d(x[0], x[1], x[2], ConvOpts{Padding: 1}) },
			[]*Tensor{Randn(2, 1, 5, 6), Randn(10, 1, 3, 3), Randn(10)}},
		{"groups-K4<6", func(x []*Tensor) *Tensor { return Conv2d(x[0], x[1], nil, ConvOpts{Groups: 2}) },
			[]*Tensor{Randn(2, 2, 4, 5), Randn(12, 1, 2, 2)}},
	})
	// float32: a 1×1 convolution is a product over channels; compare ∂w with MatMul's.
	x := Randn(3, 2, 4, 4)
	w := Randn(8, 2, 1, 1).SetRequiresGrad(true)
	up := Randn(3, 8, 4, 4)
	Conv2d(x, w, nil, ConvOpts{}).BackwardWith(up)
	w2 := w.Detach().Reshape(8, 2).SetRequiresGrad(true)
	xm := x.Permute(0, 2, 3, 1).Reshape(-1, 2) // [N·H·W, C]
	xm.MatMul(w2.T()).BackwardWith(up.Permute(0, 2, 3, 1).Reshape(-1, 8))
	assertClose(t, "float32 ∂w", w.Grad().Reshape(8, 2), w2.Grad(), 1e-5)
}

// TestReLUFloat32MatchesFloat64 checks the float32 ReLU (kernels.ReLU32 and
// ReLUGrad32, AVX2 when available) against the float64 path, forward and
// backward, on a length that is not a multiple of the 16-element blocks.
func TestReLUFloat32MatchesFloat64(t *testing.T) {
	Seed(11)
	x := Randn(7, 37)
	for i := 0; i < x.Numel(); i += 5 {
		x.f32[i] = 0 // the gradient at 0 is 0
	}
	x.SetRequiresGrad(true)
	x64 := x.Float64().Detach().SetRequiresGrad(true)
	up := Randn(7, 37)
	y := x.ReLU()
	y.BackwardWith(up)
	y64 := x64.ReLU()
	y64.BackwardWith(up.Float64())
	assertClose(t, "forward", y, y64, 0)
	assertClose(t, "backward", x.Grad(), x64.Grad(), 0)
}
