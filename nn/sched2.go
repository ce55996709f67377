package nn

import (
	"fmt"
	"math"
)

// MultiStepLR multiplies the learning rate by Gamma at each epoch in
// Milestones, as torch.optim.lr_scheduler.MultiStepLR (a milestone listed
// twice multiplies twice).
type MultiStepLR struct {
	schedule
	Milestones []int
	Gamma      float64
}

// NewMultiStepLR returns a MultiStepLR for opt.
func NewMultiStepLR(opt Optimizer, milestones []int, gamma float64) *MultiStepLR {
	return &MultiStepLR{schedule: schedule{opt: opt}, Milestones: append([]int(nil), milestones...), Gamma: gamma}
}

// Step ends an epoch; at a milestone the rate is multiplied by Gamma.
func (s *MultiStepLR) Step() {
	s.epoch++
	for _, m := range s.Milestones {
		if m == s.epoch {
			s.update(func(_ int, lr float64) float64 { return lr * s.Gamma })
		}
	}
}

// State returns the scheduler's state: last_epoch.
func (s *MultiStepLR) State() []Param { v, _ := s.values(); return schedState(v...) }

// LoadState restores a state returned by State.
func (s *MultiStepLR) LoadState(ps []Param) error { return s.load("MultiStepLR", ps) }

func (s *MultiStepLR) String() string {
	return fmt.Sprintf("MultiStepLR(milestones=%v, gamma=%g, epoch=%d, lr=%g)", s.Milestones, s.Gamma, s.epoch, s.LR())
}

// LinearLR scales the learning rate by a factor going linearly from
// StartFactor to EndFactor over TotalIters epochs, then keeps it, as
// torch.optim.lr_scheduler.LinearLR: a warm-up with StartFactor < 1 and
// EndFactor 1 (PyTorch's defaults are 1/3, 1 and 5). The rate is multiplied
// by StartFactor when the scheduler is made.
type LinearLR struct {
	schedule
	StartFactor, EndFactor float64
	TotalIters             int
}

// NewLinearLR returns a LinearLR for opt and scales its rate by start.
// It panics with an *engine.Error when start is not in (0, 1], end not in
// [0, 1] or totalIters not positive.
func NewLinearLR(opt Optimizer, start, end float64, totalIters int) *LinearLR {
	if !(start > 0 && start <= 1) || !(end >= 0 && end <= 1) || totalIters <= 0 {
		errorf("NewLinearLR", "start_factor must be in (0, 1], end_factor in [0, 1] and total_iters positive, got %g, %g, %d", start, end, totalIters)
	}
	s := &LinearLR{schedule: schedule{opt: opt}, StartFactor: start, EndFactor: end, TotalIters: totalIters}
	s.update(func(_ int, lr float64) float64 { return lr * start })
	return s
}

// Step ends an epoch and moves the factor one step towards EndFactor.
func (s *LinearLR) Step() {
	s.epoch++
	if s.epoch > s.TotalIters {
		return
	}
	d := s.EndFactor - s.StartFactor
	f := 1 + d/(float64(s.TotalIters)*s.StartFactor+float64(s.epoch-1)*d)
	s.update(func(_ int, lr float64) float64 { return lr * f })
}

// State returns the scheduler's state: last_epoch.
func (s *LinearLR) State() []Param { v, _ := s.values(); return schedState(v...) }

// LoadState restores a state returned by State.
func (s *LinearLR) LoadState(ps []Param) error { return s.load("LinearLR", ps) }

func (s *LinearLR) String() string {
	return fmt.Sprintf("LinearLR(start_factor=%g, end_factor=%g, total_iters=%d, epoch=%d, lr=%g)", s.StartFactor, s.EndFactor, s.TotalIters, s.epoch, s.LR())
}

