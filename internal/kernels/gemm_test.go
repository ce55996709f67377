package kernels

import (
	"errors"
	"fmt"
	"math"
	"math/rand"
	"runtime"
	"runtime/debug"
	"sync/atomic"
	"testing"
	"time"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
)

// reference computes alpha·op(A)·op(B) + beta·C in float64 with the
// textbook triple loop.
func reference[T elem](tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) []T {
	out := append([]T(nil), c...)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for p := 0; p < k; p++ {
				ai, bi := i*lda+p, p*ldb+j
				if tA {
					ai = p*lda + i
				}
				if tB {
					bi = j*ldb + p
				}
				s += float64(a[ai]) * float64(b[bi])
			}
			v := float64(alpha) * s
			if beta != 0 {
				v += float64(beta) * float64(c[i*ldc+j])
			}
			out[i*ldc+j] = T(v)
		}
	}
	return out
}

func randSlice[T elem](r *rand.Rand, n int) []T {
	s := make([]T, n)
	for i := range s {
		s[i] = T(r.NormFloat64())
	}
	return s
}

// kernels runs f once per kernel set this machine runs (paths: go, then
// avx2 and avx512 where the CPU has them), on the same cases, restoring the
// one in use.
func kernels(t *testing.T, f func(t *testing.T)) {
	name := kernelName
	defer func() {
		for _, p := range paths {
			if p.name == name {
				p.install()
			}
		}
	}()
	for _, p := range paths {
		p.install()
		t.Run(p.name, f)
	}
}

type gemmCase struct {
	m, n, k          int
	alpha, beta      float32
	padA, padB, padC int
}

// layout gives the lengths of A and B (stored transposed when tA, tB) and
// the leading dimensions of A, B and C, each row padded as the case says.
func (tc gemmCase) layout(tA, tB bool) (lenA, lenB, lda, ldb, ldc int) {
	ar, ac := tc.m, tc.k
	if tA {
		ar, ac = tc.k, tc.m
	}
	br, bc := tc.k, tc.n
	if tB {
		br, bc = tc.n, tc.k
	}
	lda, ldb, ldc = ac+tc.padA, bc+tc.padB, tc.n+tc.padC
	return ar * lda, br * ldb, lda, ldb, ldc
}

// runCase checks one product of random operands (with the case's row
// padding) in element type T against reference.
func runCase[T elem](t *testing.T, r *rand.Rand, tc gemmCase, tA, tB bool) {
	t.Helper()
	lenA, lenB, lda, ldb, ldc := tc.layout(tA, tB)
	a := randSlice[T](r, max(lenA, 1))
	b := randSlice[T](r, max(lenB, 1))
	// C is followed by a guard row of NaNs that the product must not touch.
	size := max(tc.m*ldc, 1)
	c := randSlice[T](r, size+ldc)
	for i := size; i < len(c); i++ {
		c[i] = T(math.NaN())
	}
	if tc.beta == 0 {
		// beta 0 must not read C: NaNs there must not leak into the result.
		for i := range c {
			c[i] = T(math.NaN())
		}
	}
	alpha, beta := T(tc.alpha), T(tc.beta)
	want := reference(tA, tB, tc.m, tc.n, tc.k, alpha, a, lda, b, ldb, beta, c, ldc)
	got := append([]T(nil), c...)
	defer func() {
		for i := size; i < len(c); i++ {
			if !sameBits(got[i], c[i]) {
				t.Fatalf("%T %+v tA=%v tB=%v: the guard after C changed at %d to %v", alpha, tc, tA, tB, i-size, got[i])
			}
		}
	}()
	// accumulating k terms of size ~1: the error grows like sqrt(k)·eps
	tol := 1e-13 * float64(tc.k+4)
	switch any(got).(type) {
	case []float32:
		tol = 1e-5 * float64(tc.k+4)
		Sgemm(tA, tB, tc.m, tc.n, tc.k, float32(alpha), any(a).([]float32), lda, any(b).([]float32), ldb, float32(beta), any(got[:size]).([]float32), ldc)
	case []float64:
		Dgemm(tA, tB, tc.m, tc.n, tc.k, float64(alpha), any(a).([]float64), lda, any(b).([]float64), ldb, float64(beta), any(got[:size]).([]float64), ldc)
	}
	for i := 0; i < tc.m; i++ {
		for j := 0; j < ldc; j++ {
			idx := i*ldc + j
			if j >= tc.n {
				// Padding between rows must be left untouched.
				if !sameBits(got[idx], c[idx]) {
					t.Fatalf("%T %+v tA=%v tB=%v: padding C[%d][%d] changed from %v to %v", alpha, tc, tA, tB, i, j, c[idx], got[idx])
				}
				continue
			}
			if d := math.Abs(float64(got[idx] - want[idx])); !(d <= tol*(1+math.Abs(float64(want[idx])))) {
				t.Fatalf("%T %+v tA=%v tB=%v: C[%d][%d] = %v, want %v", alpha, tc, tA, tB, i, j, got[idx], want[idx])
			}
		}
	}
}

