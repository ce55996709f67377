package engine

import (
	"slices"
	"testing"
)

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
		{"MatMul no transpose fits", func() { x.MatMul(Zeros(4, 5)) }, []string{"MatMul: [2 3]·[4 5]:", "inner sizes 3 and 4 differ", "[2 3] needs a second operand of shape [3 5]"}},
		{"MatMul batched", func() { Zeros(7, 2, 3).MatMul(Zeros(7, 4, 5)) }, []string{"MatMul: [7 2 3]·[7 4 5]:", "[7 2 3] needs a second operand of shape [7 3 5]"}},
		{"MatMul by a vector", func() { x.MatMul(Zeros(4)) }, []string{"MatMul: [2 3]·[4]:", "inner sizes 3 and 4 differ", "[2 3] needs a second operand of length 3"}},
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
