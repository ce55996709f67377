package engine

import (
	"slices"
	"testing"
)

var _ = addOps("shape", shapeOps)
var _ = addOps("core", shapeCoreOps)

// shapeOps are the op table's rows for the shape and indexing ops (see
// runOps).
func shapeOps() []opSpec {
	Seed(2)
	gi1 := New64([]float64{0, 2, 1, 1, 2, 0}, 3, 2)
	gi0 := New64([]float64{1, 0, 1, 0, 0, 1}, 2, 3)
	one := func(f func(x *Tensor) *Tensor) func([]*Tensor) *Tensor {
		return func(x []*Tensor) *Tensor { return f(x[0]) }
	}
	return []opSpec{
		{name: "Flatten/all", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Flatten() }},
		{name: "Flatten/start", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Flatten(1) }},
		{name: "Flatten/start-end", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Flatten(0, 1) }},
		{name: "Expand/grow", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Expand(2, 3, 4) }},
		{name: "Expand/keep", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Expand(-1, 5) }},
		{name: "Cat/dim0", torch: true, f: func(x []*Tensor) *Tensor { return Cat(x, 0) }},
		{name: "Cat/dim-1", torch: true, f: func(x []*Tensor) *Tensor { return Cat(x, -1) }},
		{name: "Cat/twice", torch: true, f: func(x []*Tensor) *Tensor { return Cat([]*Tensor{x[0], x[0]}, 1) }},
		{name: "Stack/dim0", torch: true, f: func(x []*Tensor) *Tensor { return Stack(x, 0) }},
		{name: "Stack/dim-1", torch: true, f: func(x []*Tensor) *Tensor { return Stack(x, -1) }},
		{name: "Split/dim1", torch: true, f: func(x []*Tensor) *Tensor { return flatCat(x[0].Split(2, 1)) }},
		{name: "Chunk/dim0", torch: true, f: func(x []*Tensor) *Tensor { return flatCat(x[0].Chunk(3, 0)) }},
		{name: "Chunk/fewer", torch: true, f: func(x []*Tensor) *Tensor { return flatCat(x[0].Chunk(4, 1)) }},
		{name: "Narrow", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Narrow(1, 1, 2) }},
		{name: "Narrow/negative", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Narrow(-1, -3, 2) }},
		{name: "Slice", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Slice(1, 1, 3) }},
		{name: "Slice/negative", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Slice(-1, -3, -1) }},
		{name: "Slice/clamped", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Slice(0, -10, 10) }},
		{name: "Select", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Select(1, 2) }},
		{name: "Select/negative", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Select(0, -1) }},
		{name: "IndexSelect", torch: true, f: func(x []*Tensor) *Tensor { return x[0].IndexSelect(1, []int{2, 0, 2}) }},
		{name: "IndexSelect/dim0", torch: true, f: func(x []*Tensor) *Tensor { return x[0].IndexSelect(0, []int{1, 1}) }},
		{name: "Gather/dim1", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Gather(1, gi1) }},
		{name: "Gather/dim0-smaller", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Gather(0, gi0) }},
		{name: "Pad/last", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Pad([]int{1, 2}, 0.5) }},
		{name: "Pad/2d", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Pad([]int{1, 1, 2, 0}, 0) }},
		{name: "Pad/crop", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Pad([]int{-1, 2, 1, -2}, -1) }},
		{name: "Flatten/all", f: one(func(x *Tensor) *Tensor { return x.Flatten() }), inputs: []*Tensor{Randn(2, 3, 4)}},
		{name: "Flatten/middle", f: one(func(x *Tensor) *Tensor { return x.Flatten(1, 2) }), inputs: []*Tensor{Randn(2, 3, 2, 2)}},
		{name: "Flatten/0d", f: one(func(x *Tensor) *Tensor { return x.Flatten() }), inputs: []*Tensor{Randn()}},
		{name: "Expand/front", f: one(func(x *Tensor) *Tensor { return x.Expand(3, 2, 4) }), inputs: []*Tensor{Randn(4)}},
		{name: "Expand/inner", f: one(func(x *Tensor) *Tensor { return x.Expand(2, 3, -1) }), inputs: []*Tensor{Randn(2, 1, 3)}},
		{name: "Expand/same", f: one(func(x *Tensor) *Tensor { return x.Expand(2, 3) }), inputs: []*Tensor{Randn(2, 3)}},
		{name: "Cat/dim0", f: func(x []*Tensor) *Tensor { return Cat(x, 0) }, inputs: []*Tensor{Randn(1, 3), Randn(3, 3)}},
		{name: "Cat/dim1-three", f: func(x []*Tensor) *Tensor { return Cat(x, 1) }, inputs: []*Tensor{Randn(2, 1, 2), Randn(2, 3, 2), Randn(2, 2, 2)}},
		{name: "Cat/1d", f: func(x []*Tensor) *Tensor { return Cat(x, -1) }, inputs: []*Tensor{Randn(3), Randn(2)}},
		{name: "Cat/empty-piece", f: func(x []*Tensor) *Tensor { return Cat(x, 0) }, inputs: []*Tensor{Randn(0, 2), Randn(2, 2)}},
		{name: "Stack/dim0", f: func(x []*Tensor) *Tensor { return Stack(x, 0) }, inputs: []*Tensor{Randn(2, 3), Randn(2, 3)}},
		{name: "Stack/dim-1", f: func(x []*Tensor) *Tensor { return Stack(x, -1) }, inputs: []*Tensor{Randn(3), Randn(3), Randn(3)}},
		{name: "Stack/scalars", f: func(x []*Tensor) *Tensor { return Stack(x, 0) }, inputs: []*Tensor{Randn(), Randn()}},
		{name: "Split", f: one(func(x *Tensor) *Tensor { p := x.Split(2, 1); return p[0].Sub(p[1]).Sum(1).Add(p[2].Sum(1)) }), inputs: []*Tensor{Randn(3, 5)}},
		{name: "Chunk", f: one(func(x *Tensor) *Tensor { p := x.Chunk(2, 0); return p[0].Mul(p[1]) }), inputs: []*Tensor{Randn(4, 3)}},
		{name: "Narrow", f: one(func(x *Tensor) *Tensor { return x.Narrow(1, 1, 2) }), inputs: []*Tensor{Randn(2, 4, 3)}},
		{name: "Narrow/last", f: one(func(x *Tensor) *Tensor { return x.Narrow(-1, -2, 2) }), inputs: []*Tensor{Randn(3, 5)}},
		{name: "Slice", f: one(func(x *Tensor) *Tensor { return x.Slice(0, 1, -1) }), inputs: []*Tensor{Randn(4, 2)}},
		{name: "Slice/3d", f: one(func(x *Tensor) *Tensor { return x.Slice(2, -3, 100) }), inputs: []*Tensor{Randn(2, 2, 4)}},
		{name: "Select", f: one(func(x *Tensor) *Tensor { return x.Select(1, -1) }), inputs: []*Tensor{Randn(2, 3, 4)}},
		{name: "Select/1d", f: one(func(x *Tensor) *Tensor { return x.Select(0, 1) }), inputs: []*Tensor{Randn(3)}},
		{name: "IndexSelect", f: one(func(x *Tensor) *Tensor { return x.IndexSelect(0, []int{2, -1, 0}) }), inputs: []*Tensor{Randn(4, 2)}},
		{name: "IndexSelect/inner", f: one(func(x *Tensor) *Tensor { return x.IndexSelect(1, []int{1, 1, 0}) }), inputs: []*Tensor{Randn(2, 3, 2)}},
		{name: "Gather/dim0", f: one(func(x *Tensor) *Tensor { return x.Gather(0, New([]float32{2, 0, 1, 1}, 2, 2)) }), inputs: []*Tensor{Randn(3, 2)}},
		{name: "Gather/dim-1", f: one(func(x *Tensor) *Tensor { return x.Gather(-1, New([]float32{0, 3, 3, -1, 1, 2}, 2, 1, 3)) }), inputs: []*Tensor{Randn(2, 2, 4)}},
		{name: "Pad/last", f: one(func(x *Tensor) *Tensor { return x.Pad([]int{2, 1}, 3) }), inputs: []*Tensor{Randn(2, 3)}},
		{name: "Pad/3dims", f: one(func(x *Tensor) *Tensor { return x.Pad([]int{1, 0, 0, 2, 1, 1}, 0) }), inputs: []*Tensor{Randn(2, 2, 3)}},
		{name: "Pad/crop", f: one(func(x *Tensor) *Tensor { return x.Pad([]int{-1, 1, 0, -2}, 0) }), inputs: []*Tensor{Randn(4, 3)}},
		// one tensor used twice in every family: both contributions must arrive
		{name: "twice/Cat", f: one(func(x *Tensor) *Tensor { return Cat([]*Tensor{x, x.Narrow(0, 1, 1), x}, 0) }), inputs: []*Tensor{Randn(2, 3)}},
		{name: "twice/Stack+Expand", f: one(func(x *Tensor) *Tensor { return Stack([]*Tensor{x, x}, 1).Add(x.Unsqueeze(1).Expand(-1, 2, -1)) }), inputs: []*Tensor{Randn(2, 3)}},
		{name: "twice/IndexSelect+Gather", f: one(func(x *Tensor) *Tensor {
			return x.IndexSelect(1, []int{0, 0, 2}).Mul(x.Gather(1, New([]float32{1, 1, 1, 0, 0, 0}, 2, 3)))
		}), inputs: []*Tensor{Randn(2, 3)}},
		{name: "twice/Pad+Slice", f: one(func(x *Tensor) *Tensor { return x.Pad([]int{1, 0}, 0).Slice(1, 0, 3).Mul(x) }), inputs: []*Tensor{Randn(2, 3)}},
		// above poolMin
		{name: "Cat/big", f: func(x []*Tensor) *Tensor { return Cat(x, 1) }, inputs: []*Tensor{Randn(40, 60), Randn(40, 90)}},
		{name: "Pad/big", f: one(func(x *Tensor) *Tensor { return x.Pad([]int{1, 2, 0, 3}, 0.5) }), inputs: []*Tensor{Randn(3, 40, 50)}},
		{name: "IndexSelect/big", f: one(func(x *Tensor) *Tensor { return x.IndexSelect(0, []int{3, 1, 1, 0, 7}) }), inputs: []*Tensor{Randn(8, 2000)}},
	}
}