func sameBits[T elem](x, y T) bool {
	return math.Float64bits(float64(x)) == math.Float64bits(float64(y)) || (x != x && y != y)
}

// runCases runs every case with every transpose combination in both element types.
func runCases(t *testing.T, seed int64, cases []gemmCase) {
	r := rand.New(rand.NewSource(seed))
	for _, tc := range cases {
		for _, tA := range []bool{false, true} {
			for _, tB := range []bool{false, true} {
				runCase[float32](t, r, tc, tA, tB)
				runCase[float64](t, r, tc, tA, tB)
			}
		}
	}
}

// TestGemmAgainstReference covers odd sizes around the tiles (float32 6×16
// and 12×32, float64 6×8 and 12×16, and the AVX-512 kernels' corners) and
// the blocks, transposed operands, row
// padding, alpha and beta (beta 0 must not read C).
func TestGemmAgainstReference(t *testing.T) {
	cases := []gemmCase{
		{1, 1, 1, 1, 0, 0, 0, 0},
		{3, 5, 7, 1, 0, 0, 0, 0},
		{6, 16, 1, 1, 0, 0, 0, 0},
		{6, 16, 9, 2, 1, 0, 0, 0},
		{6, 8, 9, 2, 1, 0, 0, 0},
		{7, 17, 33, 1, 0.5, 3, 2, 1},
		{13, 31, 5, -1.5, 1, 0, 5, 0},
		{64, 10, 128, 1, 1, 0, 0, 0},
		{65, 47, 300, 0.25, -2, 1, 1, 3},
		{100, 260, 70, 1, 0, 0, 0, 0},
		{173, 9, 513, 1, 1, 2, 0, 0},
		{5, 2100, 20, 1, 1, 0, 0, 7},
		{5, 1100, 20, 1, 1, 0, 0, 7},
		{200, 130, 260, 1, 0.5, 0, 3, 0},
		{130, 250, 260, 1, 0, 0, 3, 0},
		{40, 50, 600, 1, 0, 1, 0, 2},
		{12, 20, 16, 1, 0, 0, 1, 0},
		{6, 16, 9, 1, 1, 2, 0, 0},
		{13, 40, 270, 0.5, 0, 0, 0, 0},
		{2, 3, 0, 1, 0.5, 1, 1, 0},
		{4, 4, 4, 0, 2, 0, 0, 0},
		{6, 32, 9, 1, 0, 0, 0, 0},
		{12, 33, 17, 1, 1, 0, 0, 0},
		{7, 63, 40, 1, 0, 1, 2, 1},
		{18, 64, 264, -0.5, 0.5, 0, 0, 0},
		{11, 95, 8, 1, 1, 3, 1, 0},
		// Around the AVX-512 tiles (12×32 float32, 12×16 float64, and their
		// 6-row and one-zmm corners), kc (256) and mc (168).
		{11, 15, 255, 1, 0, 0, 0, 0},
		{12, 16, 256, 1, 1, 0, 0, 0},
		{13, 17, 257, 1, 0, 0, 1, 2},
		{23, 31, 40, 1, 0.5, 0, 0, 0},
		{24, 48, 512, 1, 0, 0, 0, 0},
		{25, 49, 9, -1, 1, 1, 0, 0},
		{1, 10, 784, 1, 0, 0, 0, 0},
		{64, 10, 128, 1, 0, 0, 0, 1},
		{167, 33, 20, 1, 1, 0, 0, 0},
		{169, 9, 300, 1, 0, 0, 0, 0},
		{180, 1, 30, 1, 0, 0, 0, 0},
		// Narrow last panels of a transposed B (8-column transposes):
		// the shapes of a small CNN's weight gradients, and widths past
		// and short of a multiple of 8.
		{9, 16, 840, 1, 0, 0, 0, 0},
		{32, 144, 200, 1, 1, 0, 2, 0},
		{5, 24, 17, 1, 0, 1, 1, 0},
		{14, 41, 64, 0.5, 0, 0, 3, 1},
		// Full 6-row panels of a transposed A copied 8 values a column
		// (reading two past each): a with no row padding, so the last
		// panel's reads past lie in the next row, and k past kc.
		{6, 40, 300, 1, 0, 0, 0, 0},
		{18, 20, 257, 1, 1, 0, 0, 0},
		{30, 17, 130, 1, 0, 2, 0, 0},
	}
	kernels(t, func(t *testing.T) { runCases(t, 1, cases) })
}

