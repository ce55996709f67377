package nn_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/dbr-go/dbr/engine"
	"github.com/dbr-go/dbr/nn"
)

// Affine is a model typed at the prompt: y = x·Wᵀ + b.
type Affine struct{ W, B *engine.Tensor }

func (m *Affine) Forward(x *engine.Tensor) *engine.Tensor { return x.MatMul(m.W.T()).Add(m.B) }
func (m *Affine) Params() []nn.Param {
	return []nn.Param{{Name: "weight", Tensor: m.W}, {Name: "bias", Tensor: m.B}}
}

func ExampleSave() {
	dir, _ := os.MkdirTemp("", "dbr-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model.safetensors")

	m := &Affine{W: engine.New([]float32{1, 2, 3, 4}, 2, 2), B: engine.New([]float32{0.5, -0.5}, 2)}
	if err := nn.Save(path, m); err != nil {
		fmt.Println(err)
		return
	}

	// A fresh model of the same shape gets the saved values.
	m2 := &Affine{W: engine.Zeros(2, 2), B: engine.Zeros(2)}
	if err := nn.Load(path, m2); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m2.W.Float32s(), m2.B.Float32s())

	// The file is a state dict: PyTorch names, shapes, dtypes.
	ps, _ := nn.LoadTensors(path)
	for _, p := range ps {
		fmt.Println(p.Name, p.Tensor.Shape(), p.Tensor.DType())
	}

	// A model that does not fit is refused, with every problem listed.
	small := &Affine{W: engine.Zeros(1, 2), B: engine.Zeros(1)}
	err := nn.Load(path, small)
	fmt.Println(strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), ""))
	// Output:
	// [1 2 3 4] [0.5 -0.5]
	// weight [2 2] float32
	// bias [2] float32
	// nn.Load model.safetensors: the checkpoint does not fit the model (2 problems):
	//   shape mismatch: weight is [2 2] in the checkpoint, [1 2] in the model
	//   shape mismatch: bias is [2] in the checkpoint, [1] in the model
}
