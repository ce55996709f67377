package nn

import (
	"fmt"

	"github.com/dbr-go/dbr/engine"
)

// Linear applies y = x·Wᵀ + b to the last dim of x, as torch.nn.Linear.
// Weight has shape [OutFeatures, InFeatures] and Bias [OutFeatures]; set Bias
// to nil for a layer without bias.
type Linear struct {
	InFeatures, OutFeatures int
	Weight                  *engine.Tensor
	Bias                    *engine.Tensor
}

// NewLinear returns a Linear layer from in to out features with PyTorch's
// default initialization (see KaimingUniform).
// It panics with an *engine.Error when a size is not positive.
func NewLinear(in, out int) *Linear {
	if in <= 0 || out <= 0 {
		errorf("NewLinear", "in_features and out_features must be positive, got in=%d out=%d", in, out)
	}
	l := &Linear{InFeatures: in, OutFeatures: out, Weight: param(out, in), Bias: param(out)}
	initLayer(l.Weight, l.Bias)
	return l
}

// Forward maps x of shape [*, InFeatures] to [*, OutFeatures].
// It panics with a *engine.ShapeError when x's last dim is not InFeatures.
func (l *Linear) Forward(x *engine.Tensor) *engine.Tensor {
	needWeight("Linear", l.Weight, "nn.NewLinear(in, out)")
	return engine.Linear(x, l.Weight, l.Bias)
}

// Params returns weight and bias (when not nil).
func (l *Linear) Params() []Param {
	ps := []Param{{Name: "weight", Tensor: l.Weight}}
	if l.Bias != nil {
		ps = append(ps, Param{Name: "bias", Tensor: l.Bias})
	}
	return ps
}

func (l *Linear) String() string {
	return fmt.Sprintf("Linear(in_features=%d, out_features=%d, bias=%t)", l.Weight.Size(1), l.Weight.Size(0), l.Bias != nil)
}