// TestGemmParallel runs sizes large enough to split over goroutines, with
// both split directions (m ≥ n and m < n) and a B packed by the workers
// together.
func TestGemmParallel(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(3))
	cases := []gemmCase{
		{211, 97, 260, 1, 1, 1, 0, 2},
		{50, 301, 300, 1, 0, 0, 2, 0},
		{2100, 2050, 24, 1, 0.5, 0, 1, 3}, // m >= n with two column blocks (nc)
		{211, 120, 260, 1, 0, 0, 1, 0},    // a narrow last panel (24 or 8 columns) in the block of B
	}
	for _, tc := range cases {
		if tc.m*tc.n*tc.k < 2*parallelWork {
			t.Fatalf("%+v is too small to be split", tc)
		}
	}
	kernels(t, func(t *testing.T) { runCases(t, 2, cases) })
}

// TestGemmAllocatesNothing: once the pools hold a product's state and
// packing buffers, a product allocates nothing on the heap, on one thread
// and two, for float32 and float64 on every kernel set: below smallWork
// (plain loops), packed on one goroutine, and split over two by rows
// (claimRows) and by columns. A product used to allocate its operands' mat
// (its block method value escaped into the split), and a split one ten more
// objects (chunks, counters, closures, the parallel call's group, channel and
// shares). testing.AllocsPerRun runs with GOMAXPROCS 1, where no product is
// split, so two threads are counted with mallocsPerRun.
func TestGemmAllocatesNothing(t *testing.T) {
	if raceBuild {
		t.Skip("the race detector allocates on its own")
	}
	cases := []struct {
		m, n, k, workers int
	}{
		{4, 5, 6, 1},
		{32, 40, 24, 1},
		{128, 64, 64, 2}, // m ≥ n: claimRows
		{64, 136, 64, 2}, // m < n: by columns
	}
	for _, procs := range []int{1, 2} {
		kernels(t, func(t *testing.T) {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
			r := rand.New(rand.NewSource(4))
			for _, tc := range cases {
				if w := workersFor(tc.m, tc.n, tc.k); w != min(procs, tc.workers) {
					t.Fatalf("%+v on %d threads: %d workers", tc, procs, w)
				}
				a, b, c := randSlice[float32](r, tc.m*tc.k), randSlice[float32](r, tc.k*tc.n), make([]float32, tc.m*tc.n)
				a64, b64, c64 := randSlice[float64](r, tc.m*tc.k), randSlice[float64](r, tc.k*tc.n), make([]float64, tc.m*tc.n)
				for _, f := range []struct {
					name string
					f    func()
				}{
					{"Sgemm", func() { Sgemm(false, false, tc.m, tc.n, tc.k, 1, a, tc.k, b, tc.n, 0, c, tc.n) }},
					{"Sgemm Bᵀ beta 1", func() { Sgemm(false, true, tc.m, tc.n, tc.k, 0.5, a, tc.k, b, tc.k, 1, c, tc.n) }},
					{"Dgemm", func() { Dgemm(false, false, tc.m, tc.n, tc.k, 1, a64, tc.k, b64, tc.n, 0, c64, tc.n) }},
					{"Dgemm Aᵀ", func() { Dgemm(true, false, tc.m, tc.n, tc.k, 1, a64, tc.m, b64, tc.n, 0, c64, tc.n) }},
				} {
					var got float64
					if procs == 1 {
						got = testing.AllocsPerRun(20, f.f)
					} else {
						got = mallocsPerRun(400, f.f)
					}
					if got != 0 {
						t.Errorf("%s %dx%dx%d on %d threads: %v allocations per product, want 0", f.name, tc.m, tc.n, tc.k, procs, got)
					}
				}
			}
		})
	}
}

