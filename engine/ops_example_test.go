package engine_test

import (
	"fmt"

	"github.com/dbr-go/dbr/engine"
)

func ExampleTensor_Softmax() {
	logits := engine.New([]float32{1, 2, 3, 1000, 1000, 1000}, 2, 3)
	p := logits.Softmax(1) // every row sums to 1; large logits do not overflow
	fmt.Println(p)
	fmt.Println(p.Sum(1))
	// Output:
	// tensor([[0.0900 0.2447 0.6652] [0.3333 0.3333 0.3333]], shape=[2 3])
	// tensor([1.0000 1.0000], shape=[2])
}

func ExampleWhere() {
	x := engine.New([]float32{-2, -1, 0, 1, 2}).SetRequiresGrad(true)
	// a hand-made ReLU: x where x > 0, else 0
	y := engine.Where(x.GtScalar(0), x, engine.Zeros(1))
	y.Sum().Backward()
	fmt.Println(y)
	fmt.Println(x.Grad())
	// Output:
	// tensor([0 0 0 1 2], shape=[5], grad_fn=Where)
	// tensor([0 0 0 1 1], shape=[5])
}

func ExampleTensor_Max() {
	x := engine.New([]float32{3, 1, 3, 0, 2, 2}, 2, 3)
	fmt.Println(x.Max())      // over all elements
	fmt.Println(x.Max(1))     // over dim 1: one value per row
	fmt.Println(x.MaxKeep(1)) // keeping dim 1 with size 1
	fmt.Println(x.ArgMax(1))  // first index of each row's maximum
	fmt.Println(x.Mean(0))    // column means
	fmt.Println(x.Std(1))     // unbiased, as PyTorch
	// Output:
	// tensor(3, shape=[])
	// tensor([3 2], shape=[2])
	// tensor([[3] [2]], shape=[2 1])
	// tensor([0 1], shape=[2])
	// tensor([1.5000 1.5000 2.5000], shape=[3])
	// tensor([1.1547 1.1547], shape=[2])
}

func ExampleTensor_Dropout() {
	engine.Seed(1)
	x := engine.Ones(2, 4)
	fmt.Println(x.Dropout(0.5, true)) // training: zeros, and the rest doubled
	fmt.Println(x.Dropout(0.5, false) == x)
	// Output:
	// tensor([[0 0 0 2] [0 2 2 2]], shape=[2 4])
	// true
}

func ExampleTensor_String() {
	w := engine.New([]float32{1, 2, 3, 4}, 2, 2).SetRequiresGrad(true)
	fmt.Println(w)
	fmt.Println(w.MatMul(w))
	fmt.Println(engine.New([]float32{0.5, -1, 0}).Div(engine.Zeros(3))) // 0/0 is nan
	// large tensors are elided: 3 items at each end of every dim
	fmt.Println(engine.Arange(2000).Reshape(40, 50))
	// Output:
	// tensor([[1 2] [3 4]], shape=[2 2], requires_grad=true)
	// tensor([[7 10] [15 22]], shape=[2 2], grad_fn=MatMul)
	// tensor([inf -inf nan], shape=[3])
	// tensor([[   0    1    2 ...   47   48   49]
	//         [  50   51   52 ...   97   98   99]
	//         [ 100  101  102 ...  147  148  149]
	//         ...
	//         [1850 1851 1852 ... 1897 1898 1899]
	//         [1900 1901 1902 ... 1947 1948 1949]
	//         [1950 1951 1952 ... 1997 1998 1999]], shape=[40 50])
}
