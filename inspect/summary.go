package inspect

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/dbr-go/dbr/engine"
	"github.com/dbr-go/dbr/nn"
)

// SummaryRow is one line of a ModelSummary: a submodule (Path like
// "encoder.fc1") or an op run between submodules (Op like "ReLU").
type SummaryRow struct {
	Depth  int
	Path   string // the submodule's parameter prefix; "" for an op row
	Type   string // the submodule's Go type when it can be found ("Linear")
	Op     string // for an op row: the op
	Shape  []int  // output shape (of the last call)
	Params int    // trainable + frozen parameters of the submodule (not buffers)
	Calls  int    // consecutive repetitions collapsed into this row (1 if none)
	// Group is set on the first row of a repeated group of several rows (a
	// loop body): the number of rows in the group, nested rows included.
	Group  int
	Unused bool // a submodule with parameters that the forward pass never used
}

// ModelSummary is the table Summary prints.
type ModelSummary struct {
	Rows      []SummaryRow
	Input     []int
	Output    []int // nil when the forward pass stopped
	Total     int   // parameters (each shared tensor once)
	Trainable int   // parameters that require grad
	Buffers   int   // buffer values (BatchNorm running stats)
	Err       error // the error that stopped the forward pass, if any
	// NotInParams names each layer (or tensor) that holds tensors requiring
	// grad which Params() leaves out ("Extra (Linear)"): an optimizer made
	// over Params() never trains it. Used says whether the forward pass used it.
	NotInParams []StrayLayer
}

// StrayLayer is a layer, or a tensor the module holds itself, whose tensors
// that require grad are not in the module's Params().
type StrayLayer struct {
	Name   string // field path and Go type: "Extra (Linear)"
	Shapes [][]int
	Used   bool // the forward pass used one of its tensors
}

// Summary runs one forward pass of m on a random input of inputShape,
// without recording gradients, and returns a table of each submodule with
// its output shape and parameter count, and the totals, as torchinfo and
// Keras do. It watches the ops as they run (engine.AddOpHook) and credits
// each op to the submodule whose parameters it uses, so any Forward works:
// user-defined structs, loops and ifs, modules typed at the prompt. Ops
// that use no parameter (ReLU, Reshape) get a row of their own; a module or
// op repeated in a loop is one row with "×n".
//
// The forward pass runs in evaluation mode (Dropout passes its input
// through, BatchNorm uses its running statistics, as in inference) without
// gradient recording; afterwards every layer is put back in its mode and
// buffers are restored, so the model is left as it was. Ops that a layer
// runs on its input before it uses a parameter (LayerNorm's mean, say) show
// as op rows before the layer's row.
//
// If the forward pass panics with a shape error or another dbr error, the
// summary shows the rows up to that point and Err holds the error, which
// tells which layer the input did not fit.
func Summary(m nn.Module, inputShape ...int) *ModelSummary {
	needModule("Summary", m)
	return SummaryWith(m, engine.Randn(inputShape...))
}

