package kernels

import (
	"math"
	"math/rand"
	"testing"
)

// TestArith checks the loop in use (AVX2 where the CPU has it) against
// the Go loop bit for bit, over lengths around the vector width and
// operands with zeros of both signs, infinities, NaNs and subnormals.
func TestArith(t *testing.T) {
	r := rand.New(rand.NewSource(6))
	special := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 1e-40, -3e38, 1}
	for _, n := range []int{0, 1, 15, 16, 17, 33, 1000} {
		a, b := randSlice[float32](r, n), randSlice[float32](r, n)
		for i := range a {
			if r.Intn(4) == 0 {
				a[i] = special[r.Intn(len(special))]
			}
			if r.Intn(4) == 0 {
				b[i] = special[r.Intn(len(special))]
			}
		}
		for op := Add; op <= Div; op++ {
			got, want := make([]float32, n+1), make([]float32, n+1)
			got[n], want[n] = 7, 7 // past the end stays
			Arith(op, got[:n], a, b)
			arithGo(op, want[:n], a, b)
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) && !(got[i] != got[i] && want[i] != want[i]) {
					t.Fatalf("op %d n=%d: element %d is %v, the Go loop gives %v", op, n, i, got[i], want[i])
				}
			}
		}
	}
}

// TestArithFloat64 checks the float64 instance against Go's operations.
func TestArithFloat64(t *testing.T) {
	a, b := []float64{1.5, -2, 3, math.Inf(1)}, []float64{0.25, 4, -0.5, 2}
	for op, want := range [][]float64{{1.75, 2, 2.5, math.Inf(1)}, {1.25, -6, 3.5, math.Inf(1)}, {0.375, -8, -1.5, math.Inf(1)}, {6, -0.5, -6, math.Inf(1)}} {
		got := make([]float64, 4)
		Arith(op, got, a, b)
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("op %d: element %d is %v, want %v", op, i, got[i], want[i])
			}
		}
	}
}
