package kernels

import (
	"math"
	"math/rand"
	"testing"
)

// TestTile512 runs the AVX-512 tile kernels on every corner of their tiles
// (rows 1…12 over one or two panels of A, every column count up to nr) in
// both element types, adding and storing, and checks each written element
// against a float64 sum and each other element of C (row padding and the
// rows after the corner, poisoned with NaN) for being left alone.
func TestTile512(t *testing.T) {
	if !hasAVX512() {
		t.Skip("no AVX-512 on this CPU")
	}
	r := rand.New(rand.NewSource(12))
	for _, k := range []int{1, 3, 4, 9} {
		for _, store := range []bool{false, true} {
			checkTile(t, r, "float32", tile512s, 2*mr, 32, k, store)
			checkTile(t, r, "float64", tile512d, 2*mr, 16, k, store)
		}
	}
}

func checkTile[T elem](t *testing.T, r *rand.Rand, name string, tile func(k int, a, b, c []T, ldc int, store bool, rows, cols int), maxRows, nr, k int, store bool) {
	t.Helper()
	a := randSlice[T](r, 2*mr*k) // two panels: a[p*mr+i], rows 6… at a[mr*k+p*mr+i-6]
	b := randSlice[T](r, k*nr)
	for rows := 1; rows <= maxRows; rows++ {
		for cols := 1; cols <= nr; cols++ {
			ldc := cols + 3
			c := randSlice[T](r, (2*mr+1)*ldc) // a row more than the tile: all past the corner must stay
			for i := range c {
				if i%ldc >= cols || i >= rows*ldc {
					c[i] = T(math.NaN())
				}
			}
			got := append([]T(nil), c...)
			tile(k, a[:roundUp(rows, mr)*k], b, got, ldc, store, rows, cols)
			for i := range c {
				row, col := i/ldc, i%ldc
				if col >= cols || row >= rows {
					if !sameBits(got[i], c[i]) {
						t.Fatalf("%s k=%d store=%v %d×%d: C[%d][%d] outside the corner changed to %v", name, k, store, rows, cols, row, col, got[i])
					}
					continue
				}
				panel, pr := a, row
				if row >= mr {
					panel, pr = a[mr*k:], row-mr
				}
				var want float64
				if !store {
					want = float64(c[i])
				}
				for p := 0; p < k; p++ {
					want += float64(panel[p*mr+pr]) * float64(b[p*nr+col])
				}
				tol := 1e-6 * float64(k+2) // float32's eps over k+1 roundings
				if _, double := any(a).([]float64); double {
					tol = 1e-15 * float64(k+2)
				}
				if d := math.Abs(float64(got[i]) - want); !(d <= tol*(1+math.Abs(want))) {
					t.Fatalf("%s k=%d store=%v %d×%d: C[%d][%d] = %v, want %v", name, k, store, rows, cols, row, col, got[i], want)
				}
			}
		}
	}
}

// TestDirect512 runs the AVX-512 kernels that read A in place (12 rows,
// row stride lda, NaN between the rows so a value read from the wrong place
// shows) for every column count in both element types, adding and storing,
// against a float64 sum; C's row padding and the row after the tile are
// poisoned and must be left alone.
func TestDirect512(t *testing.T) {
	if !hasAVX512() {
		t.Skip("no AVX-512 on this CPU")
	}
	r := rand.New(rand.NewSource(13))
	for _, k := range []int{1, 4, 7, 33} {
		for _, store := range []bool{false, true} {
			checkDirect(t, r, "float32", direct512s, 32, k, store)
			checkDirect(t, r, "float64", direct512d, 16, k, store)
		}
	}
}

func checkDirect[T elem](t *testing.T, r *rand.Rand, name string, direct func(k int, a []T, lda int, b, c []T, ldc int, store bool, cols int), nr, k int, store bool) {
	t.Helper()
	lda := k + 5
	a := randSlice[T](r, 2*mr*lda)
	for i := range a {
		if i%lda >= k {
			a[i] = T(math.NaN())
		}
	}
	b := randSlice[T](r, k*nr)
	rows := 2 * mr
	for cols := 1; cols <= nr; cols++ {
		ldc := cols + 2
		c := randSlice[T](r, (rows+1)*ldc)
		for i := range c {
			if i%ldc >= cols || i >= rows*ldc {
				c[i] = T(math.NaN())
			}
		}
		got := append([]T(nil), c...)
		direct(k, a[:(rows-1)*lda+k], lda, b, got, ldc, store, cols)
		for i := range c {
			row, col := i/ldc, i%ldc
			if col >= cols || row >= rows {
				if !sameBits(got[i], c[i]) {
					t.Fatalf("%s k=%d store=%v cols=%d: C[%d][%d] outside the tile changed to %v", name, k, store, cols, row, col, got[i])
				}
				continue
			}
			var want float64
			if !store {
				want = float64(c[i])
			}
			for p := 0; p < k; p++ {
				want += float64(a[row*lda+p]) * float64(b[p*nr+col])
			}
			tol := 1e-6 * float64(k+2)
			if _, double := any(a).([]float64); double {
				tol = 1e-15 * float64(k+2)
			}
			if d := math.Abs(float64(got[i]) - want); !(d <= tol*(1+math.Abs(want))) {
				t.Fatalf("%s k=%d store=%v cols=%d: C[%d][%d] = %v, want %v", name, k, store, cols, row, col, got[i], want)
			}
		}
	}
}

// BenchmarkKernel512 times the 12×32 float32 micro-kernel alone, adding into
// C, on packed panels with kc = 256: "L1" keeps one micro-panel of A (12 KiB)
// and one panel of B (32 KiB) in the 48 KiB L1, "L2" walks the micro-panel
// across 32 panels of B (1 MiB, from L2) as a block of the product does.
// Compare its GFLOP/s with the FMA peak `go run ./bench` prints.
func BenchmarkKernel512(b *testing.B) {
	if !hasAVX512() {
		b.Skip("no AVX-512 on this CPU")
	}
	const k = 256
	r := rand.New(rand.NewSource(1))
	for _, s := range []struct {
		name   string
		panels int
	}{{"L1", 1}, {"L2", 32}} {
		a := randSlice[float32](r, 2*mr*k)
		pb := randSlice[float32](r, s.panels*32*k)
		c := make([]float32, 2*mr*32*s.panels)
		ldc := 32 * s.panels
		b.Run(s.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				for j := 0; j < s.panels; j++ {
					gemm512s12x32(k, &a[0], &pb[j*32*k], &c[j*32], ldc, 2*mr, 1<<16-1, false)
				}
			}
			flops := 2 * float64(2*mr*32*k*s.panels)
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// TestTileAVX2 runs the AVX2 edge kernels on every corner of their tiles
// (rows 1…6 of one panel of A, every column count up to nr) in both element
// types, adding and storing, against a float64 sum; every element of C
// outside the corner (poisoned with NaN) must be left alone.
func TestTileAVX2(t *testing.T) {
	if !hasAVX2FMA() {
		t.Skip("no AVX2 and FMA on this CPU")
	}
	r := rand.New(rand.NewSource(13))
	for _, k := range []int{1, 3, 4, 9} {
		for _, store := range []bool{false, true} {
			checkTile(t, r, "float32", tileAVX2s, mr, 16, k, store)
			checkTile(t, r, "float64", tileAVX2d, mr, 8, k, store)
		}
	}
}