// SummaryWith is Summary with a given input, for models that need
// particular values (class indices for an embedding, say).
func SummaryWith(m nn.Module, x *engine.Tensor) *ModelSummary {
	needModule("SummaryWith", m)
	needTensor("SummaryWith", "the input", x)
	ps := uniqueParams(m.Params())
	s := &ModelSummary{Input: x.Shape()}
	pathOf := map[*engine.Tensor]string{}
	count := map[string]int{}
	for _, p := range ps {
		path := modulePath(p.name)
		pathOf[p.t] = path
		if p.buffer {
			s.Buffers += p.t.Numel()
			continue
		}
		s.Total += p.t.Numel()
		if p.t.RequiresGrad() {
			s.Trainable += p.t.Numel()
		}
		for q := path; ; q = parentPath(q) {
			count[q] += p.t.Numel()
			if q == "" {
				break
			}
		}
	}

	// Buffers (BatchNorm's running statistics) are put back afterwards, so
	// that a summary does not change the model.
	type savedBuffer struct{ t, data *engine.Tensor }
	var saved []savedBuffer
	for _, p := range ps {
		if p.buffer {
			saved = append(saved, savedBuffer{p.t, engine.ZerosLike(p.t).CopyFrom(p.t)})
		}
	}

	type event struct {
		owner   string
		owned   bool
		derived bool // computed from parameters only (W.T(), rm.Reshape(…))
		op      string
		shape   []int
		data    []*engine.Tensor // inputs that are not parameters or derived from them
		out     *engine.Tensor
	}
	var events []event
	derived := map[*engine.Tensor]string{} // results computed only from one module's parameters (W.T())
	// The hook runs on whichever goroutine runs an op (a DataLoader's
	// prefetching one too), possibly still once remove has returned.
	var mu sync.Mutex
	done := false
	numEvents := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(events)
	}
	remove := engine.AddOpHook(func(ev engine.OpEvent) {
		if ev.Backward {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if done {
			return
		}
		owner, owned, onlyParams := "", false, len(ev.Inputs) > 0
		var data []*engine.Tensor
		for _, in := range ev.Inputs {
			p, isParam := pathOf[in]
			if !isParam {
				p, isParam = derived[in]
			}
			if !isParam {
				onlyParams = false
				if in != nil {
					data = append(data, in)
				}
				continue
			}
			if owned {
				owner = commonPath(owner, p)
			} else {
				owner, owned = p, true
			}
		}
		if owned && onlyParams {
			derived[ev.Output] = owner
		}
		events = append(events, event{owner: owner, owned: owned, derived: owned && onlyParams, op: ev.Op,
			shape: ev.Output.Shape(), data: data, out: ev.Output})
	})
	var y *engine.Tensor
	restore := evalForSummary(m)
	// A Sequential runs layer by layer here, so that each layer gets its
	// row, also those without parameters (ReLU, Dropout, Flatten).
	seq, isSeq := m.(*nn.Sequential)
	var bounds []int     // events[bounds[i]:bounds[i+1]] are layer i's ops
	var layerOut [][]int // each finished layer's output shape
	err := engine.Try(func() {
		engine.NoGrad(func() {
			if !isSeq {
				y = m.Forward(x)
				return
			}
			h := x
			for _, l := range seq.Layers() {
				bounds = append(bounds, numEvents())
				h = l.Forward(h)
				layerOut = append(layerOut, h.Shape())
			}
			y = h
		})
	})
	remove()
	mu.Lock()
	done = true
	mu.Unlock()
	bounds = append(bounds, len(events))
	restore()
	for _, b := range saved {
		b.t.CopyFrom(b.data)
	}
	s.Err = err
	if y != nil && err == nil {
		s.Output = y.Shape()
	}
	usedData := map[*engine.Tensor]bool{}
	for _, e := range events {
		for _, d := range e.data {
			usedData[d] = true
		}
	}
	for _, st := range strayTensors(m) {
		name := st.label()
		if st.layer != "" {
			name = st.layer
			if st.typ != "" {
				name += " (" + st.typ + ")"
			}
		}
		if n := len(s.NotInParams); n > 0 && s.NotInParams[n-1].Name == name {
			s.NotInParams[n-1].Shapes = append(s.NotInParams[n-1].Shapes, st.t.Shape())
			s.NotInParams[n-1].Used = s.NotInParams[n-1].Used || usedData[st.t]
			continue
		}
		s.NotInParams = append(s.NotInParams, StrayLayer{Name: name, Shapes: [][]int{st.t.Shape()}, Used: usedData[st.t]})
	}

	types := moduleTypes(m)
	used := map[string]bool{}
	// rows renders events[lo:hi] at depth below module parent.
	var rows func(lo, hi, depth int, parent string) []SummaryRow
	under := func(path, parent string) bool {
		return parent == "" || path == parent || strings.HasPrefix(path, parent+".")
	}
	child := func(path, parent string) string {
		rest := path
		if parent != "" {
			rest = strings.TrimPrefix(path, parent+".")
		}
		first := strings.SplitN(rest, ".", 2)[0]
		if parent == "" {
			return first
		}
		return parent + "." + first
	}
	rows = func(lo, hi, depth int, parent string) []SummaryRow {
		var out []SummaryRow
		for i := lo; i < hi; {
			e := events[i]
			if !e.owned || e.owner == parent || !under(e.owner, parent) {
				out = append(out, SummaryRow{Depth: depth, Op: e.op, Shape: e.shape, Calls: 1})
				i++
				continue
			}
			c := child(e.owner, parent)
			// The call of c runs until the last op owned by c before an op
			// owned by a module outside c, or before c is called again (in a
			// loop): an op of c that repeats the call's first op, or that
			// reads data neither given to the call nor computed from it.
			last := i
			inCall := map[*engine.Tensor]bool{}
			firstOp, firstOwner := "", ""
			internal := func(ek event) bool {
				for _, d := range ek.data {
					if !inCall[d] {
						return false
					}
				}
				return true
			}
			for _, d := range e.data {
				inCall[d] = true
			}
			for k := i; k < hi; k++ {
				ek := events[k]
				if !ek.owned {
					if internal(ek) {
						inCall[ek.out] = true
					}
					continue
				}
				if !under(ek.owner, c) {
					break
				}
				if firstOp != "" && !ek.derived {
					if (ek.op == firstOp && ek.owner == firstOwner) || !internal(ek) {
						break
					}
				}
				if firstOp == "" && !ek.derived {
					firstOp, firstOwner = ek.op, ek.owner
				}
				for _, d := range ek.data {
					inCall[d] = true
				}
				inCall[ek.out] = true
				last = k
			}
			// A residual connection: ops right after c's last one that read
			// the data the call was given (the Add of l2(l1(x)) + x) are c's.
			// (An op after the call that reads only its output is not.)
			given := map[*engine.Tensor]bool{}
			for _, d := range e.data {
				given[d] = true
			}
			for k := last + 1; k < hi && !events[k].owned && internal(events[k]) && readsAny(events[k].data, given); k++ {
				inCall[events[k].out] = true
				last = k
			}
			used[c] = true
			r := SummaryRow{Depth: depth, Path: c, Type: types[c], Shape: events[last].shape, Params: count[c], Calls: 1}
			out = append(out, r)
			deeper := false
			for k := i; k <= last; k++ {
				if events[k].owned && events[k].owner != c {
					deeper = true
					break
				}
			}
			if deeper {
				out = append(out, rows(i, last+1, depth+1, c)...)
			}
			i = last + 1
		}
		return out
	}
	var all []SummaryRow
	if !isSeq {
		all = rows(0, len(events), 0, "")
	}
	for li := range layerOut {
		lo, hi := bounds[li], bounds[li+1]
		path := strconv.Itoa(li)
		typ := types[path]
		if typ == "" {
			typ = typeName(seq.Layer(li))
		}
		all = append(all, SummaryRow{Path: path, Type: typ, Shape: layerOut[li], Params: count[path], Calls: 1})
		used[path] = true
		for k := lo; k < hi; k++ {
			if events[k].owned && events[k].owner != path && under(events[k].owner, path) {
				all = append(all, rows(lo, hi, 1, path)...)
				break
			}
		}
	}
	s.Rows = collapseRows(all)
	// Submodules with parameters that the forward pass never reached.
	seenPath := map[string]bool{}
	for _, p := range ps {
		if p.buffer || s.Err != nil {
			continue
		}
		c := child(modulePath(p.name), "")
		if c == "" || used[c] || seenPath[c] {
			continue
		}
		seenPath[c] = true
		s.Rows = append(s.Rows, SummaryRow{Path: c, Type: types[c], Params: count[c], Calls: 1, Unused: true})
	}
	return s
}

