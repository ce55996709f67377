package nn

import (
	"fmt"
	"math"

	"github.com/dbr-go/dbr/internal/kernels"
)

// AdamOpts are the optional settings of Adam and AdamW. As in every options
// struct (see the package doc), a field left unset means PyTorch's default,
// and a field whose value may be zero is a pointer, so that zero is a value:
// nn.AdamOpts{Beta1: nn.Float(0)} runs with β₁ = 0.
type AdamOpts struct {
	Beta1, Beta2 *float64 // moment decay rates; nil means 0.9 and 0.999
	Eps          *float64 // added to the denominator; nil means 1e-8
	WeightDecay  *float64 // Adam: L2 penalty added to the gradient, nil means 0; AdamW: decoupled decay, nil means 0.01
	AMSGrad      bool     // use the maximum of past second moments
}

// withDefaults returns o with every unset field set to PyTorch's default
// (decay is the default weight decay), checking the values.
func (o AdamOpts) withDefaults(op string, decay float64) AdamOpts {
	o.Beta1 = orDefault(o.Beta1, 0.9)
	o.Beta2 = orDefault(o.Beta2, 0.999)
	o.Eps = orDefault(o.Eps, 1e-8)
	o.WeightDecay = orDefault(o.WeightDecay, decay)
	if *o.Beta1 < 0 || *o.Beta1 >= 1 || *o.Beta2 < 0 || *o.Beta2 >= 1 {
		errorf(op, "betas must be in [0, 1), got %v and %v", *o.Beta1, *o.Beta2)
	}
	if *o.Eps < 0 || *o.WeightDecay < 0 {
		errorf(op, "eps and weight decay must be >= 0, got %v and %v", *o.Eps, *o.WeightDecay)
	}
	return o
}

// Adam is the Adam optimizer, as torch.optim.Adam:
//
//	g ← g + wd·p
//	m ← β₁·m + (1-β₁)·g,  v ← β₂·v + (1-β₂)·g²
//	p ← p - lr·(m/(1-β₁ᵗ)) / (√(v/(1-β₂ᵗ)) + eps)
type Adam struct {
	optimizer
	Opts      AdamOpts
	decoupled bool
}

// NewAdam returns an Adam optimizer over the trainable tensors of params
// (PyTorch's usual lr is 1e-3). It panics with an *engine.Error for bad options.
func NewAdam(params []Param, lr float64, o AdamOpts) *Adam {
	return &Adam{optimizer: newOptimizer("Adam", params, lr, adamKeys(o)...), Opts: o.withDefaults("Adam", 0)}
}

// AdamW is Adam with decoupled weight decay, as torch.optim.AdamW: the
// parameters shrink by lr·wd·p at each step instead of the decay entering the
// gradient. PyTorch's default decay is 0.01.
type AdamW struct{ Adam }

// NewAdamW returns an AdamW optimizer; an unset WeightDecay means PyTorch's
// default 0.01, and nn.Float(0) means no decay. It panics with an *engine.Error for bad options.
func NewAdamW(params []Param, lr float64, o AdamOpts) *AdamW {
	return &AdamW{Adam{optimizer: newOptimizer("AdamW", params, lr, adamKeys(o)...), Opts: o.withDefaults("AdamW", 0.01), decoupled: true}}
}

func adamKeys(o AdamOpts) []string {
	if o.AMSGrad {
		return []string{"exp_avg", "exp_avg_sq", "max_exp_avg_sq"}
	}
	return []string{"exp_avg", "exp_avg_sq"}
}

// Step updates every parameter that has a gradient, in place.
func (a *Adam) Step() {
	a.each(func(i int, p, g []float32) { adamUpdate(a, i, p, g) }, func(i int, p, g []float64) { adamUpdate(a, i, p, g) })
}

