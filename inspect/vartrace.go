package inspect

import (
	"fmt"
	"hash/fnv"
	"math"
	"sort"
	"strings"

	"github.com/dbr-go/dbr/engine"
)

// VarSnapshot records the tensors among a set of variables (a REPL
// session's globals) so that Changes can tell which of them a line of
// input created or changed.
type VarSnapshot struct {
	vars map[string]tensorState
}

type tensorState struct {
	t        *engine.Tensor
	shape    string
	op       string
	rg       bool
	sum      uint64
	grad     *engine.Tensor
	gradSum  uint64
	hasGradT bool
}

// hashLimit is the number of elements above which values are fingerprinted
// from an evenly spread sample rather than from every element.
const hashLimit = 1 << 20

func fingerprint(t *engine.Tensor) uint64 {
	if t == nil {
		return 0
	}
	h := fnv.New64a()
	vals := t.Float64s()
	step := 1
	if len(vals) > hashLimit {
		step = len(vals) / hashLimit
	}
	var b [8]byte
	for i := 0; i < len(vals); i += step {
		bits := math.Float64bits(vals[i])
		for k := range b {
			b[k] = byte(bits >> (8 * k))
		}
		h.Write(b[:])
	}
	return h.Sum64()
}

func stateOf(t *engine.Tensor) tensorState {
	s := tensorState{t: t, shape: shapeStr(t.Shape()), op: t.Op(), rg: t.RequiresGrad(), sum: fingerprint(t)}
	if g := t.Grad(); g != nil {
		s.grad, s.gradSum, s.hasGradT = g, fingerprint(g), true
	}
	return s
}

// tensorsIn lists the tensors a variable holds: a *engine.Tensor, or each
// element of a []*engine.Tensor as name[i].
func tensorsIn(name string, v any, out map[string]*engine.Tensor) {
	switch x := v.(type) {
	case *engine.Tensor:
		if x != nil {
			out[name] = x
		}
	case []*engine.Tensor:
		for i, t := range x {
			if t != nil {
				out[fmt.Sprintf("%s[%d]", name, i)] = t
			}
		}
	}
}

// Snapshot records the tensors among vars (name → value; values that are
// not tensors or slices of tensors are ignored).
func Snapshot(vars map[string]any) *VarSnapshot {
	ts := map[string]*engine.Tensor{}
	for n, v := range vars {
		tensorsIn(n, v, ts)
	}
	s := &VarSnapshot{vars: map[string]tensorState{}}
	for n, t := range ts {
		s.vars[n] = stateOf(t)
	}
	return s
}

// VarChange is one tensor variable that a line created or changed.
type VarChange struct {
	Name         string
	Shape        []int
	Op           string // the op that made it; "" for a leaf
	RequiresGrad bool
	What         string // "new", "reassigned", "values changed", "grad changed", …
	NonFinite    bool   // it holds NaN or Inf
}

// VarChanges lists what a line did to tensor variables; String prints one
// row per variable (no header, to sit under the line's own output), or ""
// when nothing changed.
type VarChanges struct {
	Rows []VarChange
}

// Changes compares the variables after a line with the snapshot taken
// before it and lists, sorted by name, each tensor that is new, was
// reassigned, or whose shape, values, requires-grad or gradient changed.
// The REPL's ":trace on" calls Snapshot and Changes with the session's
// globals around every line.
func (s *VarSnapshot) Changes(after map[string]any) *VarChanges {
	ts := map[string]*engine.Tensor{}
	for n, v := range after {
		tensorsIn(n, v, ts)
	}
	names := make([]string, 0, len(ts))
	for n := range ts {
		names = append(names, n)
	}
	sort.Strings(names)
	out := &VarChanges{}
	for _, n := range names {
		t := ts[n]
		now := stateOf(t)
		before, had := s.vars[n]
		var what []string
		switch {
		case !had:
			what = append(what, "new")
		case before.t != t:
			what = append(what, "reassigned")
		default:
			if before.shape != now.shape {
				what = append(what, "shape changed from "+before.shape)
			} else if before.sum != now.sum {
				what = append(what, "values changed")
			}
			if before.rg != now.rg {
				what = append(what, "requires-grad changed")
			}
		}
		if had && before.t == t {
			switch {
			case now.hasGradT && !before.hasGradT:
				what = append(what, "grad set")
			case !now.hasGradT && before.hasGradT:
				what = append(what, "grad cleared")
			case now.hasGradT && (now.grad != before.grad || now.gradSum != before.gradSum):
				what = append(what, "grad changed")
			}
		}
		if len(what) == 0 {
			continue
		}
		out.Rows = append(out.Rows, VarChange{Name: n, Shape: t.Shape(), Op: t.Op(), RequiresGrad: t.RequiresGrad(),
			What: strings.Join(what, ", "), NonFinite: nonFinite(t)})
	}
	return out
}

func (c *VarChanges) String() string {
	if len(c.Rows) == 0 {
		return ""
	}
	tb := newTable("var", "shape", "op", "grad", "", "")
	for _, r := range c.Rows {
		op := r.Op
		if op == "" {
			op = "leaf"
		}
		rg := ""
		if r.RequiresGrad {
			rg = "requires grad"
		}
		warn := ""
		if r.NonFinite {
			warn = "⚠ NaN/Inf"
		}
		tb.add("· "+r.Name, shapeStr(r.Shape), op, rg, r.What, warn)
	}
	return tb.bodyString()
}
