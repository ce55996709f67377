package kernels

import (
	"math"
	"math/rand"
	"testing"
)

// TestSaxpyPaths runs Saxpy with every kernel set this machine runs on the
// same cases, lengths around the 32- and 64-element blocks of the assembly:
// each is within float32 rounding of a float64 reference, and the assembly
// sets (avx2, avx512: one FMA per element) give the same bits as each other.
func TestSaxpyPaths(t *testing.T) {
	r := rand.New(rand.NewSource(8))
	ns := []int{0, 1, 31, 32, 33, 63, 64, 65, 95, 96, 127, 128, 129, 1000, min512 - 1, min512, min512 + 65, min512 + 97}
	xs, ys := make([][]float32, len(ns)), make([][]float32, len(ns))
	for i, n := range ns {
		xs[i], ys[i] = randSlice[float32](r, n), randSlice[float32](r, n+1)
	}
	var asm [][]float32 // the first assembly set's results, by case
	kernels(t, func(t *testing.T) {
		for i, n := range ns {
			y := append([]float32(nil), ys[i]...)
			Saxpy(-0.75, xs[i], y)
			for j := range y {
				want, bound := float64(ys[i][j]), 0.0 // past n: unchanged
				if j < n {
					ax := -0.75 * float64(xs[i][j])
					// at most one rounding of the product and one of the sum
					want, bound = want+ax, 0x1p-23*(math.Abs(want)+math.Abs(ax))
				}
				if d := math.Abs(float64(y[j]) - want); d > bound {
					t.Fatalf("n=%d: y[%d] = %v, want %v", n, j, y[j], want)
				}
			}
			if Kernel() == "go" {
				continue
			}
			if len(asm) <= i {
				asm = append(asm, y)
				continue
			}
			for j := range y {
				if math.Float32bits(y[j]) != math.Float32bits(asm[i][j]) {
					t.Fatalf("n=%d: y[%d] = %v with %s, %v with the first assembly set", n, j, y[j], Kernel(), asm[i][j])
				}
			}
		}
	})
}