func TestSplitChunkShapes(t *testing.T) {
	shapes := func(ps []*Tensor) [][]int { return shapesOf(ps) }
	cases := []struct {
		name string
		got  [][]int
		want [][]int // from torch.split / torch.chunk
	}{
		{"Split 5 by 2", shapes(Zeros(3, 5).Split(2, 1)), [][]int{{3, 2}, {3, 2}, {3, 1}}},
		{"Split 4 by 4", shapes(Zeros(4).Split(4, 0)), [][]int{{4}}},
		{"Split empty", shapes(Zeros(0).Split(2, 0)), [][]int{{0}}},
		{"Chunk 5 in 3", shapes(Zeros(5).Chunk(3, 0)), [][]int{{2}, {2}, {1}}},
		{"Chunk 6 in 4", shapes(Zeros(6).Chunk(4, 0)), [][]int{{2}, {2}, {2}}},
		{"Chunk empty", shapes(Zeros(2, 0).Chunk(3, 1)), [][]int{{2, 0}, {2, 0}, {2, 0}}},
		{"Slice past end", shapes([]*Tensor{Zeros(4, 2).Slice(0, 3, 1), Zeros(4).Slice(0, 5, 9)}), [][]int{{0, 2}, {0}}},
		{"Select 1d", shapes([]*Tensor{Zeros(3).Select(0, 0)}), [][]int{{}}},
	}
	for _, c := range cases {
		if len(c.got) != len(c.want) {
			t.Errorf("%s: %v, want %v", c.name, c.got, c.want)
			continue
		}
		for i := range c.got {
			if !slices.Equal(c.got[i], c.want[i]) {
				t.Errorf("%s: %v, want %v", c.name, c.got, c.want)
				break
			}
		}
	}
}

