package gemm

import (
	"fmt"
	"math/rand"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// BenchmarkSgemm reports GFLOP/s of square products with this package and,
// for comparison, gonum's pure-Go Sgemm.
func BenchmarkSgemm(b *testing.B) {
	r := rand.New(rand.NewSource(1))
	for _, n := range []int{64, 128, 256, 512, 1024} {
		x, y, z := randSlice(r, n*n), randSlice(r, n*n), make([]float32, n*n)
		flops := 2 * float64(n) * float64(n) * float64(n)
		b.Run(fmt.Sprintf("dbr/%s/n=%d", Kernel(), n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				Sgemm(false, false, n, n, n, 1, x, n, y, n, 0, z, n)
			}
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
		if n <= 512 {
			b.Run(fmt.Sprintf("gonum/n=%d", n), func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					gonum.Implementation{}.Sgemm(blas.NoTrans, blas.NoTrans, n, n, n, 1, x, n, y, n, 0, z, n)
				}
				b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
