package inspect

import (
	"fmt"
	"math"
	"strings"

	"github.com/dbr-go/dbr/engine"
)

// Kinds of answer WhyNoGrad gives (GradDiagnosis.Kind).
const (
	ReachesParam   = "reaches"         // the path from the loss to p is intact
	NotLeaf        = "not-leaf"        // p is reached but is an op result, whose gradient is not kept
	ParamNoGrad    = "param-no-grad"   // p itself does not require grad
	LossNoGrad     = "loss-no-grad"    // the loss does not require grad at all
	Detached       = "detached"        // the path breaks at a Detach
	UnderNoGrad    = "nograd"          // the path breaks at a result computed under NoGrad
	NotDiff        = "not-diff"        // the path breaks at a non-differentiable op
	NeverUsed      = "never-used"      // p was not used to compute the loss
	SameTensorLoss = "is-loss"         // p is the loss itself
	NilTensor      = "nil"             // loss or p is nil
	otherBreak     = "no-grad-unknown" // a break with a reason the engine did not classify
)

// GradDiagnosis is WhyNoGrad's answer: Kind is one of the constants above,
// Message explains it in words, and Path lists the ops from the loss down to
// p when p was reached.
type GradDiagnosis struct {
	Kind    string
	Message string
	Path    []string
}

func (d *GradDiagnosis) String() string { return d.Message }

// graphBreak is an input of a recorded op that stops gradients: it has no
// history and does not require grad, for a reason the engine recorded.
type graphBreak struct {
	consumer *engine.Tensor
	input    int
	t        *engine.Tensor
}

func (b graphBreak) describe() string {
	what := "a tensor"
	if b.t.Op() != "" {
		what = "the result of " + b.t.Op()
	}
	if b.t.Name() != "" {
		what += " " + quote(b.t.Name())
	}
	return fmt.Sprintf("input %d of %s is %s %v, which does not require grad: %s",
		b.input, b.consumer.Op(), what, b.t.Shape(), b.t.NoGradReason())
}

func quote(s string) string { return fmt.Sprintf("%q", s) }

// kindOfReason classifies an engine NoGradReason.
func kindOfReason(why string) string {
	switch {
	case strings.Contains(why, "detached"):
		return Detached
	case strings.Contains(why, "NoGrad"):
		return UnderNoGrad
	case strings.Contains(why, "not differentiable"):
		return NotDiff
	}
	return otherBreak
}