// LambdaLR sets the learning rate to the initial rate times Fn(epoch), as
// torch.optim.lr_scheduler.LambdaLR; Fn may be a function typed at the
// prompt. Each parameter group starts from its own rate, and with
// NewLambdaLRGroups has its own function (PyTorch's list of lr_lambda).
// The rates become lr₀·Fn(0) when the scheduler is made.
type LambdaLR struct {
	schedule
	Fn      func(epoch int) float64   // every group's, or nil
	Fns     []func(epoch int) float64 // one per group, or nil
	baseLRs []float64
}

// NewLambdaLR returns a LambdaLR for opt starting from its current rates.
// It panics with an *engine.Error when fn is nil.
func NewLambdaLR(opt Optimizer, fn func(epoch int) float64) *LambdaLR {
	if fn == nil {
		errorf("NewLambdaLR", "the function is nil")
	}
	return newLambdaLR(&LambdaLR{schedule: schedule{opt: opt}, Fn: fn})
}

// NewLambdaLRGroups returns a LambdaLR for opt with a function for each
// parameter group, group 0 first.
// It panics with an *engine.Error when fns does not have one non-nil
// function for each group.
func NewLambdaLRGroups(opt Optimizer, fns []func(epoch int) float64) *LambdaLR {
	s := &LambdaLR{schedule: schedule{opt: opt}, Fns: append([]func(int) float64(nil), fns...)}
	if len(fns) != s.groups() {
		errorf("NewLambdaLRGroups", "%d functions but the optimizer has %d parameter groups", len(fns), s.groups())
	}
	for i, f := range fns {
		if f == nil {
			errorf("NewLambdaLRGroups", "function %d is nil", i)
		}
	}
	return newLambdaLR(s)
}

func newLambdaLR(s *LambdaLR) *LambdaLR {
	s.baseLRs = s.rates()
	s.set()
	return s
}

// set sets every group's rate to lr₀·Fn(epoch).
func (s *LambdaLR) set() {
	s.update(func(g int, _ float64) float64 {
		if s.Fns != nil {
			return s.baseLRs[g] * s.Fns[g](s.epoch)
		}
		return s.baseLRs[g] * s.Fn(s.epoch)
	})
}

// Step ends an epoch and sets the rates to lr₀·Fn(epoch).
func (s *LambdaLR) Step() {
	s.epoch++
	s.set()
}

// State returns the scheduler's state: last_epoch and base_lrs, one per
// parameter group (the functions are code: make the scheduler with them
// again).
func (s *LambdaLR) State() []Param {
	v, _ := s.values(schedValue{name: "base_lrs", list: &s.baseLRs})
	return schedState(v...)
}

// LoadState restores a state returned by State.
func (s *LambdaLR) LoadState(ps []Param) error {
	return s.load("LambdaLR", ps, schedValue{name: "base_lrs", list: &s.baseLRs})
}

func (s *LambdaLR) String() string {
	return fmt.Sprintf("LambdaLR(epoch=%d, lr=%g)", s.epoch, s.LR())
}

// OneCycleOpts are the optional settings of OneCycleLR; unset fields mean
// PyTorch's defaults.
type OneCycleOpts struct {
	PctStart       *float64 // the share of the steps spent rising; nil means 0.3
	AnnealStrategy string   // "cos" (default) or "linear"
	DivFactor      *float64 // the initial rate is MaxLR/DivFactor; nil means 25
	FinalDivFactor *float64 // the last rate is the initial one/FinalDivFactor; nil means 1e4
	ThreePhase     bool     // fall back to the initial rate before the final annealing
	// NoCycleMomentum leaves the momentum alone (cycle_momentum=False). By
	// default the momentum (SGD's and RMSprop's Opts.Momentum, Adam's and
	// AdamW's Opts.Beta1) moves opposite to the rate, from MaxMomentum down
	// to BaseMomentum while the rate rises and back up while it falls.
	NoCycleMomentum bool
	BaseMomentum    *float64 // nil means 0.85
	MaxMomentum     *float64 // nil means 0.95 (the momentum set when the scheduler is made)
	// GroupBaseMomentum and GroupMaxMomentum are each parameter group's
	// (PyTorch's lists), group 0 first; nil means BaseMomentum and
	// MaxMomentum for every group. Group 0's momentum is the optimizer's
	// Opts field; the other groups' are their own from then on.
	GroupBaseMomentum, GroupMaxMomentum []float64
	// GroupMaxLR is the peak rate of each parameter group (PyTorch's max_lr
	// as a list), group 0 first, in place of NewOneCycleLR's maxLR; nil
	// means maxLR for every group.
	GroupMaxLR []float64
}

