package kernels

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
		x, y, z := randSlice[float32](r, n*n), randSlice[float32](r, n*n), make([]float32, n*n)
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

// BenchmarkSgemmMLP times the products of one training step of a
// 784-256-128-10 MLP at batch 64 (forward x·wᵀ, backward g·w and gᵀ·x).
func BenchmarkSgemmMLP(b *testing.B) {
	r := rand.New(rand.NewSource(1))
	for _, s := range []struct {
		name    string
		tA, tB  bool
		m, n, k int
	}{
		{"fwd1", false, true, 64, 256, 784},
		{"fwd2", false, true, 64, 128, 256},
		{"dw1", true, false, 256, 784, 64},
		{"dw2", true, false, 128, 256, 64},
		{"dx2", false, false, 64, 256, 128},
	} {
		x, y, z := randSlice[float32](r, s.m*s.k), randSlice[float32](r, s.k*s.n), make([]float32, s.m*s.n)
		lda, ldb := s.k, s.n
		if s.tA {
			lda = s.m
		}
		if s.tB {
			ldb = s.k
		}
		flops := 2 * float64(s.m*s.n*s.k)
		b.Run(s.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				Sgemm(s.tA, s.tB, s.m, s.n, s.k, 1, x, lda, y, ldb, 0, z, s.n)
			}
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkSgemmFewRows times products of a few rows, as an LSTM step's
// h·W_hhᵀ at batch 32 (hidden 256, four gates) and smaller batches: the
// last tile of rows is short.
func BenchmarkSgemmFewRows(b *testing.B) {
	r := rand.New(rand.NewSource(1))
	const n, k = 1024, 256
	w := randSlice[float32](r, n*k)
	for _, m := range []int{1, 4, 8, 32} {
		x, z := randSlice[float32](r, m*k), make([]float32, m*n)
		b.Run(fmt.Sprintf("%s/m=%d", Kernel(), m), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				Sgemm(false, true, m, n, k, 1, x, k, w, k, 0, z, n)
			}
			b.ReportMetric(2*float64(m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkDgemm reports GFLOP/s of square float64 products with this
// package and with gonum's pure-Go Dgemm.
func BenchmarkDgemm(b *testing.B) {
	r := rand.New(rand.NewSource(1))
	for _, n := range []int{128, 512} {
		x, y, z := make([]float64, n*n), make([]float64, n*n), make([]float64, n*n)
		for i := range x {
			x[i], y[i] = r.NormFloat64(), r.NormFloat64()
		}
		flops := 2 * float64(n) * float64(n) * float64(n)
		b.Run(fmt.Sprintf("dbr/n=%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				Dgemm(false, false, n, n, n, 1, x, n, y, n, 0, z, n)
			}
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
		b.Run(fmt.Sprintf("gonum/n=%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				gonum.Implementation{}.Dgemm(blas.NoTrans, blas.NoTrans, n, n, n, 1, x, n, y, n, 0, z, n)
			}
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkVmath times the float32 exp, log, tanh, sigmoid and GELU loops
// (GELU's and its gradient's over inputs of both signs), and a softmax row's
// ExpSum32, over 4096 elements on each path this machine runs (ns/op over
// 4096 elements).
func BenchmarkVmath(b *testing.B) {
	r := rand.New(rand.NewSource(1))
	x := randSlice[float32](r, 4096)
	for i := range x {
		x[i] = x[i]*x[i] + 1e-3 // positive, for Log32
	}
	xs := randSlice[float32](r, len(x)) // both signs, for GELU32's branches
	for i := range xs {
		xs[i] *= 3
	}
	y := make([]float32, len(x))
	kernelsB(b, func(b *testing.B) {
		for _, f := range []struct {
			name string
			f    func(dst, src []float32)
		}{{"Exp32", Exp32}, {"Log32", Log32}, {"Tanh32", Tanh32}, {"Sigmoid32", Sigmoid32},
			{"ExpSum32", func(dst, src []float32) { ExpSum32(dst, src, 1, 0) }},
			{"GELU32", func(dst, _ []float32) { GELU32(dst, xs) }},
			{"GELUGrad32", func(dst, src []float32) { GELUGrad32(dst, src, xs) }}} {
			b.Run(f.name, func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					f.f(y, x)
				}
			})
		}
	})
}

// kernelsB is kernels for benchmarks.
func kernelsB(b *testing.B, f func(b *testing.B)) {
	name := kernelName
	defer func() {
		for _, p := range paths {
			if p.name == name {
				p.install()
			}
		}
	}()
	for _, p := range paths {
		p.install()
		b.Run(p.name, f)
	}
}

// BenchmarkSgemmCNNWeightGrad times the per-image weight-gradient products
// of the bench's CNN step (conv 1→16 as ∂wᵀ = cols·gᵀ, conv 16→32 as
// ∂w = g·colsᵀ): transposed B with a narrow last panel.
func BenchmarkSgemmCNNWeightGrad(b *testing.B) {
	r := rand.New(rand.NewSource(1))
	for _, s := range []struct{ m, n, k int }{{9, 16, 840}, {32, 144, 224}} {
		x, y, z := randSlice[float32](r, s.m*s.k), randSlice[float32](r, s.n*s.k), make([]float32, s.m*s.n)
		b.Run(fmt.Sprintf("%s/%dx%dx%d", Kernel(), s.m, s.n, s.k), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				Sgemm(false, true, s.m, s.n, s.k, 1, x, s.k, y, s.k, 1, z, s.n)
			}
		})
	}
}

// BenchmarkSgemmTransformerWeightGrad times the weight-gradient products
// ∂w = gᵀ·x of the bench's transformer block (1024 rows: batch 16 × sequence
// 64): a transposed A packed over the whole of k.
func BenchmarkSgemmTransformerWeightGrad(b *testing.B) {
	r := rand.New(rand.NewSource(1))
	for _, s := range []struct{ m, n, k int }{{384, 128, 1024}, {128, 128, 1024}, {512, 128, 1024}, {128, 512, 1024}} {
		x, y, z := randSlice[float32](r, s.k*s.m), randSlice[float32](r, s.k*s.n), make([]float32, s.m*s.n)
		b.Run(fmt.Sprintf("%s/%dx%dx%d", Kernel(), s.m, s.n, s.k), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				Sgemm(true, false, s.m, s.n, s.k, 1, x, s.m, y, s.n, 0, z, s.n)
			}
		})
	}
}
