package nn

import (
	"fmt"
	"strings"

	"github.com/dbr-go/dbr/engine"
)

// BatchNorm1d normalizes each feature (dim 1) of [N, C] or [N, C, L] input
// over the batch, as torch.nn.BatchNorm1d: in training mode with the batch's
// mean and biased variance, updating RunningMean and RunningVar (with the
// unbiased variance) by Momentum; in evaluation mode with the running
// statistics. Weight and Bias (γ and β, shape [C]) may be nil for no affine
// transform. The running statistics and NumBatchesTracked are buffers: saved,
// not trained; set RunningMean and RunningVar to nil to always use the batch
// statistics (PyTorch's track_running_stats=False).
type BatchNorm1d struct {
	mode
	NumFeatures       int
	Eps, Momentum     float64
	Weight, Bias      *engine.Tensor
	RunningMean       *engine.Tensor
	RunningVar        *engine.Tensor
	NumBatchesTracked *engine.Tensor
}

// NewBatchNorm1d returns a BatchNorm1d over numFeatures features with
// PyTorch's defaults: Eps 1e-5, Momentum 0.1, Weight ones, Bias zeros, running
// mean 0 and variance 1, in training mode.
func NewBatchNorm1d(numFeatures int) *BatchNorm1d {
	return newBatchNorm("NewBatchNorm1d", numFeatures)
}

// Forward normalizes x of shape [N, C] or [N, C, L].
// It panics with a *engine.ShapeError when x does not have C features in dim 1.
func (b *BatchNorm1d) Forward(x *engine.Tensor) *engine.Tensor {
	if d := x.Dims(); d != 2 && d != 3 {
		hint := ""
		if d == 4 {
			hint = "for [N, C, H, W] images use BatchNorm2d"
		}
		shapeError("BatchNorm1d", fmt.Sprintf("expected input [N, %d] or [N, %d, L], got a %d-d input", b.NumFeatures, b.NumFeatures, d), hint, x.Shape())
	}
	if c := x.Size(1); c != b.NumFeatures {
		shapeError("BatchNorm1d", fmt.Sprintf("expected input [N, %d] or [N, %d, L], but dim 1 (features) is %d", b.NumFeatures, b.NumFeatures, c),
			fmt.Sprintf("NewBatchNorm1d(%d) fits this input", c), x.Shape())
	}
	return b.normalize("BatchNorm1d", x)
}

// Params returns weight, bias (when not nil) and the buffers running_mean,
// running_var and num_batches_tracked, with PyTorch's names.
func (b *BatchNorm1d) Params() []Param {
	var ps []Param
	if b.Weight != nil {
		ps = append(ps, Param{Name: "weight", Tensor: b.Weight})
	}
	if b.Bias != nil {
		ps = append(ps, Param{Name: "bias", Tensor: b.Bias})
	}
	if b.RunningMean != nil && b.RunningVar != nil {
		ps = append(ps, Param{Name: "running_mean", Tensor: b.RunningMean, Buffer: true}, Param{Name: "running_var", Tensor: b.RunningVar, Buffer: true})
		if b.NumBatchesTracked != nil {
			ps = append(ps, Param{Name: "num_batches_tracked", Tensor: b.NumBatchesTracked, Buffer: true, FileDType: "I64"})
		}
	}
	return ps
}

func (b *BatchNorm1d) String() string { return b.describe("BatchNorm1d") }

// BatchNorm2d normalizes each channel of [N, C, H, W] input over the batch
// and the spatial dims, as torch.nn.BatchNorm2d; see BatchNorm1d. Its fields
// are BatchNorm1d's, in the same order, so that the two share their code
// through a conversion.
type BatchNorm2d struct {
	mode
	NumFeatures       int
	Eps, Momentum     float64
	Weight, Bias      *engine.Tensor
	RunningMean       *engine.Tensor
	RunningVar        *engine.Tensor
	NumBatchesTracked *engine.Tensor
}

// NewBatchNorm2d returns a BatchNorm2d over numFeatures channels with
// PyTorch's defaults (see NewBatchNorm1d).
func NewBatchNorm2d(numFeatures int) *BatchNorm2d {
	return (*BatchNorm2d)(newBatchNorm("NewBatchNorm2d", numFeatures))
}

// Forward normalizes x of shape [N, C, H, W].
// It panics with a *engine.ShapeError when x does not have C channels in dim 1.
func (b *BatchNorm2d) Forward(x *engine.Tensor) *engine.Tensor {
	if d := x.Dims(); d != 4 {
		hint := ""
		switch d {
		case 3:
			hint = "for one image use x.Unsqueeze(0)"
		case 2:
			hint = "for [N, C] features use BatchNorm1d"
		}
		shapeError("BatchNorm2d", fmt.Sprintf("expected input [N, %d, H, W], got a %d-d input", b.NumFeatures, d), hint, x.Shape())
	}
	if c := x.Size(1); c != b.NumFeatures {
		shapeError("BatchNorm2d", fmt.Sprintf("expected input [N, %d, H, W], but dim 1 (channels) is %d", b.NumFeatures, c),
			fmt.Sprintf("NewBatchNorm2d(%d) fits this input", c), x.Shape())
	}
	return (*BatchNorm1d)(b).normalize("BatchNorm2d", x)
}