// WhyNoGrad explains whether a gradient can flow from loss back to p and,
// if not, where the path breaks: p does not require grad, the loss was
// computed under NoGrad, a tensor on the way was detached or computed under
// NoGrad or by a non-differentiable op (ArgMax, comparisons), or p was never
// used. Call it before or after Backward.
//
//	fmt.Println(inspect.WhyNoGrad(loss, w))
func WhyNoGrad(loss, p *engine.Tensor) *GradDiagnosis {
	d := func(kind, format string, args ...any) *GradDiagnosis {
		return &GradDiagnosis{Kind: kind, Message: fmt.Sprintf(format, args...)}
	}
	if loss == nil || p == nil {
		return d(NilTensor, "WhyNoGrad needs a loss and a tensor; got a nil one")
	}
	pl := tensorLabel(p, fmt.Sprintf("the tensor %v", p.Shape()))
	if p == loss {
		return d(SameTensorLoss, "%s is the loss itself: its gradient is 1", pl)
	}
	if !p.RequiresGrad() {
		if why := p.NoGradReason(); why != "" {
			return d(kindOfReason(why), "%s does not require grad: %s. Gradients only reach tensors that require grad", pl, why)
		}
		return d(ParamNoGrad, "%s does not require grad, so Backward computes no gradient for it: make it a parameter with SetRequiresGrad(true) before computing the loss", pl)
	}
	if !loss.RequiresGrad() {
		why := loss.NoGradReason()
		if why == "" {
			return d(LossNoGrad, "the loss does not require grad: none of the tensors it was computed from requires grad")
		}
		if strings.HasPrefix(why, "it depends on") {
			return d(kindOfReason(why), "the loss (made by %s) does not require grad: %s. The graph was cut before the loss, so no gradient reaches %s", opOr(loss), why, pl)
		}
		return d(kindOfReason(why), "the path breaks at the loss itself: it was made by %s, and %s", opOr(loss), why)
	}

	// Walk the recorded graph from the loss, newest first.
	parent := map[*engine.Tensor]*engine.Tensor{loss: nil}
	queue := []*engine.Tensor{loss}
	var breaks []graphBreak
	var params []*engine.Tensor
	found := false
	for len(queue) > 0 && !found {
		r := queue[0]
		queue = queue[1:]
		for i, in := range r.Inputs() {
			if in == nil {
				continue
			}
			if _, seen := parent[in]; seen {
				continue
			}
			parent[in] = r
			switch {
			case in == p:
				found = true
			case in.Inputs() != nil:
				queue = append(queue, in)
			case in.RequiresGrad():
				params = append(params, in)
			case in.NoGradReason() != "":
				breaks = append(breaks, graphBreak{consumer: r, input: i, t: in})
			}
		}
	}
	if found {
		var path []string
		for t := p; t != nil; t = parent[t] {
			path = append(path, opOr(t))
		}
		path[0] = pl
		for i, j := 0, len(path)-1; i < j; i, j = i+1, j-1 {
			path[i], path[j] = path[j], path[i]
		}
		route := "loss " + strings.Join(path, " ← ")
		if p.Inputs() != nil {
			g := d(NotLeaf, "the path is intact (%s), but %s is an op result: Backward keeps gradients only of leaves; call RetainGrad() on it before Backward", route, pl)
			g.Path = path
			return g
		}
		state := "run Backward on the loss and Grad() will hold it"
		if g := p.Grad(); g != nil {
			state = "Grad() holds it, norm " + num(norm(g))
		}
		g := d(ReachesParam, "a gradient reaches %s: the path is intact (%s); %s", pl, route, state)
		g.Path = path
		return g
	}
	if len(breaks) > 0 {
		// A break with p's shape is the most likely place it was cut off.
		ps := shapeStr(p.Shape())
		for i, b := range breaks {
			if shapeStr(b.t.Shape()) == ps {
				breaks[0], breaks[i] = breaks[i], breaks[0]
				break
			}
		}
		var b strings.Builder
		fmt.Fprintf(&b, "%s is not in the graph of the loss. The graph is cut here:", pl)
		for _, br := range breaks {
			b.WriteString("\n  - " + br.describe())
		}
		if len(breaks) > 1 {
			b.WriteString("\nIf it was used, its path breaks at one of these (the first has its shape).")
		}
		return &GradDiagnosis{Kind: kindOfReason(breaks[0].t.NoGradReason()), Message: b.String()}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s was never used to compute the loss", pl)
	if len(params) == 0 {
		b.WriteString("; the loss depends on no parameter at all")
	} else {
		var names []string
		for i, q := range params {
			names = append(names, tensorLabel(q, fmt.Sprintf("#%d", i+1))+" "+shapeStr(q.Shape()))
		}
		fmt.Fprintf(&b, "; the loss depends on: %s", strings.Join(names, ", "))
		for _, q := range params {
			if shapeStr(q.Shape()) == shapeStr(p.Shape()) && q.Name() == p.Name() {
				fmt.Fprintf(&b, ". It uses another tensor with the same shape and name: was %s re-created after the loss was computed?", pl)
				break
			}
		}
	}
	return &GradDiagnosis{Kind: NeverUsed, Message: b.String()}
}

func opOr(t *engine.Tensor) string {
	if t.Op() != "" {
		return t.Op()
	}
	return "leaf"
}

// norm is the Euclidean norm of t's values.
func norm(t *engine.Tensor) float64 {
	s := 0.0
	for _, v := range t.Float64s() {
		s += v * v
	}
	return math.Sqrt(s)
}
