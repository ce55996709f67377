package kernels

import (
	"math"
	"testing"
)

// TestSoftplusThreshold32 checks Softplus32 where β·x meets the threshold
// (x itself only above it, as PyTorch: at it, ln(1 + e^(β·x))/β) and one
// float either side, for thresholds where the two differ (TestVmath's 20
// hides it: ln(1 + e²⁰) rounds to 20), on every kernel set, against the
// formula in float64 within the bound of Softplus32's doc and the rounding
// of the quotient by β.
func TestSoftplusThreshold32(t *testing.T) { kernels(t, testSoftplusThreshold32) }

func testSoftplusThreshold32(t *testing.T) {
	for _, c := range []struct{ beta, threshold, x float32 }{
		{1, 1, 1}, {2, 5, 2.5}, {-1.5, 3, -2}, {0.5, 0.25, 0.5},
	} {
		for _, x := range []float32{math.Nextafter32(c.x, float32(math.Inf(-1))), c.x, math.Nextafter32(c.x, float32(math.Inf(1)))} {
			got := make([]float32, 1)
			Softplus32(got, []float32{x}, c.beta, c.threshold)
			b := x * c.beta // rounded to float32, as the doc says
			want := float64(x)
			if b <= c.threshold {
				want = math.Log1p(math.Exp(float64(b))) / float64(c.beta)
			}
			if e := ulpErr(got[0], want); e > 2.82+1 {
				t.Errorf("%s: Softplus32(%v) with β %v, threshold %v (β·x = %v) is %v, want %v: %.2f ulp", Kernel(), x, c.beta, c.threshold, b, got[0], want, e)
			}
		}
	}
}
