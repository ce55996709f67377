package inspect

import (
	"fmt"
	"math"
	"strings"

	"github.com/dbr-go/dbr/engine"
	"github.com/dbr-go/dbr/nn"
)

// Thresholds for the flags Grads sets. A gradient is flagged as vanishing
// when its norm is below VanishingNorm, or below VanishingShare times the
// largest gradient norm in the model; as exploding when its norm is above
// ExplodingNorm. (The ratio to the weights is shown but not judged: a
// bias starts near zero, so its ratio is large in a healthy model.)
var (
	VanishingNorm  = 1e-7
	VanishingShare = 1e-4
	ExplodingNorm  = 1e3
)

// ParamStats is StatsOf for a module's parameters and buffers, labelled with
// their names ("fc1.weight").
func ParamStats(m nn.Module) *StatsTable {
	needModule("ParamStats", m)
	st := &StatsTable{}
	for _, p := range uniqueParams(m.Params()) {
		st.Rows = append(st.Rows, Compute(p.name, p.t))
	}
	return st
}

// namedTensor is a parameter listed once, with every name it was listed
// under (a shared tensor has several).
type namedTensor struct {
	name   string
	names  []string
	t      *engine.Tensor
	buffer bool
}

func uniqueParams(ps []nn.Param) []*namedTensor {
	var out []*namedTensor
	idx := map[*engine.Tensor]*namedTensor{}
	for i, p := range ps {
		if p.Tensor == nil {
			continue
		}
		name := p.Name
		if name == "" {
			name = tensorLabel(p.Tensor, fmt.Sprintf("[%d]", i))
		}
		if nt, ok := idx[p.Tensor]; ok {
			nt.names = append(nt.names, name)
			continue
		}
		nt := &namedTensor{name: name, names: []string{name}, t: p.Tensor, buffer: p.Buffer}
		idx[p.Tensor] = nt
		out = append(out, nt)
	}
	return out
}

// ParamGrad is one row of Grads.
type ParamGrad struct {
	Name      string
	Names     []string // every name the tensor is listed under (shared weights)
	Shape     []int
	HasGrad   bool
	GradNorm  float64
	Ratio     float64 // ‖grad‖/‖weight‖; NaN when the weights are all zero
	ZeroShare float64 // share of gradient elements exactly zero
	NaN, Inf  int
	Uses      int // places the tensor is used in the graph (GradsFrom), else how often it is listed
	Flags     []string
	t         *engine.Tensor
}

// GradReport is the gradient flow through a module's parameters; String
// prints one row per parameter.
type GradReport struct {
	Rows     []ParamGrad
	FromLoss bool // Uses counts uses in the graph of a loss
}

// Grads reports, after Backward, each parameter's gradient: shape, norm,
// ratio of gradient norm to weight norm, share of exact zeros and NaN/Inf
// counts, with flags for "no gradient reached this parameter", all-zero,
// vanishing and exploding gradients (see VanishingNorm and the thresholds
// beside it). A tensor listed under several names appears once. Buffers are
// left out.
//
//	loss.Backward()
//	fmt.Println(inspect.Grads(model))
func Grads(m nn.Module) *GradReport {
	needModule("Grads", m)
	return gradReport(nil, m)
}

// GradsFrom is Grads that also walks the graph of loss: it counts in how
// many places each parameter is used (a weight shared by two layers, or an
// RNN cell unrolled 50 steps, shows its uses) and says why no gradient
// reached a parameter (see WhyNoGrad).
func GradsFrom(loss *engine.Tensor, m nn.Module) *GradReport {
	needTensor("GradsFrom", "the loss", loss)
	needModule("GradsFrom", m)
	return gradReport(loss, m)
}