func TestCatMixedDType(t *testing.T) {
	c := Cat([]*Tensor{New([]float32{1, 2}), New64([]float64{3})}, 0)
	if c.DType() != Float64 {
		t.Fatalf("Cat of float32 and float64 is %v, want float64", c.DType())
	}
	want := []float64{1, 2, 3}
	for i, v := range c.Float64s() {
		if v != want[i] {
			t.Fatalf("Cat = %v, want %v", c.Float64s(), want)
		}
	}
}

// TestShapeErrors checks that misuse panics with a *ShapeError or *Error whose
// message names the op, the operands' shapes and what would fit.
func TestShapeErrors(t *testing.T) {
	x := Zeros(2, 3)
	cases := []errorCase{
		{"Cat sizes", func() { Cat([]*Tensor{Zeros(2, 3), Zeros(2, 4)}, 0) },
			[]string{"Cat: [2 3], [2 4]:", "sizes at dim 1 differ (3 in tensor 0, 4 in tensor 1)", "all dims but 0 must match", "Cat(ts, 1) fits"}},
		{"Cat dims", func() { Cat([]*Tensor{Zeros(2, 3), Zeros(3)}, 0) }, []string{"Cat: [2 3], [3]:", "tensor 1 has 1 dims but tensor 0 has 2"}},
		{"Cat empty", func() { Cat(nil, 0) }, []string{"Cat: needs at least one tensor"}},
		{"Cat dim", func() { Cat([]*Tensor{x, x}, 2) }, []string{"Cat: [2 3], [2 3]: dim 2 is out of range", "from -2 to 1"}},
		{"Stack shapes", func() { Stack([]*Tensor{x, Zeros(3, 2)}, 0) }, []string{"Stack: [2 3], [3 2]:", "tensor 1 has shape [3 2]", "Cat joins along an existing dim"}},
		{"Expand", func() { Zeros(3, 1).Expand(4, 5) }, []string{"Expand: [3 1]:", "cannot expand dim 0 of size 3 to 4", "only dims of size 1 can grow"}},
		{"Expand fewer", func() { x.Expand(3) }, []string{"Expand: [2 3]:", "target [3] has 1 dims, fewer than the tensor's 2"}},
		{"Narrow", func() { x.Narrow(1, 2, 2) }, []string{"Narrow: [2 3]:", "start 2 with length 2 does not fit in dim 1 of size 3", "length can be 0 to 1"}},
		{"Select", func() { x.Select(0, 2) }, []string{"Select: [2 3]:", "index 2 is out of range for dim 0 of size 2", "from -2 to 1"}},
		{"Slice dim", func() { x.Slice(2, 0, 1) }, []string{"Slice: [2 3]:", "dim 2 is out of range for a 2-d tensor"}},
		{"Split", func() { x.Split(0, 1) }, []string{"Split:", "piece size must be >= 1"}},
		{"Chunk", func() { x.Chunk(0, 1) }, []string{"Chunk:", "number of chunks must be >= 1"}},
		{"IndexSelect", func() { x.IndexSelect(1, []int{0, 3}) }, []string{"IndexSelect: [2 3]:", "index 3 (position 1) is out of range for dim 1 of size 3", "from -3 to 2"}},
		{"Gather dims", func() { x.Gather(1, Zeros(2)) }, []string{"Gather: [2 3], [2]:", "index has 1 dims but the input has 2"}},
		{"Gather size", func() { x.Gather(1, Zeros(3, 1)) }, []string{"Gather: [2 3], [3 1]:", "index size 3 at dim 0 is larger than the input's 2"}},
		{"Gather value", func() { x.Gather(1, New([]float32{0, 1.5}, 2, 1)) }, []string{"Gather: [2 3], [2 1]:", "index value 1.5 at [1 0] is not a whole number from -3 to 2"}},
		{"Pad odd", func() { x.Pad([]int{1, 2, 3}, 0) }, []string{"Pad: [2 3]:", "pads [1 2 3] has 3 values", "(left, right, top, bottom"}},
		{"Pad crop", func() { x.Pad([]int{-2, -2}, 0) }, []string{"Pad: [2 3]:", "pads (-2, -2) of dim 1 crop more than its size 3"}},
		{"Flatten", func() { Zeros(2, 3, 4).Flatten(2, 1) }, []string{"Flatten: [2 3 4]:", "start dim 2 comes after end dim 1"}},
	}
	checkErrors(t, cases)
}

