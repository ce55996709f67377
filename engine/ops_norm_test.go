package engine

import (
	"errors"
	"math"
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
		// float32 rows on the kernels' loops: eight elements at a time and a
		// tail (19 = 2·8 + 3), the transformer block's 128, one short of a
		// block (7)
		{name: "LayerNorm/row19", f: ln([]int{19}, 1e-5), inputs: []*Tensor{Randn(5, 19), Randn(19), Randn(19)}},
		{name: "LayerNorm/row128", f: ln([]int{128}, 1e-5), inputs: []*Tensor{Randn(6, 128).MulScalar(30).AddScalar(100), Randn(128), Randn(128)}},
		{name: "LayerNorm/row7", f: ln([]int{7}, 1e-5), inputs: []*Tensor{Randn(4, 7), Randn(7), Randn(7)}},
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

// BenchmarkLayerNorm normalizes the transformer block's activations, [1024,
// 128] float32 (sequence 64 × batch 16, d_model 128), forward alone and
// forward + backward with a weight and a bias.
func BenchmarkLayerNorm(b *testing.B) {
	Seed(1)
	x := Randn(1024, 128).To(Float32).SetRequiresGrad(true)
	w, bias := Randn(128).To(Float32).SetRequiresGrad(true), Randn(128).To(Float32).SetRequiresGrad(true)
	g := Randn(1024, 128).To(Float32)
	b.Run("forward", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			NoGrad(func() { LayerNorm(x, []int{128}, w, bias, 1e-5) })
		}
	})
	b.Run("forward+backward", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			LayerNorm(x, []int{128}, w, bias, 1e-5).BackwardWith(g)
		}
	})
}

// TestLayerNormRows32Float64Sums checks float32 LayerNorm (weight and bias:
// the kernels' row loops) on rows whose float32 sum loses what matters:
// ±10⁸ and a 3 in one lane of the 16-lane float32 order (element 0, 16 and
// 32), which a float32 sum cancels to 0 (the mean off by 3/48, every small
// element's result off by 5% or more), against the formula in float64, element by
// element, within 10⁻⁶ relative: the statistics must be summed in float64.
func TestLayerNormRows32Float64Sums(t *testing.T) {
	const rows, d = 3, 48
	xs := make([]float32, rows*d)
	for r := 0; r < rows; r++ {
		row := xs[r*d : (r+1)*d]
		for j := range row {
			row[j] = float32((j*7+r)%5) - 2 // small integers: every sum of them exact
		}
		row[0], row[16], row[32] = 1e8, 3, -1e8
	}
	w, b := Full(1, d).To(Float32), Zeros(d).To(Float32)
	got := LayerNorm(New(xs, rows, d), []int{d}, w, b, 1e-5).Float32s()
	for r := 0; r < rows; r++ {
		row := xs[r*d : (r+1)*d]
		var mu, v float64
		for _, x := range row {
			mu += float64(x)
		}
		mu /= d
		for _, x := range row {
			v += (float64(x) - mu) * (float64(x) - mu)
		}
		rs := 1 / math.Sqrt(v/d+1e-5)
		for j, x := range row {
			want := (float64(x) - mu) * rs
			if g := float64(got[r*d+j]); math.Abs(g-want) > 1e-6*math.Abs(want) {
				t.Fatalf("row %d element %d (x = %v): %v, want %v", r, j, x, g, want)
			}
		}
	}
}
