package nn

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/dbr-go/dbr/engine"
)

// Optimizer updates parameters from their gradients. SGD, Adam, AdamW,
// RMSprop and Adagrad implement it; the learning-rate schedulers drive it.
type Optimizer interface {
	Step()                         // update every parameter that has a gradient
	ZeroGrad()                     // set every parameter's gradient to zero
	LR() float64                   // the current learning rate
	SetLR(lr float64)              // change the learning rate (schedulers call it)
	State() []Param                // step counts, moments and lr, for checkpoints
	LoadState(state []Param) error // restore what State returned
}

// optimizer is the part every optimizer shares: the trainable tensors, the
// learning rate and the per-parameter state. The state lives in float64
// slices and every update computes in float64, reading and writing the
// parameter in its own dtype in the same loop; State and LoadState convert
// the state to and from tensors.
type optimizer struct {
	op     string
	params []*engine.Tensor
	keys   []string // the state buffers this optimizer keeps, besides "step"
	step   []float64
	bufs   []map[string][]float64
	// mu serialises Step, ZeroGrad, State and LoadState: an optimizer
	// shared by goroutines updates its parameters one step at a time.
	mu *sync.Mutex
	// group[i] is the parameter group of parameter i, an index into groups
	// (group 0: the parameters given to the constructor).
	group  []int
	groups []groupOpts
}

// groupOpts are what a parameter group sets apart: its learning rate, the
// multiple of the first group's rate it was added with (SetLR keeps it), and
// its weight decay (nil: the optimizer's).
type groupOpts struct {
	lr, ratio float64
	wd        *float64
	momentum  *float64 // set by OneCycleLR for groups after the first
}

// ParamGroup is a group of parameters with its own learning rate and weight
// decay, for an optimizer's AddParamGroup (PyTorch's param_groups). A nil LR
// or WeightDecay means the optimizer's.
type ParamGroup struct {
	Params      []Param
	LR          *float64
	WeightDecay *float64
}

// AddParamGroup adds the trainable tensors of g.Params to the optimizer with
// their own learning rate and weight decay, as PyTorch's add_param_group:
//
//	opt := nn.NewSGD(m.Body.Params(), 0.01, nn.SGDOpts{Momentum: 0.9})
//	opt.AddParamGroup(nn.ParamGroup{Params: m.Head.Params(), LR: nn.Float(0.1), WeightDecay: nn.Float(0)})
//
// Each group has its own rate: the schedulers move every group's rate from
// its own value, as PyTorch's do (GroupLR reads it, SetGroupLR sets it).
// SetLR sets the first group's rate and every other group's to the same
// multiple of it as when the group was added; LR reports the first group's.
// State and LoadState cover every group's rate and parameters; the groups
// themselves are code: add them again before LoadState.
// It panics with an *engine.Error when a tensor is already in the optimizer,
// the rate or decay is negative, or the optimizer's rate is 0 while the
// group's is not (the multiple would be undefined).
func (o *optimizer) AddParamGroup(g ParamGroup) {
	defer o.lock()()
	ratio, lr0 := 1.0, o.groups[0].lr
	lr := lr0
	if g.LR != nil {
		if *g.LR < 0 || math.IsNaN(*g.LR) {
			errorf(o.op+".AddParamGroup", "learning rate must be >= 0, got %v", *g.LR)
		}
		switch {
		case *g.LR == lr0:
		case lr0 == 0:
			errorf(o.op+".AddParamGroup", "the optimizer's learning rate is 0, so a group's rate %v is no multiple of it; give the optimizer its rate first", *g.LR)
		default:
			ratio = *g.LR / lr0
		}
		lr = *g.LR
	}
	if g.WeightDecay != nil && !(*g.WeightDecay >= 0) {
		errorf(o.op+".AddParamGroup", "weight decay must be >= 0, got %v", *g.WeightDecay)
	}
	var wd *float64
	if g.WeightDecay != nil {
		wd = Float(*g.WeightDecay)
	}
	add := newOptimizer(o.op+".AddParamGroup", g.Params, lr)
	for _, t := range add.params {
		if slices.Contains(o.params, t) {
			errorf(o.op+".AddParamGroup", "parameter %s is already in the optimizer; a tensor belongs to one group", paramName(g.Params, t))
		}
	}
	o.groups = append(o.groups, groupOpts{lr: lr, ratio: ratio, wd: wd})
	for range add.params {
		o.group = append(o.group, len(o.groups)-1)
		o.step = append(o.step, 0)
		o.bufs = append(o.bufs, map[string][]float64{})
	}
	o.params = append(o.params, add.params...)
}

