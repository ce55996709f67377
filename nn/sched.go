package nn

import (
	"fmt"
	"math"

	"github.com/dbr-go/dbr/engine"
)

// The learning-rate schedulers change an optimizer's learning rate as
// PyTorch's do. Call Step once per epoch, after the optimizer's steps:
//
//	sched := nn.NewStepLR(opt, 30, 0.1)
//	for epoch := 0; epoch < 90; epoch++ {
//		train(opt)
//		sched.Step()
//	}
//
// They compute the new rate from the optimizer's current one (PyTorch's
// "chainable" form), so two schedulers on one optimizer compose. Each moves
// every parameter group's rate from that group's own rate (see
// AddParamGroup), as PyTorch's do; an Optimizer of your own is one group,
// driven through LR and SetLR.

// schedule is what every scheduler holds: the optimizer and the number of
// Step calls so far.
type schedule struct {
	opt   Optimizer
	epoch int
}

// LR returns the optimizer's current learning rate.
func (s *schedule) LR() float64 { return s.opt.LR() }

// groupRates is what dbr's optimizers have beside Optimizer: a rate per
// parameter group.
type groupRates interface {
	NumGroups() int
	GroupLR(i int) float64
	SetGroupLR(i int, lr float64)
}

// groups returns the number of parameter groups of the optimizer.
func (s *schedule) groups() int {
	if g, ok := s.opt.(groupRates); ok {
		return g.NumGroups()
	}
	return 1
}

// rates returns every group's rate.
func (s *schedule) rates() []float64 {
	g, ok := s.opt.(groupRates)
	if !ok {
		return []float64{s.opt.LR()}
	}
	r := make([]float64, g.NumGroups())
	for i := range r {
		r[i] = g.GroupLR(i)
	}
	return r
}

// update sets every group's rate to f(group, its rate).
func (s *schedule) update(f func(g int, lr float64) float64) {
	g, ok := s.opt.(groupRates)
	if !ok {
		s.opt.SetLR(f(0, s.opt.LR()))
		return
	}
	for i := 0; i < g.NumGroups(); i++ {
		g.SetGroupLR(i, f(i, g.GroupLR(i)))
	}
}

// perGroup returns vs when it has a value for each of the optimizer's
// groups, one for each group when vs is nil, and panics with an
// *engine.Error naming op and what otherwise.
func (s *schedule) perGroup(op, what string, vs []float64, one float64) []float64 {
	n := s.groups()
	if vs == nil {
		vs = make([]float64, n)
		for i := range vs {
			vs[i] = one
		}
		return vs
	}
	if len(vs) != n {
		errorf(op, "%s has %d values but the optimizer has %d parameter groups", what, len(vs), n)
	}
	return append([]float64(nil), vs...)
}

// Epoch returns the number of Step calls so far.
func (s *schedule) Epoch() int { return s.epoch }

// StepLR multiplies the learning rate by Gamma every StepSize epochs.
type StepLR struct {
	schedule
	StepSize int
	Gamma    float64
}

// NewStepLR returns a StepLR for opt. It panics with an *engine.Error when
// stepSize is not positive.
func NewStepLR(opt Optimizer, stepSize int, gamma float64) *StepLR {
	if stepSize <= 0 {
		errorf("NewStepLR", "step size must be positive, got %d", stepSize)
	}
	return &StepLR{schedule: schedule{opt: opt}, StepSize: stepSize, Gamma: gamma}
}

// Step ends an epoch: every StepSize-th call multiplies the rate by Gamma.
func (s *StepLR) Step() {
	s.epoch++
	if s.epoch%s.StepSize == 0 {
		s.update(func(_ int, lr float64) float64 { return lr * s.Gamma })
	}
}

func (s *StepLR) String() string {
	return fmt.Sprintf("StepLR(step_size=%d, gamma=%g, epoch=%d, lr=%g)", s.StepSize, s.Gamma, s.epoch, s.LR())
}

// ExponentialLR multiplies the learning rate by Gamma every epoch.
type ExponentialLR struct {
	schedule
	Gamma float64
}