// collapseRows merges runs of repeated rows (a module called in a loop)
// into one row with Calls set; a row's signature includes the rows nested
// below it.
func collapseRows(rows []SummaryRow) []SummaryRow {
	// Group each top row with its nested rows.
	type unit struct {
		rows []SummaryRow
		sig  string
	}
	var units []unit
	for i := 0; i < len(rows); {
		j := i + 1
		for j < len(rows) && rows[j].Depth > rows[i].Depth {
			j++
		}
		var sig strings.Builder
		for _, r := range rows[i:j] {
			fmt.Fprintf(&sig, "%d|%s|%s|%v;", r.Depth-rows[i].Depth, r.Path, r.Op, r.Shape)
		}
		units = append(units, unit{rows: rows[i:j], sig: sig.String()})
		i = j
	}
	sigs := make([]string, len(units))
	for i, u := range units {
		sigs[i] = u.sig
	}
	var out []SummaryRow
	for _, bl := range collapse(sigs) {
		start := len(out)
		for k := 0; k < bl.period; k++ {
			u := units[bl.start+k]
			first := u.rows[0]
			first.Calls = bl.count
			out = append(out, first)
			out = append(out, u.rows[1:]...)
		}
		if bl.count > 1 && len(out)-start > 1 {
			out[start].Group = len(out) - start
		}
	}
	return out
}