// OneCycleLR is the 1cycle policy, as torch.optim.lr_scheduler.OneCycleLR:
// the rate rises from MaxLR/DivFactor to MaxLR over PctStart of TotalSteps,
// then anneals to a far smaller rate, while the momentum cycles the other
// way (see OneCycleOpts). Call Step after every batch (not every epoch); the
// rate is set to the initial one, and the momentum to MaxMomentum, when the
// scheduler is made.
type OneCycleLR struct {
	schedule
	MaxLR      float64
	TotalSteps int
	Opts       OneCycleOpts
	phases     []cyclePhase
	rates      [][3]float64   // each group's initial, peak and last rate
	momenta    [][2]float64   // each group's base and max momentum
	momentum   momentumCycler // nil with NoCycleMomentum
}

// cyclePhase is one phase of OneCycleLR: it ends at step end, moving the
// rate from rates[from] to rates[to] (0 initial, 1 peak, 2 last) and the
// momentum from momenta[mFrom] to momenta[mTo] (0 base, 1 max).
type cyclePhase struct {
	end        float64
	from, to   int
	mFrom, mTo int
}

// momentumCycler is an optimizer whose momentum OneCycleLR can cycle
// (PyTorch's group["momentum"] or group["betas"][0]): group 0's is the
// optimizer's Opts field, the other groups' their own.
type momentumCycler interface{ setMomentum(g int, m float64) }

func (s *SGD) setMomentum(g int, m float64) {
	defer s.lock()()
	if g == 0 {
		s.Opts.Momentum = m
	} else {
		s.groups[g].momentum = Float(m)
	}
}

func (r *RMSprop) setMomentum(g int, m float64) {
	defer r.lock()()
	if g == 0 {
		r.Opts.Momentum = m
	} else {
		r.groups[g].momentum = Float(m)
	}
}

func (a *Adam) setMomentum(g int, m float64) {
	defer a.lock()()
	if g == 0 {
		a.Opts.Beta1 = Float(m)
	} else {
		a.groups[g].momentum = Float(m)
	}
}

