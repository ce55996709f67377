package engine

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"
)

// backwardFn maps the gradient of an op's output to the gradient of each input
// (same order as the inputs; nil where an input gets none). It runs with
// gradient recording off and must not change g, except through reuse.
type backwardFn func(g *Tensor) []*Tensor

// node is the autograd record of an op result: its inputs and its backward.
type node struct {
	inputs   []*Tensor
	backward backwardFn
	// into, when set (ops of one input whose gradient is zero outside a
	// block: Select, Narrow, Chunk, …), adds the input's gradient for g into
	// dst, a gradient of the input's shape. The backward loop uses it to sum
	// the pieces' gradients in one buffer instead of a zero-filled tensor of
	// the input's size per piece (T steps of a sequence: T² work).
	into func(g, dst *Tensor)
	seq  uint64 // creation order: a topological order of the graph, and the clock of version.at
	// two holds inputs for ops of one or two inputs (most ops), so that the
	// node and its inputs are one allocation and record's variadic slice
	// stays on the caller's stack.
	two [2]*Tensor
}

// newNode returns a node of a copy of inputs.
func newNode(inputs []*Tensor, backward backwardFn) *node {
	n := &node{backward: backward, seq: seqCounter.Add(1)}
	if len(inputs) <= len(n.two) {
		n.inputs = n.two[:copy(n.two[:], inputs)]
	} else {
		n.inputs = append([]*Tensor(nil), inputs...)
	}
	return n
}

var seqCounter atomic.Uint64

// OpEvent describes one op as it runs, for hooks installed with AddOpHook.
type OpEvent struct {
	Op       string
	Inputs   []*Tensor
	Output   *Tensor   // forward: the result; backward: the gradient arriving at the result
	Grads    []*Tensor // backward only: the gradient computed for each input (nil where none)
	Backward bool
}

var (
	hookMu sync.Mutex
	hooks  atomic.Pointer[[]*func(OpEvent)]
)

// AddOpHook calls h after every op, forward and backward, until the returned
// function is called. The ops a backward uses internally are not reported
// on their own: each op's backward is one event, and ops that h runs itself
// fire no hooks. h sees the ops of every goroutine, on the goroutine that
// runs each, so it may be called concurrently (and once more just after
// remove returns). inspect builds tracing and anomaly detection on it.
// A hook may panic to stop the op (anomaly mode does).
func AddOpHook(h func(OpEvent)) (remove func()) {
	hookMu.Lock()
	defer hookMu.Unlock()
	p := &h
	var cur []*func(OpEvent)
	if old := hooks.Load(); old != nil {
		cur = append(cur, *old...)
	}
	cur = append(cur, p)
	hooks.Store(&cur)
	return func() {
		hookMu.Lock()
		defer hookMu.Unlock()
		var next []*func(OpEvent)
		if old := hooks.Load(); old != nil {
			for _, q := range *old {
				if q != p {
					next = append(next, q)
				}
			}
		}
		if len(next) == 0 {
			hooks.Store(nil) // no hook: ops skip the hook path entirely
			return
		}
		hooks.Store(&next)
	}
}

func runHooks(ev OpEvent) {
	hs := hooks.Load()
	if hs == nil {
		return
	}
	defer enter(hookOf).leave()
	for _, h := range *hs {
		(*h)(ev)
	}
}

// dependsWhy starts the NoGradReason of a result whose input had one.
const dependsWhy = "it depends on a tensor that does not require grad: "

// record finishes an op: it labels out with the op's name and, when gradient
// recording is on and an input requires grad, links out to its inputs and
// backward. Every op returns through record, so hooks see every op.
// A nil backward marks the op as not differentiable.
func record(op string, out *Tensor, backward backwardFn, inputs ...*Tensor) *Tensor {
	out.op = op
	needs := false
	for _, in := range inputs {
		if in.requiresGrad {
			needs = true
			break
		}
	}
	switch {
	case !needs:
		// Pass on why an input has no gradient, so that a loss computed
		// after a Detach can still say why it does not require grad.
		for _, in := range inputs {
			if in.noGradWhy != "" {
				out.noGradWhy = in.noGradWhy
				if !GradEnabled() {
					out.noGradWhy = "it was computed under NoGrad"
				} else if !strings.HasPrefix(out.noGradWhy, dependsWhy) {
					out.noGradWhy = dependsWhy + in.noGradWhy
				}
				break
			}
		}
	case !GradEnabled():
		out.noGradWhy = "it was computed under NoGrad"
	case backward == nil:
		out.noGradWhy = op + " is not differentiable"
	default:
		out.requiresGrad = true
		out.node = newNode(inputs, backward)
	}
	if hooks.Load() != nil && !hooksQuiet() {
		runHooks(OpEvent{Op: op, Inputs: append([]*Tensor(nil), inputs...), Output: out})
	}
	return out
}