// mallocsPerRun is testing.AllocsPerRun without its GOMAXPROCS 1: the heap
// objects allocated per call of f, by any goroutine, as a whole number
// (rounded down, as AllocsPerRun does), after one call to warm up, with the
// garbage collector off so that it does not empty the pools. The runtime
// itself may allocate a few objects now and then (a goroutine sleeping on a
// channel takes a sudog from a per-P cache, refilled from the heap): runs
// is large enough that those do not add up to one per call.
func mallocsPerRun(runs int, f func()) float64 {
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	f()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := 0; i < runs; i++ {
		f()
	}
	runtime.ReadMemStats(&after)
	return float64((after.Mallocs - before.Mallocs) / uint64(runs))
}

func TestSgemmPanicsOnBadArgs(t *testing.T) {
	a := make([]float32, 12)
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"negative m", func() { Sgemm(false, false, -1, 2, 2, 1, a, 2, a, 2, 0, a, 2) }},
		{"short lda", func() { Sgemm(false, false, 2, 2, 3, 1, a, 2, a, 2, 0, a, 2) }},
		{"short ldc", func() { Sgemm(false, false, 2, 3, 2, 1, a, 2, a, 3, 0, a, 2) }},
		{"short A", func() { Sgemm(false, false, 4, 2, 4, 1, a, 4, a, 2, 0, a, 2) }},
		{"short C", func() { Sgemm(false, false, 4, 4, 2, 1, a, 2, a, 4, 0, a[:10], 4) }},
		{"bad transpose", func() {
			Implementation{}.Sgemm(blas.Transpose('x'), blas.NoTrans, 1, 1, 1, 1, a, 1, a, 1, 0, a, 1)
		}},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", tc.name)
				}
			}()
			tc.f()
		}()
	}
}

var errStop = errors.New("stop")

// TestGemmWorkerPanicReachesCaller checks that a panic raised by the check
// hook inside worker goroutines is re-raised on the caller, not a crash.
func TestGemmWorkerPanicReachesCaller(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	defer SetCheck(nil)
	SetCheck(func() { panic(errStop) })
	n := 300
	for _, product := range []func(){
		func() {
			Sgemm(false, false, n, n, n, 1, make([]float32, n*n), n, make([]float32, n*n), n, 0, make([]float32, n*n), n)
		},
		func() {
			Dgemm(false, false, n, n, n, 1, make([]float64, n*n), n, make([]float64, n*n), n, 0, make([]float64, n*n), n)
		},
	} {
		var got any
		func() {
			defer func() { got = recover() }()
			product()
		}()
		if got != errStop {
			t.Fatalf("recovered %v, want %v", got, errStop)
		}
	}
}