// NewOneCycleLR returns a OneCycleLR for opt.
// It panics with an *engine.Error for options out of range, for an
// optimizer without momentum (Adagrad) unless NoCycleMomentum is set, and
// when GroupMaxLR does not have a rate for each group.
func NewOneCycleLR(opt Optimizer, maxLR float64, totalSteps int, o OneCycleOpts) *OneCycleLR {
	o.PctStart, o.DivFactor, o.FinalDivFactor = orDefault(o.PctStart, 0.3), orDefault(o.DivFactor, 25), orDefault(o.FinalDivFactor, 1e4)
	o.BaseMomentum, o.MaxMomentum = orDefault(o.BaseMomentum, 0.85), orDefault(o.MaxMomentum, 0.95)
	if o.AnnealStrategy == "" {
		o.AnnealStrategy = "cos"
	}
	if totalSteps <= 0 || !(*o.PctStart >= 0 && *o.PctStart <= 1) || !(maxLR >= 0) || !(*o.DivFactor > 0) || !(*o.FinalDivFactor > 0) {
		errorf("NewOneCycleLR", "total_steps must be positive, pct_start in [0, 1] and the rates and factors positive, got total_steps=%d pct_start=%g max_lr=%g", totalSteps, *o.PctStart, maxLR)
	}
	if o.AnnealStrategy != "cos" && o.AnnealStrategy != "linear" {
		errorf("NewOneCycleLR", "anneal_strategy must be \"cos\" or \"linear\", got %q", o.AnnealStrategy)
	}
	s := &OneCycleLR{schedule: schedule{opt: opt}, MaxLR: maxLR, TotalSteps: totalSteps, Opts: o}
	if !o.NoCycleMomentum {
		m, ok := opt.(momentumCycler)
		if !ok {
			errorf("NewOneCycleLR", "%T has no momentum to cycle (SGD, RMSprop, Adam and AdamW have); set OneCycleOpts{NoCycleMomentum: true}", opt)
		}
		base := s.perGroup("NewOneCycleLR", "GroupBaseMomentum", o.GroupBaseMomentum, *o.BaseMomentum)
		hi := s.perGroup("NewOneCycleLR", "GroupMaxMomentum", o.GroupMaxMomentum, *o.MaxMomentum)
		for g := range base {
			if !(base[g] >= 0 && base[g] < 1 && hi[g] >= 0 && hi[g] < 1) {
				errorf("NewOneCycleLR", "base_momentum and max_momentum must be in [0, 1), got %g and %g", base[g], hi[g])
			}
			s.momenta = append(s.momenta, [2]float64{base[g], hi[g]})
		}
		s.momentum = m
	}
	for _, r := range s.perGroup("NewOneCycleLR", "GroupMaxLR", o.GroupMaxLR, maxLR) {
		if !(r >= 0) {
			errorf("NewOneCycleLR", "GroupMaxLR %v: the rates must be >= 0", o.GroupMaxLR)
		}
		initial := r / *o.DivFactor
		s.rates = append(s.rates, [3]float64{initial, r, initial / *o.FinalDivFactor})
	}
	s.MaxLR = s.rates[0][1]
	up := *o.PctStart*float64(totalSteps) - 1
	if up == 0 {
		errorf("NewOneCycleLR", "pct_start·total_steps = %g·%d = 1 leaves the rising phase no step (PyTorch divides by zero there); change pct_start or total_steps", *o.PctStart, totalSteps)
	}
	const hi, lo = 1, 0
	if o.ThreePhase {
		s.phases = []cyclePhase{{up, 0, 1, hi, lo}, {2 * up, 1, 0, lo, hi}, {float64(totalSteps) - 1, 0, 2, hi, hi}}
	} else {
		s.phases = []cyclePhase{{up, 0, 1, hi, lo}, {float64(totalSteps) - 1, 1, 2, lo, hi}}
	}
	s.set(0)
	return s
}

// Step ends a batch and moves the rate and the momentum along the cycle.
// It panics with an *engine.Error after TotalSteps steps, as PyTorch raises.
func (s *OneCycleLR) Step() {
	if s.epoch+1 >= s.TotalSteps {
		errorf("OneCycleLR", "stepped %d times but total_steps is %d", s.epoch+1, s.TotalSteps)
	}
	s.epoch++
	s.set(float64(s.epoch))
}

// set sets the rate and the momentum of step.
func (s *OneCycleLR) set(step float64) {
	start := 0.0
	anneal := func(from, to, pct float64) float64 {
		if s.Opts.AnnealStrategy == "linear" {
			return (to-from)*pct + from
		}
		return to + (from-to)/2*(math.Cos(math.Pi*pct)+1)
	}
	for i, p := range s.phases {
		if step <= p.end || i == len(s.phases)-1 {
			pct := (step - start) / (p.end - start)
			s.update(func(g int, _ float64) float64 { return anneal(s.rates[g][p.from], s.rates[g][p.to], pct) })
			for g, m := range s.momenta {
				s.momentum.setMomentum(g, anneal(m[p.mFrom], m[p.mTo], pct))
			}
			return
		}
		start = p.end
	}
}

// State returns the scheduler's state: last_epoch.
func (s *OneCycleLR) State() []Param { v, _ := s.values(); return schedState(v...) }

