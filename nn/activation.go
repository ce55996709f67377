package nn

import (
	"fmt"
	"strings"

	"github.com/dbr-go/dbr/engine"
)

// The activation layers wrap engine's elementwise ops as modules, for use in
// a Sequential. They have no parameters.

// ReLU applies max(0, x).
type ReLU struct{}

// NewReLU returns a ReLU layer.
func NewReLU() *ReLU { return &ReLU{} }

// Forward returns x.ReLU().
func (*ReLU) Forward(x *engine.Tensor) *engine.Tensor { return x.ReLU() }

// Params returns nil: ReLU has no parameters.
func (*ReLU) Params() []Param { return nil }
func (*ReLU) String() string  { return "ReLU()" }

// Tanh applies tanh(x).
type Tanh struct{}

// NewTanh returns a Tanh layer.
func NewTanh() *Tanh { return &Tanh{} }

// Forward returns x.Tanh().
func (*Tanh) Forward(x *engine.Tensor) *engine.Tensor { return x.Tanh() }

// Params returns nil: Tanh has no parameters.
func (*Tanh) Params() []Param { return nil }
func (*Tanh) String() string  { return "Tanh()" }

// Sigmoid applies 1/(1+e⁻ˣ).
type Sigmoid struct{}

// NewSigmoid returns a Sigmoid layer.
func NewSigmoid() *Sigmoid { return &Sigmoid{} }

// Forward returns x.Sigmoid().
func (*Sigmoid) Forward(x *engine.Tensor) *engine.Tensor { return x.Sigmoid() }

// Params returns nil: Sigmoid has no parameters.
func (*Sigmoid) Params() []Param { return nil }
func (*Sigmoid) String() string  { return "Sigmoid()" }

// GELU applies x·Φ(x) with the exact (erf) form, as torch.nn.GELU().
type GELU struct{}

// NewGELU returns a GELU layer.
func NewGELU() *GELU { return &GELU{} }

// Forward returns x.GELU().
func (*GELU) Forward(x *engine.Tensor) *engine.Tensor { return x.GELU() }

// Params returns nil: GELU has no parameters.
func (*GELU) Params() []Param { return nil }
func (*GELU) String() string  { return "GELU(approximate='none')" }

// LeakyReLU applies x for x > 0 and NegativeSlope·x otherwise.
type LeakyReLU struct{ NegativeSlope float64 }

// NewLeakyReLU returns a LeakyReLU layer; PyTorch's default slope is 0.01.
func NewLeakyReLU(negativeSlope float64) *LeakyReLU { return &LeakyReLU{NegativeSlope: negativeSlope} }

// Forward returns x.LeakyReLU(NegativeSlope).
func (l *LeakyReLU) Forward(x *engine.Tensor) *engine.Tensor { return x.LeakyReLU(l.NegativeSlope) }

// Params returns nil: LeakyReLU has no parameters.
func (*LeakyReLU) Params() []Param { return nil }
func (l *LeakyReLU) String() string {
	return fmt.Sprintf("LeakyReLU(negative_slope=%g)", l.NegativeSlope)
}

// Softmax applies softmax along Dim, so the values along it are positive and
// sum to 1.
type Softmax struct{ Dim int }

// NewSoftmax returns a Softmax layer along dim (usually 1 for [N, C] scores).
func NewSoftmax(dim int) *Softmax { return &Softmax{Dim: dim} }

// Forward returns x.Softmax(Dim).
func (s *Softmax) Forward(x *engine.Tensor) *engine.Tensor { return x.Softmax(s.Dim) }

// Params returns nil: Softmax has no parameters.
func (*Softmax) Params() []Param  { return nil }
func (s *Softmax) String() string { return fmt.Sprintf("Softmax(dim=%d)", s.Dim) }

// LogSoftmax applies log(softmax(x)) along Dim, computed stably; pair it with
// NLLLoss.
type LogSoftmax struct{ Dim int }

// NewLogSoftmax returns a LogSoftmax layer along dim.
func NewLogSoftmax(dim int) *LogSoftmax { return &LogSoftmax{Dim: dim} }

// Forward returns x.LogSoftmax(Dim).
func (s *LogSoftmax) Forward(x *engine.Tensor) *engine.Tensor { return x.LogSoftmax(s.Dim) }

// Params returns nil: LogSoftmax has no parameters.
func (*LogSoftmax) Params() []Param  { return nil }
func (s *LogSoftmax) String() string { return fmt.Sprintf("LogSoftmax(dim=%d)", s.Dim) }

