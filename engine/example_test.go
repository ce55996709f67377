package engine_test

import (
	"fmt"

	"github.com/dbr-go/dbr/engine"
)

func ExampleNew() {
	x := engine.New([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	fmt.Println(x.Shape(), x.Dims(), x.Numel(), x.DType())
	fmt.Println(x.At(1, 2), x.At(-1, 0))
	fmt.Println(x.Float32s())
	// Output:
	// [2 3] 2 6 float32
	// 6 4
	// [1 2 3 4 5 6]
}

func ExampleTensor_MatMul() {
	a := engine.New([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	b := engine.New([]float32{1, 0, 0, 1, 1, 1}, 3, 2)
	c := a.MatMul(b)
	fmt.Println(c.Shape(), c.Float32s())

	// A batch of matrices times one matrix: the batch dim broadcasts.
	batch := engine.Ones(4, 2, 3)
	fmt.Println(batch.MatMul(b).Shape())
	// Output:
	// [2 2] [4 5 10 11]
	// [4 2 2]
}

func ExampleTensor_Backward() {
	// y = Σ (w·x)², so ∂y/∂w = 2·(w·x)·x.
	x := engine.New([]float32{1, 2, 3})
	w := engine.New([]float32{0.5, -1, 2}).SetRequiresGrad(true)
	wx := w.Mul(x)
	y := wx.Mul(wx).Sum()
	y.Backward()
	fmt.Println(y.Item())
	fmt.Println(w.Grad().Float32s())

	// Gradients accumulate: a second Backward adds to Grad.
	w.Mul(x).Sum().Backward()
	fmt.Println(w.Grad().Float32s())
	// Output:
	// 40.25
	// [1 -8 36]
	// [2 -6 39]
}

func ExampleNoGrad() {
	w := engine.Ones(2, 2).SetRequiresGrad(true)
	var y *engine.Tensor
	engine.NoGrad(func() {
		y = w.MulScalar(3) // not recorded: y has no history
	})
	fmt.Println(y.RequiresGrad(), y.NoGradReason())
	fmt.Println(w.MulScalar(3).RequiresGrad())
	// Output:
	// false it was computed under NoGrad
	// true
}

func ExampleGradCheck() {
	// Check the gradients of x·wᵀ summed over rows against finite differences.
	engine.Seed(1)
	f := func(xs []*engine.Tensor) *engine.Tensor { return xs[0].MatMul(xs[1].T()).Sum(0) }
	r := engine.GradCheck(f, engine.Randn(4, 3), engine.Randn(2, 3))
	fmt.Println(r.OK, r.Checked)
	// Output:
	// true 18
}

func ExampleTry() {
	x, w := engine.Zeros(64, 784), engine.Zeros(128, 784)
	err := engine.Try(func() { x.MatMul(w) })
	fmt.Println(err)
	// Output:
	// MatMul: [64 784]·[128 784]: inner sizes 784 and 128 differ (did you mean to transpose the second operand? [128 784].T() is [784 128], which fits)
}

func ExampleCat() {
	a := engine.New([]float32{1, 2, 3, 4}, 2, 2)
	b := engine.New([]float32{5, 6}, 1, 2)
	rows := engine.Cat([]*engine.Tensor{a, b}, 0)
	fmt.Println(rows.Shape(), rows.Float32s())

	cols := engine.Cat([]*engine.Tensor{a, a}, 1)
	fmt.Println(cols.Shape(), cols.Float32s())

	fmt.Println(engine.Try(func() { engine.Cat([]*engine.Tensor{a, b}, 1) }))
	// Output:
	// [3 2] [1 2 3 4 5 6]
	// [2 4] [1 2 1 2 3 4 3 4]
	// Cat: [2 2], [1 2]: sizes at dim 0 differ (2 in tensor 0, 1 in tensor 1) but the tensors are joined along dim 1 (all dims but 1 must match; these differ only at dim 0, so Cat(ts, 0) fits)
}

func ExampleStack() {
	a, b := engine.New([]float32{1, 2}), engine.New([]float32{3, 4})
	fmt.Println(engine.Stack([]*engine.Tensor{a, b}, 0).Float32s())
	fmt.Println(engine.Stack([]*engine.Tensor{a, b}, 1).Float32s())
	// Output:
	// [1 2 3 4]
	// [1 3 2 4]
}

func ExampleTensor_Slice() {
	x := engine.Arange(10)
	fmt.Println(x.Slice(0, 2, 5).Float32s())    // x[2:5]
	fmt.Println(x.Slice(0, -3, 100).Float32s()) // x[-3:100], clamped like Python
	fmt.Println(x.Reshape(2, 5).Select(0, -1).Float32s())
	// Output:
	// [2 3 4]
	// [7 8 9]
	// [5 6 7 8 9]
}

func ExampleTensor_Gather() {
	// Pick one score per row, as a loss picks the score of each sample's label.
	scores := engine.New([]float32{0.1, 0.7, 0.2, 0.5, 0.3, 0.2}, 2, 3)
	labels := engine.New([]float32{1, 0}, 2, 1)
	fmt.Println(scores.Gather(1, labels).Float32s())
	// Output:
	// [0.7 0.5]
}

func ExampleTensor_Pad() {
	x := engine.Ones(2, 2)
	p := x.Pad([]int{1, 0, 0, 1}, 0) // one column on the left, one row below
	fmt.Println(p.Shape(), p.Float32s())
	// Output:
	// [3 3] [0 1 1 0 1 1 0 0 0]
}

func ExampleConv2d() {
	// One 4×4 image, one 2×2 filter that sums its window.
	x := engine.Arange(16).Reshape(1, 1, 4, 4)
	w := engine.Ones(1, 1, 2, 2)
	y := engine.Conv2d(x, w, nil, engine.ConvOpts{Stride: 2})
	fmt.Println(y.Shape(), y.Float32s())

	// A batch of 8 images through 16 filters 3×3 with padding 1 keeps 28×28.
	imgs, filters, bias := engine.Zeros(8, 1, 28, 28), engine.Zeros(16, 1, 3, 3), engine.Zeros(16)
	fmt.Println(engine.Conv2d(imgs, filters, bias, engine.ConvOpts{Padding: 1}).Shape())

	fmt.Println(engine.Try(func() { engine.Conv2d(imgs, engine.Zeros(16, 3, 3, 3), nil, engine.ConvOpts{}) }))
	// Output:
	// [1 1 2 2] [10 18 42 50]
	// [8 16 28 28]
	// Conv2d: input [8 1 28 28], weight [16 3 3 3]: input has 1 channels but weight expects 3 with groups=1 (a weight [16 1 3 3] fits this input)
}

func ExampleMaxPool2d() {
	x := engine.Arange(16).Reshape(1, 1, 4, 4).SetRequiresGrad(true)
	y := engine.MaxPool2d(x, 2, 0, 0)
	fmt.Println(y.Shape(), y.Float32s())
	y.Sum().Backward()
	fmt.Println(x.Grad().Float32s()) // the gradient goes to each window's maximum
	fmt.Println(engine.AvgPool2d(x, 2, 0, 0).Float32s())
	// Output:
	// [1 1 2 2] [5 7 13 15]
	// [0 0 0 0 0 1 0 1 0 0 0 0 0 1 0 1]
	// [2.5 4.5 10.5 12.5]
}

func ExampleTensor_Split() {
	x := engine.Arange(10)
	var values [][]float32
	for _, p := range x.Split(4, 0) {
		values = append(values, p.Float32s())
	}
	fmt.Println(values)
	var shapes [][]int
	for _, p := range x.Chunk(3, 0) {
		shapes = append(shapes, p.Shape())
	}
	fmt.Println(shapes)
	// Output:
	// [[0 1 2 3] [4 5 6 7] [8 9]]
	// [[4] [4] [2]]
}

func ExampleTensor_Expand() {
	col := engine.New([]float32{1, 2}, 2, 1).SetRequiresGrad(true)
	wide := col.Expand(-1, 3) // [2 1] -> [2 3]
	fmt.Println(wide.Float32s())
	wide.Sum().Backward()
	fmt.Println(col.Grad().Float32s()) // the backward of a broadcast sums
	// Output:
	// [1 1 1 2 2 2]
	// [3 3]
}

func ExampleAddOpHook() {
	remove := engine.AddOpHook(func(e engine.OpEvent) {
		if !e.Backward {
			fmt.Println(e.Op, e.Output.Shape())
		}
	})
	defer remove()
	x := engine.Ones(2, 3)
	x.Flatten().Sum()
	// Output:
	// Reshape [6]
	// Sum []
}
