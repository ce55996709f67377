package kernels

import (
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
