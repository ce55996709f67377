package inspect

import (
	"fmt"
	"hash/fnv"
	"math"
	"reflect"
	"sort"
	"strings"
	"unicode"

	"github.com/dbr-go/dbr/engine"
	"github.com/dbr-go/dbr/nn"
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

// maxTracedTensors bounds how many tensors one variable contributes, so a
// variable holding a data set does not slow every line down.
const maxTracedTensors = 256

// tensorsIn lists the tensors a variable holds: a *engine.Tensor; each
// element of a []*engine.Tensor as name[i]; the parameters of a module as
// name.fc1.weight (a compiled module, through Params) or, for a struct typed
// at the prompt, its tensor fields and the modules in them, as
// name.Field.weight.
func tensorsIn(name string, v any, out map[string]*engine.Tensor) {
	switch x := v.(type) {
	case *engine.Tensor:
		if x != nil {
			out[name] = x
		}
		return
	case []*engine.Tensor:
		for i, t := range x {
			if t != nil {
				out[fmt.Sprintf("%s[%d]", name, i)] = t
			}
		}
		return
	}
	n := 0
	seen := map[uintptr]bool{}
	var walk func(prefix string, rv reflect.Value, depth int)
	walk = func(prefix string, rv reflect.Value, depth int) {
		if !rv.IsValid() || depth > 4 || n >= maxTracedTensors {
			return
		}
		if rv.Kind() == reflect.Interface {
			if rv.IsNil() {
				return
			}
			rv = rv.Elem()
		}
		if rv.Kind() != reflect.Pointer || rv.IsNil() || !rv.CanInterface() {
			return
		}
		if seen[rv.Pointer()] {
			return
		}
		seen[rv.Pointer()] = true
		switch x := rv.Interface().(type) {
		case *engine.Tensor:
			out[prefix] = x
			n++
			return
		case nn.Module:
			for _, p := range uniqueParams(x.Params()) {
				if n < maxTracedTensors {
					out[prefix+"."+p.name] = p.t
					n++
				}
			}
			return
		}
		e := rv.Elem()
		if e.Kind() != reflect.Struct {
			return
		}
		for i := 0; i < e.NumField(); i++ {
			f := e.Field(i)
			if !f.CanInterface() {
				continue
			}
			fname := e.Type().Field(i).Name
			// yaegi exports a lower-case field fc1 as Xfc1.
			if len(fname) > 1 && fname[0] == 'X' && unicode.IsLower(rune(fname[1])) {
				fname = fname[1:]
			}
			if ts, ok := f.Interface().([]*engine.Tensor); ok {
				for j, t := range ts {
					if t != nil && n < maxTracedTensors {
						out[fmt.Sprintf("%s.%s[%d]", prefix, fname, j)] = t
						n++
					}
				}
				continue
			}
			walk(prefix+"."+fname, f, depth+1)
		}
	}
	walk(name, reflect.ValueOf(v), 0)
}

// Snapshot records the tensors among vars (name → value): tensors, slices
// of tensors, and the parameters of modules and tensor fields of structs
// (see Changes). Other values are ignored.
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