// lrOf is the learning rate of parameter i.
func (o *optimizer) lrOf(i int) float64 { return o.groups[o.group[i]].lr }

// wdOf is the weight decay of parameter i, def unless its group sets one.
func (o *optimizer) wdOf(i int, def float64) float64 {
	if wd := o.groups[o.group[i]].wd; wd != nil {
		return *wd
	}
	return def
}

// momOf is the momentum (SGD's and RMSprop's, Adam's β₁) of parameter i,
// def unless its group has its own.
func (o *optimizer) momOf(i int, def float64) float64 {
	if m := o.groups[o.group[i]].momentum; m != nil {
		return *m
	}
	return def
}

// anyMomentum reports whether some group has a momentum, def being the
// optimizer's.
func (o *optimizer) anyMomentum(def float64) bool {
	for _, g := range o.groups {
		if (g.momentum == nil && def != 0) || (g.momentum != nil && *g.momentum != 0) {
			return true
		}
	}
	return false
}

// anyDecay reports whether some group decays, def being the optimizer's decay.
func (o *optimizer) anyDecay(def float64) bool {
	for _, g := range o.groups {
		if (g.wd == nil && def != 0) || (g.wd != nil && *g.wd != 0) {
			return true
		}
	}
	return false
}

// GroupLR returns the learning rate of parameter group i (0: the
// parameters given to the constructor; 1, …: those of AddParamGroup).
// It panics with an *engine.Error when there is no group i.
func (o *optimizer) GroupLR(i int) float64 {
	o.checkGroup(".GroupLR", i)
	return o.groups[i].lr
}

// SetGroupLR sets the learning rate of parameter group i alone (PyTorch's
// optimizer.param_groups[i]["lr"] = lr).
// It panics with an *engine.Error when there is no group i or lr < 0.
func (o *optimizer) SetGroupLR(i int, lr float64) {
	o.checkGroup(".SetGroupLR", i)
	if lr < 0 || math.IsNaN(lr) {
		errorf(o.op+".SetGroupLR", "learning rate must be >= 0, got %v", lr)
	}
	o.groups[i].lr = lr
}

// NumGroups returns the number of parameter groups (1 without AddParamGroup).
func (o *optimizer) NumGroups() int { return len(o.groups) }

func (o *optimizer) checkGroup(op string, i int) {
	if i < 0 || i >= len(o.groups) {
		errorf(o.op+op, "group %d does not exist; the optimizer has %d", i, len(o.groups))
	}
}

// lock holds o's mutex until the returned function is called.
func (o *optimizer) lock() (unlock func()) {
	o.mu.Lock()
	return o.mu.Unlock
}

func newOptimizer(op string, params []Param, lr float64, keys ...string) optimizer {
	if lr < 0 || math.IsNaN(lr) {
		errorf(op, "learning rate must be >= 0, got %v", lr)
	}
	ts := Tensors(params)
	seen := map[*engine.Tensor]bool{}
	var uniq []*engine.Tensor
	for i, t := range ts {
		if t == nil {
			errorf(op, "parameter %d (%s) is nil", i, paramName(params, t))
		}
		if !t.IsLeaf() {
			errorf(op, "parameter %s was computed by %s; an optimizer updates leaf tensors (make it with a constructor and SetRequiresGrad(true))", paramName(params, t), t.Op())
		}
		if !seen[t] {
			seen[t] = true
			uniq = append(uniq, t)
			t.MarkOptimized(op) // a Backward reaching a leaf of no optimizer beside these warns
		}
	}
	o := optimizer{op: op, params: uniq, keys: keys, step: make([]float64, len(uniq)), bufs: make([]map[string][]float64, len(uniq)), mu: new(sync.Mutex),
		group: make([]int, len(uniq)), groups: []groupOpts{{lr: lr, ratio: 1}}}
	for i := range o.bufs {
		o.bufs[i] = map[string][]float64{}
	}
	return o
}