// SetRequiresGrad marks a leaf tensor (one made by a constructor, not by an op)
// as a parameter whose gradient Backward computes. It returns t.
// It panics with an *Error when t is the result of an op.
func (t *Tensor) SetRequiresGrad(on bool) *Tensor {
	if t.node != nil {
		errorf("SetRequiresGrad", "only leaf tensors can change requires-grad; this tensor was made by %s (use Detach() for a leaf copy)", t.op)
	}
	t.requiresGrad = on
	return t
}

// RequiresGrad reports whether Backward computes a gradient for t or through t.
func (t *Tensor) RequiresGrad() bool { return t.requiresGrad }

// IsLeaf reports whether t has no recorded history: made by a constructor,
// by Detach, or by an op that recorded no gradient.
func (t *Tensor) IsLeaf() bool { return t.node == nil }

// Grad returns the accumulated gradient, or nil before any Backward reached t.
// Only leaves that require grad, and results marked with RetainGrad, get one.
func (t *Tensor) Grad() *Tensor { return t.grad }

// ZeroGrad sets the accumulated gradient to zero (keeping it allocated).
func (t *Tensor) ZeroGrad() {
	if t.grad != nil {
		t.grad.fill(0)
		t.grad.bump("ZeroGrad")
	}
}

// SetGrad replaces the accumulated gradient (nil clears it). Optimizers and
// checkpoint code use it; g must have t's shape.
func (t *Tensor) SetGrad(g *Tensor) {
	if g != nil && !slices.Equal(g.shape, t.shape) {
		shapeErr("SetGrad", "the gradient must have the tensor's shape", "", t.shape, g.shape)
	}
	if g != nil && g.dtype != t.dtype {
		g = g.To(t.dtype)
	}
	t.grad = g
}

// RetainGrad makes Backward keep the gradient of an op result in Grad, as for
// leaves. It returns t.
func (t *Tensor) RetainGrad() *Tensor {
	t.moreOf().retainGrad = true
	return t
}

// Detach returns a tensor sharing t's data with no history and no
// requires-grad: gradients do not flow through it.
func (t *Tensor) Detach() *Tensor {
	return &Tensor{shape: t.shape, dtype: t.dtype, f32: t.f32, f64: t.f64, op: "", noGradWhy: "it was detached", ver: t.sharedVersion()}
}

// Op returns the name of the op that made t ("" for tensors made by
// constructors or Detach).
func (t *Tensor) Op() string { return t.op }

// Inputs returns the inputs recorded for t's backward (nil for leaves and for
// results made without gradient recording). The slice must not be changed.
func (t *Tensor) Inputs() []*Tensor {
	if t.node == nil {
		return nil
	}
	return t.node.inputs
}

// Seq returns the creation number of an op result that recorded a gradient:
// later ops have larger numbers. It is 0 for leaves.
func (t *Tensor) Seq() uint64 {
	if t.node == nil {
		return 0
	}
	return t.node.seq
}

// NoGradReason says why t does not require grad although it was computed from
// a tensor that did ("it was computed under NoGrad", "ArgMax is not
// differentiable", "it was detached"), or "" when there is no such reason.
func (t *Tensor) NoGradReason() string { return t.noGradWhy }

// Backward computes the gradient of the one-element tensor t with respect to
// every leaf that requires grad, and adds it into their Grad.
// It panics with an *Error when t has more than one element (use BackwardWith)
// or does not require grad.
func (t *Tensor) Backward() {
	if t.Numel() != 1 {
		errorf("Backward", "called on a tensor of shape %v; reduce it first with Sum() or Mean(), or pass the upstream gradient with BackwardWith(g)", t.shape)
	}
	t.BackwardWith(OnesLike(t))
}

