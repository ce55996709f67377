//go:build netlib

package engine

import (
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/netlib/blas/netlib"
)

// Built with -tags netlib, all BLAS calls go through cgo to the system's CBLAS
// (OpenBLAS on Debian: apt-get install libopenblas-dev, then build with
// CGO_LDFLAGS=-lopenblas go build -tags netlib ./...). One BLAS call cannot be
// interrupted then: Ctrl-C stops a long loop between products, not inside one.
// The default build (no tag) stays pure Go.
func init() {
	blas32.Use(netlib.Implementation{})
	blas64.Use(netlib.Implementation{})
}