// NewExponentialLR returns an ExponentialLR for opt.
func NewExponentialLR(opt Optimizer, gamma float64) *ExponentialLR {
	return &ExponentialLR{schedule: schedule{opt: opt}, Gamma: gamma}
}

// Step ends an epoch and multiplies the rate by Gamma.
func (s *ExponentialLR) Step() {
	s.epoch++
	s.update(func(_ int, lr float64) float64 { return lr * s.Gamma })
}

func (s *ExponentialLR) String() string {
	return fmt.Sprintf("ExponentialLR(gamma=%g, epoch=%d, lr=%g)", s.Gamma, s.epoch, s.LR())
}

// CosineAnnealingLR lowers the learning rate from its initial value to EtaMin
// along half a cosine over TMax epochs, as torch.optim.lr_scheduler.CosineAnnealingLR
// (after TMax epochs it rises again along the same cosine):
//
//	lr(t) = EtaMin + (lr₀ - EtaMin)·(1 + cos(π·t/TMax))/2
type CosineAnnealingLR struct {
	schedule
	TMax    int
	EtaMin  float64
	baseLRs []float64
}

// NewCosineAnnealingLR returns a CosineAnnealingLR for opt starting from its
// current learning rate. It panics with an *engine.Error when tMax is not positive.
func NewCosineAnnealingLR(opt Optimizer, tMax int, etaMin float64) *CosineAnnealingLR {
	if tMax <= 0 {
		errorf("NewCosineAnnealingLR", "T_max must be positive, got %d", tMax)
	}
	s := &CosineAnnealingLR{schedule: schedule{opt: opt}, TMax: tMax, EtaMin: etaMin}
	s.baseLRs = s.rates()
	return s
}

// Step ends an epoch and moves the rate along the cosine. It uses PyTorch's
// recursive form, so a rate changed in between (by another scheduler) is
// carried along as PyTorch carries it.
func (s *CosineAnnealingLR) Step() {
	s.epoch++
	t, T := float64(s.epoch), float64(s.TMax)
	s.update(func(g int, lr float64) float64 {
		if (s.epoch-1-s.TMax)%(2*s.TMax) == 0 {
			return lr + (s.baseLRs[g]-s.EtaMin)*(1-math.Cos(math.Pi/T))/2
		}
		return (1+math.Cos(math.Pi*t/T))/(1+math.Cos(math.Pi*(t-1)/T))*(lr-s.EtaMin) + s.EtaMin
	})
}

func (s *CosineAnnealingLR) String() string {
	return fmt.Sprintf("CosineAnnealingLR(T_max=%d, eta_min=%g, epoch=%d, lr=%g)", s.TMax, s.EtaMin, s.epoch, s.LR())
}

// PlateauOpts are the optional settings of ReduceLROnPlateau; unset fields
// mean PyTorch's defaults (see AdamOpts).
type PlateauOpts struct {
	Mode          string   // "min" (default): lower is better, as for a loss; "max": higher is better, as for accuracy
	Threshold     *float64 // how much better counts as better; nil means 1e-4
	ThresholdMode string   // "rel" (default): relative to the best; "abs": absolute
	Cooldown      int      // epochs to wait after a reduction before counting bad epochs again
	MinLR         float64  // the rate never goes below this
	// GroupMinLR is the floor of each parameter group's rate (PyTorch's
	// min_lr as a list), group 0 first; nil means MinLR for every group.
	GroupMinLR []float64
	Eps        *float64 // reductions smaller than this are skipped; nil means 1e-8
}

// ReduceLROnPlateau multiplies the learning rate by Factor when a metric has
// not improved for more than Patience epochs, as
// torch.optim.lr_scheduler.ReduceLROnPlateau.
type ReduceLROnPlateau struct {
	schedule
	Patience  int
	Factor    float64
	Opts      PlateauOpts
	minLRs    []float64
	best      float64
	bad       int
	cooldown  int
	maximized bool
	absolute  bool
}

