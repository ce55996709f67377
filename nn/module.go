package nn

import "github.com/dbr-go/dbr/engine"

// Param is a named tensor of a module: a trainable parameter, or a buffer
// (Buffer true) that is saved with the module but not trained, such as
// BatchNorm's running statistics. Names follow PyTorch's state_dict
// ("fc1.weight", "bn.running_mean").
type Param struct {
	Name   string
	Tensor *engine.Tensor
	Buffer bool
	// FileDType is the element type the tensor has in a safetensors file:
	// "" for the tensor's own (F32 or F64), or one of F64, F32, F16, BF16,
	// I64, I32, I16, I8, U8, BOOL. BatchNorm's num_batches_tracked is "I64",
	// as PyTorch stores it; LoadTensors sets it to the file's dtype, so a
	// file saved again keeps its dtypes. See WithFileDType.
	FileDType string
}

// Module is a layer or a model: it maps an input to an output and lists its
// parameters and buffers.
type Module interface {
	Forward(x *engine.Tensor) *engine.Tensor
	Params() []Param
}

// Sub returns m.Params() with every name prefixed by "prefix.", as PyTorch
// names the parameters of a submodule ("fc1" + "weight" = "fc1.weight").
// An empty prefix leaves the names unchanged.
func Sub(prefix string, m Module) []Param {
	ps := m.Params()
	out := make([]Param, len(ps))
	for i, p := range ps {
		out[i] = p
		if prefix != "" {
			if p.Name == "" {
				out[i].Name = prefix
			} else {
				out[i].Name = prefix + "." + p.Name
			}
		}
	}
	return out
}

// Params concatenates groups of parameters, listing a tensor that appears more
// than once (shared weights) only the first time.
func Params(groups ...[]Param) []Param {
	seen := map[*engine.Tensor]bool{}
	var out []Param
	for _, g := range groups {
		for _, p := range g {
			if p.Tensor != nil {
				if seen[p.Tensor] {
					continue
				}
				seen[p.Tensor] = true
			}
			out = append(out, p)
		}
	}
	return out
}

// Tensors returns the trainable tensors of ps (those with Buffer false), in
// order, for an optimizer or a gradient check.
func Tensors(ps []Param) []*engine.Tensor {
	var out []*engine.Tensor
	for _, p := range ps {
		if !p.Buffer {
			out = append(out, p.Tensor)
		}
	}
	return out
}

// ZeroGrad sets the gradient of every parameter of m to zero, keeping it
// allocated, as PyTorch 1.13's model.zero_grad() (set_to_none=False). It
// works for any Module, one typed at the prompt too; every layer of nn and
// Sequential also have it as a method (zerograd.go). Buffers are left alone.
// It panics with an *engine.Error when m is nil.
func ZeroGrad(m Module) {
	if m == nil {
		errorf("ZeroGrad", "the module is nil")
	}
	for _, p := range m.Params() {
		if p.Tensor != nil && !p.Buffer {
			p.Tensor.ZeroGrad()
		}
	}
}
