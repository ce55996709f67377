//go:build netlib

package engine

import (
	"testing"

	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/netlib/blas/netlib"
)

// TestNetlibInstalled checks that -tags netlib routes both dtypes' products
// to the system CBLAS, and that a product through it is right.
func TestNetlibInstalled(t *testing.T) {
	if _, ok := blas32.Implementation().(netlib.Implementation); !ok {
		t.Errorf("float32 BLAS is %T, want netlib.Implementation", blas32.Implementation())
	}
	if _, ok := blas64.Implementation().(netlib.Implementation); !ok {
		t.Errorf("float64 BLAS is %T, want netlib.Implementation", blas64.Implementation())
	}
	// [1 2; 3 4]·[5 6; 7 8] = [19 22; 43 50]
	got := New([]float32{1, 2, 3, 4}, 2, 2).MatMul(New([]float32{5, 6, 7, 8}, 2, 2)).Float32s()
	for i, want := range []float32{19, 22, 43, 50} {
		if got[i] != want {
			t.Fatalf("MatMul through netlib = %v, want [19 22 43 50]", got)
		}
	}
}