func paramName(ps []Param, t *engine.Tensor) string {
	for _, p := range ps {
		if p.Tensor == t && p.Name != "" {
			return strconv.Quote(p.Name)
		}
	}
	return "(unnamed)"
}

// LR returns the learning rate (of the first parameter group).
func (o *optimizer) LR() float64 { return o.groups[0].lr }

// SetLR sets the learning rate: the first group's, and every other group's
// to the multiple of it the group was added with.
// It panics with an *engine.Error when lr < 0.
func (o *optimizer) SetLR(lr float64) {
	if lr < 0 || math.IsNaN(lr) {
		errorf(o.op, "learning rate must be >= 0, got %v", lr)
	}
	for i := range o.groups {
		o.groups[i].lr = lr * o.groups[i].ratio
	}
}

// ZeroGrad sets the gradient of every parameter to zero.
func (o *optimizer) ZeroGrad() {
	defer o.lock()()
	for _, t := range o.params {
		t.ZeroGrad()
	}
}

// buf returns state buffer key of parameter i, creating it filled with init.
func (o *optimizer) buf(i int, key string, n int, init float64) []float64 {
	b, ok := o.bufs[i][key]
	if !ok {
		b = make([]float64, n)
		if init != 0 {
			for j := range b {
				b[j] = init
			}
		}
		o.bufs[i][key] = b
	}
	return b
}

// float is the element type of a parameter's data.
type float interface{ ~float32 | ~float64 }

// each calls update for every parameter that has a gradient, with the
// parameter's data and its gradient in their dtype (f32 for float32
// parameters, f64 for float64): the update reads and writes them in place,
// in one compiled loop, and must not change the gradient. Optimizers write
// their update once as a generic function and pass its two instances.
func (o *optimizer) each(f32 func(i int, p, g []float32), f64 func(i int, p, g []float64)) {
	defer o.lock()()
	for i, t := range o.params {
		gt := t.Grad()
		if gt == nil {
			continue
		}
		engine.CheckInterrupt()
		if p := t.RawFloat64(); p != nil {
			f64(i, p, gt.ReadRawFloat64()) // reading the gradient is no in-place change of it
		} else {
			f32(i, t.RawFloat32(), gt.ReadRawFloat32())
		}
		t.MarkChanged(o.op + ".Step") // Backward then names the step if a graph saved t before it
	}
}

func fromFloat64s(d []float64, shape []int) *engine.Tensor {
	return engine.New64(d).Reshape(shape...)
}

// State returns the optimizer's state as named tensors: "lr" (the first
// parameter group's), "lr.g" for each further group g, and for parameter i
// "state.i.step" and "state.i.<buffer>" (PyTorch's names: momentum_buffer,
// exp_avg, exp_avg_sq, …). All are float64 copies, marked Buffer.
func (o *optimizer) State() []Param {
	defer o.lock()()
	ps := []Param{{Name: "lr", Tensor: engine.New64([]float64{o.groups[0].lr}).Reshape(), Buffer: true}}
	for g := 1; g < len(o.groups); g++ {
		ps = append(ps, Param{Name: "lr." + strconv.Itoa(g), Tensor: engine.New64([]float64{o.groups[g].lr}).Reshape(), Buffer: true})
	}
	for i, t := range o.params {
		if o.step[i] == 0 && len(o.bufs[i]) == 0 {
			continue
		}
		pre := "state." + strconv.Itoa(i) + "."
		ps = append(ps, Param{Name: pre + "step", Tensor: engine.New64([]float64{o.step[i]}).Reshape(), Buffer: true})
		keys := make([]string, 0, len(o.bufs[i]))
		for k := range o.bufs[i] {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			ps = append(ps, Param{Name: pre + k, Tensor: fromFloat64s(append([]float64(nil), o.bufs[i][k]...), t.Shape()), Buffer: true})
		}
	}
	return ps
}