// Params returns weight, bias (when not nil) and the buffers running_mean,
// running_var and num_batches_tracked, with PyTorch's names.
func (b *BatchNorm2d) Params() []Param { return (*BatchNorm1d)(b).Params() }

func (b *BatchNorm2d) String() string { return (*BatchNorm1d)(b).describe("BatchNorm2d") }

func (b *BatchNorm1d) describe(name string) string {
	return fmt.Sprintf("%s(%d, eps=%g, momentum=%g, affine=%t)", name, b.NumFeatures, b.Eps, b.Momentum, b.Weight != nil)
}

func newBatchNorm(op string, c int) *BatchNorm1d {
	if c <= 0 {
		errorf(op, "the number of features must be positive, got %d", c)
	}
	return &BatchNorm1d{NumFeatures: c, Eps: 1e-5, Momentum: 0.1, Weight: engine.Ones(c).SetRequiresGrad(true), Bias: param(c),
		RunningMean: engine.Zeros(c), RunningVar: engine.Ones(c), NumBatchesTracked: engine.Zeros()}
}

// normalize normalizes x over every dim but 1. In training it uses the batch
// statistics and updates the running ones in place (no graph is recorded for
// that); in evaluation it uses the running statistics.
func (bn *BatchNorm1d) normalize(op string, x *engine.Tensor) *engine.Tensor {
	w, b, rm, rv, nbt := bn.Weight, bn.Bias, bn.RunningMean, bn.RunningVar, bn.NumBatchesTracked
	eps, momentum, training := bn.Eps, bn.Momentum, bn.Training()
	c := x.Size(1)
	dims := []int{0}
	for d := 2; d < x.Dims(); d++ {
		dims = append(dims, d)
	}
	bshape := make([]int, x.Dims()) // [1, C, 1, …] broadcasts over x
	for i := range bshape {
		bshape[i] = 1
	}
	bshape[1] = c
	var xhat *engine.Tensor
	if training || rm == nil || rv == nil {
		n := x.Numel() / c
		if n <= 1 {
			errorf(op, "training needs more than one value per channel, got input %v (use Eval(m) for a single sample)", x.Shape())
		}
		mean := x.MeanKeep(dims...)
		xc := x.Sub(mean)
		v := xc.Square().MeanKeep(dims...) // biased, for normalizing
		xhat = xc.Div(v.AddScalar(eps).Sqrt())
		engine.NoGrad(func() {
			if !training || rm == nil || rv == nil {
				return
			}
			m := momentum
			rm.CopyFrom(rm.MulScalar(1 - m).Add(mean.Detach().Reshape(c).MulScalar(m)))
			unbiased := v.Detach().Reshape(c).MulScalar(float64(n) / float64(n-1))
			rv.CopyFrom(rv.MulScalar(1 - m).Add(unbiased.MulScalar(m)))
			if nbt != nil {
				nbt.CopyFrom(nbt.AddScalar(1))
			}
		})
	} else {
		xhat = x.Sub(rm.Reshape(bshape...)).Div(rv.Reshape(bshape...).AddScalar(eps).Sqrt())
	}
	if w != nil {
		xhat = xhat.Mul(w.Reshape(bshape...))
	}
	if b != nil {
		xhat = xhat.Add(b.Reshape(bshape...))
	}
	return xhat
}

// LayerNorm normalizes over the last dims of its input (NormalizedShape), as
// torch.nn.LayerNorm, with the same statistics in training and evaluation.
// Weight and Bias have shape NormalizedShape; set both to nil for no affine
// transform.
type LayerNorm struct {
	NormalizedShape []int
	Eps             float64
	Weight, Bias    *engine.Tensor
}

// NewLayerNorm returns a LayerNorm over trailing dims of the given shape
// (e.g. []int{512}) with Eps 1e-5, Weight ones and Bias zeros.
// It panics with an *engine.Error when the shape is empty or not positive.
func NewLayerNorm(normalizedShape []int) *LayerNorm {
	if len(normalizedShape) == 0 {
		errorf("NewLayerNorm", "the normalized shape must have at least one dim")
	}
	for _, s := range normalizedShape {
		if s <= 0 {
			errorf("NewLayerNorm", "sizes must be positive, got %v", normalizedShape)
		}
	}
	ns := append([]int(nil), normalizedShape...)
	return &LayerNorm{NormalizedShape: ns, Eps: 1e-5, Weight: engine.Ones(ns...).SetRequiresGrad(true), Bias: param(ns...)}
}

