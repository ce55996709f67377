package engine

import (
	"errors"
	"strings"
	"testing"
)

var _ = addOps("norm", normOps)

// normOps are the op table's rows for LayerNorm (see runOps).
func normOps() []opSpec {
	Seed(4)
	ln := func(shape []int, eps float64) func(x []*Tensor) *Tensor {
		return func(x []*Tensor) *Tensor {
			var w, b *Tensor
			if len(x) > 1 {
				w = x[1]
			}
			if len(x) > 2 {
				b = x[2]
			}
			return LayerNorm(x[0], shape, w, b, eps)
		}
	}
	return []opSpec{
		{name: "LayerNorm/2d", torch: true, f: ln([]int{5}, 1e-5)},
		{name: "LayerNorm/2dims", torch: true, f: ln([]int{3, 4}, 1e-5)},
		{name: "LayerNorm/plain", torch: true, f: ln([]int{6}, 1e-5)},
		{name: "LayerNorm/weight-eps", torch: true, f: ln([]int{4}, 0.5)},
		{name: "1d", f: ln([]int{7}, 1e-5), inputs: []*Tensor{Randn(7), Randn(7), Randn(7)}},
		{name: "bias-only", f: func(x []*Tensor) *Tensor { return LayerNorm(x[0], []int{3}, nil, x[1], 1e-5) }, inputs: []*Tensor{Randn(4, 3), Randn(3)}},
		// a tensor used twice: the weight also shifts
		{name: "twice", f: func(x []*Tensor) *Tensor { return LayerNorm(x[0], []int{4}, x[1], x[1], 1e-5) }, inputs: []*Tensor{Randn(3, 4), Randn(4)}},
		// above poolMin, over more rows than one interrupt check covers
		{name: "LayerNorm/big", f: ln([]int{40}, 1e-5), inputs: []*Tensor{Randn(300, 40), Randn(40), Randn(40)}},
	}
}

// TestLayerNormShapeErrors checks that a LayerNorm that does not fit names
// the op, every operand's shape and the normalized shape.
func TestLayerNormShapeErrors(t *testing.T) {
	for _, c := range []struct {
		f    func()
		want string
	}{
		{func() { LayerNorm(Zeros(4, 3), []int{4}, nil, nil, 1e-5) }, "[4 3]"},
		{func() { LayerNorm(Zeros(4, 3), []int{3}, Zeros(4), nil, 1e-5) }, "[4]"},
		{func() { LayerNorm(Zeros(4, 3), []int{3}, nil, Zeros(3, 1), 1e-5) }, "[3 1]"},
		{func() { LayerNorm(Zeros(4, 3), nil, nil, nil, 1e-5) }, "[]"},
	} {
		err := Try(c.f)
		var se *ShapeError
		if !errors.As(err, &se) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "LayerNorm") || !strings.Contains(err.Error(), "normalized shape") {
			t.Errorf("got %v, want a LayerNorm shape error naming %s and the normalized shape", err, c.want)
		}
	}
}
