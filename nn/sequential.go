package nn

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dbr-go/dbr/engine"
)

// Sequential runs its layers one after the other, as torch.nn.Sequential.
// Its parameters are named by position: "0.weight", "2.bias", ….
type Sequential struct {
	layers []Module
}

// NewSequential returns a Sequential running layers in order. The slice is
// copied; Add appends more. Layers may be any Module, including a user's own
// (also one typed at the prompt).
func NewSequential(layers []Module) *Sequential {
	return &Sequential{layers: append([]Module(nil), layers...)}
}

// Add appends a layer and returns s, so calls can be chained.
func (s *Sequential) Add(l Module) *Sequential {
	s.layers = append(s.layers, l)
	return s
}

// Len returns the number of layers.
func (s *Sequential) Len() int { return len(s.layers) }

// Layer returns layer i (negative i counts from the end).
// It panics with an *engine.Error when i is out of range.
func (s *Sequential) Layer(i int) Module {
	j := i
	if j < 0 {
		j += len(s.layers)
	}
	if j < 0 || j >= len(s.layers) {
		errorf("Sequential.Layer", "index %d is out of range for %d layers", i, len(s.layers))
	}
	return s.layers[j]
}

// Layers returns a copy of the list of layers.
func (s *Sequential) Layers() []Module { return append([]Module(nil), s.layers...) }

// Forward passes x through every layer in order. When a layer panics with a
// *engine.ShapeError or *engine.Error, Forward panics with a copy of it whose
// Op names the layer in front of the failing op, e.g.
//
//	Sequential layer 2 (Linear(in_features=128, out_features=10, bias=true)): Linear: …
//
// Other panics (and engine.ErrInterrupted) pass through unchanged.
func (s *Sequential) Forward(x *engine.Tensor) *engine.Tensor {
	i := 0
	defer func() {
		if r := recover(); r != nil {
			panic(inLayer(r, i, s.layers[i]))
		}
	}()
	for ; i < len(s.layers); i++ {
		x = Call(s.layers[i], x) // with the layer's forward hooks
	}
	return x
}

// inLayer returns the panic value r of layer i, l, with the layer named in
// front of the op when r is one of dbr's errors for bad use.
func inLayer(r any, i int, l Module) any {
	switch e := r.(type) {
	case *engine.ShapeError:
		c := *e
		c.Op = layerName(i, l) + e.Op
		return &c
	case *engine.Error:
		if e == engine.ErrInterrupted {
			return r
		}
		c := *e
		c.Op = layerName(i, l) + e.Op
		return &c
	}
	return r
}

// layerName is "Sequential layer i (l): " with l printed on one line: a
// module whose String spans lines (a nested Sequential) by its first word,
// and one whose String panics (a layer built without weights) by its type.
func layerName(i int, l Module) (name string) {
	defer func() {
		if recover() != nil {
			name = fmt.Sprintf("Sequential layer %d (%T): ", i, l)
		}
	}()
	desc := moduleString(l)
	if first, _, ok := strings.Cut(desc, "\n"); ok {
		desc, _, _ = strings.Cut(first, "(")
	}
	return fmt.Sprintf("Sequential layer %d (%s): ", i, desc)
}

// ZeroGrad sets the gradient of every parameter to zero, as ZeroGrad(s).
func (s *Sequential) ZeroGrad() { ZeroGrad(s) }

// Params returns the parameters of every layer, prefixed by the layer's
// position, each shared tensor listed once.
func (s *Sequential) Params() []Param {
	groups := make([][]Param, len(s.layers))
	for i, l := range s.layers {
		groups[i] = Sub(strconv.Itoa(i), l)
	}
	return Params(groups...)
}

// String prints the layers as PyTorch's repr does.
func (s *Sequential) String() string {
	if len(s.layers) == 0 {
		return "Sequential()"
	}
	var b strings.Builder
	b.WriteString("Sequential(\n")
	for i, l := range s.layers {
		sub := strings.ReplaceAll(moduleString(l), "\n", "\n  ")
		fmt.Fprintf(&b, "  (%d): %s\n", i, sub)
	}
	b.WriteString(")")
	return b.String()
}

// moduleString prints a module with its String method when compiled code can
// see it, else with its type name. (An interpreted type's methods are not
// visible to compiled code, and its type may have no name.)
func moduleString(m Module) string {
	if st, ok := m.(fmt.Stringer); ok {
		return st.String()
	}
	if name := TypeName(m); name != "" {
		return name + "()"
	}
	return "Module()"
}
