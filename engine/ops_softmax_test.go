package engine

import (
	"math"
	"math/rand"
	"runtime"
	"slices"
	"sync"
	"testing"
)

var _ = addOps("softmax", softmaxOps)
var _ = addOps("reduce", softmaxReduceOps)

// softmaxOps are the op table's rows for CrossEntropy (see runOps; Softmax
// and LogSoftmax are in reduceOps with their PyTorch references).
func softmaxOps() []opSpec {
	Seed(5)
	ce := func(target []int) func(x []*Tensor) *Tensor {
		return func(x []*Tensor) *Tensor { return CrossEntropy(x[0], target) }
	}
	return []opSpec{
		{name: "CrossEntropy", f: ce([]int{2, 0, 4}), inputs: []*Tensor{Randn(3, 5)}},
		{name: "CrossEntropy/one-class", f: ce([]int{0, 0}), inputs: []*Tensor{Randn(2, 1)}},
		{name: "CrossEntropy/large-logits", f: ce([]int{1, 1}), inputs: []*Tensor{Randn(2, 3).MulScalar(50)}},
		// the same logits used twice: both contributions must arrive
		{name: "twice/CrossEntropy+LogSoftmax", f: func(x []*Tensor) *Tensor {
			return CrossEntropy(x[0], []int{1, 3}).Add(x[0].LogSoftmax(1).Sum(1))
		}, inputs: []*Tensor{Randn(2, 4)}},
		{name: "twice/CrossEntropy(x·x)", f: func(x []*Tensor) *Tensor { return CrossEntropy(x[0].Mul(x[0]), []int{0, 2}) }, inputs: []*Tensor{Randn(2, 3)}},
		// above poolMin
		{name: "CrossEntropy/big", f: ce([]int{0, 5, 79, 3, 3, 10, 40, 41, 0, 7, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23,
			24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47,
			48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63}), inputs: []*Tensor{Randn(64, 80)}},
	}
}

// TestCrossEntropyMatchesComposed checks the fused op against LogSoftmax,
// Gather and Neg, bit for bit, in values and gradients, in both dtypes.
func TestCrossEntropyMatchesComposed(t *testing.T) {
	Seed(6)
	target := []int{3, 0, 9, 9, 1, 5, 2, 7}
	idx := make([]float64, len(target))
	for i, v := range target {
		idx[i] = float64(v)
	}
	for _, dt := range []DType{Float32, Float64} {
		x := Randn(8, 10).MulScalar(4).To(dt).SetRequiresGrad(true)
		g := Randn(8).To(dt)
		run := func(f func() *Tensor) (out, grad []float64) {
			x.SetGrad(nil)
			y := f()
			y.BackwardWith(g)
			return y.Float64s(), x.Grad().Float64s()
		}
		want, wantGrad := run(func() *Tensor {
			return x.LogSoftmax(1).Gather(1, New64(idx, 8, 1).To(dt)).Reshape(-1).Neg()
		})
		got, gotGrad := run(func() *Tensor { return CrossEntropy(x, target) })
		if !slices.Equal(got, want) {
			t.Errorf("%v: values differ from LogSoftmax+Gather+Neg:\n got %v\nwant %v", dt, got, want)
		}
		if !slices.Equal(gotGrad, wantGrad) {
			t.Errorf("%v: gradients differ from LogSoftmax+Gather+Neg", dt)
		}
	}
	// stable for logits whose exp overflows: log(e¹⁰⁰⁰ + e¹⁰⁰¹) − 1000
	l := CrossEntropy(New64([]float64{1000, 1001}, 1, 2), []int{0}).Item()
	if want := 1 + math.Log1p(math.Exp(-1)); math.Abs(l-want) > 1e-12 {
		t.Errorf("CrossEntropy of [1000 1001] against 0 = %v, want %v", l, want)
	}
}