func adamUpdate[T float](a *Adam, i int, p, g []T) {
	lr := a.lrOf(i)
	beta1, beta2, eps, wd := a.momOf(i, *a.Opts.Beta1), *a.Opts.Beta2, *a.Opts.Eps, a.wdOf(i, *a.Opts.WeightDecay)
	a.step[i]++
	t := a.step[i]
	m := a.buf(i, "exp_avg", len(p), 0)
	v := a.buf(i, "exp_avg_sq", len(p), 0)
	var vmax []float64
	if a.Opts.AMSGrad {
		vmax = a.buf(i, "max_exp_avg_sq", len(p), 0)
	}
	bc1 := 1 - math.Pow(beta1, t)
	bc2sqrt := math.Sqrt(1 - math.Pow(beta2, t))
	stepSize := lr / bc1
	if p32, ok := any(p).([]float32); ok && vmax == nil && (a.decoupled || wd == 0) {
		// the same arithmetic, four elements at a time with AVX2 where there is one
		decay := 1.0
		if a.decoupled {
			decay = 1 - lr*wd
		}
		kernels.Adam32(p32, any(g).([]float32), m, v, &kernels.AdamStep{Decay: decay, Beta1: beta1, Beta2: beta2, StepSize: stepSize, BC2Sqrt: bc2sqrt, Eps: eps})
		return
	}
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	for j := range p {
		pj, gj := float64(p[j]), float64(g[j])
		if a.decoupled {
			pj *= 1 - lr*wd
		} else if wd != 0 {
			gj += wd * pj
		}
		m[j] = beta1*m[j] + (1-beta1)*gj
		v[j] = beta2*v[j] + (1-beta2)*gj*gj
		vv := v[j]
		if vmax != nil {
			vmax[j] = math.Max(vmax[j], v[j])
			vv = vmax[j]
		}
		p[j] = T(pj - stepSize*m[j]/(math.Sqrt(vv)/bc2sqrt+eps))
	}
}

func (a *Adam) String() string {
	return fmt.Sprintf("%s(lr=%g, betas=(%g, %g), eps=%g, weight_decay=%g, amsgrad=%t)",
		a.op, a.LR(), *a.Opts.Beta1, *a.Opts.Beta2, *a.Opts.Eps, *a.Opts.WeightDecay, a.Opts.AMSGrad)
}

// RMSpropOpts are the optional settings of RMSprop; unset fields mean
// PyTorch's defaults (see AdamOpts).
type RMSpropOpts struct {
	Alpha       *float64 // smoothing of the squared-gradient average; nil means 0.99
	Eps         *float64 // added to the denominator; nil means 1e-8
	WeightDecay float64  // L2 penalty added to the gradient
	Momentum    float64  // 0 for none
	Centered    bool     // normalize by the estimated variance instead of the second moment
}

// RMSprop is the RMSprop optimizer, as torch.optim.RMSprop:
//
//	g ← g + wd·p
//	s ← α·s + (1-α)·g²;  centered: ḡ ← α·ḡ + (1-α)·g, s̃ = s - ḡ²
//	d = √s (or √s̃) + eps
//	p ← p - lr·g/d, or with momentum: b ← μ·b + g/d, p ← p - lr·b
type RMSprop struct {
	optimizer
	Opts RMSpropOpts
}

// NewRMSprop returns an RMSprop optimizer over the trainable tensors of
// params (PyTorch's default lr is 0.01). It panics with an *engine.Error for bad options.
func NewRMSprop(params []Param, lr float64, o RMSpropOpts) *RMSprop {
	o.Alpha = orDefault(o.Alpha, 0.99)
	o.Eps = orDefault(o.Eps, 1e-8)
	if *o.Alpha < 0 || *o.Alpha >= 1 || *o.Eps < 0 || o.WeightDecay < 0 || o.Momentum < 0 {
		errorf("RMSprop", "alpha must be in [0, 1) and eps, weight decay and momentum >= 0, got alpha %v, eps %v, weight decay %v, momentum %v",
			*o.Alpha, *o.Eps, o.WeightDecay, o.Momentum)
	}
	return &RMSprop{optimizer: newOptimizer("RMSprop", params, lr, "square_avg", "momentum_buffer", "grad_avg"), Opts: o}
}

// Step updates every parameter that has a gradient, in place.
func (r *RMSprop) Step() {
	r.each(func(i int, p, g []float32) { rmspropUpdate(r, i, p, g) }, func(i int, p, g []float64) { rmspropUpdate(r, i, p, g) })
}

