package engine

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
)

// GradCheck tolerances: an element passes when |analytic-numeric| <=
// gradCheckAtol + gradCheckRtol·|numeric|, with central differences of step
// gradCheckEps in float64.
const (
	gradCheckEps  = 1e-6
	gradCheckAtol = 1e-6
	gradCheckRtol = 1e-4
)

// GradCheckEntry is one compared gradient element.
type GradCheckEntry struct {
	Input    int   // which input
	Index    []int // the element's index in that input
	Analytic float64
	Numeric  float64
	AbsErr   float64
}

// GradCheckReport is the result of GradCheck.
type GradCheckReport struct {
	OK        bool
	Checked   int              // number of elements compared
	MaxAbsErr float64          // largest |analytic-numeric|
	Worst     []GradCheckEntry // the worst elements, worst first (at most 5)
	Problem   string           // set when the check could not run (e.g. the output does not require grad)
}

// GradCheck compares the gradients that Backward computes for f with central
// finite differences, in float64. Each input is copied to a float64 leaf that
// requires grad; f is called on those copies and must be deterministic (no
// Dropout). The output's gradient is a random tensor, so every output element
// matters, and each input's Grad is pre-filled with random values before
// Backward, so a backward that overwrites instead of accumulating fails.
func GradCheck(f func(xs []*Tensor) *Tensor, inputs ...*Tensor) *GradCheckReport {
	r := rand.New(rand.NewPCG(12345, 678))
	randLike := func(t *Tensor) *Tensor {
		o := empty(Float64, t.shape)
		for i := range o.f64 {
			o.f64[i] = r.NormFloat64()
		}
		return o
	}
	xs := make([]*Tensor, len(inputs))
	pre := make([]*Tensor, len(inputs))
	for i, in := range inputs {
		xs[i] = in.Detach().To(Float64).clone().SetRequiresGrad(true)
		pre[i] = randLike(xs[i])
		xs[i].grad = pre[i].clone()
	}
	rep := &GradCheckReport{OK: true}
	var y *Tensor
	if err := Try(func() { y = f(xs) }); err != nil {
		rep.OK, rep.Problem = false, "f panicked: "+err.Error()
		return rep
	}
	if !y.requiresGrad {
		rep.OK, rep.Problem = false, "the output does not require grad: "+y.noGradWhy
		return rep
	}
	u := randLike(y)
	y.BackwardWith(u)
	loss := func() float64 {
		var out *Tensor
		NoGrad(func() { out = f(xs) })
		s := 0.0
		for i, v := range out.To(Float64).f64 {
			s += v * u.f64[i]
		}
		return s
	}
	var all []GradCheckEntry
	for i, x := range xs {
		for j := range x.f64 {
			analytic := x.grad.f64[j] - pre[i].f64[j]
			v := x.f64[j]
			x.f64[j] = v + gradCheckEps
			lp := loss()
			x.f64[j] = v - gradCheckEps
			lm := loss()
			x.f64[j] = v
			numeric := (lp - lm) / (2 * gradCheckEps)
			e := GradCheckEntry{Input: i, Index: unflatten(j, x.shape), Analytic: analytic, Numeric: numeric,
				AbsErr: math.Abs(analytic - numeric)}
			if math.IsNaN(analytic) || math.IsNaN(numeric) {
				e.AbsErr = math.Inf(1)
			}
			if !(e.AbsErr <= gradCheckAtol+gradCheckRtol*math.Abs(numeric)) {
				rep.OK = false
			}
			rep.MaxAbsErr = math.Max(rep.MaxAbsErr, e.AbsErr)
			all = append(all, e)
		}
	}
	rep.Checked = len(all)
	sort.SliceStable(all, func(a, b int) bool { return all[a].AbsErr > all[b].AbsErr })
	if len(all) > 5 {
		all = all[:5]
	}
	rep.Worst = all
	return rep
}

func unflatten(i int, shape []int) []int {
	idx := make([]int, len(shape))
	for d := len(shape) - 1; d >= 0; d-- {
		if shape[d] > 0 {
			idx[d] = i % shape[d]
			i /= shape[d]
		}
	}
	return idx
}

// String prints the verdict and a table of the worst elements.
func (r *GradCheckReport) String() string {
	var b strings.Builder
	if r.Problem != "" {
		return "GradCheck: FAILED: " + r.Problem
	}
	verdict := "ok"
	if !r.OK {
		verdict = "FAILED"
	}
	fmt.Fprintf(&b, "GradCheck: %s: %d elements, max abs error %.3g (tolerance %.0e + %.0e·|numeric|)\n",
		verdict, r.Checked, r.MaxAbsErr, gradCheckAtol, gradCheckRtol)
	fmt.Fprintf(&b, "  %-6s %-12s %14s %14s %10s\n", "input", "index", "analytic", "numeric", "abs err")
	for _, e := range r.Worst {
		fmt.Fprintf(&b, "  %-6d %-12s %14.6g %14.6g %10.3g\n", e.Input, fmt.Sprint(e.Index), e.Analytic, e.Numeric, e.AbsErr)
	}
	return strings.TrimRight(b.String(), "\n")
}

// Err returns nil when the check passed, else an error holding the report.
func (r *GradCheckReport) Err() error {
	if r.OK {
		return nil
	}
	return fmt.Errorf("%s", r.String())
}
