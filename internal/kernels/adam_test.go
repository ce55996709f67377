package kernels

import (
	"math"
	"math/rand"
	"slices"
	"testing"
)

// TestAdam32 checks the Adam loop of every kernel set this machine runs
// (go, avx2, avx512) against the Go loop bit for bit, and the Go loop
// against the formula computed element by element, over lengths around the
// 4- and 8-element blocks of the assembly and gradients that include zeros
// and extremes.
func TestAdam32(t *testing.T) { kernels(t, testAdam32) }

func testAdam32(t *testing.T) {
	r := rand.New(rand.NewSource(5))
	for _, n := range []int{0, 1, 3, 4, 5, 7, 8, 9, 12, 17, 1000, min512 - 1, min512, min512 + 9} {
		p, g := randSlice[float32](r, n), randSlice[float32](r, n)
		m, v := make([]float64, n), make([]float64, n)
		for i := range m {
			m[i], v[i] = r.NormFloat64()*0.1, r.Float64()
		}
		if n > 3 {
			g[0], g[1], g[2] = 0, 1e30, -1e-30
		}
		s := &AdamStep{Decay: 0.999, Beta1: 0.9, Beta2: 0.999, StepSize: 0.01 / (1 - 0.9*0.9), BC2Sqrt: math.Sqrt(1 - 0.999*0.999), Eps: 1e-8}
		p2, m2, v2 := slices.Clone(p), slices.Clone(m), slices.Clone(v)
		Adam32(p, g, m, v, s)
		c := adamConsts{s.Decay, s.Beta1, 1 - s.Beta1, s.Beta2, 1 - s.Beta2, s.StepSize, s.BC2Sqrt, s.Eps}
		p3, m3, v3 := slices.Clone(p2), slices.Clone(m2), slices.Clone(v2)
		adamGo(p2, g, m2, v2, &c)
		if !slices.Equal(p, p2) || !slices.Equal(m, m2) || !slices.Equal(v, v2) {
			t.Errorf("n=%d: Adam32 (%s) differs from the Go loop", n, Kernel())
		}
		for j := range p3 {
			gj := float64(g[j])
			mj := 0.9*m3[j] + 0.1*gj
			vj := 0.999*v3[j] + 0.001*gj*gj
			want := float32(float64(p3[j])*0.999 - s.StepSize*mj/(math.Sqrt(vj)/s.BC2Sqrt+1e-8))
			if d := math.Abs(float64(p2[j] - want)); d > 1e-6*(1+math.Abs(float64(want))) {
				t.Fatalf("n=%d: p[%d] = %v, want %v", n, j, p2[j], want)
			}
		}
	}
}
