package gemm

import (
	"errors"
	"fmt"
	"math"
	"math/rand"
	"runtime"
	"sync/atomic"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// reference computes alpha·op(A)·op(B) + beta·C in float64 with the
// textbook triple loop.
func reference(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) []float32 {
	out := append([]float32(nil), c...)
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
				av, bv := a[ai], b[bi]
				s += float64(av) * float64(bv)
			}
			v := float64(alpha) * s
			if beta != 0 {
				v += float64(beta) * float64(c[i*ldc+j])
			}
			out[i*ldc+j] = float32(v)
		}
	}
	return out
}

func randSlice(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.NormFloat64())
	}
	return s
}

// kernels runs f once per available micro-kernel, restoring the default.
func kernels(t *testing.T, f func(t *testing.T)) {
	saved, savedName, savedPack, savedRows, savedCopy := kernel, kernelName, packTrans16, packRows6, packCopy16
	defer func() {
		kernel, kernelName, packTrans16, packRows6, packCopy16 = saved, savedName, savedPack, savedRows, savedCopy
	}()
	list := []struct {
		name string
		k    func(int, []float32, []float32, []float32, int, bool)
	}{{"go", kernelGo}}
	if savedName != "go" {
		list = append(list, struct {
			name string
			k    func(int, []float32, []float32, []float32, int, bool)
		}{savedName, saved})
	}
	for _, kk := range list {
		kernel, kernelName = kk.k, kk.name
		packTrans16, packRows6, packCopy16 = nil, nil, nil
		if kk.name != "go" {
			packTrans16, packRows6, packCopy16 = savedPack, savedRows, savedCopy
		}
		t.Run(kk.name, f)
	}
}

type gemmCase struct {
	m, n, k          int
	alpha, beta      float32
	padA, padB, padC int
}

func runCase(t *testing.T, r *rand.Rand, tc gemmCase, tA, tB bool) {
	t.Helper()
	ar, ac := tc.m, tc.k
	if tA {
		ar, ac = tc.k, tc.m
	}
	br, bc := tc.k, tc.n
	if tB {
		br, bc = tc.n, tc.k
	}
	lda, ldb, ldc := ac+tc.padA, bc+tc.padB, tc.n+tc.padC
	a := randSlice(r, max(ar*lda, 1))
	b := randSlice(r, max(br*ldb, 1))
	c := randSlice(r, max(tc.m*ldc, 1))
	if tc.beta == 0 {
		// beta 0 must not read C: NaNs there must not leak into the result.
		for i := range c {
			c[i] = float32(math.NaN())
		}
	}
	want := reference(tA, tB, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, c, ldc)
	got := append([]float32(nil), c...)
	Sgemm(tA, tB, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, got, ldc)
	// float32 accumulation of k terms of size ~1: error grows like sqrt(k)·eps.
	tol := 1e-5 * float64(tc.k+4)
	for i := 0; i < tc.m; i++ {
		for j := 0; j < ldc; j++ {
			idx := i*ldc + j
			if j >= tc.n {
				// Padding between rows must be left untouched.
				if math.Float32bits(got[idx]) != math.Float32bits(c[idx]) {
					t.Fatalf("%+v tA=%v tB=%v: padding C[%d][%d] changed from %v to %v", tc, tA, tB, i, j, c[idx], got[idx])
				}
				continue
			}
			if d := math.Abs(float64(got[idx] - want[idx])); !(d <= tol*(1+math.Abs(float64(want[idx])))) {
				t.Fatalf("%+v tA=%v tB=%v: C[%d][%d] = %v, want %v", tc, tA, tB, i, j, got[idx], want[idx])
			}
		}
	}
}