// TestImplementationThroughGonum checks the gonum hookup: blas32.Gemm and
// blas64.Gemm with General matrices, including a transposed operand, go
// through Sgemm and Dgemm.
func TestImplementationThroughGonum(t *testing.T) {
	saved32, saved64 := blas32.Implementation(), blas64.Implementation()
	defer blas32.Use(saved32)
	defer blas64.Use(saved64)
	blas32.Use(Implementation{})
	blas64.Use(Implementation{})
	// aᵀ·b = [[1,4],[2,5],[3,6]]·[[1,0],[2,1]]
	want := "[9 4 12 5 15 6]"
	a := blas32.General{Rows: 2, Cols: 3, Stride: 3, Data: []float32{1, 2, 3, 4, 5, 6}}
	b := blas32.General{Rows: 2, Cols: 2, Stride: 2, Data: []float32{1, 0, 2, 1}}
	c := blas32.General{Rows: 3, Cols: 2, Stride: 2, Data: make([]float32, 6)}
	blas32.Gemm(blas.Trans, blas.NoTrans, 1, a, b, 0, c)
	if fmt.Sprint(c.Data) != want {
		t.Fatalf("blas32: got %v, want %v", c.Data, want)
	}
	a64 := blas64.General{Rows: 2, Cols: 3, Stride: 3, Data: []float64{1, 2, 3, 4, 5, 6}}
	b64 := blas64.General{Rows: 2, Cols: 2, Stride: 2, Data: []float64{1, 0, 2, 1}}
	c64 := blas64.General{Rows: 3, Cols: 2, Stride: 2, Data: make([]float64, 6)}
	blas64.Gemm(blas.Trans, blas.NoTrans, 1, a64, b64, 0, c64)
	if fmt.Sprint(c64.Data) != want {
		t.Fatalf("blas64: got %v, want %v", c64.Data, want)
	}
}

func TestSaxpy(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	for _, n := range []int{0, 1, 31, 32, 33, 100, 1000} {
		x, y := randSlice[float32](r, n), randSlice[float32](r, n+3)
		want := append([]float32(nil), y...)
		for i := 0; i < n; i++ {
			want[i] = float32(float64(want[i]) + float64(-0.75)*float64(x[i]))
		}
		Saxpy(-0.75, x, y)
		for i := range y {
			if d := math.Abs(float64(y[i] - want[i])); d > 1e-6*(1+math.Abs(float64(want[i]))) {
				t.Fatalf("n=%d: y[%d] = %v, want %v", n, i, y[i], want[i])
			}
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("Saxpy with a short y did not panic")
		}
	}()
	Saxpy(1, make([]float32, 4), make([]float32, 3))
}

// TestSgemmPanicMidProduct stops one worker after others have passed some
// blocks (the check panics on its fifth call only): every worker must stop
// (none left waiting for the others) and the panic must reach the caller.
func TestSgemmPanicMidProduct(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	defer SetCheck(nil)
	var calls atomic.Int32
	SetCheck(func() {
		if calls.Add(1) == 5 {
			panic(errStop)
		}
	})
	m, n, k := 700, 300, 600 // several row blocks per worker and several k blocks
	var got any
	func() {
		defer func() { got = recover() }()
		Sgemm(false, false, m, n, k, 1, make([]float32, m*k), k, make([]float32, k*n), n, 0, make([]float32, m*n), n)
	}()
	if got != errStop {
		t.Fatalf("recovered %v, want %v", got, errStop)
	}
	// The package still works afterwards.
	SetCheck(nil)
	r := rand.New(rand.NewSource(4))
	runCase[float32](t, r, gemmCase{300, 200, 300, 1, 0, 0, 0, 0}, false, true)
}

