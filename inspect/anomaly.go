package inspect

import (
	"fmt"
	"math"
	"strings"
	"sync"

	"github.com/dbr-go/dbr/engine"
)

var (
	anomalyMu     sync.Mutex
	anomalyRemove func()
)

// DetectAnomaly turns anomaly mode on or off, as torch.autograd's
// detect_anomaly. While on, every op's result, and in Backward every
// gradient, is checked: the first op that produces a NaN or an infinity
// stops with a panic of type *engine.Error that names the op, says whether
// it happened forward or backward, and gives the statistics of its inputs.
// The REPL prints it as an error of the line that ran the op.
//
// Anomaly mode reads every value an op produces, so it slows ops down;
// turn it off when the bug is found.
func DetectAnomaly(on bool) {
	anomalyMu.Lock()
	defer anomalyMu.Unlock()
	if on && anomalyRemove == nil {
		anomalyRemove = engine.AddOpHook(anomalyHook)
	}
	if !on && anomalyRemove != nil {
		anomalyRemove()
		anomalyRemove = nil
	}
}

// AnomalyEnabled reports whether anomaly mode is on.
func AnomalyEnabled() bool {
	anomalyMu.Lock()
	defer anomalyMu.Unlock()
	return anomalyRemove != nil
}

func nonFinite(t *engine.Tensor) bool {
	if t == nil {
		return false
	}
	for _, v := range t.Float64s() {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return true
		}
	}
	return false
}

func badKind(s TensorStats) string {
	switch {
	case s.NaN > 0 && s.Inf > 0:
		return "NaN and Inf"
	case s.NaN > 0:
		return "NaN"
	}
	return "Inf"
}

func anomalyHook(ev engine.OpEvent) {
	if !ev.Backward {
		if !nonFinite(ev.Output) {
			return
		}
		s := Compute("", ev.Output)
		var b strings.Builder
		fmt.Fprintf(&b, "produced %s in the forward pass (anomaly mode): output %s", badKind(s), s.brief())
		writeInputs(&b, ev.Inputs)
		panic(&engine.Error{Op: ev.Op, Msg: b.String()})
	}
	for i, g := range ev.Grads {
		if !nonFinite(g) {
			continue
		}
		s := Compute("", g)
		var b strings.Builder
		fmt.Fprintf(&b, "produced %s in the backward pass (anomaly mode): the gradient for input %d is %s", badKind(s), i, s.brief())
		fmt.Fprintf(&b, "\n  gradient arriving at its output: %s", Compute("", ev.Output).brief())
		writeInputs(&b, ev.Inputs)
		panic(&engine.Error{Op: ev.Op, Msg: b.String()})
	}
}

func writeInputs(b *strings.Builder, ins []*engine.Tensor) {
	for i, in := range ins {
		if in == nil {
			continue
		}
		fmt.Fprintf(b, "\n  input %d", i)
		if in.Name() != "" {
			fmt.Fprintf(b, " %s", quote(in.Name()))
		}
		fmt.Fprintf(b, ": %s", Compute("", in).brief())
	}
}