// typeName is the name of a compiled layer's type ("ReLU"), or "" for an
// interpreted one.
func typeName(l nn.Module) string {
	t := reflect.TypeOf(l)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || strings.HasPrefix(t.Name(), "_") {
		return ""
	}
	return t.Name()
}

// modulePath is the module part of a parameter name: "fc1.weight" → "fc1",
// "weight" → "".
func modulePath(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[:i]
	}
	return ""
}

func parentPath(p string) string {
	if i := strings.LastIndexByte(p, '.'); i >= 0 {
		return p[:i]
	}
	return ""
}

// commonPath is the longest common module prefix of a and b.
func commonPath(a, b string) string {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	var out []string
	for i := 0; i < len(as) && i < len(bs) && as[i] == bs[i]; i++ {
		out = append(out, as[i])
	}
	return strings.Join(out, ".")
}

// walkModules calls visit with every non-nil pointer reachable from m
// through exported struct fields, slices, interfaces and the layers of a
// Sequential: compiled layers, also inside interpreted structs (yaegi gives
// those real fields, exporting lower-case ones with an X prefix).
func walkModules(m nn.Module, visit func(v reflect.Value)) {
	walkFrom(reflect.ValueOf(m), visit, nil)
}

// walkFrom is walkModules from any value; onTensor, when not nil, is called
// with every tensor reached.
func walkFrom(start reflect.Value, visit func(v reflect.Value), onTensor func(*engine.Tensor)) {
	seen := map[uintptr]bool{}
	tensorType := reflect.TypeOf((*engine.Tensor)(nil))
	var walk func(v reflect.Value, depth int)
	walk = func(v reflect.Value, depth int) {
		if !v.IsValid() || depth > 12 {
			return
		}
		switch v.Kind() {
		case reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem(), depth)
			}
		case reflect.Pointer:
			if v.IsNil() || seen[v.Pointer()] {
				return
			}
			if v.Type() == tensorType {
				if onTensor != nil {
					onTensor(v.Interface().(*engine.Tensor))
				}
				return
			}
			seen[v.Pointer()] = true
			if v.CanInterface() {
				visit(v)
				if seq, ok := v.Interface().(*nn.Sequential); ok {
					for _, l := range seq.Layers() {
						walk(reflect.ValueOf(l), depth+1)
					}
				}
			}
			walk(v.Elem(), depth+1)
		case reflect.Struct:
			if strings.HasPrefix(v.Type().Name(), "_") && v.CanInterface() {
				visit(v) // the REPL's wrapper of a user's module passed as an nn.Module
			}
			for i := 0; i < v.NumField(); i++ {
				if f := v.Field(i); f.CanInterface() {
					walk(f, depth+1)
				}
			}
		case reflect.Slice, reflect.Array:
			if k := v.Type().Elem().Kind(); k == reflect.Pointer || k == reflect.Interface || k == reflect.Struct {
				for i := 0; i < v.Len(); i++ {
					walk(v.Index(i), depth+1)
				}
			}
		}
	}
	walk(start, 0)
}

