package engine

import (
	"math"
	"math/rand"
	"testing"
)

var _ = addOps("pool", poolOps)

// TestMaxPool2x2MatchesGeneral checks the 2×2 fast path against the general
// window rule on inputs full of ties, signed zeros, infinities and NaNs, in
// float32 (the assembly) and float64 (Go): same value (bit for bit) and same
// index (first maximum; NaN wins), and a backward that puts a random
// gradient at that index and +0 everywhere else.
func TestMaxPool2x2MatchesGeneral(t *testing.T) {
	vals := []float32{-1, 0, float32(math.Copysign(0, -1)), 1, float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))}
	r := rand.New(rand.NewSource(1))
	// Widths 9 and 39 (odd: the last column is not pooled; 39 gives rows of
	// 19 outputs: blocks of 8 or 16 and a rest), 14 and 3 (rows of 7 and 1
	// outputs: pooled eight at a time across rows with AVX2, one masked
	// block with AVX-512), heights 6 and 5 (odd: the last row is not
	// pooled), with NaNs everywhere, rarely, or never.
	for _, tc := range []struct{ h, w, nanEvery int }{{6, 9, 1}, {6, 39, 1}, {6, 39, 200}, {5, 39, 0}, {6, 14, 0}, {5, 14, 50}, {6, 3, 0}, {6, 3, 20}, {7, 64, 0}} {
		x := New(make([]float32, 2*3*tc.h*tc.w), 2, 3, tc.h, tc.w)
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
		checkMaxPool2x2(t, r, x.f32, x.shape)
		x64 := make([]float64, len(x.f32))
		for i, v := range x.f32 {
			x64[i] = float64(v)
		}
		checkMaxPool2x2(t, r, x64, x.shape)
	}
}

func checkMaxPool2x2[T float](t *testing.T, r *rand.Rand, x []T, shape []int) {
	t.Helper()
	q := poolGeometry("MaxPool2d", New(make([]float32, len(x)), shape...), 2, 0, 0)
	out := make([]T, q.planes*q.oh*q.ow)
	code := make([]uint8, len(out))
	maxPool2x2(q, x, out, code)
	arg := q.flatIndex(code)
	g := make([]T, len(out))
	want := make([]T, len(x)) // the gradient scattered to the general rule's maxima
	for pl := 0; pl < q.planes; pl++ {
		for oy := 0; oy < q.oh; oy++ {
			for ox := 0; ox < q.ow; ox++ {
				o := (pl*q.oh+oy)*q.ow + ox
				v, i := maxPoolWindow(q, x, pl, oy, ox)
				if math.Float64bits(float64(v)) != math.Float64bits(float64(out[o])) || i != arg[o] {
					t.Fatalf("%T %v output %d: fast path gives %v at %d, general rule %v at %d", x, shape, o, out[o], arg[o], v, i)
				}
				g[o] = T(r.NormFloat64())
				want[i] = g[o]
			}
		}
	}
	gx := make([]T, len(x))
	for i := range gx {
		gx[i] = T(math.NaN()) // every element must be written
	}
	maxPoolBack2x2(q, gx, g, code)
	for i := range gx {
		if math.Float64bits(float64(gx[i])) != math.Float64bits(float64(want[i])) {
			t.Fatalf("%T %v: gradient element %d is %v, want %v", x, shape, i, gx[i], want[i])
		}
	}
}

// poolOps are the op table's rows for MaxPool2d and AvgPool2d (see runOps).
func poolOps() []opSpec {
	Seed(3)
	pool := func(f func(*Tensor, int, int, int) *Tensor, k, s, p int) func(x []*Tensor) *Tensor {
		return func(x []*Tensor) *Tensor { return f(x[0], k, s, p) }
	}
	in := func(ts ...*Tensor) []*Tensor { return ts }
	return []opSpec{
		{name: "MaxPool2d/2x2", f: pool(MaxPool2d, 2, 0, 0), torch: true},
		{name: "MaxPool2d/stride-pad", f: pool(MaxPool2d, 3, 2, 1), torch: true},
		{name: "MaxPool2d/overlap", f: pool(MaxPool2d, 3, 1, 0), torch: true},
		{name: "AvgPool2d/2x2", f: pool(AvgPool2d, 2, 0, 0), torch: true},
		{name: "AvgPool2d/stride-pad", f: pool(AvgPool2d, 3, 2, 1), torch: true},
		{name: "AvgPool2d/overlap", f: pool(AvgPool2d, 2, 1, 1), torch: true},
		{name: "MaxPool2d/2", f: pool(MaxPool2d, 2, 0, 0), inputs: in(Randn(2, 2, 4, 5))},
		{name: "MaxPool2d/stride-pad-6x5", f: pool(MaxPool2d, 3, 2, 1), inputs: in(Randn(1, 2, 6, 5))},
		{name: "MaxPool2d/overlap-pad", f: pool(MaxPool2d, 2, 1, 1), inputs: in(Randn(2, 1, 3, 4))},
		{name: "AvgPool2d/2", f: pool(AvgPool2d, 2, 0, 0), inputs: in(Randn(2, 2, 4, 5))},
		{name: "AvgPool2d/stride-pad-6x5", f: pool(AvgPool2d, 3, 2, 1), inputs: in(Randn(1, 2, 6, 5))},
		{name: "AvgPool2d/overlap-pad", f: pool(AvgPool2d, 2, 1, 1), inputs: in(Randn(2, 1, 3, 4))},
		// above poolMin, and 39 wide: 2×2 windows in AVX2 blocks of 8 and a rest
		{name: "MaxPool2d/big-2x2", f: pool(MaxPool2d, 2, 0, 0), inputs: in(Randn(4, 8, 12, 39))},
		{name: "MaxPool2d/big-odd", f: pool(MaxPool2d, 2, 0, 0), inputs: in(Randn(2, 3, 41, 40))},
		// rows of 7 windows (the CNN's second pool): AVX2 pools them eight
		// at a time across rows, AVX-512 in one masked block
		{name: "MaxPool2d/big-7-wide", f: pool(MaxPool2d, 2, 0, 0), inputs: in(Randn(4, 8, 14, 14))},
		{name: "AvgPool2d/big-3x3", f: pool(AvgPool2d, 3, 2, 1), inputs: in(Randn(4, 8, 12, 39))},
		// one tensor used twice: both contributions must arrive
		{name: "twice/MaxPool2d+AvgPool2d", f: func(x []*Tensor) *Tensor {
			return MaxPool2d(x[0], 2, 1, 0).Add(AvgPool2d(x[0], 2, 1, 0)).Mul(MaxPool2d(x[0], 2, 1, 0))
		}, inputs: in(Randn(1, 2, 4, 4))},
	}
}

func TestConvMaxPoolTiesAndInf(t *testing.T) {
	// All four equal: the first gets the gradient, as in PyTorch.
	x := New64([]float64{1, 1, 1, 1}, 1, 1, 2, 2).SetRequiresGrad(true)
	MaxPool2d(x, 2, 0, 0).Sum().Backward()
	if got := x.Grad().Float64s(); got[0] != 1 || got[1]+got[2]+got[3] != 0 {
		t.Errorf("tie gradient %v, want [1 0 0 0]", got)
	}
	// A window of -Inf values still has a maximum inside the input.
	y := MaxPool2d(New64([]float64{math.Inf(-1), math.Inf(-1), 2, 3}, 1, 1, 2, 2), 1, 1, 0)
	if got := y.Float64s(); !math.IsInf(got[0], -1) || got[3] != 3 {
		t.Errorf("MaxPool2d of -Inf values: %v", got)
	}
}
