// Lesson 8: your own module.
//
// A model is an ordinary Go struct holding layers. It needs two methods to be
// an nn.Module: Forward (what it computes) and Params (its tensors, with
// names). Modules nest: a model can hold your own blocks, which hold layers.
// Then it trains like any other, and nn.Save / nn.Load write and read its
// parameters as a safetensors file (which PyTorch can read too).
//
// Try:
//
//   - Make NewNet(8, 3) and look at the parameter names.
//   - Load the file into big := NewNet(8, 3): which names does the error report?
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/dbr-go/dbr/engine"
	"github.com/dbr-go/dbr/nn"
)

// Residual is a block that adds its input back: x + Linear(tanh(Linear(x))).
type Residual struct {
	In, Out *nn.Linear
}

func NewResidual(width, hidden int) *Residual {
	return &Residual{In: nn.NewLinear(width, hidden), Out: nn.NewLinear(hidden, width)}
}

func (r *Residual) Forward(x *engine.Tensor) *engine.Tensor {
	return x.Add(r.Out.Forward(r.In.Forward(x).Tanh()))
}

// Params names each layer's tensors with a prefix: "in.weight", "out.bias", …
func (r *Residual) Params() []nn.Param {
	return nn.Params(nn.Sub("in", r.In), nn.Sub("out", r.Out))
}

// Net maps a number to a number: a linear layer up to Width features, a
// stack of residual blocks, and a linear layer back down to one output.
type Net struct {
	Embed  *nn.Linear
	Blocks []*Residual
	Head   *nn.Linear
}

func NewNet(width, blocks int) *Net {
	n := &Net{Embed: nn.NewLinear(1, width), Head: nn.NewLinear(width, 1)}
	for i := 0; i < blocks; i++ {
		n.Blocks = append(n.Blocks, NewResidual(width, 2*width))
	}
	return n
}

func (n *Net) Forward(x *engine.Tensor) *engine.Tensor {
	h := n.Embed.Forward(x)
	for _, b := range n.Blocks { // a plain Go loop over sub-modules
		h = b.Forward(h)
	}
	return n.Head.Forward(h)
}

func (n *Net) Params() []nn.Param {
	ps := nn.Sub("embed", n.Embed)
	for i, b := range n.Blocks {
		ps = nn.Params(ps, nn.Sub(fmt.Sprintf("blocks.%d", i), b))
	}
	return nn.Params(ps, nn.Sub("head", n.Head))
}

func main() {
	engine.Seed(8)

	// Learn y = sin(x) on [-3, 3] from 64 points.
	x := engine.Linspace(-3, 3, 64).Reshape(64, 1)
	y := x.Sin()

	model := NewNet(8, 2)
	count := 0
	for _, p := range model.Params() {
		fmt.Println(p.Name, p.Tensor.Shape())
		count += p.Tensor.Numel()
	}
	fmt.Println("parameters:", count)

	opt := nn.NewAdam(model.Params(), 0.01, nn.AdamOpts{})
	for step := 1; step <= 300; step++ {
		opt.ZeroGrad()
		loss := nn.MSELoss(model.Forward(x), y)
		loss.Backward()
		opt.Step()
		if step == 1 || step == 20 || step == 50 || step%100 == 0 {
			fmt.Printf("step %d: loss %.4f\n", step, loss.Item())
		}
	}

	// Save the trained parameters to a file ...
	dir, err := os.MkdirTemp("", "dbr-lesson")
	if err != nil {
		fmt.Println(err)
		return
	}
	path := filepath.Join(dir, "net.safetensors")
	if err := nn.Save(path, model); err != nil {
		fmt.Println("save:", err)
		return
	}

	// ... and load them into a freshly initialized model of the same shape.
	fresh := NewNet(8, 2)
	test := engine.New([]float32{-2, 0.5, 1.5}, 3, 1)
	engine.NoGrad(func() {
		fmt.Printf("fresh model at 1.5: %.4f\n", fresh.Forward(test).At(2, 0))
	})
	if err := nn.Load(path, fresh); err != nil {
		fmt.Println("load:", err)
		return
	}
	engine.NoGrad(func() {
		a := model.Forward(test)
		b := fresh.Forward(test)
		fmt.Println("loaded model predicts the same:", a.Sub(b).Abs().Max().Item() == 0)
		for i := 0; i < 3; i++ {
			fmt.Printf("x=%4.1f  sin(x)=%.4f  model=%.4f\n", test.At(i, 0), test.Sin().At(i, 0), b.At(i, 0))
		}
	})

	// Loading checks names and shapes first: a model of another shape
	// is refused with an error that lists every mismatch.
	small := NewNet(4, 1)
	err = nn.Load(path, small)
	fmt.Println("loading into a smaller net fails:", err != nil)
	if e, ok := err.(*nn.StateDictError); ok {
		fmt.Println("missing from the checkpoint:", e.Missing)
		fmt.Println("not in the model:", e.Unexpected)
		fmt.Println("shape mismatches:", len(e.Shapes), "- the first:", e.Shapes[0])
	}

	os.RemoveAll(dir) // clean up
}

// Output:
// embed.weight [8 1]
// embed.bias [8]
// blocks.0.in.weight [16 8]
// blocks.0.in.bias [16]
// blocks.0.out.weight [8 16]
// blocks.0.out.bias [8]
// blocks.1.in.weight [16 8]
// blocks.1.in.bias [16]
// blocks.1.out.weight [8 16]
// blocks.1.out.bias [8]
// head.weight [1 8]
// head.bias [1]
// parameters: 585
// step 1: loss 0.5191
// step 20: loss 0.0531
// step 50: loss 0.0178
// step 100: loss 0.0003
// step 200: loss 0.0000
// step 300: loss 0.0000
// fresh model at 1.5: -0.1794
// loaded model predicts the same: true
// x=-2.0  sin(x)=-0.9093  model=-0.9116
// x= 0.5  sin(x)=0.4794  model=0.4827
// x= 1.5  sin(x)=0.9975  model=0.9982
// loading into a smaller net fails: true
// missing from the checkpoint: []
// not in the model: [blocks.1.in.bias blocks.1.in.weight blocks.1.out.bias blocks.1.out.weight]
// shape mismatches: 7 - the first: embed.weight is [8 1] in the checkpoint, [4 1] in the model