// evalForSummary puts m's layers in evaluation mode and returns a function
// that puts each one back in the mode it had.
func evalForSummary(m nn.Module) (restore func()) {
	type moded interface{ Training() bool }
	var train, eval []any
	walkModules(m, func(v reflect.Value) {
		if l, ok := v.Interface().(moded); ok {
			if l.Training() {
				train = append(train, l)
			} else {
				eval = append(eval, l)
			}
		}
	})
	nn.Eval(m)
	return func() {
		for _, l := range train {
			nn.Train(l)
		}
		for _, l := range eval {
			nn.Eval(l)
		}
	}
}

// moduleTypes finds, by reflection, the submodules of m whose Go type has a
// name (nn layers, a user's compiled types, types declared at the REPL: see
// nn.TypeName) and maps their parameter prefix to it. A module is recognised
// by its first parameter tensor and its parameter names.
func moduleTypes(m nn.Module) map[string]string {
	type found struct {
		name  string
		names string // its parameter names, joined: what it holds, as a path's names relative to it
	}
	byTensor := map[*engine.Tensor][]found{}
	// A type declared at the REPL has no methods reflection can call: its
	// value is known by the tensors it holds (all of them, through its
	// fields), to be matched with a path's tensors.
	type held struct {
		name    string
		tensors map[*engine.Tensor]bool
	}
	var interpreted []held
	walkModules(m, func(v reflect.Value) {
		mod, ok := v.Interface().(nn.Module)
		if !ok {
			if name := nn.TypeName(v.Interface()); name != "" && v.Kind() == reflect.Pointer {
				h := held{name, map[*engine.Tensor]bool{}}
				walkFrom(v, func(reflect.Value) {}, func(t *engine.Tensor) { h.tensors[t] = true })
				if len(h.tensors) > 0 {
					interpreted = append(interpreted, h)
				}
			}
			return
		}
		if name := nn.TypeName(mod); name != "" {
			if ps := uniqueParams(mod.Params()); len(ps) > 0 {
				names := make([]string, len(ps))
				for i, p := range ps {
					names[i] = p.name
				}
				byTensor[ps[0].t] = append(byTensor[ps[0].t], found{name, strings.Join(names, ",")})
			}
		}
	})
	// A module path's type is the module found whose parameters are the
	// path's, by the names relative to the path; when a module and the one
	// layer it wraps both fit (a user's Block around a Linear), the outer
	// one, found first, is the layer the user wrote.
	first := map[string]*engine.Tensor{}
	rel := map[string][]string{}
	under := map[string]map[*engine.Tensor]bool{}
	var order []string
	for _, p := range uniqueParams(m.Params()) {
		for q := modulePath(p.name); q != ""; q = parentPath(q) {
			if _, ok := first[q]; !ok {
				first[q] = p.t
				order = append(order, q)
				under[q] = map[*engine.Tensor]bool{}
			}
			rel[q] = append(rel[q], strings.TrimPrefix(p.name, q+"."))
			under[q][p.t] = true
		}
	}
	types := map[string]string{}
	for _, q := range order {
		want := strings.Join(rel[q], ",")
		for _, f := range byTensor[first[q]] {
			if f.names == want {
				types[q] = f.name
				break
			}
		}
	}
	// The model itself, when declared at the REPL, is the first found.
	all := map[*engine.Tensor]bool{}
	for _, p := range uniqueParams(m.Params()) {
		all[p.t] = true
	}
	if len(interpreted) > 0 && sameTensors(interpreted[0].tensors, all) {
		interpreted = interpreted[1:]
	}
	// Paths no compiled module fits take a declared type holding exactly
	// their tensors, outer paths first: a user's Block around a Linear is
	// the block's path, the Linear keeps its own.
	sort.SliceStable(order, func(i, j int) bool { return strings.Count(order[i], ".") < strings.Count(order[j], ".") })
	taken := make([]bool, len(interpreted))
	for _, q := range order {
		if types[q] != "" {
			continue
		}
		for i, h := range interpreted {
			if !taken[i] && sameTensors(h.tensors, under[q]) {
				types[q], taken[i] = h.name, true
				break
			}
		}
	}
	return types
}