// LoadState restores a state returned by State. The momentum is set from
// the loaded step (an optimizer's State does not hold it).
func (s *OneCycleLR) LoadState(ps []Param) error {
	if err := s.load("OneCycleLR", ps); err != nil {
		return err
	}
	if s.momentum != nil {
		s.set(float64(s.epoch))
	}
	return nil
}

func (s *OneCycleLR) String() string {
	return fmt.Sprintf("OneCycleLR(max_lr=%g, total_steps=%d, step=%d, lr=%g)", s.MaxLR, s.TotalSteps, s.epoch, s.LR())
}

// CosineAnnealingWarmRestarts follows the cosine of CosineAnnealingLR from
// the initial rate down to EtaMin over T0 epochs, then restarts, each cycle
// TMult times longer than the one before, as
// torch.optim.lr_scheduler.CosineAnnealingWarmRestarts (SGDR):
//
//	lr = EtaMin + (lr₀ − EtaMin)·(1 + cos(π·T_cur/T_i))/2
type CosineAnnealingWarmRestarts struct {
	schedule
	T0, TMult int
	EtaMin    float64
	baseLRs   []float64
	tCur, tI  int
}

// NewCosineAnnealingWarmRestarts returns the scheduler for opt starting from
// its current rate (PyTorch's TMult default is 1).
// It panics with an *engine.Error when t0 or tMult is not positive.
func NewCosineAnnealingWarmRestarts(opt Optimizer, t0, tMult int, etaMin float64) *CosineAnnealingWarmRestarts {
	if t0 <= 0 || tMult < 1 {
		errorf("NewCosineAnnealingWarmRestarts", "T_0 must be positive and T_mult at least 1, got %d and %d", t0, tMult)
	}
	s := &CosineAnnealingWarmRestarts{schedule: schedule{opt: opt}, T0: t0, TMult: tMult, EtaMin: etaMin, tI: t0}
	s.baseLRs = s.rates()
	return s
}

// Step ends an epoch and moves the rate along the cosine, restarting at the
// end of a cycle.
func (s *CosineAnnealingWarmRestarts) Step() {
	s.epoch++
	s.tCur++
	if s.tCur >= s.tI {
		s.tCur -= s.tI
		s.tI *= s.TMult
	}
	c := (1 + math.Cos(math.Pi*float64(s.tCur)/float64(s.tI))) / 2
	s.update(func(g int, _ float64) float64 { return s.EtaMin + (s.baseLRs[g]-s.EtaMin)*c })
}

// State returns the scheduler's state: last_epoch, base_lrs, T_cur and T_i.
func (s *CosineAnnealingWarmRestarts) State() []Param {
	cur, ti := float64(s.tCur), float64(s.tI)
	v, _ := s.values(schedValue{name: "base_lrs", list: &s.baseLRs}, schedValue{name: "T_cur", v: &cur}, schedValue{name: "T_i", v: &ti})
	return schedState(v...)
}

// LoadState restores a state returned by State.
func (s *CosineAnnealingWarmRestarts) LoadState(ps []Param) error {
	base := append([]float64(nil), s.baseLRs...)
	cur, ti, epoch := float64(s.tCur), float64(s.tI), s.epoch
	if err := s.load("CosineAnnealingWarmRestarts", ps, schedValue{name: "base_lrs", list: &base}, schedValue{name: "T_cur", v: &cur}, schedValue{name: "T_i", v: &ti}); err != nil {
		return err
	}
	if ti < 1 {
		s.epoch = epoch
		return fmt.Errorf("CosineAnnealingWarmRestarts.LoadState: T_i must be at least 1, got %v", ti)
	}
	s.baseLRs, s.tCur, s.tI = base, int(cur), int(ti)
	return nil
}

func (s *CosineAnnealingWarmRestarts) String() string {
	return fmt.Sprintf("CosineAnnealingWarmRestarts(T_0=%d, T_mult=%d, eta_min=%g, epoch=%d, lr=%g)", s.T0, s.TMult, s.EtaMin, s.epoch, s.LR())
}