// shapeCoreOps are the op table's rows for the view ops (Reshape, Permute, Transpose, T, Squeeze, Unsqueeze), with references in torchref_core.json.
func shapeCoreOps() []opSpec {
	Seed(24)
	return []opSpec{
		{name: "Permute", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Permute(2, 0, 1) }},
		{name: "Reshape/infer", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Reshape(4, -1) }},
		{name: "Transpose", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Transpose(0, 2) }},
		{name: "Transpose/negative", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Transpose(-1, 1) }},
		{name: "T/2d", torch: true, f: func(x []*Tensor) *Tensor { return x[0].T() }},
		{name: "T/batch", torch: true, f: func(x []*Tensor) *Tensor { return x[0].T() }},
		{name: "Squeeze/all", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Squeeze() }},
		{name: "Squeeze/dim", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Squeeze(-1) }},
		{name: "Unsqueeze/front", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Unsqueeze(0) }},
		{name: "Unsqueeze/negative", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Unsqueeze(-1) }},
		{name: "Reshape", f: func(x []*Tensor) *Tensor { return x[0].Reshape(-1, 2) }, inputs: []*Tensor{Randn(2, 3, 4)}},
		{name: "Permute", f: func(x []*Tensor) *Tensor { return x[0].Permute(1, 2, 0) }, inputs: []*Tensor{Randn(2, 3, 4)}},
		{name: "T", f: func(x []*Tensor) *Tensor { return x[0].T() }, inputs: []*Tensor{Randn(3, 5)}},
		{name: "Squeeze/Unsqueeze", f: func(x []*Tensor) *Tensor { return x[0].Squeeze().Unsqueeze(0) }, inputs: []*Tensor{Randn(2, 1, 3)}},
		{name: "Transpose/3d", f: func(x []*Tensor) *Tensor { return x[0].Transpose(0, 2) }, inputs: []*Tensor{Randn(2, 3, 4)}},
		{name: "Transpose/negative", f: func(x []*Tensor) *Tensor { return x[0].Transpose(-1, 1) }, inputs: []*Tensor{Randn(2, 3, 4)}},
		{name: "T/batch", f: func(x []*Tensor) *Tensor { return x[0].T() }, inputs: []*Tensor{Randn(2, 3, 4)}},
		{name: "Squeeze/dim", f: func(x []*Tensor) *Tensor { return x[0].Squeeze(-1) }, inputs: []*Tensor{Randn(2, 1, 3, 1)}},
		{name: "Unsqueeze/negative", f: func(x []*Tensor) *Tensor { return x[0].Unsqueeze(-1) }, inputs: []*Tensor{Randn(2, 3)}},
		{name: "Reshape/0d", f: func(x []*Tensor) *Tensor { return x[0].Reshape(1, 1) }, inputs: []*Tensor{Randn()}},
		{name: "twice/Transpose", f: func(x []*Tensor) *Tensor { return x[0].Mul(x[0].Transpose(0, 1)) }, inputs: []*Tensor{Randn(3, 3)}},
		{name: "Permute/big", f: func(x []*Tensor) *Tensor { return x[0].Permute(2, 0, 1) }, inputs: []*Tensor{Randn(20, 30, 40)}},
		// the last dim kept last (rows copied whole), as attention's heads
		{name: "Permute/last-kept", f: func(x []*Tensor) *Tensor { return x[0].Permute(1, 2, 0, 3) }, inputs: []*Tensor{Randn(3, 2, 4, 5)}},
		{name: "Permute/last-kept-big", f: func(x []*Tensor) *Tensor { return x[0].Permute(1, 2, 0, 3) }, inputs: []*Tensor{Randn(16, 4, 8, 32)}},
	}
}