// TestGemmAssemblySameBits checks that the assembly kernel sets (avx2,
// avx512) give the same bits: their tiles differ in width, but each element
// is summed over k in the same order with one FMA per term.
func TestGemmAssemblySameBits(t *testing.T) {
	cases := []gemmCase{
		{37, 75, 300, 1, 0, 0, 0, 0},
		{13, 129, 520, 0.5, 1, 1, 2, 3},
		{70, 40, 33, 1, 0.25, 0, 0, 0},
		{25, 10, 260, 1, 0, 0, 0, 0},
		{5, 47, 17, 1, 1, 0, 0, 0},
		// more rows than mc: A read in place across several panels of B
		// with AVX-512, packed with AVX2
		{200, 70, 300, 1, 1, 0, 0, 0},
		{250, 100, 40, 1, 0, 0, 0, 0},
		// more rows than mc, A packed (alpha ≠ 1, or rows 1 KiB apart), a
		// block of 13 rows last, and a narrow panel of B after three full
		// ones
		{181, 97, 260, 0.5, 0, 0, 0, 0},
		{181, 97, 256, 1, 1, 0, 0, 0},
	}
	name := kernelName
	defer choosePath(name)
	var got32 [][]float32
	var got64 [][]float64
	var names []string
	for _, p := range paths[1:] {
		p.install()
		names = append(names, p.name)
		r := rand.New(rand.NewSource(3))
		var out32 []float32
		var out64 []float64
		for _, tc := range cases {
			for _, tA := range []bool{false, true} {
				for _, tB := range []bool{false, true} {
					a, b := randSlice[float32](r, tc.m*tc.k), randSlice[float32](r, tc.k*tc.n)
					c := randSlice[float32](r, tc.m*tc.n)
					lda, ldb := tc.k, tc.n
					if tA {
						lda = tc.m
					}
					if tB {
						ldb = tc.k
					}
					Sgemm(tA, tB, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, c, tc.n)
					out32 = append(out32, c...)
					a64, b64, c64 := make([]float64, len(a)), make([]float64, len(b)), make([]float64, len(c))
					for i := range a {
						a64[i] = float64(a[i])
					}
					for i := range b {
						b64[i] = float64(b[i])
					}
					Dgemm(tA, tB, tc.m, tc.n, tc.k, float64(tc.alpha), a64, lda, b64, ldb, float64(tc.beta), c64, tc.n)
					out64 = append(out64, c64...)
				}
			}
		}
		got32, got64 = append(got32, out32), append(got64, out64)
	}
	if len(names) < 2 {
		t.Skipf("this CPU runs one assembly kernel set (%v)", names)
	}
	for i := range got32[0] {
		if math.Float32bits(got32[0][i]) != math.Float32bits(got32[1][i]) {
			t.Fatalf("float32 element %d: %s %v, %s %v", i, names[0], got32[0][i], names[1], got32[1][i])
		}
	}
	for i := range got64[0] {
		if math.Float64bits(got64[0][i]) != math.Float64bits(got64[1][i]) {
			t.Fatalf("float64 element %d: %s %v, %s %v", i, names[0], got64[0][i], names[1], got64[1][i])
		}
	}
}

// TestChoosePath checks that DBR_CPU chooses a lower kernel set and that a
// name this machine does not run keeps the widest.
func TestChoosePath(t *testing.T) {
	name := kernelName
	defer choosePath(name)
	widest := paths[len(paths)-1].name
	for _, tc := range []struct{ env, want string }{
		{"", widest},
		{"generic", "go"},
		{"go", "go"},
		{"no-such-cpu", widest},
	} {
		choosePath(tc.env)
		if kernelName != tc.want || (tc.want == "go" && f32.nr != 16) {
			t.Errorf("DBR_CPU=%q: kernels %q (nr %d), want %q", tc.env, kernelName, f32.nr, tc.want)
		}
	}
	for _, p := range paths {
		choosePath(p.name)
		if kernelName != p.name {
			t.Errorf("DBR_CPU=%s: kernels %q", p.name, kernelName)
		}
	}
}