// NewReduceLROnPlateau returns a ReduceLROnPlateau for opt (PyTorch's
// defaults are patience 10 and factor 0.1). It panics with an *engine.Error
// for a factor outside [0, 1), a negative patience or an unknown mode.
func NewReduceLROnPlateau(opt Optimizer, patience int, factor float64, o PlateauOpts) *ReduceLROnPlateau {
	if !(factor >= 0 && factor < 1) {
		errorf("NewReduceLROnPlateau", "factor must be in [0, 1), got %v", factor)
	}
	if patience < 0 || o.Cooldown < 0 {
		errorf("NewReduceLROnPlateau", "patience and cooldown must be >= 0, got %d and %d", patience, o.Cooldown)
	}
	s := &ReduceLROnPlateau{schedule: schedule{opt: opt}, Patience: patience, Factor: factor, Opts: o}
	s.minLRs = s.perGroup("NewReduceLROnPlateau", "GroupMinLR", o.GroupMinLR, o.MinLR)
	switch o.Mode {
	case "", "min":
	case "max":
		s.maximized = true
	default:
		errorf("NewReduceLROnPlateau", "mode must be \"min\" or \"max\", got %q", o.Mode)
	}
	switch o.ThresholdMode {
	case "", "rel":
	case "abs":
		s.absolute = true
	default:
		errorf("NewReduceLROnPlateau", "threshold mode must be \"rel\" or \"abs\", got %q", o.ThresholdMode)
	}
	s.Opts.Threshold = orDefault(o.Threshold, 1e-4)
	s.Opts.Eps = orDefault(o.Eps, 1e-8)
	s.best = math.Inf(1)
	if s.maximized {
		s.best = math.Inf(-1)
	}
	return s
}

func (s *ReduceLROnPlateau) better(a float64) bool {
	th := *s.Opts.Threshold
	switch {
	case !s.maximized && !s.absolute:
		return a < s.best*(1-th)
	case !s.maximized:
		return a < s.best-th
	case !s.absolute:
		return a > s.best*(1+th)
	}
	return a > s.best+th
}

// Step ends an epoch with the metric's value (e.g. the validation loss) and
// reduces the rate when the metric has stopped improving.
func (s *ReduceLROnPlateau) Step(metric float64) {
	s.epoch++
	if s.better(metric) {
		s.best = metric
		s.bad = 0
	} else {
		s.bad++
	}
	if s.cooldown > 0 {
		s.cooldown--
		s.bad = 0
	}
	if s.bad > s.Patience {
		s.update(func(g int, old float64) float64 {
			if lr := math.Max(old*s.Factor, s.minLRs[g]); old-lr > *s.Opts.Eps {
				return lr
			}
			return old
		})
		s.cooldown = s.Opts.Cooldown
		s.bad = 0
	}
}

// Best returns the best metric seen so far.
func (s *ReduceLROnPlateau) Best() float64 { return s.best }

func (s *ReduceLROnPlateau) String() string {
	return fmt.Sprintf("ReduceLROnPlateau(patience=%d, factor=%g, best=%g, bad_epochs=%d, lr=%g)", s.Patience, s.Factor, s.best, s.bad, s.LR())
}

// Scheduler state, so that a resumed run follows the same schedule: State
// returns the scheduler's counters as named one-value tensors (PyTorch's
// state_dict names: last_epoch, base_lrs, best, num_bad_epochs,
// cooldown_counter), and LoadState restores them. Save them beside the
// optimizer's State; the learning rate itself is in the optimizer's.

// schedValue is one named number of a scheduler's state, or, with list,
// one number per parameter group (base_lrs).
type schedValue struct {
	name string
	v    *float64
	list *[]float64
}

func schedState(vals ...schedValue) []Param {
	ps := make([]Param, len(vals))
	for i, v := range vals {
		t := engine.New64([]float64{0}).Reshape()
		if v.list != nil {
			t = engine.New64(append([]float64(nil), *v.list...))
		} else {
			t.Set(*v.v)
		}
		ps[i] = Param{Name: v.name, Tensor: t, Buffer: true}
	}
	return ps
}