func (s *ModelSummary) String() string {
	tb := newTable("layer", "type", "output shape", "params", "").alignRight(3)
	groupLeft := 0 // rows left in a repeated group being drawn
	for _, r := range s.Rows {
		indent := strings.Repeat("  ", r.Depth)
		name, params := r.Op, ""
		if r.Path != "" {
			name = r.Path
			if r.Depth > 0 {
				name = r.Path[strings.LastIndexByte(r.Path, '.')+1:]
			}
			params = group(r.Params)
		}
		shape := shapeStr(r.Shape)
		if r.Unused {
			shape = "(not used)"
		}
		typ := r.Type
		if r.Path == "" {
			typ = "op"
		}
		calls := ""
		switch {
		case r.Group > 1:
			calls = fmt.Sprintf("┐ ×%d", r.Calls)
			groupLeft = r.Group - 1
		case groupLeft > 1:
			calls = "│"
			groupLeft--
		case groupLeft == 1:
			calls = "┘"
			groupLeft--
		case r.Calls > 1:
			calls = fmt.Sprintf("×%d", r.Calls)
		}
		tb.add(indent+name, typ, shape, params, calls)
	}
	var b strings.Builder
	if len(s.Rows) > 0 {
		b.WriteString(tb.String() + "\n")
	}
	fmt.Fprintf(&b, "input %v", s.Input)
	if s.Output != nil {
		fmt.Fprintf(&b, " → output %v", s.Output)
	}
	fmt.Fprintf(&b, "\nparams: %s total, %s trainable, %s frozen", group(s.Total), group(s.Trainable), group(s.Total-s.Trainable))
	if s.Buffers > 0 {
		fmt.Fprintf(&b, "; buffers: %s values", group(s.Buffers))
	}
	for _, l := range s.NotInParams {
		shapes := make([]string, len(l.Shapes))
		for i, sh := range l.Shapes {
			shapes[i] = shapeStr(sh)
		}
		used := "is not used by Forward"
		if l.Used {
			used = "is used by Forward (its ops show as op rows)"
		}
		fmt.Fprintf(&b, "\n⚠ %s %s, but its tensors %s that require grad are not in Params(): an optimizer over Params() never trains it",
			l.Name, used, strings.Join(shapes, ", "))
	}
	switch {
	case s.Err != nil && len(s.Rows) == 0:
		fmt.Fprintf(&b, "\nthe forward pass stopped at its first op: %v", s.Err)
	case s.Err != nil:
		fmt.Fprintf(&b, "\nthe forward pass stopped after the last row: %v", s.Err)
	}
	return b.String()
}

// readsAny reports whether one of ts is in set.
func readsAny(ts []*engine.Tensor, set map[*engine.Tensor]bool) bool {
	for _, t := range ts {
		if set[t] {
			return true
		}
	}
	return false
}

func sameTensors(a, b map[*engine.Tensor]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for t := range a {
		if !b[t] {
			return false
		}
	}
	return true
}
