package gemm

import (
	"fmt"
	"math"
	"math/rand"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// runCaseD is runCase for Dgemm: random operands with the case's padding,
// compared with a textbook triple loop.
func runCaseD(t *testing.T, r *rand.Rand, tc gemmCase, tA, tB bool) {
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
	rnd := func(n int) []float64 {
		s := make([]float64, max(n, 1))
		for i := range s {
			s[i] = r.NormFloat64()
		}
		return s
	}
	a, b, c := rnd(ar*lda), rnd(br*ldb), rnd(tc.m*ldc)
	if tc.beta == 0 {
		for i := range c {
			c[i] = math.NaN()
		}
	}
	want := append([]float64(nil), c...)
	for i := 0; i < tc.m; i++ {
		for j := 0; j < tc.n; j++ {
			var s float64
			for p := 0; p < tc.k; p++ {
				ai, bi := i*lda+p, p*ldb+j
				if tA {
					ai = p*lda + i
				}
				if tB {
					bi = j*ldb + p
				}
				s += a[ai] * b[bi]
			}
			v := float64(tc.alpha) * s
			if tc.beta != 0 {
				v += float64(tc.beta) * c[i*ldc+j]
			}
			want[i*ldc+j] = v
		}
	}
	got := append([]float64(nil), c...)
	Dgemm(tA, tB, tc.m, tc.n, tc.k, float64(tc.alpha), a, lda, b, ldb, float64(tc.beta), got, ldc)
	tol := 1e-13 * float64(tc.k+4)
	for i := 0; i < tc.m; i++ {
		for j := 0; j < ldc; j++ {
			idx := i*ldc + j
			if j >= tc.n {
				if math.Float64bits(got[idx]) != math.Float64bits(c[idx]) {
					t.Fatalf("%+v tA=%v tB=%v: padding C[%d][%d] changed", tc, tA, tB, i, j)
				}
				continue
			}
			if d := math.Abs(got[idx] - want[idx]); !(d <= tol*(1+math.Abs(want[idx]))) {
				t.Fatalf("%+v tA=%v tB=%v: C[%d][%d] = %v, want %v", tc, tA, tB, i, j, got[idx], want[idx])
			}
		}
	}
}

func TestDgemmAgainstReference(t *testing.T) {
	cases := []gemmCase{
		{1, 1, 1, 1, 0, 0, 0, 0},
		{3, 5, 7, 1, 0, 0, 0, 0},
		{6, 8, 9, 2, 1, 0, 0, 0},
		{7, 17, 33, 1, 0.5, 3, 2, 1},
		{65, 47, 300, 0.25, -2, 1, 1, 3},
		{173, 9, 513, 1, 1, 2, 0, 0},
		{5, 1100, 20, 1, 1, 0, 0, 7},
		{130, 250, 260, 1, 0, 0, 3, 0},
		{2, 3, 0, 1, 0.5, 1, 1, 0},
	}
	saved := kernelD
	defer func() { kernelD = saved }()
	for _, k := range []struct {
		name string
		f    func(int, []float64, []float64, []float64, int, bool)
	}{{"go", kernelGoD}, {"default", saved}} {
		kernelD = k.f
		t.Run(k.name, func(t *testing.T) {
			r := rand.New(rand.NewSource(1))
			for _, tc := range cases {
				for _, tA := range []bool{false, true} {
					for _, tB := range []bool{false, true} {
						runCaseD(t, r, tc, tA, tB)
					}
				}
			}
		})
	}
}

func TestDgemmParallelAndInterrupt(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(3))
	r := rand.New(rand.NewSource(2))
	for _, tc := range []gemmCase{{211, 97, 260, 1, 1, 1, 0, 2}, {50, 301, 300, 1, 0, 0, 2, 0}} {
		if tc.m*tc.n*tc.k < 2*parallelWork {
			t.Fatalf("%+v is too small to be split", tc)
		}
		runCaseD(t, r, tc, tc.m > 100, tc.m < 100)
	}

	defer SetCheck(nil)
	SetCheck(func() { panic(errStop) })
	var got any
	func() {
		defer func() { got = recover() }()
		n := 300
		Dgemm(false, false, n, n, n, 1, make([]float64, n*n), n, make([]float64, n*n), n, 0, make([]float64, n*n), n)
	}()
	if got != errStop {
		t.Fatalf("recovered %v, want %v", got, errStop)
	}
}

func TestDgemmThroughBlas64(t *testing.T) {
	saved := blas64.Implementation()
	defer blas64.Use(saved)
	blas64.Use(Implementation{})
	a := blas64.General{Rows: 2, Cols: 3, Stride: 3, Data: []float64{1, 2, 3, 4, 5, 6}}
	b := blas64.General{Rows: 2, Cols: 2, Stride: 2, Data: []float64{1, 0, 2, 1}}
	c := blas64.General{Rows: 3, Cols: 2, Stride: 2, Data: make([]float64, 6)}
	blas64.Gemm(blas.Trans, blas.NoTrans, 1, a, b, 0, c)
	if want := []float64{9, 4, 12, 5, 15, 6}; fmt.Sprint(c.Data) != fmt.Sprint(want) {
		t.Fatalf("got %v, want %v", c.Data, want)
	}
}