// TestGemmSameBitsOnAnyWorkers checks that a product's bits do not depend on
// how many goroutines share it, nor on which of them claims which rows: each
// product (several blocks of k, and of columns for float32's nc) runs on
// one, two and three goroutines, and on two and three where the first claim
// stalls for a while (the others then take most of the rows and wait for
// that chunk in the next block), on every kernel set, with B transposed and
// not (its full panels then copied row by row across the panels).
func TestGemmSameBitsOnAnyWorkers(t *testing.T) {
	defer SetCheck(nil)
	cases := []struct{ m, n, k int }{
		{300, 200, 600},
		{517, 513, 300},
		{160, 2080, 20}, // m < n: split by columns
		{2100, 2050, 24},
	}
	run := func(procs int, stall, tB bool, tc struct{ m, n, k int }, a, b []float32, a64, b64 []float64) ([]float32, []float64) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		var calls atomic.Int32
		SetCheck(func() {
			if stall && calls.Add(1) == 1 {
				time.Sleep(5 * time.Millisecond)
			}
		})
		c := make([]float32, tc.m*tc.n)
		c64 := make([]float64, tc.m*tc.n)
		ldb := tc.n
		if tB {
			ldb = tc.k
		}
		Sgemm(false, tB, tc.m, tc.n, tc.k, 1, a, tc.k, b, ldb, 0, c, tc.n)
		Dgemm(false, tB, tc.m, tc.n, tc.k, 1, a64, tc.k, b64, ldb, 0, c64, tc.n)
		return c, c64
	}
	kernels(t, func(t *testing.T) {
		r := rand.New(rand.NewSource(5))
		for _, tc := range cases {
			a, b := randSlice[float32](r, tc.m*tc.k), randSlice[float32](r, tc.n*tc.k)
			a64, b64 := randSlice[float64](r, tc.m*tc.k), randSlice[float64](r, tc.n*tc.k)
			for _, tB := range []bool{true, false} {
				one, one64 := run(1, false, tB, tc, a, b, a64, b64)
				for _, v := range []struct {
					procs int
					stall bool
				}{{2, false}, {3, false}, {2, true}, {3, true}} {
					got, got64 := run(v.procs, v.stall, tB, tc, a, b, a64, b64)
					for i := range one {
						if math.Float32bits(got[i]) != math.Float32bits(one[i]) {
							t.Fatalf("%+v tB=%v on %d goroutines (stall %v): float32 C[%d] = %v, on one %v", tc, tB, v.procs, v.stall, i, got[i], one[i])
						}
						if math.Float64bits(got64[i]) != math.Float64bits(one64[i]) {
							t.Fatalf("%+v tB=%v on %d goroutines (stall %v): float64 C[%d] = %v, on one %v", tc, tB, v.procs, v.stall, i, got64[i], one64[i])
						}
					}
				}
			}
		}
	})
}

// TestSmallGemmBits: products under smallWork (plain loops, four columns of
// C at a time) give each element the bits of C plus (alpha·a)·b term by term
// in k's order, as the textbook loop in the element type gives: widths
// across the four-column step, both transposes, padded rows, beta 1.
func TestSmallGemmBits(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	for _, sz := range [][3]int{{8, 4, 16}, {16, 4, 8}, {1, 1, 1}, {3, 3, 5}, {2, 5, 7}, {5, 7, 9}, {4, 8, 3}, {3, 9, 11}, {1, 13, 2}} {
		m, n, k := sz[0], sz[1], sz[2]
		if m*n*k >= smallWork {
			t.Fatalf("%v is not under smallWork", sz)
		}
		for _, tA := range []bool{false, true} {
			for _, tB := range []bool{false, true} {
				smallBits[float32](t, r, m, n, k, tA, tB)
				smallBits[float64](t, r, m, n, k, tA, tB)
			}
		}
	}
}

