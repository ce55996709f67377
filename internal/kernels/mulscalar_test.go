package kernels

import (
	"fmt"
	"math"
	"math/big"
	"math/rand"
	"testing"
)

// TestMulScalar32 checks MulScalar32 on every kernel set this machine runs
// (go, avx2, avx512) against the exact product of each float32 and s
// rounded to float64 and then to float32 by math/big, on lengths around the
// assembly's 16-element blocks, with zeros of both signs, subnormals,
// products that overflow or underflow float32, infinities and NaNs.
func TestMulScalar32(t *testing.T) { kernels(t, testMulScalar32) }

func testMulScalar32(t *testing.T) {
	r := rand.New(rand.NewSource(12))
	special := []float32{0, float32(math.Copysign(0, -1)), 1e-40, -1e-45, 3e38, -3.4e38, 1, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN())}
	scales := []float64{0.17677669529663687, -3, 1e30, -1e-30, 1.0000001, 0, math.Copysign(0, -1), math.Inf(1), math.NaN()}
	for _, n := range []int{0, 1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 1000, min512 + 33} {
		src := randSlice[float32](r, n)
		for i := range src {
			if r.Intn(4) == 0 {
				src[i] = special[r.Intn(len(special))]
			}
		}
		for _, s := range scales {
			got := make([]float32, n+1)
			got[n] = 7 // past the end stays
			MulScalar32(got[:n], src, s)
			if got[n] != 7 {
				t.Fatalf("n=%d s=%v: wrote past the end", n, s)
			}
			for i, v := range src {
				want, nan := exactMulScalar(v, s)
				g := got[i]
				if nan {
					if g == g {
						t.Fatalf("n=%d s=%v: %v·s is %v, want NaN", n, s, v, g)
					}
					continue
				}
				if math.Float32bits(g) != math.Float32bits(want) {
					t.Fatalf("n=%d s=%v: %v·s is %v (%#x), want %v (%#x)", n, s, v, g, math.Float32bits(g), want, math.Float32bits(want))
				}
			}
		}
	}
}

// exactMulScalar is float32(float64(v)·s) by IEEE rules: big.Float's exact
// product rounded to nearest even, first to 53 bits then to float32, the
// signs of zero and the infinities by hand. nan reports a NaN result.
func exactMulScalar(v float32, s float64) (want float32, nan bool) {
	x := float64(v)
	switch {
	case x != x || s != s, math.IsInf(x, 0) && s == 0, x == 0 && math.IsInf(s, 0):
		return 0, true
	}
	neg := math.Signbit(x) != math.Signbit(s)
	if math.IsInf(x, 0) || math.IsInf(s, 0) {
		return float32(math.Copysign(math.Inf(1), b2f(neg))), false
	}
	if x == 0 || s == 0 {
		return float32(math.Copysign(0, b2f(neg))), false
	}
	p := new(big.Float).SetPrec(0).SetMode(big.ToNearestEven)
	p.Mul(big.NewFloat(x).SetPrec(200), big.NewFloat(s).SetPrec(200))
	p.SetPrec(53) // rounds to nearest even
	f64, _ := p.Float64()
	if f64 == 0 { // underflow of the float64 product keeps its sign
		return float32(math.Copysign(0, b2f(neg))), false
	}
	f, _ := big.NewFloat(f64).Float32()
	if f == 0 {
		f = float32(math.Copysign(0, b2f(neg)))
	}
	return f, false
}

// b2f is -1 when neg, else 1.
func b2f(neg bool) float64 {
	if neg {
		return -1
	}
	return 1
}

// TestAddRows32 checks AddRows32 on every kernel set this machine runs
// against each column summed down its rows in order in a scalar loop, and
// against adding the rows one by one with Saxpy (what the engine's bias
// gradients did before), bit for bit: column counts around the assembly's
// 8- and 64-column blocks, one row and many, zeros of both signs,
// subnormals, infinities, NaNs and values whose order of addition matters.
func TestAddRows32(t *testing.T) { kernels(t, testAddRows32) }

func testAddRows32(t *testing.T) {
	r := rand.New(rand.NewSource(13))
	special := []float32{0, float32(math.Copysign(0, -1)), 1e-40, 3e38, -3e38, 1e8, -1e8, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN())}
	for _, n := range []int{1, 7, 8, 9, 63, 64, 65, 72, 128, 130, 515} {
		for _, rows := range []int{0, 1, 2, 7, 33} {
			src, dst := randSlice[float32](r, rows*n+5), randSlice[float32](r, n+1)
			for i := range src {
				if r.Intn(5) == 0 {
					src[i] = special[r.Intn(len(special))]
				}
			}
			for i := range dst[:n] {
				if r.Intn(5) == 0 {
					dst[i] = special[r.Intn(len(special))]
				}
			}
			dst[n] = 7 // past the end stays
			want := append([]float32(nil), dst...)
			for j := 0; j < n; j++ {
				acc := want[j]
				for i := 0; i < rows; i++ {
					acc += src[i*n+j]
				}
				want[j] = acc
			}
			bySaxpy := append([]float32(nil), dst...)
			for i := 0; i < rows; i++ {
				saxpyGo(1, src[i*n:(i+1)*n], bySaxpy)
			}
			got := append([]float32(nil), dst...)
			AddRows32(got[:n], src, rows) // src holds 5 values past the rows: unread
			for j := range got {
				same := func(a, b float32) bool {
					return math.Float32bits(a) == math.Float32bits(b) || (a != a && b != b)
				}
				if !same(got[j], want[j]) || !same(got[j], bySaxpy[j]) {
					t.Fatalf("n=%d rows=%d: column %d is %v, summed in order %v, by Saxpy %v", n, rows, j, got[j], want[j], bySaxpy[j])
				}
			}
		}
	}
	for _, c := range []struct{ n, rows, have int }{{4, 3, 11}, {4, -1, 8}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("AddRows32 of %d rows of %d from %d values did not panic", c.rows, c.n, c.have)
				}
			}()
			AddRows32(make([]float32, c.n), make([]float32, c.have), c.rows)
		}()
	}
}

// BenchmarkAddRows32 times a bias gradient's sum of rows, the transformer
// block's shapes, by AddRows32 and by one Saxpy per row, on every kernel set.
func BenchmarkAddRows32(b *testing.B) {
	name := kernelName
	defer func() {
		for _, p := range paths {
			if p.name == name {
				p.install()
			}
		}
	}()
	r := rand.New(rand.NewSource(1))
	for _, s := range []struct{ rows, n int }{{1024, 128}, {1024, 512}} {
		src, dst := randSlice[float32](r, s.rows*s.n), make([]float32, s.n)
		for _, p := range paths {
			b.Run(fmt.Sprintf("rows/%dx%d/%s", s.rows, s.n, p.name), func(b *testing.B) {
				p.install()
				for i := 0; i < b.N; i++ {
					AddRows32(dst, src, s.rows)
				}
			})
			b.Run(fmt.Sprintf("saxpy/%dx%d/%s", s.rows, s.n, p.name), func(b *testing.B) {
				p.install()
				for i := 0; i < b.N; i++ {
					for j := 0; j < s.rows; j++ {
						Saxpy(1, src[j*s.n:(j+1)*s.n], dst)
					}
				}
			})
		}
	}
}
