package kernels

import "math"

// AdamStep holds the constants of one Adam update of a parameter (see Adam32).
type AdamStep struct {
	Decay    float64 // p is multiplied by it first: 1 − lr·wd for AdamW, else 1
	Beta1    float64
	Beta2    float64
	StepSize float64 // lr / (1 − β₁ᵗ)
	BC2Sqrt  float64 // √(1 − β₂ᵗ)
	Eps      float64
}

// adamConsts is AdamStep as the assembly reads it, with 1 − β₁ and 1 − β₂.
type adamConsts struct {
	decay, b1, omb1, b2, omb2, step, bc2, eps float64
}

// adam is Adam32's loop; init in kernel_amd64.go swaps in AVX2.
var adam = adamGo

// Adam32 applies one Adam update to the float32 parameters p, with their
// gradients g and the float64 moments m and v (all of len(p); it panics
// otherwise), computing in float64 and rounding p to float32 at the end:
//
//	p ← p·Decay;  m ← β₁·m + (1−β₁)·g;  v ← β₂·v + (1−β₂)·g·g
//	p ← p − StepSize·m / (√v/BC2Sqrt + Eps)
//
// Every operation is rounded as written (no fused multiply-adds), so the
// AVX2 loop and the Go loop give the same bits.
func Adam32(p, g []float32, m, v []float64, s *AdamStep) {
	n := len(p)
	_, _, _ = g[:n], m[:n], v[:n]
	c := adamConsts{s.Decay, s.Beta1, 1 - s.Beta1, s.Beta2, 1 - s.Beta2, s.StepSize, s.BC2Sqrt, s.Eps}
	adam(p, g[:n], m[:n], v[:n], &c)
}

func adamGo(p, g []float32, m, v []float64, c *adamConsts) {
	// the float64 conversions keep the compiler from fusing a multiply and an add
	for j := range p {
		pj, gj := float64(p[j])*c.decay, float64(g[j])
		m[j] = float64(c.b1*m[j]) + float64(c.omb1*gj)
		v[j] = float64(c.b2*v[j]) + float64(c.omb2*gj*gj)
		p[j] = float32(pj - float64(c.step*m[j])/(math.Sqrt(v[j])/c.bc2+c.eps))
	}
}