func smallBits[T elem](t *testing.T, r *rand.Rand, m, n, k int, tA, tB bool) {
	t.Helper()
	lda, ldb, ldc := k+1, n+2, n+3
	if tA {
		lda = m + 1
	}
	if tB {
		ldb = k + 2
	}
	a, b := randSlice[T](r, 64*64), randSlice[T](r, 64*64)
	c := randSlice[T](r, m*ldc)
	alpha := T(0.75)
	want := append([]T(nil), c...)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			s := want[i*ldc+j]
			for p := 0; p < k; p++ {
				av, bv := a[i*lda+p], b[p*ldb+j]
				if tA {
					av = a[p*lda+i]
				}
				if tB {
					bv = b[j*ldb+p]
				}
				s += alpha * av * bv
			}
			want[i*ldc+j] = s
		}
	}
	got := append([]T(nil), c...)
	switch g := any(got).(type) {
	case []float32:
		Sgemm(tA, tB, m, n, k, float32(alpha), any(a).([]float32), lda, any(b).([]float32), ldb, 1, g, ldc)
	case []float64:
		Dgemm(tA, tB, m, n, k, float64(alpha), any(a).([]float64), lda, any(b).([]float64), ldb, 1, g, ldc)
	}
	for i := range want {
		if !sameBits(got[i], want[i]) {
			t.Fatalf("%T %dx%dx%d tA=%v tB=%v: C[%d] = %v, want %v", alpha, m, n, k, tA, tB, i, got[i], want[i])
		}
	}
}

// TestPackB checks packB's panels on every path against the definition,
// dst[q*nr+j] = op(B)[q, j] and 0 past n: a transposed B for widths around
// the 8-column transposes of narrow panels and the full panels (nr 16 and
// 32) and row counts around multiples of 8; an untransposed one, whose full
// panels are copied row by row across the panels, for one to several full
// panels with and without a narrow last one; padded rows. The destination
// starts as NaN so an unwritten value shows.
func TestPackB(t *testing.T) {
	kernels(t, func(t *testing.T) {
		r := rand.New(rand.NewSource(5))
		nr := f32.nr
		for _, tB := range []bool{true, false} {
			for _, n := range []int{1, 7, 8, 9, 15, 16, 17, 23, 24, 25, 31, 32, 33, 40, 47, 48, 63, 64, 65, 97, 144} {
				for _, k := range []int{1, 7, 8, 9, 16, 23, 64, 257} {
					for _, pad := range []int{0, 3} {
						packBCase(t, r, nr, tB, n, k, pad)
					}
				}
			}
		}
	})
}

func packBCase(t *testing.T, r *rand.Rand, nr int, tB bool, n, k, pad int) {
	t.Helper()
	ldb, rows := n+pad, k
	if tB {
		ldb, rows = k+pad, n
	}
	b := randSlice[float32](r, rows*ldb)
	// op(B)[q, j]
	at := func(q, j int) float32 {
		if tB {
			return b[j*ldb+q]
		}
		return b[q*ldb+j]
	}
	p := mat[float32]{impl: f32, transB: tB, b: b, ldb: ldb}
	// pack rows 1…k-1 and columns 1…n-1 of a block, as a block past the
	// first in each dimension is packed
	p0, j0 := min(1, k-1), min(1, n-1)
	kk, nn := k-p0, n-j0
	dst := make([]float32, roundUp(nn, nr)*kk)
	for i := range dst {
		dst[i] = float32(math.NaN())
	}
	p.packB(dst, p0, kk, j0, nn)
	for jr := 0; jr < nn; jr += nr {
		panel := dst[jr*kk : (jr+nr)*kk]
		for q := 0; q < kk; q++ {
			for j := 0; j < nr; j++ {
				var want float32
				if jr+j < nn {
					want = at(p0+q, j0+jr+j)
				}
				if got := panel[q*nr+j]; !sameBits(got, want) {
					t.Fatalf("tB=%v n=%d k=%d ldb=%d: panel %d [%d, %d] = %v, want %v", tB, n, k, ldb, jr/nr, q, j, got, want)
				}
			}
		}
	}
}
