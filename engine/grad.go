package engine

import (
	"fmt"
	"slices"
)

// GradOpts are Grad's options, those of torch.autograd.grad.
type GradOpts struct {
	// GradOutputs holds, for each output, the gradient of some scalar with
	// respect to it (the output's shape); nil, or a nil entry, means ones,
	// which only a one-element output may omit.
	GradOutputs []*Tensor
	// CreateGraph records the backward pass itself, so that the returned
	// gradients require grad and can be differentiated again (a gradient
	// penalty, a Hessian-vector product). Without it they are plain tensors.
	CreateGraph bool
	// AllowUnused returns nil for an input the outputs do not depend on;
	// without it Grad panics naming the input.
	AllowUnused bool
}

// Grad returns the gradient of the outputs with respect to each input, as
// torch.autograd.grad: the sum over outputs of each output's gradient
// (GradOutputs, ones by default) pulled back to the input. Unlike Backward it
// adds nothing into any tensor's Grad. Inputs may be leaves or intermediate
// results; tensor hooks (RegisterHook) run as in Backward.
//
// With CreateGraph the backward of each op is itself recorded, so a returned
// gradient can go into a loss whose Backward (or another Grad) gives second
// derivatives. Every differentiable op's backward is built from recorded
// ops, so gradients can be differentiated again, and again (the tests take
// third derivatives through convolutions, pooling, gathers and the pieces
// of a tensor), with one exception: GELU's derivative is recorded as one op
// (geluGrad) whose own derivative is not, so a third derivative through
// GELU panics with an *Error naming geluGrad rather than giving a wrong
// value.
//
// It panics with an *Error when an output or an input does not require grad,
// when an input is unused (without AllowUnused), or when a gradient output
// is missing for an output with more than one element.
func Grad(outputs, inputs []*Tensor, opts GradOpts) []*Tensor {
	if len(outputs) == 0 {
		errorf("Grad", "no outputs to differentiate")
	}
	if opts.GradOutputs != nil && len(opts.GradOutputs) != len(outputs) {
		errorf("Grad", "%d outputs but %d GradOutputs; give one per output (nil for ones)", len(outputs), len(opts.GradOutputs))
	}
	want := map[*Tensor]int{}
	for i, in := range inputs {
		if in == nil {
			errorf("Grad", "input %d is nil (%s)", i, nilWhy)
		}
		if !in.requiresGrad {
			errorf("Grad", "input %d %v does not require grad, so it has no gradient (make it with SetRequiresGrad(true))", i, in.shape)
		}
		want[in] = i
	}
	seeds := make([]*Tensor, len(outputs))
	for i, o := range outputs {
		if o == nil {
			errorf("Grad", "output %d is nil (%s)", i, nilWhy)
		}
		if !o.requiresGrad {
			why := "none of the tensors it was computed from requires grad"
			if o.noGradWhy != "" {
				why = o.noGradWhy
			}
			errorf("Grad", "output %d %v does not require grad: %s", i, o.shape, why)
		}
		var g *Tensor
		if opts.GradOutputs != nil {
			g = opts.GradOutputs[i]
		}
		switch {
		case g == nil && o.Numel() != 1:
			errorf("Grad", "output %d has shape %v; give its gradient in GradOutputs (only a one-element output defaults to ones)", i, o.shape)
		case g == nil:
			g = OnesLike(o)
		case !slices.Equal(g.shape, o.shape):
			shapeErr("Grad", fmt.Sprintf("GradOutputs[%d] must have output %d's shape", i, i), "", o.shape, g.shape)
		}
		seeds[i] = g.To(o.dtype)
	}
	if opts.CreateGraph {
		defer enter(gradOf).leave() // grad mode stays as the caller has it
	} else {
		defer enter(noGradOf).leave()
		defer enter(gradOf).leave()
	}

	order := topoOrder(outputs...)
	for _, r := range order {
		checkVersions(r)
	}
	grads := map[*Tensor]*Tensor{}
	add := func(in, g *Tensor) {
		if g.dtype != in.dtype {
			g = g.To(in.dtype)
		}
		if cur := grads[in]; cur != nil {
			g = cur.Add(g)
		}
		grads[in] = g
	}
	for i, o := range outputs {
		add(o, seeds[i])
	}
	out := make([]*Tensor, len(inputs))
	for _, r := range order {
		gr := grads[r]
		if gr == nil {
			continue
		}
		delete(grads, r)
		if r.gradHooks() != nil {
			gr = runGradHooks(r, gr)
		}
		if i, ok := want[r]; ok {
			out[i] = gr
		}
		CheckInterrupt()
		checkVersions(r)
		gs := runBackward(r, gr)
		for i, in := range r.node.inputs {
			if i >= len(gs) || gs[i] == nil || !in.requiresGrad {
				continue
			}
			gi := gs[i]
			if !slices.Equal(gi.shape, in.shape) {
				panic(fmt.Sprintf("dbr bug: backward of %s gave input %d a gradient of shape %v, want %v", r.op, i, gi.shape, in.shape))
			}
			if opts.CreateGraph && GradEnabled() && (!twiceDifferentiable[r.op] || gr.requiresGrad && !gi.requiresGrad) {
				gi = notTwice(r.op, gi, append(slices.Clone(r.node.inputs), gr))
			}
			add(in, gi)
		}
	}
	// leaves are not in order: their gradient is complete now
	for in, g := range grads {
		if i, ok := want[in]; ok && in.node == nil {
			if in.gradHooks() != nil {
				g = runGradHooks(in, g)
			}
			out[i] = g
		}
	}
	for i, g := range out {
		if g == nil && !opts.AllowUnused {
			errorf("Grad", "input %d %v is not used to compute the outputs (set AllowUnused to get nil for it)", i, inputs[i].shape)
		}
	}
	return out
}