func TestCrossEntropyErrors(t *testing.T) {
	checkErrors(t, []errorCase{
		{"1-d", func() { CrossEntropy(Zeros(10), []int{3}) }, []string{"CrossEntropy", "[10]", "Unsqueeze(0)"}},
		{"count", func() { CrossEntropy(Zeros(4, 10), []int{1, 2}) }, []string{"CrossEntropy", "[4 10]", "target has 2"}},
		{"class", func() { CrossEntropy(Zeros(2, 10), []int{1, 10}) }, []string{"CrossEntropy", "target 10 at position 1", "[0, 10)"}},
		{"negative", func() { CrossEntropy(Zeros(2, 3), []int{-1, 0}) }, []string{"CrossEntropy", "target -1 at position 0"}},
	})
}

// softmaxReduceOps are the op table's rows for Softmax and LogSoftmax,
// with references in torchref_reduce.json.
func softmaxReduceOps() []opSpec {
	Seed(25)
	f := func(g func(*Tensor) *Tensor) func([]*Tensor) *Tensor {
		return func(x []*Tensor) *Tensor { return g(x[0]) }
	}
	r := f
	return []opSpec{
		{name: "Softmax/last", torch: true, f: f(func(a *Tensor) *Tensor { return a.Softmax(-1) })},
		{name: "Softmax/mid", torch: true, f: f(func(a *Tensor) *Tensor { return a.Softmax(1) })},
		{name: "Softmax/large", torch: true, f: f(func(a *Tensor) *Tensor { return a.Softmax(1) })},
		{name: "LogSoftmax/first", torch: true, f: f(func(a *Tensor) *Tensor { return a.LogSoftmax(0) })},
		{name: "LogSoftmax/mid", torch: true, f: f(func(a *Tensor) *Tensor { return a.LogSoftmax(1) })},
		{name: "LogSoftmax/large", torch: true, f: f(func(a *Tensor) *Tensor { return a.LogSoftmax(1) })},
		{name: "Softmax/last", f: r(func(a *Tensor) *Tensor { return a.Softmax(-1) }), inputs: []*Tensor{Randn(2, 3, 4)}},
		{name: "Softmax/first", f: r(func(a *Tensor) *Tensor { return a.Softmax(0) }), inputs: []*Tensor{Randn(3, 4)}},
		{name: "Softmax/mid", f: r(func(a *Tensor) *Tensor { return a.Softmax(1) }), inputs: []*Tensor{Randn(2, 3, 4).MulScalar(2)}},
		{name: "LogSoftmax/last", f: r(func(a *Tensor) *Tensor { return a.LogSoftmax(1) }), inputs: []*Tensor{Randn(3, 5)}},
		{name: "LogSoftmax/mid", f: r(func(a *Tensor) *Tensor { return a.LogSoftmax(1) }), inputs: []*Tensor{Randn(2, 3, 4).MulScalar(2)}},
		{name: "LogSoftmax/1d", f: r(func(a *Tensor) *Tensor { return a.LogSoftmax(0) }), inputs: []*Tensor{Randn(6)}},
		{name: "twice/Softmax·x", f: r(func(a *Tensor) *Tensor { return a.Softmax(-1).Mul(a).Sum(-1) }), inputs: []*Tensor{Randn(3, 4)}},
		{name: "twice/LogSoftmax+Std", f: r(func(a *Tensor) *Tensor { return a.LogSoftmax(0).Add(a.StdKeep(0)) }), inputs: []*Tensor{Randn(3, 4)}},
		{name: "Softmax/big", f: f(func(a *Tensor) *Tensor { return a.Softmax(1) }), inputs: []*Tensor{Randn(2, 3, 40, 40)}},
		{name: "LogSoftmax/big", f: f(func(a *Tensor) *Tensor { return a.LogSoftmax(-1) }), inputs: []*Tensor{Randn(64, 80)}},
	}
}

