package engine

import (
	"fmt"
	"slices"
	"testing"
)

// coreOps are the op table's rows for the core arithmetic, reductions by
// sum, MatMul and the view ops (see runOps).
func coreOps() []opSpec {
	Seed(1)
	return []opSpec{
		{name: "Add/broadcast", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Add(x[1]) }},
		{name: "Sub/broadcast", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Sub(x[1]) }},
		{name: "Mul/broadcast", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Mul(x[1]) }},
		{name: "Div/broadcast", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Div(x[1]) }},
		{name: "Sum/all", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Sum() }},
		{name: "Sum/dims", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Sum(0, 2) }},
		{name: "SumKeep/dim", torch: true, f: func(x []*Tensor) *Tensor { return x[0].SumKeep(1) }},
		{name: "MatMul/2d", torch: true, f: func(x []*Tensor) *Tensor { return x[0].MatMul(x[1]) }},
		{name: "MatMul/1d1d", torch: true, f: func(x []*Tensor) *Tensor { return x[0].MatMul(x[1]) }},
		{name: "MatMul/1d2d", torch: true, f: func(x []*Tensor) *Tensor { return x[0].MatMul(x[1]) }},
		{name: "MatMul/2d1d", torch: true, f: func(x []*Tensor) *Tensor { return x[0].MatMul(x[1]) }},
		{name: "MatMul/batch-broadcast", torch: true, f: func(x []*Tensor) *Tensor { return x[0].MatMul(x[1]) }},
		{name: "Permute", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Permute(2, 0, 1) }},
		{name: "Reshape/infer", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Reshape(4, -1) }},
		{name: "Exp", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Exp() }},
		{name: "Neg", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Neg() }},
		{name: "AddScalar", torch: true, f: func(x []*Tensor) *Tensor { return x[0].AddScalar(2.5) }},
		{name: "MulScalar", torch: true, f: func(x []*Tensor) *Tensor { return x[0].MulScalar(-1.5) }},
		{name: "Sub/same", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Sub(x[1]) }},
		{name: "Mul/same", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Mul(x[1]) }},
		{name: "Div/numerator-broadcast", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Div(x[1]) }},
		{name: "Transpose", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Transpose(0, 2) }},
		{name: "Transpose/negative", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Transpose(-1, 1) }},
		{name: "T/2d", torch: true, f: func(x []*Tensor) *Tensor { return x[0].T() }},
		{name: "T/batch", torch: true, f: func(x []*Tensor) *Tensor { return x[0].T() }},
		{name: "Squeeze/all", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Squeeze() }},
		{name: "Squeeze/dim", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Squeeze(-1) }},
		{name: "Unsqueeze/front", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Unsqueeze(0) }},
		{name: "Unsqueeze/negative", torch: true, f: func(x []*Tensor) *Tensor { return x[0].Unsqueeze(-1) }},
		{name: "MatMul/large-batch", torch: true, f: func(x []*Tensor) *Tensor { return x[0].MatMul(x[1]) }},
		{name: "Add/same", f: func(x []*Tensor) *Tensor { return x[0].Add(x[1]) }, inputs: []*Tensor{Randn(2, 3), Randn(2, 3)}},
		{name: "Add/broadcast", f: func(x []*Tensor) *Tensor { return x[0].Add(x[1]) }, inputs: []*Tensor{Randn(2, 1, 3), Randn(4, 1)}},
		{name: "Sub/broadcast", f: func(x []*Tensor) *Tensor { return x[0].Sub(x[1]) }, inputs: []*Tensor{Randn(3), Randn(2, 3)}},
		{name: "Mul/scalar-tensor", f: func(x []*Tensor) *Tensor { return x[0].Mul(x[1]) }, inputs: []*Tensor{Randn(2, 3), Randn()}},
		{name: "Div/broadcast", f: func(x []*Tensor) *Tensor { return x[0].Div(x[1]) }, inputs: []*Tensor{Randn(2, 3), Rand(3).AddScalar(1)}},
		{name: "Sum/all", f: func(x []*Tensor) *Tensor { return x[0].Sum() }, inputs: []*Tensor{Randn(2, 3, 4)}},
		{name: "Sum/dim", f: func(x []*Tensor) *Tensor { return x[0].Sum(-1) }, inputs: []*Tensor{Randn(2, 3, 4)}},
		{name: "SumKeep/dims", f: func(x []*Tensor) *Tensor { return x[0].SumKeep(0, 2) }, inputs: []*Tensor{Randn(2, 3, 4)}},
		{name: "MatMul/2d", f: func(x []*Tensor) *Tensor { return x[0].MatMul(x[1]) }, inputs: []*Tensor{Randn(3, 4), Randn(4, 2)}},
		{name: "MatMul/batch", f: func(x []*Tensor) *Tensor { return x[0].MatMul(x[1]) }, inputs: []*Tensor{Randn(2, 3, 4), Randn(2, 4, 5)}},
		{name: "MatMul/broadcast", f: func(x []*Tensor) *Tensor { return x[0].MatMul(x[1]) }, inputs: []*Tensor{Randn(2, 1, 3, 4), Randn(3, 4, 2)}},
		{name: "MatMul/vec", f: func(x []*Tensor) *Tensor { return x[0].MatMul(x[1]) }, inputs: []*Tensor{Randn(4), Randn(2, 4, 3)}},
		{name: "Reshape", f: func(x []*Tensor) *Tensor { return x[0].Reshape(-1, 2) }, inputs: []*Tensor{Randn(2, 3, 4)}},
		{name: "Permute", f: func(x []*Tensor) *Tensor { return x[0].Permute(1, 2, 0) }, inputs: []*Tensor{Randn(2, 3, 4)}},
		{name: "T", f: func(x []*Tensor) *Tensor { return x[0].T() }, inputs: []*Tensor{Randn(3, 5)}},
		{name: "Squeeze/Unsqueeze", f: func(x []*Tensor) *Tensor { return x[0].Squeeze().Unsqueeze(0) }, inputs: []*Tensor{Randn(2, 1, 3)}},
		{name: "Exp", f: func(x []*Tensor) *Tensor { return x[0].Exp() }, inputs: []*Tensor{Randn(3, 2)}},
		{name: "Neg/MulScalar/AddScalar", f: func(x []*Tensor) *Tensor { return x[0].Neg().MulScalar(3).AddScalar(2) }, inputs: []*Tensor{Randn(4)}},
		{name: "Neg", f: func(x []*Tensor) *Tensor { return x[0].Neg() }, inputs: []*Tensor{Randn(2, 3)}},
		{name: "AddScalar", f: func(x []*Tensor) *Tensor { return x[0].AddScalar(-1.5) }, inputs: []*Tensor{Randn(2, 3)}},
		{name: "MulScalar", f: func(x []*Tensor) *Tensor { return x[0].MulScalar(0.75) }, inputs: []*Tensor{Randn(3, 1, 2)}},
		{name: "Sub/same", f: func(x []*Tensor) *Tensor { return x[0].Sub(x[1]) }, inputs: []*Tensor{Randn(2, 3), Randn(2, 3)}},
		{name: "Sub/both-broadcast", f: func(x []*Tensor) *Tensor { return x[0].Sub(x[1]) }, inputs: []*Tensor{Randn(3, 1), Randn(1, 4)}},
		{name: "Mul/same", f: func(x []*Tensor) *Tensor { return x[0].Mul(x[1]) }, inputs: []*Tensor{Randn(2, 3), Randn(2, 3)}},
		{name: "Mul/broadcast", f: func(x []*Tensor) *Tensor { return x[0].Mul(x[1]) }, inputs: []*Tensor{Randn(2, 1, 4), Randn(3, 1)}},
		{name: "Mul/tensor-scalar", f: func(x []*Tensor) *Tensor { return x[0].Mul(x[1]) }, inputs: []*Tensor{Randn(), Randn(2, 3)}},
		{name: "Div/same", f: func(x []*Tensor) *Tensor { return x[0].Div(x[1]) }, inputs: []*Tensor{Randn(2, 3), Rand(2, 3).AddScalar(1)}},
		{name: "Div/numerator-broadcast", f: func(x []*Tensor) *Tensor { return x[0].Div(x[1]) }, inputs: []*Tensor{Randn(3, 1), Rand(2, 1, 4).AddScalar(1)}},
		{name: "Add/scalar-tensor", f: func(x []*Tensor) *Tensor { return x[0].Add(x[1]) }, inputs: []*Tensor{Randn(2, 3), Randn()}},
		{name: "Exp/0d", f: func(x []*Tensor) *Tensor { return x[0].Exp() }, inputs: []*Tensor{Randn()}},
		{name: "Transpose/3d", f: func(x []*Tensor) *Tensor { return x[0].Transpose(0, 2) }, inputs: []*Tensor{Randn(2, 3, 4)}},
		{name: "Transpose/negative", f: func(x []*Tensor) *Tensor { return x[0].Transpose(-1, 1) }, inputs: []*Tensor{Randn(2, 3, 4)}},
		{name: "T/batch", f: func(x []*Tensor) *Tensor { return x[0].T() }, inputs: []*Tensor{Randn(2, 3, 4)}},
		{name: "Squeeze/dim", f: func(x []*Tensor) *Tensor { return x[0].Squeeze(-1) }, inputs: []*Tensor{Randn(2, 1, 3, 1)}},
		{name: "Unsqueeze/negative", f: func(x []*Tensor) *Tensor { return x[0].Unsqueeze(-1) }, inputs: []*Tensor{Randn(2, 3)}},
		{name: "Reshape/0d", f: func(x []*Tensor) *Tensor { return x[0].Reshape(1, 1) }, inputs: []*Tensor{Randn()}},
		// one tensor used twice in every family: both contributions must arrive
		{name: "twice/Mul", f: func(x []*Tensor) *Tensor { return x[0].Mul(x[0]) }, inputs: []*Tensor{Randn(3, 2)}},
		{name: "twice/MatMul", f: func(x []*Tensor) *Tensor { return x[0].MatMul(x[0].T()) }, inputs: []*Tensor{Randn(3, 2)}},
		{name: "twice/Div", f: func(x []*Tensor) *Tensor { return x[0].Div(x[0].Exp()) }, inputs: []*Tensor{Randn(2, 3)}},
		{name: "twice/Sub broadcast", f: func(x []*Tensor) *Tensor { return x[0].Sub(x[0].SumKeep(1)) }, inputs: []*Tensor{Randn(3, 4)}},
		{name: "twice/Transpose", f: func(x []*Tensor) *Tensor { return x[0].Mul(x[0].Transpose(0, 1)) }, inputs: []*Tensor{Randn(3, 3)}},
		{name: "twice/Sum+Permute", f: func(x []*Tensor) *Tensor { return x[0].Sum(0).Add(x[0].Permute(1, 0).Sum(1)) }, inputs: []*Tensor{Randn(3, 2)}},
		// above poolMin (4096 elements: pooled buffers), the 65536-element
		// chunks of elementwise loops and the GEMM's parallel threshold
		{name: "Add/big", f: func(x []*Tensor) *Tensor { return x[0].Add(x[1]) }, inputs: []*Tensor{Randn(2, 3, 40, 40), Randn(2, 3, 40, 40)}},
		{name: "Add/big-broadcast", f: func(x []*Tensor) *Tensor { return x[0].Add(x[1]) }, inputs: []*Tensor{Randn(2, 3, 40, 40), Randn(3, 1, 1)}},
		{name: "Mul/big-chunks", f: func(x []*Tensor) *Tensor { return x[0].Mul(x[1]) }, inputs: []*Tensor{Randn(300, 250), Randn(250)}},
		{name: "Div/big", f: func(x []*Tensor) *Tensor { return x[0].Div(x[1]) }, inputs: []*Tensor{Randn(70, 80), Rand(70, 80).AddScalar(1)}},
		{name: "Exp/big", f: func(x []*Tensor) *Tensor { return x[0].Exp() }, inputs: []*Tensor{Randn(300, 250)}},
		{name: "Sum/big", f: func(x []*Tensor) *Tensor { return x[0].Sum(0) }, inputs: []*Tensor{Randn(300, 250)}},
		{name: "MatMul/big", f: func(x []*Tensor) *Tensor { return x[0].MatMul(x[1]) }, inputs: []*Tensor{Randn(64, 80), Randn(80, 70)}},
		{name: "MatMul/big-batch", f: func(x []*Tensor) *Tensor { return x[0].MatMul(x[1]) }, inputs: []*Tensor{Randn(3, 1, 40, 50), Randn(2, 50, 60)}},
		{name: "Permute/big", f: func(x []*Tensor) *Tensor { return x[0].Permute(2, 0, 1) }, inputs: []*Tensor{Randn(20, 30, 40)}},
	}
}

