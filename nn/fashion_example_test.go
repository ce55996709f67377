package nn_test

import (
	"fmt"

	"github.com/dbr-go/dbr/nn"
)

func ExampleFashionMNISTSubset() {
	// nn.FashionMNIST("train") reads all 60000 examples when Debian's
	// dataset-fashion-mnist is installed; the subset is always there.
	ds, err := nn.FashionMNISTSubset("train")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ds)
	x, y := ds.Get(0)
	fmt.Println(x.Shape(), y.Item(), ds.Classes[int(y.Item())])

	ds.Flat = true // [784] vectors for Linear layers
	dl := nn.NewDataLoader(ds, nn.LoaderOpts{BatchSize: 64, Shuffle: true})
	dl.Next()
	xb, yb := dl.Batch()
	fmt.Println(xb.Shape(), yb.Shape(), dl.Len())
	dl.Close()
	// Output:
	// MNISTDataset: 1000 examples of [1 28 28], 10 classes, from the Fashion-MNIST subset built into dbr
	// [1 28 28] 9 Ankle boot
	// [64 784] [64] 16
}