// TestSoftmaxRows32 checks the float32 rows of Softmax, LogSoftmax and
// CrossEntropy (the kernels' vector loops) against the float64 ops on the
// same inputs, values and gradients under a random upstream gradient, at row
// lengths around the kernels' 16-element blocks, with rows holding NaN, ±Inf,
// all −Inf and large logits. The float32 error allowed is 4·10⁻⁷ relative to
// the result's scale: the result, times 1 + |x − max| (the rounding of x −
// max goes into the exp); 1 more for log-probabilities; for gradients, the
// terms that cancel in them.
func TestSoftmaxRows32(t *testing.T) {
	Seed(12)
	inf, nan := math.Inf(1), math.NaN()
	for _, n := range []int{1, 7, 16, 17, 33, 1000} {
		rows := [][]float64{}
		for r := 0; r < 5; r++ {
			row := make([]float64, n)
			for k := range row {
				row[k] = float64(float32(RandnLike(Zeros(1)).Item() * 3))
			}
			rows = append(rows, row)
		}
		big := slices.Clone(rows[0])
		for k := range big {
			big[k] = float64(float32(big[k] + 1000)) // a float32 value, so both dtypes get the same input
		}
		rows = append(rows, big)
		special := func(v float64) []float64 {
			row := slices.Clone(rows[1])
			row[n/2] = v
			return row
		}
		rows = append(rows, special(nan), special(inf), special(-inf))
		allNegInf := make([]float64, n)
		for k := range allNegInf {
			allNegInf[k] = -inf
		}
		rows = append(rows, allNegInf)
		var flat []float64
		for _, row := range rows {
			flat = append(flat, row...)
		}
		nr := len(rows)
		target := make([]int, nr)
		for i := range target {
			target[i] = RandInt(n)
		}
		x64 := New64(flat, nr, n)
		up := Randn(nr, n).To(Float64)
		upCE := Randn(nr).To(Float64)
		for _, c := range []struct {
			name string
			f    func(x *Tensor) *Tensor
			g    *Tensor
		}{
			{"Softmax", func(x *Tensor) *Tensor { return x.Softmax(1) }, up},
			{"LogSoftmax", func(x *Tensor) *Tensor { return x.LogSoftmax(1) }, up},
			{"CrossEntropy", func(x *Tensor) *Tensor { return CrossEntropy(x, target) }, upCE},
		} {
			run := func(dt DType) (y, gx []float64) {
				x := x64.To(dt).Detach().SetRequiresGrad(true)
				out := c.f(x)
				out.BackwardWith(c.g.To(dt))
				return out.Float64s(), x.Grad().Float64s()
			}
			y32, g32 := run(Float32)
			y64, g64 := run(Float64)
			prob := x64.Softmax(1).Float64s()
			xmax := make([]float64, nr)
			for r, row := range rows {
				xmax[r] = slices.Max(row)
			}
			gv := c.g.Float64s()
			gUp := func(i int) float64 { return gv[i/n] }
			gAbs := make([]float64, nr)
			if c.name != "CrossEntropy" {
				gUp = func(i int) float64 { return gv[i] }
				for i, v := range gv {
					gAbs[i/n] += math.Abs(v)
				}
			} else {
				for i, v := range gv {
					gAbs[i] = math.Abs(v)
				}
			}
			check := func(what string, got, want []float64, per int) {
				// dist(i) is |x − max| of the element of value or gradient i
				dist := func(i int) float64 {
					d := math.Abs(flat[i] - xmax[i/n])
					if per == 1 || math.IsInf(d, 0) || math.IsNaN(d) {
						return 0 // a value per row, or an element of a special row
					}
					return d
				}
				for i := range want {
					row := i / per
					w, g := want[i], got[i]
					if math.IsNaN(w) || math.IsNaN(g) || math.IsInf(w, 0) {
						if !(math.IsNaN(w) && math.IsNaN(g)) && g != w {
							t.Fatalf("%s n=%d row %d: %s element %d is %v, float64 gives %v", c.name, n, row, what, i, g, w)
						}
						continue
					}
					// float32 rounding of the inputs is exact here (they are float32 values)
					// e^(x − max) has the relative error of x − max rounded
					scale := math.Abs(w) * (1 + dist(i))
					if c.name != "Softmax" && what == "value" {
						scale += 1 // log-probabilities: x − max and ln s each rounded
					}
					if what == "gradient" {
						// p·(g − Σ g·p), g − p·Σ g and g·(p − 1) cancel: the
						// error is that of their terms, p_i·(|g_i| + Σ|g|)
						scale += prob[i] * (1 + dist(i)) * (math.Abs(gUp(i)) + gAbs[row])
					}
					if math.Abs(g-w) > 4e-7*scale {
						t.Fatalf("%s n=%d row %d: %s element %d is %v, float64 gives %v", c.name, n, row, what, i, g, w)
					}
				}
			}
			per := n
			if c.name == "CrossEntropy" {
				per = 1
			}
			check("value", y32, y64, per)
			check("gradient", g32, g64, n)
		}
	}
}

