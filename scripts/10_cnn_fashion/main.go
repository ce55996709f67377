// Lesson 10: a small convolutional network on Fashion-MNIST.
//
// The same 1000 training images as lesson 4, kept as [1 28 28] images this
// time. Convolutions look at 3×3 neighborhoods, so the network knows which
// pixels are next to each other; pooling halves the resolution. The layers
// are put together with nn.NewSequential, and inspect.Summary shows the shape
// after each one.
//
// Try:
//
//   - Change the first convolution to 16 channels and compare the summary.
//   - Drop the second pooling layer: which layer's input no longer fits?
package main

import (
	"fmt"

	"github.com/dbr-go/dbr/engine"
	"github.com/dbr-go/dbr/inspect"
	"github.com/dbr-go/dbr/nn"
)

func main() {
	engine.Seed(10)

	train, err := nn.FashionMNIST("train")
	if err != nil {
		fmt.Println(err)
		return
	}
	test, err := nn.FashionMNIST("test")
	if err != nil {
		fmt.Println(err)
		return
	}
	train, test = train.Head(1000), test.Head(200) // the same with the full or the built-in data

	pad := engine.ConvOpts{Padding: 1} // keep 28×28 through a 3×3 convolution
	model := nn.NewSequential([]nn.Module{
		nn.NewConv2d(1, 8, 3, pad), nn.NewReLU(), nn.NewMaxPool2d(2, 2, 0), // → [8 14 14]
		nn.NewConv2d(8, 16, 3, pad), nn.NewReLU(), nn.NewMaxPool2d(2, 2, 0), // → [16 7 7]
		nn.NewFlatten(), nn.NewLinear(16*7*7, 10),
	})
	fmt.Println(inspect.Summary(model, 1, 1, 28, 28))

	opt := nn.NewAdam(model.Params(), 0.003, nn.AdamOpts{})
	loader := nn.NewDataLoader(train, nn.LoaderOpts{BatchSize: 50, Shuffle: true, Seed: nn.Int64(10)})
	testX, testY := test.Tensors() // [200 1 28 28], [200]
	for epoch := 1; epoch <= 5; epoch++ {
		total := 0.0
		for loader.Next() {
			x, y := loader.Batch()
			loss := nn.CrossEntropyLoss(model.Forward(x), y)
			opt.ZeroGrad()
			loss.Backward()
			opt.Step()
			total += loss.Item()
		}
		var acc float64
		engine.NoGrad(func() {
			acc = model.Forward(testX).ArgMax(1).Eq(testY).Mean().Item()
		})
		fmt.Printf("epoch %d: mean loss %.4f, test accuracy %.3f\n", epoch, total/float64(loader.Len()), acc)
	}
}

// Output:
// layer  type       output shape  params
// 0      Conv2d     [1 8 28 28]       80
// 1      ReLU       [1 8 28 28]        0
// 2      MaxPool2d  [1 8 14 14]        0
// 3      Conv2d     [1 16 14 14]   1,168
// 4      ReLU       [1 16 14 14]       0
// 5      MaxPool2d  [1 16 7 7]         0
// 6      Flatten    [1 784]            0
// 7      Linear     [1 10]         7,850
// input [1 1 28 28] → output [1 10]
// params: 9,098 total, 9,098 trainable, 0 frozen
// epoch 1: mean loss 1.5922, test accuracy 0.635
// epoch 2: mean loss 0.8917, test accuracy 0.690
// epoch 3: mean loss 0.7834, test accuracy 0.695
// epoch 4: mean loss 0.6495, test accuracy 0.740
// epoch 5: mean loss 0.6047, test accuracy 0.780
