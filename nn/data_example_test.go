package nn_test

import (
	"fmt"

	"github.com/dbr-go/dbr/engine"
	"github.com/dbr-go/dbr/nn"
)

func ExampleDataLoader() {
	// Ten examples with two features each; the target of example i is i.
	x := engine.Arange(20).Reshape(10, 2)
	y := engine.Arange(10)
	ds := nn.NewTensorDataset(x, y)

	dl := nn.NewDataLoader(ds, nn.LoaderOpts{BatchSize: 4})
	for epoch := 0; epoch < 2; epoch++ {
		for dl.Next() {
			xb, yb := dl.Batch()
			fmt.Println(dl.Epoch(), dl.BatchIndex(), xb.Shape(), yb.Float32s())
		}
	}

	// Shuffled, dropping the last partial batch: 2 batches of 4, every
	// example at most once, in an order that engine.Seed fixes.
	engine.Seed(1)
	dl = nn.NewDataLoader(ds, nn.LoaderOpts{BatchSize: 4, Shuffle: true, DropLast: true})
	seen := 0
	for dl.Next() {
		_, yb := dl.Batch()
		seen += yb.Numel()
	}
	fmt.Println(dl.Len(), "batches,", seen, "examples")
	// Output:
	// 0 0 [4 2] [0 1 2 3]
	// 0 1 [4 2] [4 5 6 7]
	// 0 2 [2 2] [8 9]
	// 1 0 [4 2] [0 1 2 3]
	// 1 1 [4 2] [4 5 6 7]
	// 1 2 [2 2] [8 9]
	// 2 batches, 8 examples
}
