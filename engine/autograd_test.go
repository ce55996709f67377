package engine

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

// The autograd rules below follow PyTorch's; the expected gradients are
// worked out by hand in the comments.

func TestGradAccumulatesAcrossBackwards(t *testing.T) {
	x := New64([]float64{1, -2, 3}).SetRequiresGrad(true)
	x.Mul(x).Sum().Backward() // ∂/∂x Σx² = 2x
	x.Mul(x).Sum().Backward() // a second graph adds 2x again
	assertClose(t, "grad after two backwards", x.Grad(), New64([]float64{4, -8, 12}), 0)
	x.ZeroGrad()
	assertClose(t, "grad after ZeroGrad", x.Grad(), New64([]float64{0, 0, 0}), 0)
	x.MulScalar(3).Sum().Backward()
	assertClose(t, "grad after ZeroGrad and a backward", x.Grad(), New64([]float64{3, 3, 3}), 0)
}

func TestGradOnlyOnLeavesThatRequireIt(t *testing.T) {
	x := New64([]float64{1, 2}).SetRequiresGrad(true)
	c := New64([]float64{5, 7}) // a constant
	h := x.Mul(c)
	r := x.Exp().RetainGrad()
	h.Add(r).Sum().Backward()
	if c.Grad() != nil {
		t.Errorf("a constant got a gradient %v", c.Grad())
	}
	if h.Grad() != nil {
		t.Errorf("an intermediate without RetainGrad got a gradient %v", h.Grad())
	}
	// ∂/∂r = 1; ∂/∂x = c + eˣ
	assertClose(t, "retained grad", r.Grad(), New64([]float64{1, 1}), 0)
	assertClose(t, "leaf grad", x.Grad(), c.Add(x.Detach().Exp()), 1e-15)
	if !x.IsLeaf() || h.IsLeaf() || x.Seq() != 0 || h.Seq() == 0 || r.Seq() <= h.Seq() {
		t.Errorf("IsLeaf/Seq: x %v %d, h %v %d, r %d", x.IsLeaf(), x.Seq(), h.IsLeaf(), h.Seq(), r.Seq())
	}
}

func TestDetachAndNoGradStopTheFlow(t *testing.T) {
	x := New64([]float64{2, 3}).SetRequiresGrad(true)
	// y = detach(x)·x: only the second factor carries a gradient, ∂y/∂x = x
	x.Detach().Mul(x).Sum().Backward()
	assertClose(t, "grad through Detach", x.Grad(), New64([]float64{2, 3}), 0)

	var inside *Tensor
	NoGrad(func() {
		NoGrad(func() {})
		if GradEnabled() {
			t.Error("a nested NoGrad turned recording back on")
		}
		inside = x.Mul(x)
	})
	if !GradEnabled() {
		t.Error("recording is off after NoGrad returned")
	}
	if inside.RequiresGrad() || !inside.IsLeaf() {
		t.Error("a result computed under NoGrad requires grad")
	}
	err := Try(func() { inside.Sum().Backward() })
	if e, ok := err.(*Error); !ok || e.Op != "Backward" || !strings.Contains(err.Error(), "computed under NoGrad") {
		t.Errorf("Backward of a NoGrad result: %v", err)
	}
	err = Try(func() { x.Mul(x).SetRequiresGrad(false) })
	if e, ok := err.(*Error); !ok || e.Op != "SetRequiresGrad" || !strings.Contains(err.Error(), "Detach()") {
		t.Errorf("SetRequiresGrad on an op result: %v", err)
	}
}

func TestMixedDTypeGradients(t *testing.T) {
	a := New([]float32{1, 2}).SetRequiresGrad(true)
	b := New64([]float64{3, 4}).SetRequiresGrad(true)
	y := a.Mul(b)
	if y.DType() != Float64 {
		t.Fatalf("float32·float64 has dtype %v, want float64", y.DType())
	}
	y.Sum().Backward() // ∂/∂a = b, ∂/∂b = a, each in its own dtype
	if a.Grad().DType() != Float32 || b.Grad().DType() != Float64 {
		t.Errorf("gradient dtypes %v and %v, want float32 and float64", a.Grad().DType(), b.Grad().DType())
	}
	assertClose(t, "float32 input's grad", a.Grad(), New([]float32{3, 4}), 0)
	assertClose(t, "float64 input's grad", b.Grad(), New64([]float64{1, 2}), 0)
	// an upstream gradient of the other dtype is converted
	a.ZeroGrad()
	a.MulScalar(2).BackwardWith(New64([]float64{1, -1}))
	assertClose(t, "grad from a float64 upstream", a.Grad(), New([]float32{2, -2}), 0)
	// SetGrad converts to the tensor's dtype
	a.SetGrad(New64([]float64{0.5, 0.25}))
	if a.Grad().DType() != Float32 {
		t.Errorf("SetGrad kept dtype %v", a.Grad().DType())
	}
}

