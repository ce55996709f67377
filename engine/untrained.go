package engine

import (
	"fmt"
	"io"
	"os"
	"sync"
)

// A layer used in Forward but left out of a hand-written Params() never
// trains, and nothing else would say so: its gradient grows while its weights
// stay put. Optimizers mark the tensors they update (MarkOptimized); a
// Backward that reaches both such tensors and a leaf that requires grad but
// belongs to no optimizer warns once about that leaf, naming its shape and
// the op that used it. A Backward with no optimized leaf at all (the autograd
// lessons, a gradient computed by hand) warns about nothing.

// Warnings receives the warnings the engine prints (a leaf that gets
// gradients but is in no optimizer); the REPL sends them to the session's
// output. Set it to io.Discard to silence them.
var Warnings io.Writer = os.Stderr

// warnMu guards opt and warnedUntrained of every tensor's tensorMore.
var warnMu sync.Mutex

// optimized is what an optimized tensor keeps in its tensorMore.
type optimized struct {
	by    string          // the optimizer's name
	kinds map[string]bool // the untrained leaves warned about beside t
}

// MarkOptimized records that the optimizer named by (such as "Adam") updates
// t; nn's optimizers call it for their parameters.
func (t *Tensor) MarkOptimized(by string) {
	warnMu.Lock()
	t.moreOf().opt = &optimized{by: by}
	warnMu.Unlock()
}

// OptimizedBy returns the name of the last optimizer made over t ("" for none).
func (t *Tensor) OptimizedBy() string {
	warnMu.Lock()
	defer warnMu.Unlock()
	if o := t.optimizer(); o != nil {
		return o.by
	}
	return ""
}

// optimizer returns what t keeps of its optimizer, nil for none; the
// caller holds warnMu.
func (t *Tensor) optimizer() *optimized {
	if t.more == nil {
		return nil
	}
	return t.more.opt
}

// leafUse is a leaf that requires grad and the op of a graph that used it.
type leafUse struct {
	t  *Tensor
	op string
}

// reachedLeaves appends r's inputs that are leaves requiring grad.
func reachedLeaves(leaves []leafUse, r *Tensor) []leafUse {
	for _, in := range r.node.inputs {
		if in.node == nil && in.requiresGrad {
			leaves = append(leaves, leafUse{in, r.op})
		}
	}
	return leaves
}

// warnUntrained warns once about each leaf in leaves that no optimizer
// updates, when another leaf of the same Backward is updated by one.
func warnUntrained(leaves []leafUse) {
	warnMu.Lock()
	defer warnMu.Unlock()
	// The optimized leaves of this Backward (the model being trained) keep
	// the dtype, shape and op of every leaf warned about beside them: a new
	// input tensor each step (an input that requires grad, for a saliency
	// map) warns once, not once per step, while a second model with the
	// same mistake is warned about too.
	trained := ""
	var optBuf [16]*optimized // on the stack, as Backward's leaves
	opts := optBuf[:0]
	for _, l := range leaves {
		if o := l.t.optimizer(); o != nil {
			if trained == "" {
				trained = o.by
			}
			opts = append(opts, o)
		}
	}
	if trained == "" {
		return
	}
	warned := func(kind string) bool {
		for _, o := range opts {
			if o.kinds[kind] {
				return true
			}
		}
		return false
	}
	for _, l := range leaves {
		if l.t.optimizer() != nil || l.t.more != nil && l.t.more.warnedUntrained {
			continue
		}
		l.t.moreOf().warnedUntrained = true
		kind := fmt.Sprint(l.t.dtype, l.t.shape, l.op)
		if warned(kind) {
			continue
		}
		for _, o := range opts {
			if o.kinds == nil {
				o.kinds = map[string]bool{}
			}
			o.kinds[kind] = true
		}
		what := ""
		if name := l.t.Name(); name != "" {
			what = fmt.Sprintf(" %q", name)
		}
		fmt.Fprintf(Warnings, "warning: a %v %v tensor%s that requires grad got a gradient through %s, but no optimizer updates it (the %s optimizer updates others): "+
			"it will never train. Is it a layer left out of Params()? (:grads shows it; warned once per model, shape and op)\n",
			l.t.dtype, l.t.shape, what, l.op, trained)
	}
}