// Forward normalizes x, whose last dims must be NormalizedShape.
// It panics with a *engine.ShapeError otherwise.
func (l *LayerNorm) Forward(x *engine.Tensor) *engine.Tensor {
	k := len(l.NormalizedShape)
	xs := x.Shape()
	fits := len(xs) >= k
	for i := 0; fits && i < k; i++ {
		fits = xs[len(xs)-k+i] == l.NormalizedShape[i]
	}
	if !fits {
		shapeError("LayerNorm", fmt.Sprintf("the input's last dims must be the normalized shape %v", l.NormalizedShape), "", xs)
	}
	return engine.LayerNorm(x, l.NormalizedShape, l.Weight, l.Bias, l.Eps)
}

// Params returns weight and bias (when not nil).
func (l *LayerNorm) Params() []Param {
	var ps []Param
	if l.Weight != nil {
		ps = append(ps, Param{Name: "weight", Tensor: l.Weight})
	}
	if l.Bias != nil {
		ps = append(ps, Param{Name: "bias", Tensor: l.Bias})
	}
	return ps
}

func (l *LayerNorm) String() string {
	parts := make([]string, len(l.NormalizedShape))
	for i, s := range l.NormalizedShape {
		parts[i] = fmt.Sprint(s)
	}
	shape := "(" + strings.Join(parts, ", ")
	if len(parts) == 1 {
		shape += ","
	}
	shape += ")"
	return fmt.Sprintf("LayerNorm(%s, eps=%g, elementwise_affine=%t)", shape, l.Eps, l.Weight != nil)
}

// GroupNorm normalizes each sample's channels in NumGroups groups, as
// torch.nn.GroupNorm: the mean and biased variance are taken over the
// channels of a group and every spatial position, the same in training and
// evaluation; Weight and Bias ([NumChannels], nil for no affine transform)
// then scale and shift each channel.
type GroupNorm struct {
	NumGroups, NumChannels int
	Eps                    float64
	Weight, Bias           *engine.Tensor
}

// NewGroupNorm returns a GroupNorm of numChannels channels in numGroups
// groups, with Eps 1e-5, Weight ones and Bias zeros.
// It panics with an *engine.Error when the groups do not divide the channels.
func NewGroupNorm(numGroups, numChannels int) *GroupNorm {
	if numGroups <= 0 || numChannels <= 0 || numChannels%numGroups != 0 {
		errorf("NewGroupNorm", "num_channels=%d must be a positive multiple of num_groups=%d", numChannels, numGroups)
	}
	return &GroupNorm{NumGroups: numGroups, NumChannels: numChannels, Eps: 1e-5,
		Weight: engine.Ones(numChannels).SetRequiresGrad(true), Bias: param(numChannels)}
}

// Forward normalizes x of shape [N, C, *].
// It panics with a *engine.ShapeError when dim 1 is not NumChannels.
func (g *GroupNorm) Forward(x *engine.Tensor) *engine.Tensor {
	xs := x.Shape()
	if len(xs) < 2 || xs[1] != g.NumChannels {
		hint := ""
		if len(xs) >= 2 && xs[1]%g.NumGroups == 0 {
			hint = fmt.Sprintf("NewGroupNorm(%d, %d) fits this input", g.NumGroups, xs[1])
		}
		shapeError("GroupNorm", fmt.Sprintf("expected input [N, %d, *] (num_channels=%d)", g.NumChannels, g.NumChannels), hint, xs)
	}
	y := x.Reshape(xs[0], g.NumGroups, -1)
	yc := y.Sub(y.MeanKeep(2))
	y = yc.Div(yc.Square().MeanKeep(2).AddScalar(g.Eps).Sqrt()).Reshape(xs...)
	bshape := make([]int, len(xs))
	for i := range bshape {
		bshape[i] = 1
	}
	bshape[1] = g.NumChannels
	if g.Weight != nil {
		y = y.Mul(g.Weight.Reshape(bshape...))
	}
	if g.Bias != nil {
		y = y.Add(g.Bias.Reshape(bshape...))
	}
	return y
}

// Params returns weight and bias (when not nil).
func (g *GroupNorm) Params() []Param {
	var ps []Param
	if g.Weight != nil {
		ps = append(ps, Param{Name: "weight", Tensor: g.Weight})
	}
	if g.Bias != nil {
		ps = append(ps, Param{Name: "bias", Tensor: g.Bias})
	}
	return ps
}

func (g *GroupNorm) String() string {
	return fmt.Sprintf("GroupNorm(%d, %d, eps=%g, affine=%t)", g.NumGroups, g.NumChannels, g.Eps, g.Weight != nil)
}