// BackwardWith is Backward for a tensor of any shape, given the gradient g of
// some scalar with respect to t (g has t's shape).
func (t *Tensor) BackwardWith(g *Tensor) {
	if !t.requiresGrad {
		why := "none of the tensors it was computed from requires grad (make parameters with SetRequiresGrad(true))"
		if t.noGradWhy != "" {
			why = t.noGradWhy
		}
		errorf("Backward", "this tensor does not require grad: %s", why)
	}
	if !slices.Equal(g.shape, t.shape) {
		shapeErr("Backward", "the gradient must have the tensor's shape", "", t.shape, g.shape)
	}
	if g.dtype != t.dtype {
		g = g.To(t.dtype)
	}
	defer enter(noGradOf).leave()

	if t.node == nil { // a leaf
		if t.gradHooks() != nil {
			g = runGradHooks(t, g)
		}
		accumulate(&t.grad, g)
		return
	}
	order := topoOrder(t)
	// Refuse before any gradient changes when a saved tensor was changed in
	// place; checked again per op, for changes made by this backward itself
	// (accumulating into a Grad that an op of the graph used).
	var leafBuf [16]leafUse // on the stack: most graphs reach a few leaves
	leaves := leafBuf[:0]
	for _, r := range order {
		checkVersions(r)
		leaves = reachedLeaves(leaves, r)
	}
	grads := make(map[*Tensor]*Tensor, len(order))
	owned := map[*Tensor]bool{} // sums made here, which may be added into
	// With no hook watching, the data of a gradient nothing holds any more
	// goes back to the pool (pool.go); held counts the pending gradients
	// using each buffer, since a backward may pass its g on as is.
	pooling := hooks.Load() == nil
	held := map[unsafe.Pointer]int{}
	var dead []*Tensor
	hold := func(g *Tensor, d int) {
		if pooling {
			held[bufKey(g)] += d
		}
	}
	// releaseDead returns the buffers of dead that nothing holds any more.
	releaseDead := func() {
		if pooling {
			for _, d := range dead {
				if k := bufKey(d); d.scratch && k != nil && held[k] == 0 {
					release(d) // also clears d: a buffer appearing twice in dead goes back once
				}
			}
		}
	}
	grads[t] = g.clone()
	hold(grads[t], 1)
	// leaves with tensor hooks: their gradient is summed here, and the hooks
	// see the sum once every contribution has arrived
	var hookedLeaves []*Tensor
	hookedSums := map[*Tensor]*Tensor{}
	for _, r := range order {
		gr := grads[r]
		if gr == nil {
			continue
		}
		delete(grads, r)
		hold(gr, -1)
		// gr is no sum of ours any more: the backward may pass it on as is
		// to several inputs (Add does), and adding into it would change them all
		delete(owned, gr)
		if r.gradHooks() != nil {
			gr = runGradHooks(r, gr.clone()) // a copy, which a hook may keep: the pool never takes it
		}
		if r.more != nil && r.more.retainGrad {
			accumulate(&r.grad, gr)
		}
		CheckInterrupt()
		checkVersions(r)
		dead = append(dead[:0], gr)
		if in := r.node.inputs[0]; r.node.into != nil && pooling && !creatingGraph() && in.node != nil && in.requiresGrad && in.gradHooks() == nil {
			// Add into the input's pending gradient, made ours first.
			cur := grads[in]
			switch {
			case cur == nil:
				cur = empty(in.dtype, in.shape)
			case !owned[cur]:
				hold(cur, -1)
				dead = append(dead, cur)
				cur = cur.clone()
			}
			if !owned[cur] {
				cur.scratch = true
				owned[cur] = true
				grads[in] = cur
				hold(cur, 1)
			}
			r.node.into(gr, cur)
			releaseDead()
			continue
		}
		// Nothing else holds gr's data: the backward may write its result there.
		gr.reusable = pooling && gr.scratch && held[bufKey(gr)] == 0
		gs := runBackward(r, gr)
		gr.reusable = false
		if hooks.Load() != nil {
			pooling = false
			runHooks(OpEvent{Op: r.op, Inputs: r.node.inputs, Output: gr, Grads: gs, Backward: true})
		}
		for i, in := range r.node.inputs {
			if i >= len(gs) || gs[i] == nil || !in.requiresGrad {
				continue
			}
			gi := gs[i]
			if !slices.Equal(gi.shape, in.shape) {
				panic(fmt.Sprintf("dbr bug: backward of %s gave input %d a gradient of shape %v, want %v", r.op, i, gi.shape, in.shape))
			}
			if gi.dtype != in.dtype {
				gi = gi.To(in.dtype)
			}
			switch cur := grads[in]; {
			case in.node == nil && in.gradHooks() != nil:
				if s := hookedSums[in]; s != nil {
					addInto(s, gi)
				} else {
					hookedLeaves = append(hookedLeaves, in)
					hookedSums[in] = gi.clone()
				}
				dead = append(dead, gi)
			case in.node == nil && in.grad == nil && pooling && !creatingGraph() && gi.scratch && gi.node == nil && held[bufKey(gi)] == 0:
				// A leaf's first gradient that nothing else holds becomes its
				// Grad as is, not a copy (1 MB less to copy for a [256 1000]
				// batch of logits). It is the leaf's now: not scratch, so
				// neither released to the pool nor taken by another leaf
				// (a backward may give one g to two inputs), and held for
				// the rest of the pass.
				gi.scratch, gi.op = false, ""
				hold(gi, 1)
				in.grad = gi
			case in.node == nil:
				accumulate(&in.grad, gi)
				dead = append(dead, gi)
			case cur == nil:
				// The first contribution is used as is, not copied: it is
				// only read from here on. A second one gets a sum of its own.
				grads[in] = gi
				hold(gi, 1)
			default:
				if !owned[cur] {
					hold(cur, -1)
					dead = append(dead, cur)
					cur = cur.clone()
					cur.scratch = true
					owned[cur] = true
					grads[in] = cur
					hold(cur, 1)
				}
				addInto(cur, gi)
				dead = append(dead, gi)
			}
		}
		releaseDead()
	}
	for _, in := range hookedLeaves {
		accumulate(&in.grad, runGradHooks(in, hookedSums[in]))
	}
	warnUntrained(leaves)
}