func TestBackwardOnLeafAndLongChain(t *testing.T) {
	x := New64([]float64{1, 2}).SetRequiresGrad(true)
	x.BackwardWith(New64([]float64{3, 4}))
	assertClose(t, "BackwardWith on a leaf", x.Grad(), New64([]float64{3, 4}), 0)

	// a chain far deeper than any recursion would survive: 20000 ops
	w := Scalar(1).SetRequiresGrad(true)
	h := w
	for i := 0; i < 20000; i++ {
		h = h.AddScalar(1)
	}
	h.MulScalar(2).Backward()
	if w.Grad().Item() != 2 {
		t.Errorf("grad through a 20000-op chain is %v, want 2", w.Grad().Item())
	}
}

// TestNoGradReasonPropagates checks that a result computed from a detached
// tensor says so, however far down it is.
func TestNoGradReasonPropagates(t *testing.T) {
	w := Randn(3, 2).SetRequiresGrad(true)
	h := Randn(4, 3).MatMul(w).Detach()
	loss := h.Mul(h).Sum()
	want := "it depends on a tensor that does not require grad: it was detached"
	if got := loss.NoGradReason(); got != want {
		t.Errorf("NoGradReason = %q, want %q", got, want)
	}
	if got := Randn(2).Add(Randn(2)).NoGradReason(); got != "" {
		t.Errorf("plain data: NoGradReason = %q, want empty", got)
	}
}

// TestOpHookBackwardEvents checks that hooks see each op once forward and
// once backward, not the ops a backward uses inside.
func TestOpHookBackwardEvents(t *testing.T) {
	a := Randn(2, 3).SetRequiresGrad(true)
	b := Randn(2, 3).SetRequiresGrad(true)
	var got []string
	remove := AddOpHook(func(ev OpEvent) {
		name := ev.Op
		if ev.Backward {
			name = "∂" + name
		}
		got = append(got, name)
	})
	a.Div(b).Sum().Backward()
	remove()
	want := "[Div Sum ∂Sum ∂Div]"
	if s := fmt.Sprint(got); s != want {
		t.Errorf("hook saw %s, want %s", s, want)
	}
}

// TestBackwardSharedGradients covers backward's handling of a gradient
// tensor that reaches several inputs (Add hands the same g to both): an
// intermediate used three times must get the sum of all three contributions,
// and neither the other inputs' gradients nor the caller's upstream gradient
// may change.
func TestBackwardSharedGradients(t *testing.T) {
	Seed(7)
	f := func(xs []*Tensor) *Tensor {
		h := xs[0].Exp()
		s := h.Add(h)              // h twice through one Add
		return s.Add(h).Mul(xs[1]) // and once more
	}
	if r := GradCheck(f, Randn(3, 4), Randn(3, 4)); !r.OK {
		t.Fatal(r)
	}
	x := Randn(2, 3).SetRequiresGrad(true)
	up := Randn(2, 3)
	before := up.Float32s()
	h := x.MulScalar(2)
	h.Add(h).Add(h).BackwardWith(up)
	assertClose(t, "grad", x.Grad(), up.MulScalar(6), 1e-6)
	assertClose(t, "upstream unchanged", up, New(before, 2, 3), 0)
}

// TestBackwardPiecesAddedInPlace covers the backward of ops that take a
// block of one input (Select, Narrow, Chunk), whose gradients the backward
// loop adds into one buffer of the input's shape: many pieces of one
// intermediate, overlapping pieces, and a whole-tensor use besides, must
// give the sum of every contribution, in float32 and float64, and the same
// with an op hook installed (which takes each backward's own result).
func TestBackwardPiecesAddedInPlace(t *testing.T) {
	Seed(11)
	f := func(xs []*Tensor) *Tensor {
		h := xs[0].Exp() // [5, 3, 4], not a leaf
		var steps []*Tensor
		for s := 0; s < 5; s++ {
			steps = append(steps, h.Select(0, s).MulScalar(float64(s+1)))
		}
		y := Stack(steps, 0).Add(h.Mul(xs[1]))
		c := h.Chunk(2, 2) // two [5, 3, 2] pieces
		return y.Narrow(2, 0, 2).Add(c[0]).Mul(c[1]).Add(h.Narrow(2, 1, 2))
	}
	if r := GradCheck(f, Randn(5, 3, 4), Randn(5, 3, 4)); !r.OK {
		t.Fatal(r)
	}
	for _, dt := range []DType{Float32, Float64} {
		for _, hooked := range []bool{false, true} {
			x := Randn(6, 2, 3).To(dt).SetRequiresGrad(true)
			h := x.MulScalar(1)
			remove := func() {}
			if hooked {
				remove = AddOpHook(func(OpEvent) {})
			}
			loss := h.Narrow(2, 1, 2).Sum()
			for s := 0; s < 6; s++ {
				loss = loss.Add(h.Select(0, s).MulScalar(float64(s + 1)).Sum())
			}
			loss.Backward()
			remove()
			want := make([]float64, 6*2*3)
			for i := range want {
				s, j := i/6, i%3
				want[i] = float64(s + 1)
				if j >= 1 {
					want[i]++
				}
			}
			assertClose(t, fmt.Sprintf("%v hooked=%v", dt, hooked), x.Grad(), New64(want, 6, 2, 3), 0)
		}
	}
}