func TestCoreOps(t *testing.T) { runOps(t, "core", coreOps()) }

func TestGradCheckCatchesOverwrite(t *testing.T) {
	// A backward that overwrites instead of accumulating must fail the check:
	// a leaf with a pre-filled gradient exposes it.
	bad := func(x []*Tensor) *Tensor {
		out := x[0].clone()
		return record("Overwrite", out, func(g *Tensor) []*Tensor {
			x[0].grad = g.clone() // wrong on purpose
			return nil
		}, x[0])
	}
	if r := GradCheck(bad, Randn(3)); r.OK {
		t.Fatalf("GradCheck passed a backward that overwrites Grad:\n%v", r)
	}
	// And a wrong derivative must fail too.
	wrong := func(x []*Tensor) *Tensor {
		return unary("WrongExp", x[0], func(v float64) float64 { return v * v }, func(x, y, g *Tensor) *Tensor { return g.Mul(x) })
	}
	if r := GradCheck(wrong, Randn(3)); r.OK {
		t.Fatalf("GradCheck passed a wrong derivative:\n%v", r)
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

// TestCoreErrors checks that the errors of the core ops name the op and every
// operand's shape, and say what would fit.
func TestCoreErrors(t *testing.T) {
	x := Zeros(2, 3)
	cases := []errorCase{
		{"Reshape count", func() { x.Reshape(4, 2) }, []string{"Reshape: [2 3]:", "[4 2] holds 8 elements but the tensor has 6", "use -1"}},
		{"Reshape two -1", func() { x.Reshape(-1, -1) }, []string{"Reshape: [2 3]:", "at most one -1"}},
		{"Reshape infer", func() { x.Reshape(4, -1) }, []string{"Reshape: [2 3]:", "6 elements do not divide into blocks of 4"}},
		{"Permute repeat", func() { x.Permute(0, 0) }, []string{"Permute: [2 3]:", "repeat dim 0", "give every dim once"}},
		{"Permute count", func() { x.Permute(1) }, []string{"Permute: [2 3]:", "1 dims given for a 2-d tensor"}},
		{"Transpose", func() { x.Transpose(0, 2) }, []string{"Transpose: [2 3]:", "dim 2 is out of range", "from -2 to 1"}},
		{"Squeeze size", func() { x.Squeeze(1) }, []string{"Squeeze: [2 3]:", "dim 1 has size 3, not 1"}},
		{"Unsqueeze", func() { x.Unsqueeze(3) }, []string{"Unsqueeze: [2 3]:", "from -3 to 2"}},
		{"MatMul transpose", func() { x.MatMul(Zeros(2, 3)) }, []string{"MatMul: [2 3]·[2 3]:", "inner sizes 3 and 2 differ", "[3 2], which fits"}},
		{"MatMul vector", func() { Zeros(3).MatMul(Zeros(2, 3)) }, []string{"MatMul: [3]·[2 3]:", "inner sizes 3 and 2 differ", "fits"}},
		{"MatMul batch", func() { Zeros(2, 2, 3).MatMul(Zeros(3, 3, 4)) },
			[]string{"MatMul: [2 2 3]·[3 3 4]:", "batch sizes 2 and 3 at dim -3 do not broadcast", "must match or one of them must be 1"}},
		{"MatMul batch -4", func() { Zeros(2, 1, 2, 3).MatMul(Zeros(3, 4, 3, 5)) }, []string{"MatMul: [2 1 2 3]·[3 4 3 5]:", "batch sizes 2 and 3 at dim -4 do not broadcast"}},
		{"MatMul scalar", func() { Scalar(1).MatMul(x) }, []string{"MatMul: []·[2 3]:", "use Mul"}},
		{"Backward non-scalar", func() { Zeros(2, 3).SetRequiresGrad(true).Backward() }, []string{"Backward:", "[2 3]", "Sum()", "BackwardWith"}},
		{"BackwardWith shape", func() { Zeros(2, 3).SetRequiresGrad(true).BackwardWith(Zeros(3)) }, []string{"Backward: [2 3], [3]:", "must have the tensor's shape"}},
		{"SetGrad", func() { Zeros(2, 3).SetGrad(Zeros(3, 2)) }, []string{"SetGrad: [2 3], [3 2]:", "must have the tensor's shape"}},
		{"New", func() { New([]float32{1, 2, 3}, 2, 2) }, []string{"New: [2 2]:", "4 elements but data has 3"}},
		{"New64", func() { New64([]float64{1, 2, 3}, 2, 2) }, []string{"New64: [2 2]:", "4 elements but data has 3"}},
		{"Item", func() { x.Item() }, []string{"Item: [2 3]:", "6 elements", "At(i, j, …)"}},
		{"At", func() { x.At(2, 0) }, []string{"At: [2 3]:", "index 2 is out of range for dimension 0 of size 2"}},
		{"Set", func() { x.Set(1, 0) }, []string{"Set: [2 3]:", "1 indices for a 2-d tensor"}},
		{"Arange", func() { Arange(0, 1, 0) }, []string{"Arange:", "step must be non-zero"}},
		{"Zeros", func() { Zeros(-1, 2) }, []string{"Zeros: [-1 2]:", "sizes must be >= 0"}},
		// each creation function's error names the function called
		{"Ones", func() { Ones(-1) }, []string{"Ones: [-1]:", "sizes must be >= 0"}},
		{"Full", func() { Full(2, 3, -1) }, []string{"Full: [3 -1]:", "sizes must be >= 0"}},
		{"Eye", func() { Eye(-2) }, []string{"Eye:", "n must be >= 0, got -2"}},
		{"RandPerm", func() { RandPerm(-1) }, []string{"RandPerm:", "n must be >= 0, got -1"}},
		{"RandInt", func() { RandInt(0) }, []string{"RandInt:", "n must be positive, got 0"}},
	}
	checkErrors(t, cases)
	// MatMul's batch dims broadcast when one of them is 1 or missing
	if got := Zeros(2, 1, 2, 3).MatMul(Zeros(4, 3, 5)).Shape(); !slices.Equal(got, []int{2, 4, 2, 5}) {
		t.Errorf("MatMul [2 1 2 3]·[4 3 5] has shape %v, want [2 4 2 5]", got)
	}
}
