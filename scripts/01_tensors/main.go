// Lesson 1: tensors.
//
// A tensor is an N-dimensional array of numbers with a shape. Every line here
// can be typed at the dbr-repl prompt one at a time; the same file also runs
// with `go run ./scripts/01_tensors`.
//
// Try:
//
//   - Add a [3 1] column to a [3] row: what shape comes out, and why?
//   - Change a.MatMul(a) inside Try to a.MatMul(a.T()): err becomes nil.
//   - Type a.Sum(1) and a.Mean(0) at the prompt and check them by hand.
package main

import (
	"fmt"

	"github.com/dbr-go/dbr/engine"
)

func main() {
	// Random numbers are reproducible once the generator is seeded.
	engine.Seed(1)

	// Creating tensors: from data with a shape, or with a constructor.
	a := engine.New([]float32{1, 2, 3, 4, 5, 6}, 2, 3) // 2 rows, 3 columns
	fmt.Println("a =", a)
	fmt.Println("shape:", a.Shape(), "dims:", a.Dims(), "elements:", a.Numel())
	fmt.Println("a[1,2] =", a.At(1, 2), " dtype:", a.DType())

	z := engine.Zeros(2, 3)
	o := engine.Ones(3)
	r := engine.Arange(0, 6) // 0, 1, …, 5
	fmt.Println("zeros:", z.Shape(), "ones:", o, "arange:", r)

	// Random tensors: print summaries rounded to 4 decimals.
	n := engine.Randn(1000)
	fmt.Printf("randn(1000): mean %.4f, std %.4f\n", n.Mean().Item(), n.Std().Item())

	// Reshape keeps the data and changes the shape; -1 means "whatever fits".
	b := r.Reshape(3, -1)
	fmt.Println("arange(6) reshaped to", b.Shape())
	fmt.Println(b)

	// Transpose swaps two dimensions: [3 2] becomes [2 3].
	fmt.Println("b.T() shape:", b.T().Shape())

	// Picking parts: a row, a range of columns, and joining tensors again.
	fmt.Println("row 1 of a:", a.Select(0, 1), " columns 1..2 of a:", a.Slice(1, 1, 3).Shape())
	fmt.Println("a on top of a:", engine.Cat([]*engine.Tensor{a, a}, 0).Shape(),
		" stacked:", engine.Stack([]*engine.Tensor{a, a}, 0).Shape())

	// Elementwise arithmetic works on tensors of the same shape ...
	fmt.Println("a + a =", a.Add(a))
	// ... and with a scalar.
	fmt.Println("a * 10 =", a.MulScalar(10))

	// Broadcasting: a [3] row is repeated for every row of a [2 3] tensor,
	// and a [2 1] column for every column. Sizes must be equal or 1,
	// comparing shapes from the right.
	row := engine.New([]float32{10, 20, 30}, 3)
	col := engine.New([]float32{100, 200}, 2, 1)
	fmt.Println("a + row =", a.Add(row))
	fmt.Println("a + col =", a.Add(col))
	fmt.Println("row + col has shape", row.Add(col).Shape())

	// Reductions: over everything, or along one dimension.
	fmt.Println("sum:", a.Sum().Item(), "sum over rows:", a.Sum(0), "mean of each row:", a.Mean(1))

	// Matrix product: [2 3] · [3 2] = [2 2].
	fmt.Println("a · b =", a.MatMul(b))

	// Errors teach. Ops panic when shapes do not fit; engine.Try turns
	// the panic into an error value that names the op and every shape.
	err := engine.Try(func() {
		a.MatMul(a) // [2 3] · [2 3]: inner sizes 3 and 2 differ
	})
	fmt.Println("error:", err)

	err = engine.Try(func() {
		a.Add(engine.Ones(2)) // [2 3] + [2]: last sizes 3 and 2 differ
	})
	fmt.Println("error:", err)

	// The fix for the first one: transpose the second operand.
	fmt.Println("a · aᵀ =", a.MatMul(a.T()))
}

// Output:
// a = tensor([[1 2 3] [4 5 6]], shape=[2 3])
// shape: [2 3] dims: 2 elements: 6
// a[1,2] = 6  dtype: float32
// zeros: [2 3] ones: tensor([1 1 1], shape=[3]) arange: tensor([0 1 2 3 4 5], shape=[6])
// randn(1000): mean -0.0099, std 0.9996
// arange(6) reshaped to [3 2]
// tensor([[0 1] [2 3] [4 5]], shape=[3 2])
// b.T() shape: [2 3]
// row 1 of a: tensor([4 5 6], shape=[3])  columns 1..2 of a: [2 2]
// a on top of a: [4 3]  stacked: [2 2 3]
// a + a = tensor([[2 4 6] [8 10 12]], shape=[2 3])
// a * 10 = tensor([[10 20 30] [40 50 60]], shape=[2 3])
// a + row = tensor([[11 22 33] [14 25 36]], shape=[2 3])
// a + col = tensor([[101 102 103] [204 205 206]], shape=[2 3])
// row + col has shape [2 3]
// sum: 21 sum over rows: tensor([5 7 9], shape=[3]) mean of each row: tensor([2 5], shape=[2])
// a · b = tensor([[16 22] [34 49]], shape=[2 2])
// error: MatMul: [2 3]·[2 3]: inner sizes 3 and 2 differ (did you mean to transpose the second operand? [2 3].T() is [3 2], which fits)
// error: Add: [2 3], [2]: sizes 3 and 2 at dim -1 do not broadcast (sizes must match or one of them must be 1, counting dims from the right)
// a · aᵀ = tensor([[14 32] [32 77]], shape=[2 2])