// TestLeafTakesFirstGradient checks that a leaf's first gradient, taken as
// is instead of copied, is the leaf's alone: gradients above the pool's
// threshold, through an op whose backward allocates it (CrossEntropy), one
// whose backward passes a view of its g (Reshape), one that writes over its
// g and passes it on (ReLU), and one that gives one g to two leaves (Add);
// then further passes, whose buffers come from the
// pool, must leave the taken gradients as they were, and the two leaves of
// Add must not share a buffer.
func TestLeafTakesFirstGradient(t *testing.T) {
	Seed(3)
	target := make([]int, 64)
	for i := range target {
		target[i] = i
	}
	graphs := []struct {
		name   string
		leaves []*Tensor
		f      func(l []*Tensor) *Tensor
	}{
		{"CrossEntropy", []*Tensor{Randn(64, 80)}, func(l []*Tensor) *Tensor { return CrossEntropy(l[0], target).Sum() }},
		{"Reshape", []*Tensor{Randn(64, 80)}, func(l []*Tensor) *Tensor { return l[0].Reshape(80, 64).Exp().Sum() }},
		{"ReLU", []*Tensor{Randn(64, 80)}, func(l []*Tensor) *Tensor { return l[0].ReLU().Exp().Sum() }},
		{"Add", []*Tensor{Randn(64, 80), Randn(64, 80)}, func(l []*Tensor) *Tensor { return l[0].Add(l[1]).Square().Sum() }},
	}
	for _, g := range graphs {
		for _, l := range g.leaves {
			l.SetRequiresGrad(true)
		}
	}
	for _, g := range graphs {
		g.f(g.leaves).Backward()
		var kept []*Tensor
		var want [][]float32
		for _, l := range g.leaves {
			kept = append(kept, l.Grad())
			want = append(want, slices.Clone(l.Grad().Float32s()))
		}
		if len(kept) == 2 && bufKey(kept[0]) == bufKey(kept[1]) {
			t.Fatalf("%s: both leaves' gradients share one buffer", g.name)
		}
		for round := 0; round < 3; round++ {
			for _, h := range graphs {
				for _, l := range h.leaves {
					l.SetGrad(nil)
				}
				h.f(h.leaves).Backward()
			}
		}
		for i, k := range kept {
			if !slices.Equal(k.Float32s(), want[i]) {
				t.Fatalf("%s: leaf %d's gradient changed after later passes", g.name, i)
			}
		}
	}
}

// A gradient Backward summed from two uses, passed on as is by Add to two
// inputs of which one gets a second contribution: adding that contribution
// into the sum in place changed the other input's pending gradient too
// (r = (u + q) + q used twice gave u the gradient of q as well).
func TestBackwardSumPassedOnByAdd(t *testing.T) {
	xs := []float64{0.7, -1.2}
	for _, dt := range []DType{Float64, Float32} {
		x := New64(xs).To(dt).SetRequiresGrad(true)
		u, q := x.Exp(), x.Sin()
		r := u.Add(q).Add(q)
		r.MulScalar(2).Add(r.MulScalar(3)).Sum().Backward()
		// L = 5(eˣ + 2 sin x), so ∂x = 5(eˣ + 2 cos x)
		want := make([]float64, len(xs))
		for i, v := range xs {
			want[i] = 5 * (math.Exp(v) + 2*math.Cos(v))
		}
		assertClose(t, fmt.Sprintf("%v gradient", dt), x.Grad(), New64(want), 1e-5)
	}
	// the same structure in the graph of a gradient from Grad with
	// CreateGraph: L = (a + a)·a with a = x·x is 2x⁴, whose second derivative
	// is 24x²
	x := New64(xs).SetRequiresGrad(true)
	a := x.Mul(x)
	grad1(a.Add(a).Mul(a).Sum(), x).Sum().Backward()
	assertClose(t, "second derivative", x.Grad(), New64([]float64{24 * xs[0] * xs[0], 24 * xs[1] * xs[1]}), 1e-12)
}