func rmspropUpdate[T float](r *RMSprop, i int, p, g []T) {
	o, lr, wd := r.Opts, r.lrOf(i), r.wdOf(i, r.Opts.WeightDecay)
	alpha, eps := *o.Alpha, *o.Eps
	r.step[i]++
	sq := r.buf(i, "square_avg", len(p), 0)
	var ga, buf []float64
	if o.Centered {
		ga = r.buf(i, "grad_avg", len(p), 0)
	}
	mom := r.momOf(i, o.Momentum)
	if mom > 0 {
		buf = r.buf(i, "momentum_buffer", len(p), 0)
	}
	g = g[:len(p)]
	for j := range p {
		pj, gj := float64(p[j]), float64(g[j])
		if wd != 0 {
			gj += wd * pj
		}
		sq[j] = alpha*sq[j] + (1-alpha)*gj*gj
		s := sq[j]
		if ga != nil {
			ga[j] = alpha*ga[j] + (1-alpha)*gj
			s -= ga[j] * ga[j]
		}
		d := math.Sqrt(s) + eps
		if buf != nil {
			buf[j] = mom*buf[j] + gj/d
			pj -= lr * buf[j]
		} else {
			pj -= lr * gj / d
		}
		p[j] = T(pj)
	}
}

func (r *RMSprop) String() string {
	return fmt.Sprintf("RMSprop(lr=%g, alpha=%g, eps=%g, weight_decay=%g, momentum=%g, centered=%t)",
		r.LR(), *r.Opts.Alpha, *r.Opts.Eps, r.Opts.WeightDecay, r.Opts.Momentum, r.Opts.Centered)
}

// AdagradOpts are the optional settings of Adagrad; unset fields mean
// PyTorch's defaults (see AdamOpts).
type AdagradOpts struct {
	LRDecay                 float64  // the lr at step t is lr/(1+(t-1)·LRDecay)
	WeightDecay             float64  // L2 penalty added to the gradient
	InitialAccumulatorValue float64  // start of the sum of squared gradients
	Eps                     *float64 // added to the denominator; nil means 1e-10
}

// Adagrad is the Adagrad optimizer, as torch.optim.Adagrad:
//
//	g ← g + wd·p
//	s ← s + g²
//	p ← p - lr/(1+(t-1)·lr_decay) · g/(√s + eps)
type Adagrad struct {
	optimizer
	Opts AdagradOpts
}

// NewAdagrad returns an Adagrad optimizer over the trainable tensors of
// params (PyTorch's default lr is 0.01). It panics with an *engine.Error for bad options.
func NewAdagrad(params []Param, lr float64, o AdagradOpts) *Adagrad {
	o.Eps = orDefault(o.Eps, 1e-10)
	if o.LRDecay < 0 || o.WeightDecay < 0 || o.InitialAccumulatorValue < 0 || *o.Eps < 0 {
		errorf("Adagrad", "options must be >= 0, got lr decay %v, weight decay %v, initial accumulator value %v, eps %v",
			o.LRDecay, o.WeightDecay, o.InitialAccumulatorValue, *o.Eps)
	}
	return &Adagrad{optimizer: newOptimizer("Adagrad", params, lr, "sum"), Opts: o}
}

// Step updates every parameter that has a gradient, in place.
func (a *Adagrad) Step() {
	a.each(func(i int, p, g []float32) { adagradUpdate(a, i, p, g) }, func(i int, p, g []float64) { adagradUpdate(a, i, p, g) })
}

func adagradUpdate[T float](a *Adagrad, i int, p, g []T) {
	o := a.Opts
	a.step[i]++
	clr := a.lrOf(i) / (1 + (a.step[i]-1)*o.LRDecay)
	wd := a.wdOf(i, o.WeightDecay)
	s := a.buf(i, "sum", len(p), o.InitialAccumulatorValue)
	g = g[:len(p)]
	for j := range p {
		pj, gj := float64(p[j]), float64(g[j])
		if wd != 0 {
			gj += wd * pj
		}
		s[j] += gj * gj
		p[j] = T(pj - clr*gj/(math.Sqrt(s[j])+*o.Eps))
	}
}

func (a *Adagrad) String() string {
	return fmt.Sprintf("Adagrad(lr=%g, lr_decay=%g, weight_decay=%g, initial_accumulator_value=%g, eps=%g)",
		a.LR(), a.Opts.LRDecay, a.Opts.WeightDecay, a.Opts.InitialAccumulatorValue, *a.Opts.Eps)
}
