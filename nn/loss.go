package nn

import (
	"fmt"

	"github.com/dbr-go/dbr/engine"
)

// Reduction says how a loss combines its per-element values.
type Reduction int

const (
	Mean Reduction = iota // the average (the default, as in PyTorch)
	Sum                   // the sum
	None                  // no reduction: one loss per element (or per sample)
)

func (r Reduction) String() string {
	switch r {
	case Mean:
		return "mean"
	case Sum:
		return "sum"
	case None:
		return "none"
	}
	return fmt.Sprintf("Reduction(%d)", int(r))
}

// LossOpts holds the optional settings of the loss functions; the zero value
// gives PyTorch's defaults. Pass at most one, as the last argument:
//
//	nn.CrossEntropyLoss(logits, y)                                       // mean
//	nn.CrossEntropyLoss(logits, y, nn.LossOpts{Reduction: nn.Sum, LabelSmoothing: 0.1})
type LossOpts struct {
	Reduction      Reduction
	LabelSmoothing float64 // CrossEntropyLoss: 0 ≤ ε ≤ 1
	Beta           float64 // SmoothL1Loss: the L1/L2 switch point; 0 means PyTorch's default 1
	Margin         float64 // TripletMarginLoss (0 means the default 1) and CosineEmbeddingLoss (default 0)
}

func lossOpts(op string, opts []LossOpts) LossOpts {
	if len(opts) > 1 {
		errorf(op, "takes at most one LossOpts, got %d", len(opts))
	}
	if len(opts) == 0 {
		return LossOpts{}
	}
	o := opts[0]
	if o.Reduction < Mean || o.Reduction > None {
		errorf(op, "unknown reduction %v (use nn.Mean, nn.Sum or nn.None)", o.Reduction)
	}
	return o
}

// reduce applies the reduction to per-element losses l.
func reduce(l *engine.Tensor, r Reduction) *engine.Tensor {
	switch r {
	case Sum:
		return l.Sum()
	case None:
		return l
	}
	n := l.Numel()
	if n == 0 {
		return l.Sum().MulScalar(0).AddScalar(nan())
	}
	return l.Sum().MulScalar(1 / float64(n))
}

// sameShapes panics unless input and target have the same shape. PyTorch
// broadcasts them with a warning; a [N,1] output against a [N] target then
// silently gives an [N,N] loss, a classic bug, so dbr refuses.
func sameShapes(op string, input, target *engine.Tensor) {
	a, b := input.Shape(), target.Shape()
	eq := len(a) == len(b)
	for i := 0; eq && i < len(a); i++ {
		eq = a[i] == b[i]
	}
	if !eq {
		hint := "reshape one to the other's shape"
		if len(a) == len(b)+1 && a[len(a)-1] == 1 {
			hint = "the output has a trailing dim of 1: use output.Squeeze(-1) or target.Unsqueeze(-1)"
		} else if len(b) == len(a)+1 && b[len(b)-1] == 1 {
			hint = "the target has a trailing dim of 1: use target.Squeeze(-1) or output.Unsqueeze(-1)"
		}
		shapeError(op, "input and target must have the same shape", hint, a, b)
	}
}

// MSELoss returns the mean squared error (input-target)², as
// torch.nn.functional.mse_loss. input and target must have the same shape
// (it panics with a *engine.ShapeError otherwise).
func MSELoss(input, target *engine.Tensor, opts ...LossOpts) *engine.Tensor {
	o := lossOpts("MSELoss", opts)
	sameShapes("MSELoss", input, target)
	d := input.Sub(target)
	return reduce(d.Mul(d), o.Reduction)
}