// LoadState restores a state returned by State (for example after loading
// it from a checkpoint) for the same parameters in the same order. It checks
// every entry before changing anything: an unknown name, a parameter index out
// of range or a shape that does not match its parameter is an error, and the
// optimizer is left as it was. On success the loaded state replaces the
// current one: a parameter without entries starts afresh (step 0, no moments),
// and the rates are kept unless the state has them (a state with "lr" but no
// "lr.g" sets group g's rate as SetLR does).
func (o *optimizer) LoadState(state []Param) error {
	defer o.lock()()
	lrs := make([]float64, len(o.groups))
	hasLR := make([]bool, len(o.groups))
	step := make([]float64, len(o.step)) // the loaded state replaces the current one
	bufs := make([]map[string][]float64, len(o.bufs))
	for i := range bufs {
		bufs[i] = map[string][]float64{}
	}
	for _, p := range state {
		if p.Tensor == nil {
			return fmt.Errorf("%s.LoadState: entry %q has no tensor", o.op, p.Name)
		}
		if g, ok := lrEntry(p.Name); ok {
			if g < 0 || g >= len(o.groups) {
				return fmt.Errorf("%s.LoadState: entry %q: the optimizer has %d parameter groups (add them before LoadState)", o.op, p.Name, len(o.groups))
			}
			if p.Tensor.Numel() != 1 {
				return fmt.Errorf("%s.LoadState: %s must hold one value, has shape %v", o.op, p.Name, p.Tensor.Shape())
			}
			lrs[g], hasLR[g] = p.Tensor.Float64s()[0], true
			continue
		}
		parts := strings.SplitN(p.Name, ".", 3)
		if len(parts) != 3 || parts[0] != "state" {
			return fmt.Errorf("%s.LoadState: unknown entry %q (want lr, lr.<group> or state.<i>.<name>)", o.op, p.Name)
		}
		i, err := strconv.Atoi(parts[1])
		if err != nil || i < 0 || i >= len(o.params) {
			return fmt.Errorf("%s.LoadState: entry %q: parameter index out of range for %d parameters", o.op, p.Name, len(o.params))
		}
		key := parts[2]
		if key == "step" {
			if p.Tensor.Numel() != 1 {
				return fmt.Errorf("%s.LoadState: %s must hold one value, has shape %v", o.op, p.Name, p.Tensor.Shape())
			}
			step[i] = p.Tensor.Float64s()[0]
			continue
		}
		known := false
		for _, k := range o.keys {
			known = known || k == key
		}
		if !known {
			return fmt.Errorf("%s.LoadState: entry %q: %s keeps no %q (it keeps step, %s)", o.op, p.Name, o.op, key, strings.Join(o.keys, ", "))
		}
		want := o.params[i].Shape()
		if !slices.Equal(p.Tensor.Shape(), want) {
			return fmt.Errorf("%s.LoadState: entry %q has shape %v, its parameter has shape %v", o.op, p.Name, p.Tensor.Shape(), want)
		}
		bufs[i][key] = p.Tensor.Float64s()
	}
	for g := range o.groups {
		switch {
		case hasLR[g]:
			o.groups[g].lr = lrs[g]
		case hasLR[0]:
			o.groups[g].lr = lrs[0] * o.groups[g].ratio
		}
	}
	o.step, o.bufs = step, bufs
	return nil
}