// TestCrossEntropyForwardAllocates: CrossEntropy's forward allocates its
// result, the target's copy and each row's saved shift or log-sum-exp (8
// bytes a row each), and a few hundred bytes of tensor and node, not a
// scratch for the exps: rows of fewer than 16 classes used to allocate one
// of [N, C] per call, wider rows one row's worth.
func TestCrossEntropyForwardAllocates(t *testing.T) {
	if raceBuild {
		t.Skip("the race detector allocates on its own")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	for _, s := range []struct{ n, c int }{{256, 10}, {64, 1000}} {
		for _, dt := range []DType{Float32, Float64} {
			x := Randn(s.n, s.c).To(dt).SetRequiresGrad(true)
			target := make([]int, s.n)
			for i := range target {
				target[i] = i % s.c
			}
			CrossEntropy(x, target)
			const runs = 50
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for i := 0; i < runs; i++ {
				CrossEntropy(x, target)
			}
			runtime.ReadMemStats(&after)
			got := (after.TotalAlloc - before.TotalAlloc) / runs
			if need := uint64(24*s.n + 1024); got > need {
				t.Errorf("[%d %d] %v: the forward allocates %d bytes, want at most %d", s.n, s.c, dt, got, need)
			}
		}
	}
}

// TestCrossEntropyConcurrent: losses computed on two goroutines at once,
// forward and backward, each with rows narrow and wide, get the bits of
// LogSoftmax, Gather and Neg computed alone: each call has a scratch of its
// own (under -race a shared one is a reported race).
func TestCrossEntropyConcurrent(t *testing.T) {
	type job struct {
		x, g           *Tensor
		target         []int
		want, wantGrad []float64
	}
	var jobs []job
	for w := 0; w < 2; w++ {
		for _, c := range []int{10, 40} {
			x := Randn(64, c).MulScalar(3).To(Float32).SetRequiresGrad(true)
			target := make([]int, 64)
			idx := make([]float64, 64)
			for i := range target {
				target[i] = (i*7 + w) % c
				idx[i] = float64(target[i])
			}
			g := Randn(64).To(Float32)
			y := x.LogSoftmax(1).Gather(1, New64(idx, 64, 1).To(Float32)).Reshape(-1).Neg()
			y.BackwardWith(g)
			jobs = append(jobs, job{x, g, target, y.Float64s(), x.Grad().Float64s()})
		}
	}
	var wg sync.WaitGroup
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func(mine []job) {
			defer wg.Done()
			for i := 0; i < 40; i++ {
				for _, j := range mine {
					j.x.SetGrad(nil)
					y := CrossEntropy(j.x, j.target)
					y.BackwardWith(j.g)
					if got := y.Float64s(); !slices.Equal(got, j.want) {
						t.Errorf("C=%d: losses differ from LogSoftmax+Gather+Neg computed alone", j.x.Size(1))
						return
					}
					if !slices.Equal(j.x.Grad().Float64s(), j.wantGrad) {
						t.Errorf("C=%d: gradients differ from LogSoftmax+Gather+Neg computed alone", j.x.Size(1))
						return
					}
				}
			}
		}(jobs[2*w : 2*w+2])
	}
	wg.Wait()
}

