package inspect

import (
	"fmt"
	"strings"
	"sync"

	"github.com/dbr-go/dbr/engine"
)

// OpRecord is one op seen by TraceOps.
type OpRecord struct {
	Op           string
	Backward     bool    // the op's backward ran (during Backward)
	InputShapes  [][]int // forward: the inputs; backward: the gradient arriving at the output
	OutputShapes [][]int // forward: the result; backward: the gradient for each input (nil where none)
	RequiresGrad bool    // forward: the result requires grad
	NonFinite    bool    // a result holds NaN or Inf
}

// OpTrace lists the ops run inside TraceOps, in order.
type OpTrace struct {
	Ops []OpRecord
	// Panic is the error message when the traced function stopped with a panic.
	Panic string
}

// TraceOps runs f and records every op it runs, forward and backward
// (and the ops other goroutines run meanwhile, such as a DataLoader
// preparing the next batch from a Dataset whose Get uses ops). If f
// panics, TraceOps returns the ops up to the panic with Panic set to its
// message instead of panicking.
func TraceOps(f func()) *OpTrace {
	tr, pv := traceOps(f)
	if pv != nil {
		tr.Panic = fmt.Sprint(pv)
	}
	return tr
}

func traceOps(f func()) (tr *OpTrace, pv any) {
	tr = &OpTrace{}
	// The hook runs on whichever goroutine runs an op (a DataLoader's
	// prefetching one too), possibly still once remove has returned.
	var mu sync.Mutex
	done := false
	remove := engine.AddOpHook(func(ev engine.OpEvent) {
		mu.Lock()
		defer mu.Unlock()
		if done {
			return
		}
		r := OpRecord{Op: ev.Op, Backward: ev.Backward}
		if ev.Backward {
			r.InputShapes = [][]int{ev.Output.Shape()}
			for _, g := range ev.Grads {
				if g == nil {
					r.OutputShapes = append(r.OutputShapes, nil)
					continue
				}
				r.OutputShapes = append(r.OutputShapes, g.Shape())
				r.NonFinite = r.NonFinite || nonFinite(g)
			}
		} else {
			for _, in := range ev.Inputs {
				if in != nil {
					r.InputShapes = append(r.InputShapes, in.Shape())
				}
			}
			r.OutputShapes = [][]int{ev.Output.Shape()}
			r.RequiresGrad = ev.Output.RequiresGrad()
			r.NonFinite = nonFinite(ev.Output)
		}
		tr.Ops = append(tr.Ops, r)
	})
	defer func() {
		remove()
		mu.Lock()
		done = true
		mu.Unlock()
	}()
	defer func() { pv = recover() }()
	f()
	return tr, nil
}

// Trace runs f and prints one row per op executed inside it: the op, its
// input shapes, its output shape, whether the result requires grad, and a
// warning when it holds NaN or Inf. Ops of Backward appear as "∂Op" with the
// gradient shapes. If f panics, the rows so far are printed, then the panic
// goes on.
//
//	inspect.Trace(func() { y = m.Forward(x) })
func Trace(f func()) {
	tr, pv := traceOps(f)
	if pv != nil {
		fmt.Fprintln(output(), tr.String()+"\n(stopped by a panic)")
		panic(pv)
	}
	fmt.Fprintln(output(), tr.String())
}

func shapesStr(ss [][]int) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		if s == nil {
			parts[i] = "–"
		} else {
			parts[i] = shapeStr(s)
		}
	}
	return strings.Join(parts, ", ")
}

func (tr *OpTrace) String() string {
	tb := newTable("#", "op", "inputs", "output", "grad", "").alignRight(0)
	for i, r := range tr.Ops {
		op := r.Op
		if r.Backward {
			op = "∂" + op
		}
		grad := ""
		if r.RequiresGrad {
			grad = "yes"
		}
		warn := ""
		if r.NonFinite {
			warn = "⚠ NaN/Inf"
		}
		tb.add(fmt.Sprint(i+1), op, shapesStr(r.InputShapes), shapesStr(r.OutputShapes), grad, warn)
	}
	text := tb.String()
	if len(tr.Ops) == 0 {
		text = "no ops ran"
	}
	if tr.Panic != "" {
		text += "\nstopped by: " + tr.Panic
	}
	return text
}