func TestSgemmAgainstReference(t *testing.T) {
	cases := []gemmCase{
		{1, 1, 1, 1, 0, 0, 0, 0},
		{3, 5, 7, 1, 0, 0, 0, 0},
		{6, 16, 1, 1, 0, 0, 0, 0},
		{6, 16, 9, 2, 1, 0, 0, 0},
		{7, 17, 33, 1, 0.5, 3, 2, 1},
		{13, 31, 5, -1.5, 1, 0, 5, 0},
		{64, 10, 128, 1, 1, 0, 0, 0},
		{65, 47, 300, 0.25, -2, 1, 1, 3},
		{100, 260, 70, 1, 0, 0, 0, 0},
		{173, 9, 513, 1, 1, 2, 0, 0},
		{5, 2100, 20, 1, 1, 0, 0, 7},
		{200, 130, 260, 1, 0.5, 0, 3, 0},
		{40, 50, 600, 1, 0, 1, 0, 2},
		{12, 20, 16, 1, 0, 0, 1, 0},
		{6, 16, 9, 1, 1, 2, 0, 0},
		{13, 40, 270, 0.5, 0, 0, 0, 0},
		{2, 3, 0, 1, 0.5, 1, 1, 0},
		{4, 4, 4, 0, 2, 0, 0, 0},
	}
	kernels(t, func(t *testing.T) {
		r := rand.New(rand.NewSource(1))
		for _, tc := range cases {
			for _, tA := range []bool{false, true} {
				for _, tB := range []bool{false, true} {
					runCase(t, r, tc, tA, tB)
				}
			}
		}
	})
}

// TestSgemmParallel runs sizes large enough to split over goroutines, with
// both split directions (m ≥ n and m < n).
func TestSgemmParallel(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(3))
	kernels(t, func(t *testing.T) {
		r := rand.New(rand.NewSource(2))
		for _, tc := range []gemmCase{
			{211, 97, 260, 1, 1, 1, 0, 2},
			{50, 301, 300, 1, 0, 0, 2, 0},
			{2100, 2050, 24, 1, 0.5, 0, 1, 3}, // m >= n with two column blocks (nc)
		} {
			if tc.m*tc.n*tc.k < 2*parallelWork {
				t.Fatalf("%+v is too small to be split", tc)
			}
			for _, tA := range []bool{false, true} {
				for _, tB := range []bool{false, true} {
					runCase(t, r, tc, tA, tB)
				}
			}
		}
	})
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

// TestSgemmWorkerPanicReachesCaller checks that a panic raised by the check
// hook inside worker goroutines is re-raised on the caller, not a crash.
func TestSgemmWorkerPanicReachesCaller(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	defer SetCheck(nil)
	SetCheck(func() { panic(errStop) })
	n := 300
	a := make([]float32, n*n)
	var got any
	func() {
		defer func() { got = recover() }()
		Sgemm(false, false, n, n, n, 1, a, n, a, n, 0, make([]float32, n*n), n)
	}()
	if got != errStop {
		t.Fatalf("recovered %v, want %v", got, errStop)
	}
}

// TestImplementationThroughBlas32 checks the gonum hookup: blas32.Gemm with
// General matrices, including a transposed operand, goes through Sgemm.
func TestImplementationThroughBlas32(t *testing.T) {
	saved := blas32.Implementation()
	defer blas32.Use(saved)
	blas32.Use(Implementation{})
	a := blas32.General{Rows: 2, Cols: 3, Stride: 3, Data: []float32{1, 2, 3, 4, 5, 6}}
	b := blas32.General{Rows: 2, Cols: 2, Stride: 2, Data: []float32{1, 0, 2, 1}}
	c := blas32.General{Rows: 3, Cols: 2, Stride: 2, Data: make([]float32, 6)}
	blas32.Gemm(blas.Trans, blas.NoTrans, 1, a, b, 0, c)
	// aᵀ·b = [[1,4],[2,5],[3,6]]·[[1,0],[2,1]]
	want := []float32{9, 4, 12, 5, 15, 6}
	if fmt.Sprint(c.Data) != fmt.Sprint(want) {
		t.Fatalf("got %v, want %v", c.Data, want)
	}
}

func TestSaxpy(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	for _, n := range []int{0, 1, 31, 32, 33, 100, 1000} {
		x, y := randSlice(r, n), randSlice(r, n+3)
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
	runCase(t, r, gemmCase{300, 200, 300, 1, 0, 0, 0, 0}, false, true)
}
