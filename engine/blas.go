//go:build !netlib

package engine

import (
	"github.com/dbr-go/dbr/internal/gemm"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
)

// float32 and float64 products go through dbr's blocked AVX2/pure-Go GEMM
// (internal/gemm), which checks for interrupts between blocks; the rest of
// gonum's BLAS is unchanged.
func init() {
	blas32.Use(gemm.Implementation{})
	blas64.Use(gemm.Implementation{})
	gemm.SetCheck(CheckInterrupt)
}
