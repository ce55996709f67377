package nn

import (
	"math"

	"github.com/dbr-go/dbr/engine"
)

// gradTensors returns the distinct trainable tensors of ps that have a gradient.
func gradTensors(ps []Param) []*engine.Tensor {
	seen := map[*engine.Tensor]bool{}
	var out []*engine.Tensor
	for _, t := range Tensors(ps) {
		if t != nil && t.Grad() != nil && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// ClipGradNorm rescales the gradients of the trainable parameters in ps, in
// place, so that their total L2 norm (over all of them together) is at most
// maxNorm, as torch.nn.utils.clip_grad_norm_. It returns the total norm before
// clipping, which is worth logging: a growing norm warns of exploding
// gradients. Call it between Backward and the optimizer's Step.
func ClipGradNorm(ps []Param, maxNorm float64) float64 {
	if maxNorm < 0 || math.IsNaN(maxNorm) {
		errorf("ClipGradNorm", "max norm must be >= 0, got %v", maxNorm)
	}
	ts := gradTensors(ps)
	total := 0.0
	for _, t := range ts {
		g := t.Grad()
		for _, v := range g.ReadRawFloat64() {
			total += v * v
		}
		for _, v := range g.ReadRawFloat32() {
			total += float64(v) * float64(v)
		}
	}
	total = math.Sqrt(total)
	coef := maxNorm / (total + 1e-6)
	if coef < 1 {
		for _, t := range ts {
			engine.CheckInterrupt()
			g := t.Grad()
			g.CopyFrom(g.Detach().MulScalar(coef))
		}
	}
	return total
}

// ClipGradValue clamps every gradient element of the trainable parameters in
// ps to [-clip, clip], in place, as torch.nn.utils.clip_grad_value_.
func ClipGradValue(ps []Param, clip float64) {
	if clip < 0 || math.IsNaN(clip) {
		errorf("ClipGradValue", "clip value must be >= 0, got %v", clip)
	}
	for _, t := range gradTensors(ps) {
		engine.CheckInterrupt()
		g := t.Grad()
		g.CopyFrom(g.Detach().Clamp(-clip, clip))
	}
}