// reuse returns g for a backward to overwrite with a result of g's shape
// and dtype when the backward loop allows it (no other pending gradient or
// hook can see g's data), else a fresh tensor like uninit. An elementwise
// backward that reads g[i] only to write element i uses it: ReLU's gradient
// then needs no new buffer.
func reuse(g *Tensor) *Tensor {
	if g.reusable {
		return g
	}
	return uninit(g.dtype, g.shape)
}

// runBackward calls r's backward closure with hooks quiet for the ops it
// uses inside.
func runBackward(r, g *Tensor) []*Tensor {
	defer enter(backwardOf).leave()
	return r.node.backward(g)
}

// accumulate adds g into *dst, allocating a copy on first use so that no two
// tensors share a gradient buffer.
func accumulate(dst **Tensor, g *Tensor) {
	if *dst == nil {
		*dst = g.clone()
		return
	}
	addInto(*dst, g)
	(*dst).bump("Backward (accumulating into Grad)")
}

// addInto adds src into dst elementwise; both have the same shape and dtype.
func addInto(dst, src *Tensor) {
	if dst.dtype == Float64 {
		addTo(dst.f64, src.f64)
	} else {
		addTo(dst.f32, src.f32)
	}
}

// topoOrder returns the op results reachable from roots that recorded a
// gradient, latest first. Creation numbers give the order, so no recursion
// is needed.
func topoOrder(roots ...*Tensor) []*Tensor {
	seen := map[*Tensor]bool{}
	stack := make([]*Tensor, 0, 16)
	for _, t := range roots {
		if t.node != nil && !seen[t] {
			seen[t] = true
			stack = append(stack, t)
		}
	}
	out := make([]*Tensor, 0, 16)
	for len(stack) > 0 {
		r := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		out = append(out, r)
		for _, in := range r.node.inputs {
			if in.node != nil && in.requiresGrad && !seen[in] {
				seen[in] = true
				stack = append(stack, in)
			}
		}
	}
	slices.SortFunc(out, func(a, b *Tensor) int { return cmp.Compare(b.node.seq, a.node.seq) })
	return out
}