// TestCrossEntropyNarrowSameBits checks that rows of fewer than 16 classes
// (one Exp32 call for all rows, sums in lane order) give the row-by-row
// loop's bits, forward and backward, with NaN, ±Inf and all −Inf rows among
// them.
func TestCrossEntropyNarrowSameBits(t *testing.T) {
	r := rand.New(rand.NewSource(8))
	inf := float32(math.Inf(1))
	for _, c := range []int{1, 2, 5, 10, 15} {
		n := 37
		x := make([]float32, n*c)
		for i := range x {
			x[i] = float32(r.NormFloat64() * 4)
		}
		x[3*c] = float32(math.NaN())
		x[5*c+c-1] = inf
		x[7*c] = -inf
		for j := 0; j < c; j++ {
			x[9*c+j] = -inf
		}
		target := make([]int, n)
		g := make([]float32, n)
		for i := range target {
			target[i], g[i] = r.Intn(c), float32(r.NormFloat64())
		}
		out, outRows := make([]float32, n), make([]float32, n)
		sh, shRows := make([]rowShift, n), make([]rowShift, n)
		crossEntropyForwardNarrow32(out, sh, x, target, c)
		crossEntropyForwardRows32(outRows, shRows, x, target, c)
		gx, gxRows := make([]float32, n*c), make([]float32, n*c)
		crossEntropyBackwardNarrow32(gx, g, x, sh, target, c)
		crossEntropyBackwardRows32(gxRows, g, x, sh, target, c)
		same := func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) || a != a && b != b }
		for i := range out {
			if !same(out[i], outRows[i]) || !same(sh[i].m, shRows[i].m) || !same(sh[i].ls, shRows[i].ls) {
				t.Fatalf("C=%d row %d: loss %v, shift %v; row by row %v, %v", c, i, out[i], sh[i], outRows[i], shRows[i])
			}
		}
		for i := range gx {
			if !same(gx[i], gxRows[i]) {
				t.Fatalf("C=%d: gradient [%d][%d] = %v, row by row %v", c, i/c, i%c, gx[i], gxRows[i])
			}
		}
	}
}

// TestLogSoftmaxGradRows32Float64Sum checks float32 LogSoftmax's backward
// (the kernels' rows) where Σg must be summed in float64: a row's g holds
// ±10⁸ and a 1 in one lane of the 16-lane float32 order (elements 0, 16
// and 32), which a float32 sum cancels to 0, so ∂x = g − e^y·Σg would lose
// the e^y·1 of every element. Against the formula in float64, within
// 10⁻⁶ of each term's size.
func TestLogSoftmaxGradRows32Float64Sum(t *testing.T) {
	const rows, n = 2, 40
	xs, gs := make([]float32, rows*n), make([]float32, rows*n)
	for i := range xs {
		xs[i] = float32(i%7) * 0.25
		gs[i] = float32(i%3) - 1 // small integers: every sum of them exact
	}
	for r := 0; r < rows; r++ {
		gs[r*n], gs[r*n+16], gs[r*n+32] = 1e8, 1, -1e8
	}
	x := New(xs, rows, n).SetRequiresGrad(true)
	x.LogSoftmax(1).BackwardWith(New(gs, rows, n))
	got := x.Grad().Float32s()
	for r := 0; r < rows; r++ {
		row, g := xs[r*n:(r+1)*n], gs[r*n:(r+1)*n]
		m, s, sg := float64(slices.Max(row)), 0.0, 0.0
		for j, v := range row {
			s += math.Exp(float64(v) - m)
			sg += float64(g[j])
		}
		for j, v := range row {
			p := math.Exp(float64(v)-m) / s
			want := float64(g[j]) - p*sg
			if d := math.Abs(float64(got[r*n+j]) - want); d > 1e-6*(math.Abs(float64(g[j]))+p*math.Abs(sg)) {
				t.Fatalf("row %d element %d: ∂x %v, want %v (Σg = %v)", r, j, got[r*n+j], want, sg)
			}
		}
	}
}
