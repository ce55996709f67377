package kernels

import (
	"fmt"
	"math"
	"math/rand"
	"testing"
)

// TestArith checks the loop of every kernel set this machine runs (go,
// avx2, avx512) against the Go loop bit for bit, on the same cases: lengths
// around the 16- and 32-element blocks of the assembly, and operands with
// zeros of both signs, infinities, NaNs and subnormals.
func TestArith(t *testing.T) { kernels(t, testArith) }

func testArith(t *testing.T) {
	r := rand.New(rand.NewSource(6))
	special := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 1e-40, -3e38, 1}
	for _, n := range []int{0, 1, 15, 16, 17, 31, 32, 33, 47, 63, 64, 65, 1000, min512 - 1, min512, min512 + 33} {
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

// BenchmarkElementwise times the elementwise loops of every kernel set this
// machine runs, on 4096 floats (in L1) and 256K (in L2).
func BenchmarkElementwise(b *testing.B) {
	name := kernelName
	defer func() {
		for _, p := range paths {
			if p.name == name {
				p.install()
			}
		}
	}()
	r := rand.New(rand.NewSource(1))
	for _, n := range []int{4096, 1 << 18} {
		x, y, z := randSlice[float32](r, n), randSlice[float32](r, n), make([]float32, n)
		m, v := make([]float64, n), make([]float64, n)
		s := &AdamStep{Decay: 1, Beta1: 0.9, Beta2: 0.999, StepSize: 1e-3, BC2Sqrt: 0.03, Eps: 1e-8}
		for _, p := range paths {
			for _, op := range []struct {
				name string
				f    func()
			}{
				{"mul", func() { Arith(Mul, z, x, y) }},
				{"relu", func() { ReLU32(z, x) }},
				{"mulscalar", func() { MulScalar32(z, x, 0.17677669529663687) }},
				{"relugrad", func() { ReLUGrad32(z, x, y) }},
				{"saxpy", func() { Saxpy(0.5, x, z) }},
				{"adam", func() { Adam32(z, x, m, v, s) }}, // m, v and z settle: the same work each call
			} {
				b.Run(fmt.Sprintf("%s/n=%d/%s", op.name, n, p.name), func(b *testing.B) {
					p.install()
					clear(z)
					clear(m)
					clear(v)
					b.SetBytes(int64(4 * n))
					for i := 0; i < b.N; i++ {
						op.f()
					}
				})
			}
		}
	}
}