func gradReport(loss *engine.Tensor, m nn.Module) *GradReport {
	rep := &GradReport{FromLoss: loss != nil}
	var uses map[*engine.Tensor]int
	if loss != nil {
		uses = countUses(loss)
	}
	maxNorm := 0.0
	for _, p := range uniqueParams(m.Params()) {
		if p.buffer {
			continue
		}
		r := gradRow(p.name, p.names, p.t, len(p.names), uses)
		if r.HasGrad && !math.IsNaN(r.GradNorm) && !math.IsInf(r.GradNorm, 0) {
			maxNorm = math.Max(maxNorm, r.GradNorm)
		}
		rep.Rows = append(rep.Rows, r)
	}
	for i := range rep.Rows {
		r := &rep.Rows[i]
		switch {
		case !r.HasGrad:
			msg := "no gradient reached this parameter"
			if loss != nil {
				msg += " (" + shortWhy(WhyNoGrad(loss, r.t)) + ")"
			}
			r.Flags = append(r.Flags, msg)
		case r.NaN > 0 || r.Inf > 0:
			r.Flags = append(r.Flags, "NaN/Inf in gradient")
		case r.GradNorm == 0:
			r.Flags = append(r.Flags, "gradient is all zeros")
		case r.GradNorm < VanishingNorm || r.GradNorm < VanishingShare*maxNorm:
			r.Flags = append(r.Flags, "vanishing")
		case r.GradNorm > ExplodingNorm:
			r.Flags = append(r.Flags, "exploding")
		}
	}
	// Tensors the module holds but leaves out of Params(): no optimizer made
	// over Params() updates them.
	for _, st := range strayTensors(m) {
		r := gradRow(st.label(), nil, st.t, 1, uses)
		if r.HasGrad {
			r.Flags = []string{"used by the loss but not in Params(): it never trains"}
		} else {
			r.Flags = []string{"requires grad but not in Params(): it never trains"}
		}
		rep.Rows = append(rep.Rows, r)
	}
	return rep
}

// gradRow is the row of tensor t, listed under names; uses counts its uses
// in the loss's graph (nil without a loss: listed is shown instead).
func gradRow(name string, names []string, t *engine.Tensor, listed int, uses map[*engine.Tensor]int) ParamGrad {
	r := ParamGrad{Name: name, Names: names, Shape: t.Shape(), Uses: listed, Ratio: math.NaN(), t: t}
	if uses != nil {
		r.Uses = uses[t]
	}
	if g := t.Grad(); g != nil {
		r.HasGrad = true
		s := Compute("", g)
		r.NaN, r.Inf = s.NaN, s.Inf
		r.GradNorm = norm(g)
		if n := g.Numel(); n > 0 {
			r.ZeroShare = float64(s.Zeros) / float64(n)
		}
		if wn := norm(t); wn > 0 {
			r.Ratio = r.GradNorm / wn
		}
	}
	return r
}

// shortWhy is a few words for a WhyNoGrad kind.
func shortWhy(d *GradDiagnosis) string {
	switch d.Kind {
	case ReachesParam:
		return "it is in the graph: run Backward"
	case NeverUsed:
		return "not used by the loss"
	case Detached:
		return "cut by Detach"
	case UnderNoGrad:
		return "cut by NoGrad"
	case NotDiff:
		return "cut by a non-differentiable op"
	case ParamNoGrad:
		return "it does not require grad"
	case LossNoGrad:
		return "the loss does not require grad"
	}
	return d.Kind
}

// countUses counts, for every tensor in the graph of loss, how many op
// inputs refer to it.
func countUses(loss *engine.Tensor) map[*engine.Tensor]int {
	uses := map[*engine.Tensor]int{}
	seen := map[*engine.Tensor]bool{loss: true}
	stack := []*engine.Tensor{loss}
	for len(stack) > 0 {
		r := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, in := range r.Inputs() {
			if in == nil {
				continue
			}
			uses[in]++
			if !seen[in] {
				seen[in] = true
				stack = append(stack, in)
			}
		}
	}
	return uses
}

func (g *GradReport) String() string {
	tb := newTable("param", "shape", "‖grad‖", "‖grad‖/‖w‖", "zeros", "NaN/Inf", "uses", "").alignRight(2, 3, 4, 5, 6)
	for _, r := range g.Rows {
		name := r.Name
		if len(r.Names) > 1 {
			name = strings.Join(r.Names, " = ")
		}
		norm, ratio, zeros, bad := "–", "–", "–", "–"
		if r.HasGrad {
			norm = num(r.GradNorm)
			if !math.IsNaN(r.Ratio) {
				ratio = num(r.Ratio)
			}
			zeros = fmt.Sprintf("%.0f%%", 100*r.ZeroShare)
			bad = fmt.Sprint(r.NaN + r.Inf)
		}
		uses := fmt.Sprint(r.Uses)
		if !g.FromLoss && r.Uses == 1 {
			uses = ""
		}
		note := ""
		if len(r.Flags) > 0 {
			note = "⚠ " + strings.Join(r.Flags, "; ")
		}
		tb.add(name, shapeStr(r.Shape), norm, ratio, zeros, bad, uses, note)
	}
	if len(g.Rows) == 0 {
		return "no parameters"
	}
	return tb.String()
}