// loadSchedState sets each of vals from ps, checking every entry first: an
// unknown or missing name, or an entry that is not one value, is an error and
// changes nothing.
func loadSchedState(op string, ps []Param, vals ...schedValue) error {
	got := map[string][]float64{}
	for _, p := range ps {
		var val *schedValue
		for i := range vals {
			if vals[i].name == p.Name {
				val = &vals[i]
			}
		}
		if val == nil {
			return fmt.Errorf("%s.LoadState: unknown entry %q (a %s keeps %s)", op, p.Name, op, schedNames(vals))
		}
		n := 1
		if val.list != nil {
			n = len(*val.list)
		}
		if p.Tensor == nil || p.Tensor.Numel() != n {
			if val.list != nil {
				return fmt.Errorf("%s.LoadState: entry %q must hold a value for each of the optimizer's %d parameter groups", op, p.Name, n)
			}
			return fmt.Errorf("%s.LoadState: entry %q must hold one value", op, p.Name)
		}
		got[p.Name] = p.Tensor.Float64s()
	}
	for _, v := range vals {
		if _, ok := got[v.name]; !ok {
			return fmt.Errorf("%s.LoadState: entry %q is missing (a %s keeps %s)", op, v.name, op, schedNames(vals))
		}
	}
	for _, v := range vals {
		if v.list != nil {
			copy(*v.list, got[v.name])
		} else {
			*v.v = got[v.name][0]
		}
	}
	return nil
}

func schedNames(vals []schedValue) string {
	s := ""
	for i, v := range vals {
		if i > 0 {
			s += ", "
		}
		s += v.name
	}
	return s
}

// values returns the epoch counter and extra as state entries, and a
// function that stores a loaded epoch back.
func (s *schedule) values(extra ...schedValue) (vals []schedValue, done func()) {
	e := float64(s.epoch)
	vals = append([]schedValue{{name: "last_epoch", v: &e}}, extra...)
	return vals, func() { s.epoch = int(e) }
}

// State returns the scheduler's state: last_epoch.
func (s *StepLR) State() []Param { v, _ := s.values(); return schedState(v...) }

// LoadState restores a state returned by State.
func (s *StepLR) LoadState(ps []Param) error { return s.load("StepLR", ps) }

// State returns the scheduler's state: last_epoch.
func (s *ExponentialLR) State() []Param { v, _ := s.values(); return schedState(v...) }

// LoadState restores a state returned by State.
func (s *ExponentialLR) LoadState(ps []Param) error { return s.load("ExponentialLR", ps) }

func (s *schedule) load(op string, ps []Param, extra ...schedValue) error {
	v, done := s.values(extra...)
	if err := loadSchedState(op, ps, v...); err != nil {
		return err
	}
	done()
	return nil
}

// State returns the scheduler's state: last_epoch and base_lrs (the rates
// the cosine starts from, one per parameter group).
func (s *CosineAnnealingLR) State() []Param {
	v, _ := s.values(schedValue{name: "base_lrs", list: &s.baseLRs})
	return schedState(v...)
}

// LoadState restores a state returned by State.
func (s *CosineAnnealingLR) LoadState(ps []Param) error {
	return s.load("CosineAnnealingLR", ps, schedValue{name: "base_lrs", list: &s.baseLRs})
}

// State returns the scheduler's state: last_epoch, best, num_bad_epochs and
// cooldown_counter.
func (s *ReduceLROnPlateau) State() []Param {
	bad, cool := float64(s.bad), float64(s.cooldown)
	v, _ := s.values(schedValue{name: "best", v: &s.best}, schedValue{name: "num_bad_epochs", v: &bad}, schedValue{name: "cooldown_counter", v: &cool})
	return schedState(v...)
}

// LoadState restores a state returned by State.
func (s *ReduceLROnPlateau) LoadState(ps []Param) error {
	best, bad, cool := s.best, float64(s.bad), float64(s.cooldown)
	if err := s.load("ReduceLROnPlateau", ps, schedValue{name: "best", v: &best}, schedValue{name: "num_bad_epochs", v: &bad}, schedValue{name: "cooldown_counter", v: &cool}); err != nil {
		return err
	}
	s.best, s.bad, s.cooldown = best, int(bad), int(cool)
	return nil
}