// twiceDifferentiable names the ops whose backward, when Grad runs it with
// CreateGraph, returns every gradient as the result of recorded ops
// (depending on the op's inputs and on g as the true derivative does), so
// the gradient can be differentiated again. TestSecondOrder checks each
// against finite differences of first derivatives. An op whose backward is
// a raw loop alone (geluGrad, the derivative that GELU's backward records)
// is not listed: a gradient through it carries a node that refuses to be
// differentiated (notTwice).
var twiceDifferentiable = map[string]bool{
	"Add": true, "Sub": true, "Mul": true, "Div": true, "Pow": true, "Maximum": true, "Minimum": true,
	"Neg": true, "Exp": true, "Log": true, "Log1p": true, "Sqrt": true, "Square": true, "Abs": true,
	"MulScalar": true, "AddScalar": true, "SubScalar": true, "DivScalar": true, "PowScalar": true,
	"Sin": true, "Cos": true, "Tanh": true, "Sigmoid": true, "ReLU": true, "LeakyReLU": true,
	"ELU": true, "SiLU": true, "Softplus": true, "Clamp": true, "Floor": true, "Round": true, "Sign": true,
	"Where": true, "maskGrad": true, "SumTo": true, "ToFloat32": true, "ToFloat64": true,
	"Reshape": true, "Permute": true, "Expand": true,
	"Sum": true, "Mean": true, "Var": true, "Std": true, "LogSumExp": true,
	"Linear": true, "MatMul": true, "CumSum": true, "Tril": true, "Triu": true, "MaskedFill": true, "Norm": true, "Clone": true,
	"Conv2d": true, "conv2dInputGrad": true, "conv2dWeightGrad": true, "Dropout": true, "LayerNorm": true,
	"Softmax": true, "LogSoftmax": true, "CrossEntropy": true,
	"Narrow": true, "Slice": true, "Select": true, "Split": true, "Chunk": true, "Pad": true, "Cat": true, "place": true,
	"MaxPool2d": true, "AvgPool2d": true, "avgPool2dGrad": true,
	"IndexSelect": true, "Gather": true, "scatterRows": true, "gatherRows": true,
	"GELU": true, "Max": true, "Min": true, "AttentionScores": true, "ApplyAttention": true,
}

// notTwice returns g as the result of a node whose backward panics: the
// gradient computed by op's backward, which cannot be differentiated again.
func notTwice(op string, g *Tensor, inputs []*Tensor) *Tensor {
	o := &Tensor{shape: g.shape, dtype: g.dtype, f32: g.f32, f64: g.f64, op: op + "Backward", requiresGrad: true,
		ver: g.sharedVersion()}
	o.node = &node{inputs: inputs, seq: seqCounter.Add(1), backward: func(*Tensor) []*Tensor {
		errorf(op, "its backward is not differentiable, so a second derivative cannot go through %s "+
			"(a gradient from Grad with CreateGraph passed through it)", op)
		return nil
	}}
	return o
}

// sumToGrad is sumTo for a backward closure: recorded (op SumTo, whose
// backward is Expand) when Grad creates a graph and g requires grad.
func sumToGrad(g *Tensor, shape []int) *Tensor {
	if slices.Equal(g.shape, shape) || !g.requiresGrad || !creatingGraph() {
		return sumTo(g, shape)
	}
	return record("SumTo", sumTo(g, shape), func(gg *Tensor) []*Tensor { return []*Tensor{gg.Expand(g.shape...)} }, g)
}

// RegisterHook makes h see the gradient of t each time a Backward or Grad
// computes it, as torch.Tensor.register_hook: h gets the whole gradient
// (all contributions summed) before it is added into t's Grad or passed on
// to t's inputs, and may return a replacement of the same shape, or nil to
// keep it. h may keep g: it is not recycled. Hooks run in the order they
// were registered; the returned function removes h.
// It panics with an *Error when t does not require grad.
func (t *Tensor) RegisterHook(h func(g *Tensor) *Tensor) (remove func()) {
	if !t.requiresGrad {
		errorf("RegisterHook", "the tensor %v does not require grad, so no gradient will reach a hook", t.shape)
	}
	if h == nil {
		errorf("RegisterHook", "the hook is nil")
	}
	p := &h
	m := t.moreOf()
	m.gradHooks = append(slices.Clone(m.gradHooks), p)
	return func() {
		m.gradHooks = slices.DeleteFunc(slices.Clone(m.gradHooks), func(q *func(*Tensor) *Tensor) bool { return q == p })
		if len(m.gradHooks) == 0 {
			m.gradHooks = nil
		}
	}
}

// runGradHooks passes g through t's hooks and returns the result.
func runGradHooks(t, g *Tensor) *Tensor {
	for _, h := range t.gradHooks() {
		r := (*h)(g)
		if r == nil {
			continue
		}
		if !slices.Equal(r.shape, t.shape) {
			shapeErr("RegisterHook", "a hook returned a gradient of the wrong shape", "return a tensor of the tensor's shape, or nil to keep g", t.shape, r.shape)
		}
		g = r.To(t.dtype)
	}
	return g
}
