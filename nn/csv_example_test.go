package nn_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/dbr-go/dbr/nn"
)

func ExampleReadCSV() {
	dir, _ := os.MkdirTemp("", "dbr-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "flowers.csv")
	os.WriteFile(path, []byte("petal_length,petal_width,species\n1.4,0.2,setosa\n4.7,1.4,versicolor\n6.0,2.5,virginica\n1.3,0.2,setosa\n"), 0o644)

	ds, err := nn.ReadCSV(path, nn.CSVOpts{Target: "species"})
	if err != nil {
		fmt.Println(err)
		return
	}
	x, y := ds.Tensors()
	fmt.Println(ds.Features, x.Shape())
	fmt.Println(ds.Classes, y.Float32s())
	// Output:
	// [petal_length petal_width] [4 2]
	// [setosa versicolor virginica] [0 1 2 0]
}
