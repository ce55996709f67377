// Exercise 1 (after lessons 01 and 12): standardize the columns of a
// matrix, so that each has mean 0 and standard deviation 1, without a loop.
package main

import (
	"fmt"

	"github.com/dbr-go/dbr/engine"
)

func main() {
	engine.Seed(1)
	x := engine.Randn(5, 3).MulScalar(4).AddScalar(10)

	// Mean(0) and Std(0) reduce over the rows: shape [3], which broadcasts
	// against [5 3] from the right, one value per column.
	z := x.Sub(x.Mean(0)).Div(x.Std(0))
	fmt.Println("shape:", z.Shape())
	fmt.Printf("column means: %.3f\n", z.Mean(0).Float32s())
	fmt.Printf("column stds:  %.3f\n", z.Std(0).Float32s())

	// Mean(1) is one value per row, shape [5]: it does not broadcast
	// against [5 3] (the sizes are lined up from the right), and the
	// message says so. Mean(1).Reshape(5, 1) would fit: rows, not columns.
	err := engine.Try(func() { x.Sub(x.Mean(1)) })
	fmt.Println(err)
}

// Output:
// shape: [5 3]
// column means: [0.000 0.000 0.000]
// column stds:  [1.000 1.000 1.000]
// Sub: [5 3], [5]: sizes 3 and 5 at dim -1 do not broadcast (sizes must match or one of them must be 1, counting dims from the right)
