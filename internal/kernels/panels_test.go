package kernels

import (
	"math/rand"
	"runtime"
	"testing"
)

// TestBlockPanelsSameBits checks that products of at most mc rows give the
// same bits through blockPanels (B packed a panel at a time, A read in place
// where a direct kernel can) as through block's general order (B packed a
// block at a time, A packed), on every kernel set: row counts under, at and
// past a 12-row group and mc, columns past the last full panel, k past kc,
// transposed operands, row strides A is read in place with and not,
// alpha ≠ 1 (which A cannot be read in place for) and
// beta 0 and 1. (float64's mc is 120: its larger cases take block's order
// both times.)
func TestBlockPanelsSameBits(t *testing.T) {
	defer func() { panelsFirst = true }()
	cases := []gemmCase{
		{32, 200, 300, 1, 1, 0, 0, 0},
		{13, 70, 513, 0.5, 0, 1, 2, 0},
		{168, 40, 20, 1, 1, 0, 0, 3},
		{24, 33, 257, 1, 0, 0, 0, 0},
		{1, 100, 30, 1, 1, 0, 1, 0},
		{12, 64, 256, -1, 1, 0, 0, 0},
		{64, 1030, 50, 1, 0, 2, 0, 0},
		{167, 31, 40, 1, 0.5, 0, 0, 1},
		{120, 50, 30, 1, 0, 0, 0, 0}, // float64's mc
		{24, 40, 512, 1, 0, 0, 0, 0}, // rows 2 or 4 KiB apart: A packed (spreadRows)
	}
	kernels(t, func(t *testing.T) {
		r := rand.New(rand.NewSource(7))
		for _, tc := range cases {
			if tc.m > f32.mc || tc.m*tc.n*tc.k < smallWork {
				t.Fatalf("%+v does not reach blockPanels", tc)
			}
			for _, tA := range []bool{false, true} {
				for _, tB := range []bool{false, true} {
					panelsSameBits[float32](t, r, tc, tA, tB)
					panelsSameBits[float64](t, r, tc, tA, tB)
				}
			}
		}
	})
}

func panelsSameBits[T elem](t *testing.T, r *rand.Rand, tc gemmCase, tA, tB bool) {
	t.Helper()
	lenA, lenB, lda, ldb, ldc := tc.layout(tA, tB)
	a, b, c := randSlice[T](r, lenA), randSlice[T](r, lenB), randSlice[T](r, tc.m*ldc)
	var out [2][]T
	for i, first := range []bool{false, true} {
		panelsFirst = first
		out[i] = append([]T(nil), c...)
		switch a := any(a).(type) {
		case []float32:
			Sgemm(tA, tB, tc.m, tc.n, tc.k, tc.alpha, a, lda, any(b).([]float32), ldb, tc.beta, any(out[i]).([]float32), ldc)
		case []float64:
			Dgemm(tA, tB, tc.m, tc.n, tc.k, float64(tc.alpha), a, lda, any(b).([]float64), ldb, float64(tc.beta), any(out[i]).([]float64), ldc)
		}
	}
	for i := range out[0] {
		if !sameBits(out[0][i], out[1][i]) {
			t.Fatalf("%T %+v tA=%v tB=%v: C[%d][%d] = %v by panels, %v by blocks", a[0], tc, tA, tB, i/ldc, i%ldc, out[1][i], out[0][i])
		}
	}
}

// TestGemmAllocsDoNotGrowWithPanels checks that a product allocates no more
// for many panels of B than for few, on every kernel set: the scratch tile
// of the edges used to be declared in tiles, where it escaped to the heap on
// every call, which blockPanels makes once per panel.
func TestGemmAllocsDoNotGrowWithPanels(t *testing.T) {
	if raceBuild {
		t.Skip("the race detector allocates on its own")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	kernels(t, func(t *testing.T) {
		r := rand.New(rand.NewSource(9))
		allocs := func(n int) float64 {
			a, b, c := randSlice[float32](r, 16*9), randSlice[float32](r, 9*n), make([]float32, 16*n)
			return testing.AllocsPerRun(10, func() { Sgemm(false, false, 16, n, 9, 1, a, 9, b, n, 0, c, n) })
		}
		if few, many := allocs(48), allocs(4000); many != few {
			t.Errorf("[16 9]·[9 n]: %v allocations at n=48, %v at n=4000", few, many)
		}
	})
}