// Dropout zeroes each element with probability P during training and scales
// the rest by 1/(1-P); in evaluation mode (Eval) it passes x through.
type Dropout struct {
	mode
	P float64
}

// NewDropout returns a Dropout layer in training mode.
// It panics with an *engine.Error unless 0 ≤ p < 1.
func NewDropout(p float64) *Dropout {
	if !(p >= 0 && p < 1) {
		errorf("NewDropout", "p must be in [0, 1), got %v (p is the probability of zeroing an element)", p)
	}
	return &Dropout{P: p}
}

// Forward returns x.Dropout(P, d.Training()).
func (d *Dropout) Forward(x *engine.Tensor) *engine.Tensor { return x.Dropout(d.P, d.Training()) }

// Params returns nil: Dropout has no parameters.
func (*Dropout) Params() []Param  { return nil }
func (d *Dropout) String() string { return fmt.Sprintf("Dropout(p=%g)", d.P) }

// Flatten joins dims StartDim..EndDim into one, as torch.nn.Flatten (by
// default all but the batch dim: [N, C, H, W] → [N, C·H·W]).
type Flatten struct{ StartDim, EndDim int }

// NewFlatten returns a Flatten layer from dim 1 to the last.
func NewFlatten() *Flatten { return &Flatten{StartDim: 1, EndDim: -1} }

// Forward returns x.Flatten(StartDim, EndDim).
func (f *Flatten) Forward(x *engine.Tensor) *engine.Tensor { return x.Flatten(f.StartDim, f.EndDim) }

// Params returns nil: Flatten has no parameters.
func (*Flatten) Params() []Param { return nil }
func (f *Flatten) String() string {
	return fmt.Sprintf("Flatten(start_dim=%d, end_dim=%d)", f.StartDim, f.EndDim)
}

// Identity returns its input unchanged, as torch.nn.Identity: a placeholder
// where a layer is optional.
type Identity struct{}

// NewIdentity returns an Identity layer.
func NewIdentity() *Identity { return &Identity{} }

// Forward returns x.
func (*Identity) Forward(x *engine.Tensor) *engine.Tensor { return x }

// Params returns nil: Identity has no parameters.
func (*Identity) Params() []Param { return nil }
func (*Identity) String() string  { return "Identity()" }

// Unflatten splits dim Dim into the dims Sizes, as torch.nn.Unflatten: the
// inverse of Flatten ([N, 784] → [N, 1, 28, 28] with Dim 1, Sizes [1 28 28]).
// One size may be -1, inferred from the others.
type Unflatten struct {
	Dim   int
	Sizes []int
}

// NewUnflatten returns an Unflatten layer splitting dim into sizes.
func NewUnflatten(dim int, sizes []int) *Unflatten {
	if len(sizes) == 0 {
		errorf("NewUnflatten", "sizes must have at least one dim")
	}
	return &Unflatten{Dim: dim, Sizes: append([]int(nil), sizes...)}
}

// Forward returns x with dim Dim split into Sizes.
// It panics with a *engine.ShapeError when the sizes do not multiply to the dim's size.
func (u *Unflatten) Forward(x *engine.Tensor) *engine.Tensor {
	xs := x.Shape()
	d := u.Dim
	if d < 0 {
		d += len(xs)
	}
	if d < 0 || d >= len(xs) {
		shapeError("Unflatten", fmt.Sprintf("dim %d is out of range for a %d-d input", u.Dim, len(xs)), fmt.Sprintf("use a dim from %d to %d", -len(xs), len(xs)-1), xs)
	}
	prod, infer := 1, 0
	for _, s := range u.Sizes {
		if s == -1 {
			infer++
		} else {
			prod *= s
		}
	}
	if infer > 1 || (infer == 0 && prod != xs[d]) || (infer == 1 && (prod == 0 || xs[d]%prod != 0)) {
		shapeError("Unflatten", fmt.Sprintf("sizes %v do not multiply to dim %d's size %d", u.Sizes, u.Dim, xs[d]), "", xs)
	}
	shape := append(append(append([]int{}, xs[:d]...), u.Sizes...), xs[d+1:]...)
	return x.Reshape(shape...)
}

// Params returns nil: Unflatten has no parameters.
func (*Unflatten) Params() []Param { return nil }
func (u *Unflatten) String() string {
	parts := make([]string, len(u.Sizes))
	for i, s := range u.Sizes {
		parts[i] = fmt.Sprint(s)
	}
	t := strings.Join(parts, ", ")
	if len(parts) == 1 {
		t += ","
	}
	return fmt.Sprintf("Unflatten(dim=%d, unflattened_size=(%s))", u.Dim, t)
}
