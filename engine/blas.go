//go:build !netlib

package engine

import (
	"github.com/dbr-go/dbr/internal/kernels"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
)

// float32 and float64 products go through dbr's blocked AVX2/pure-Go GEMM
// (internal/kernels), which checks for interrupts between blocks; the rest of
// gonum's BLAS is unchanged.
func init() {
	blas32.Use(kernels.Implementation{})
	blas64.Use(kernels.Implementation{})
	kernels.SetCheck(CheckInterrupt)
}
