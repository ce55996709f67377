package nn

import (
	"fmt"
	"math"
	"slices"

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

// LossOpts holds the optional settings of the loss functions; unset fields
// mean PyTorch's defaults (Beta, whose value may be zero, is a pointer: see
// the package doc). Pass at most one, as the last argument:
//
//	nn.CrossEntropyLoss(logits, y)                                       // mean
//	nn.CrossEntropyLoss(logits, y, nn.LossOpts{Reduction: nn.Sum, LabelSmoothing: 0.1})
type LossOpts struct {
	Reduction      Reduction
	LabelSmoothing float64        // CrossEntropyLoss: 0 ≤ ε ≤ 1
	Weight         *engine.Tensor // CrossEntropyLoss, NLLLoss: a weight per class, shape [C]; BCE losses: a weight broadcast over the elements; nil for none
	PosWeight      *engine.Tensor // BCEWithLogitsLoss: a weight of the positive term per class (broadcast over the last dim); nil for none
	Beta           *float64       // SmoothL1Loss: the L1/L2 switch point; nil means PyTorch's default 1, nn.Float(0) gives L1Loss
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
		return l.Sum().MulScalar(0).AddScalar(math.NaN())
	}
	return l.Sum().MulScalar(1 / float64(n))
}

// sameShapes panics unless input and target have the same shape. PyTorch
// broadcasts them with a warning; a [N,1] output against a [N] target then
// silently gives an [N,N] loss, a classic bug, so dbr refuses.
func sameShapes(op string, input, target *engine.Tensor) {
	a, b := input.Shape(), target.Shape()
	if !slices.Equal(a, b) {
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

// L1Loss returns the mean absolute error |input-target|, as
// torch.nn.functional.l1_loss. input and target must have the same shape.
func L1Loss(input, target *engine.Tensor, opts ...LossOpts) *engine.Tensor {
	o := lossOpts("L1Loss", opts)
	sameShapes("L1Loss", input, target)
	return reduce(input.Sub(target).Abs(), o.Reduction)
}

// SmoothL1Loss returns the Huber-like loss of torch.nn.functional.smooth_l1_loss:
// with d = |input-target|, 0.5·d²/β where d < β and d - 0.5·β elsewhere
// (β = LossOpts.Beta, default 1; β = 0 is L1Loss). input and target must have the same shape.
func SmoothL1Loss(input, target *engine.Tensor, opts ...LossOpts) *engine.Tensor {
	o := lossOpts("SmoothL1Loss", opts)
	sameShapes("SmoothL1Loss", input, target)
	beta := *orDefault(o.Beta, 1)
	if beta < 0 {
		errorf("SmoothL1Loss", "beta must be >= 0, got %v", beta)
	}
	if beta == 0 { // PyTorch's smooth_l1_loss is l1_loss for beta 0
		return reduce(input.Sub(target).Abs(), o.Reduction)
	}
	d := input.Sub(target).Abs()
	l := engine.Where(d.LtScalar(beta), d.Square().MulScalar(0.5/beta), d.AddScalar(-0.5*beta))
	return reduce(l, o.Reduction)
}

// IgnoreIndex is the class target that CrossEntropyLoss and NLLLoss skip, as
// PyTorch's default ignore_index: such rows add nothing to the loss or to the
// count a mean divides by (padding in sequence models).
const IgnoreIndex = -100

// classTargets checks that target holds one class index in [0, c) (or
// IgnoreIndex) per row of [n, c] scores and returns the indices (ignored
// rows point at class 0) together with each row's
// weight: the class weight of its target, or 1 without weights, and 0 for an
// ignored row. plain reports that every row's weight is 1. probs says that op
// also takes [n, c] class probabilities, for the error message.
func classTargets(op string, scores, target, weight *engine.Tensor, probs bool) (idx []int, wy []float64, plain bool) {
	if scores.Dims() != 2 {
		shapeError(op, "the input must be [batch, classes]", "for one sample use x.Unsqueeze(0)", scores.Shape(), target.Shape())
	}
	n, c := scores.Size(0), scores.Size(1)
	if target.Dims() != 1 || target.Size(0) != n {
		reason := fmt.Sprintf("the target must be [%d]: one class index per row of the input", n)
		if probs {
			reason = fmt.Sprintf("the target must be [%d] class indices (one per row of the input) or [%d %d] class probabilities (the input's shape)", n, n, c)
		}
		hint := ""
		switch {
		case target.Dims() == 2 && target.Size(1) == 1:
			hint = "for class indices use target.Squeeze(1)"
		case probs && target.Dims() == 2 && target.Size(0) == n:
			hint = fmt.Sprintf("a probability target needs %d columns, one per class; this one has %d", c, target.Size(1))
		}
		shapeError(op, reason, hint, scores.Shape(), target.Shape())
	}
	w := classWeights(op, scores, weight)
	idx = make([]int, n)
	wy = make([]float64, n)
	plain = w == nil
	for i, v := range target.Float64s() {
		switch {
		case v == IgnoreIndex:
			plain = false
			continue
		case v != math.Trunc(v) || v < 0 || v >= float64(c):
			errorf(op, "target %v at position %d is not a class index in [0, %d)", v, i, c)
		}
		idx[i], wy[i] = int(v), 1
		if w != nil {
			wy[i] = w[int(v)]
		}
	}
	return idx, wy, plain
}

// classWeights checks that weight (nil for none) has one value per class of
// [n, c] scores and returns its values.
func classWeights(op string, scores, weight *engine.Tensor) []float64 {
	if weight == nil {
		return nil
	}
	if weight.Dims() != 1 || weight.Size(0) != scores.Size(1) {
		shapeError(op, "LossOpts.Weight must hold one weight per class", fmt.Sprintf("give a weight of shape [%d]", scores.Size(1)), scores.Shape(), weight.Shape())
	}
	return weight.Float64s()
}

// rowWeights returns wy as a tensor of logp's dtype, so that a float32 loss
// stays float32.
func rowWeights(wy []float64, like *engine.Tensor) *engine.Tensor {
	return engine.New64(wy).To(like.DType())
}

// reduceRows reduces per-row class losses l whose rows have weights wy: the
// mean divides by the total weight, as PyTorch does (the row count when no row
// is weighted or ignored).
func reduceRows(l *engine.Tensor, wy []float64, r Reduction) *engine.Tensor {
	if r != Mean {
		return reduce(l, r)
	}
	total := 0.0
	for _, v := range wy {
		total += v
	}
	return l.Sum().MulScalar(1 / total)
}

func indexTensor(idx []int) *engine.Tensor {
	d := make([]float64, len(idx))
	for i, v := range idx {
		d[i] = float64(v)
	}
	return engine.New64(d)
}

// CrossEntropyLoss returns the cross entropy between logits [N, C] (raw
// scores, not probabilities) and target, as torch.nn.functional.cross_entropy.
// target is either [N] class indices held as whole numbers (the labels a
// DataLoader yields; rows whose target is IgnoreIndex are skipped) or [N, C]
// class probabilities. LossOpts.LabelSmoothing ε mixes the target with the
// uniform distribution: (1-ε)·target + ε/C. LossOpts.Weight weighs each class;
// the mean then divides by the total weight of the targets, as in PyTorch.
// It is LogSoftmax followed by NLLLoss, fused for numerical stability.
// It panics with a *engine.ShapeError when the shapes do not fit and with an
// *engine.Error when an index is not a class.
func CrossEntropyLoss(logits, target *engine.Tensor, opts ...LossOpts) *engine.Tensor {
	o := lossOpts("CrossEntropyLoss", opts)
	eps := o.LabelSmoothing
	if eps < 0 || eps > 1 {
		errorf("CrossEntropyLoss", "label smoothing must be in [0, 1], got %v", eps)
	}
	if logits.Dims() == 2 && target.Dims() == 2 && logits.Size(0) == target.Size(0) && logits.Size(1) == target.Size(1) { // probabilities
		classWeights("CrossEntropyLoss", logits, o.Weight)
		logp := logits.LogSoftmax(1)
		t := target
		if eps > 0 {
			t = t.MulScalar(1 - eps).AddScalar(eps / float64(logits.Size(1)))
		}
		if o.Weight != nil {
			t = t.Mul(o.Weight.Detach().To(logp.DType()))
		}
		return reduce(logp.Mul(t).Sum(1).Neg(), o.Reduction)
	}
	idx, wy, plain := classTargets("CrossEntropyLoss", logits, target, o.Weight, true)
	l := engine.CrossEntropy(logits, idx) // LogSoftmax and the pick in one op
	if !plain {
		l = l.Mul(rowWeights(wy, logits))
	}
	if eps > 0 {
		// ε/C · -Σ_c w_c·log p_c, zero on ignored rows
		logp := logits.LogSoftmax(1)
		wl := logp
		if o.Weight != nil {
			wl = wl.Mul(o.Weight.Detach().To(logp.DType()))
		}
		smooth := wl.Sum(1).Neg()
		if !plain {
			mask := make([]float64, len(wy))
			for i, t := range target.Float64s() {
				if t != IgnoreIndex {
					mask[i] = 1
				}
			}
			smooth = smooth.Mul(rowWeights(mask, logp))
		}
		l = l.MulScalar(1 - eps).Add(smooth.MulScalar(eps / float64(logits.Size(1))))
	}
	return reduceRows(l, wy, o.Reduction)
}

// CrossEntropyLossIndices is CrossEntropyLoss with the class indices given as
// a []int of length N.
func CrossEntropyLossIndices(logits *engine.Tensor, target []int, opts ...LossOpts) *engine.Tensor {
	return CrossEntropyLoss(logits, indexTensor(target), opts...)
}

// NLLLoss returns the negative log likelihood -logProbs[i, target[i]], as
// torch.nn.functional.nll_loss; logProbs is [N, C] (from LogSoftmax(1)) and
// target [N] class indices held as whole numbers (rows whose target is
// IgnoreIndex are skipped). LossOpts.Weight weighs the classes as in
// CrossEntropyLoss.
// It panics with a *engine.ShapeError when the shapes do not fit and with an
// *engine.Error when an index is not a class.
func NLLLoss(logProbs, target *engine.Tensor, opts ...LossOpts) *engine.Tensor {
	o := lossOpts("NLLLoss", opts)
	idx, wy, plain := classTargets("NLLLoss", logProbs, target, o.Weight, false)
	l := logProbs.Gather(1, indexTensor(idx).Reshape(-1, 1)).Reshape(-1).Neg()
	if !plain {
		l = l.Mul(rowWeights(wy, logProbs))
	}
	return reduceRows(l, wy, o.Reduction)
}

// NLLLossIndices is NLLLoss with the class indices given as a []int.
func NLLLossIndices(logProbs *engine.Tensor, target []int, opts ...LossOpts) *engine.Tensor {
	return NLLLoss(logProbs, indexTensor(target), opts...)
}

// BCELoss returns the binary cross entropy -(y·log p + (1-y)·log(1-p)) of
// probabilities p and targets y in [0, 1], as
// torch.nn.functional.binary_cross_entropy (each log is clamped at -100).
// It panics with an *engine.Error when a probability is outside [0, 1]
// (pass raw scores to BCEWithLogitsLoss instead).
func BCELoss(p, y *engine.Tensor, opts ...LossOpts) *engine.Tensor {
	o := lossOpts("BCELoss", opts)
	sameShapes("BCELoss", p, y)
	for i, v := range p.Float64s() {
		if !(v >= 0 && v <= 1) {
			errorf("BCELoss", "input %v at position %d is not a probability in [0, 1] (for raw scores use BCEWithLogitsLoss, or apply Sigmoid first)", v, i)
		}
	}
	inf := math.Inf(1)
	logp := p.Log().Clamp(-100, inf)
	log1mp := p.Neg().AddScalar(1).Log().Clamp(-100, inf)
	l := y.Mul(logp).Add(y.Neg().AddScalar(1).Mul(log1mp)).Neg()
	return reduce(elementWeight("BCELoss", l, o.Weight), o.Reduction)
}

// BCEWithLogitsLoss is BCELoss of Sigmoid(x), computed stably from the raw
// scores x as max(x, 0) - x·y + log(1 + e^-|x|), as
// torch.nn.functional.binary_cross_entropy_with_logits. With
// LossOpts.PosWeight p the positive term is weighed by p:
// (1-y)·x + (1+(p-1)·y)·(log(1 + e^-|x|) + max(-x, 0)).
func BCEWithLogitsLoss(x, y *engine.Tensor, opts ...LossOpts) *engine.Tensor {
	o := lossOpts("BCEWithLogitsLoss", opts)
	sameShapes("BCEWithLogitsLoss", x, y)
	softplus := x.Abs().Neg().Exp().AddScalar(1).Log() // log(1 + e^-|x|)
	var l *engine.Tensor
	if o.PosWeight == nil {
		l = x.ReLU().Sub(x.Mul(y)).Add(softplus)
	} else {
		pw := o.PosWeight.Detach().To(x.DType())
		if pw.Dims() > 1 || (pw.Dims() == 1 && x.Dims() > 0 && pw.Size(0) != x.Size(-1) && pw.Size(0) != 1) {
			hint := "give a PosWeight of shape [1]"
			if x.Dims() > 0 {
				hint = fmt.Sprintf("give a PosWeight of shape [%d]", x.Size(-1))
			}
			shapeError("BCEWithLogitsLoss", "LossOpts.PosWeight must hold one weight per class (the last dim)", hint, x.Shape(), pw.Shape())
		}
		lw := pw.AddScalar(-1).Mul(y).AddScalar(1)
		l = y.Neg().AddScalar(1).Mul(x).Add(lw.Mul(softplus.Add(x.Neg().ReLU())))
	}
	return reduce(elementWeight("BCEWithLogitsLoss", l, o.Weight), o.Reduction)
}

// elementWeight multiplies per-element losses l by w broadcast to l's shape
// (w nil: no weight).
func elementWeight(op string, l, w *engine.Tensor) *engine.Tensor {
	if w == nil {
		return l
	}
	var out *engine.Tensor
	if err := engine.Try(func() { out = l.Mul(w.Detach().To(l.DType())) }); err != nil || !slices.Equal(out.Shape(), l.Shape()) {
		shapeError(op, "LossOpts.Weight must broadcast to the input's shape", "", l.Shape(), w.Shape())
	}
	return out
}

// pairwiseDistance is ‖a - b + eps‖₂ along the last dim, as
// torch.nn.functional.pairwise_distance.
func pairwiseDistance(a, b *engine.Tensor) *engine.Tensor {
	return a.Sub(b).AddScalar(1e-6).Square().Sum(-1).Sqrt()
}

// TripletMarginLoss returns max(d(a, p) - d(a, n) + margin, 0) with d the
// Euclidean distance along the last dim, as
// torch.nn.functional.triplet_margin_loss (PyTorch's default margin is 1).
// anchor, positive and negative are [N, D] (or [D]) and must have the same shape.
func TripletMarginLoss(anchor, positive, negative *engine.Tensor, margin float64, opts ...LossOpts) *engine.Tensor {
	o := lossOpts("TripletMarginLoss", opts)
	if !slices.Equal(anchor.Shape(), positive.Shape()) || !slices.Equal(anchor.Shape(), negative.Shape()) || anchor.Dims() == 0 || anchor.Dims() > 2 {
		shapeError("TripletMarginLoss", "anchor, positive and negative must have the same shape [N, D] or [D]", "", anchor.Shape(), positive.Shape(), negative.Shape())
	}
	l := pairwiseDistance(anchor, positive).Sub(pairwiseDistance(anchor, negative)).AddScalar(margin).ReLU()
	return reduce(l, o.Reduction)
}

// CosineEmbeddingLoss returns, for rows x1[i], x2[i] of [N, D] inputs and
// y[i] = 1 or -1: 1 - cos(x1[i], x2[i]) where y is 1, and
// max(0, cos(x1[i], x2[i]) - margin) where y is -1, as
// torch.nn.functional.cosine_embedding_loss (PyTorch's default margin is 0).
// It panics with an *engine.Error when y holds other values.
func CosineEmbeddingLoss(x1, x2, y *engine.Tensor, margin float64, opts ...LossOpts) *engine.Tensor {
	o := lossOpts("CosineEmbeddingLoss", opts)
	if !slices.Equal(x1.Shape(), x2.Shape()) || x1.Dims() != 2 || y.Dims() != 1 || y.Size(0) != x1.Size(0) {
		shapeError("CosineEmbeddingLoss", "the inputs must be [N, D] and the target [N]", "", x1.Shape(), x2.Shape(), y.Shape())
	}
	for i, v := range y.Float64s() {
		if v != 1 && v != -1 {
			errorf("CosineEmbeddingLoss", "target %v at position %d must be 1 (similar) or -1 (dissimilar)", v, i)
		}
	}
	const eps = 1e-12 // as PyTorch, so that a zero vector gives cos 0
	dot := x1.Mul(x2).Sum(1)
	den := x1.Square().Sum(1).AddScalar(eps).Mul(x2.Square().Sum(1).AddScalar(eps)).Sqrt()
	cos := dot.Div(den)
	pos := y.Detach().EqScalar(1)
	l := engine.Where(pos, cos.Neg().AddScalar(1), cos.AddScalar(-margin).ReLU())
	return reduce(l, o.Reduction)
}