// lrEntry reports whether name is a rate entry of State, "lr" (group 0) or
// "lr.g", and its group (-1 for a malformed group).
func lrEntry(name string) (int, bool) {
	if name == "lr" {
		return 0, true
	}
	rest, ok := strings.CutPrefix(name, "lr.")
	if !ok {
		return 0, false
	}
	g, err := strconv.Atoi(rest)
	if err != nil {
		return -1, true
	}
	return g, true
}

// SGDOpts are the optional settings of SGD; the zero value is plain SGD.
type SGDOpts struct {
	Momentum    float64 // 0 for none
	Dampening   float64 // scales the new gradient in the momentum buffer by 1-Dampening
	WeightDecay float64 // L2 penalty added to the gradient as WeightDecay·p
	Nesterov    bool    // Nesterov momentum (needs Momentum > 0 and Dampening 0)
}

// SGD is stochastic gradient descent with optional momentum, Nesterov momentum
// and weight decay, as torch.optim.SGD:
//
//	g ← g + wd·p
//	buf ← g on the first step, else μ·buf + (1-dampening)·g
//	g ← g + μ·buf (Nesterov) or buf
//	p ← p - lr·g
type SGD struct {
	optimizer
	Opts SGDOpts
}

// NewSGD returns an SGD optimizer over the trainable tensors of params (a
// tensor listed twice is updated once).
// It panics with an *engine.Error for a negative lr or bad options.
func NewSGD(params []Param, lr float64, o SGDOpts) *SGD {
	if o.Momentum < 0 || o.WeightDecay < 0 {
		errorf("SGD", "momentum and weight decay must be >= 0, got %v and %v", o.Momentum, o.WeightDecay)
	}
	if o.Nesterov && (o.Momentum <= 0 || o.Dampening != 0) {
		errorf("SGD", "Nesterov momentum requires a momentum > 0 and zero dampening")
	}
	return &SGD{optimizer: newOptimizer("SGD", params, lr, "momentum_buffer"), Opts: o}
}

// Step updates every parameter that has a gradient, in place.
func (s *SGD) Step() {
	o := s.Opts
	if !s.anyDecay(o.WeightDecay) && !s.anyMomentum(o.Momentum) {
		// Plain SGD, p ← p - lr·g, in place in the parameter's own dtype: no
		// float64 copies, as PyTorch's p.add_(g, alpha=-lr).
		defer s.lock()()
		for i, t := range s.params {
			g := t.Grad()
			if g == nil {
				continue
			}
			engine.CheckInterrupt()
			s.step[i]++
			t.AddScaled_(g, -s.lrOf(i))
			t.MarkChanged("SGD.Step")
		}
		return
	}
	s.each(func(i int, p, g []float32) { sgdUpdate(s, i, p, g) }, func(i int, p, g []float64) { sgdUpdate(s, i, p, g) })
}

func sgdUpdate[T float](s *SGD, i int, p, g []T) {
	o, lr, wd, mom := s.Opts, s.lrOf(i), s.wdOf(i, s.Opts.WeightDecay), s.momOf(i, s.Opts.Momentum)
	s.step[i]++
	var buf []float64
	had := false
	if mom != 0 {
		_, had = s.bufs[i]["momentum_buffer"]
		buf = s.buf(i, "momentum_buffer", len(p), 0)
	}
	g = g[:len(p)]
	for j := range p {
		pj, gj := float64(p[j]), float64(g[j])
		if wd != 0 {
			gj += wd * pj
		}
		if buf != nil {
			if had {
				buf[j] = mom*buf[j] + (1-o.Dampening)*gj
			} else {
				buf[j] = gj
			}
			if o.Nesterov {
				gj += mom * buf[j]
			} else {
				gj = buf[j]
			}
		}
		p[j] = T(pj - lr*gj)
	}
}

func (s *SGD) String() string {
	return fmt.Sprintf("SGD(lr=%g, momentum=%g, dampening=%g, weight_decay=%g, nesterov=%t)",
		s.LR(), s.Opts.Momentum, s.Opts.Dampening, s.Opts.WeightDecay, s.Opts.Nesterov)
}
