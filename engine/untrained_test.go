package engine

import (
	"bytes"
	"strings"
	"testing"
)

func captureWarnings(t *testing.T) *bytes.Buffer {
	t.Helper()
	var b bytes.Buffer
	prev := Warnings
	Warnings = &b
	t.Cleanup(func() { Warnings = prev })
	return &b
}

// TestUntrainedLeafWarning: a Backward that reaches a leaf no optimizer
// updates, beside leaves one does, warns once about it, naming its shape and
// the op that used it.
func TestUntrainedLeafWarning(t *testing.T) {
	out := captureWarnings(t)
	w := Randn(3, 2).SetRequiresGrad(true)
	w.MarkOptimized("SGD")
	v := Randn(2, 4).SetRequiresGrad(true) // a layer left out of Params()
	x := Randn(5, 3)
	step := func() { x.MatMul(w).MatMul(v).Sum().Backward() }
	step()
	got := out.String()
	for _, want := range []string{"float32 [2 4] tensor", "through MatMul", "no optimizer updates it", "SGD optimizer", "Params()"} {
		if !strings.Contains(got, want) {
			t.Errorf("warning lacks %q:\n%s", want, got)
		}
	}
	if strings.Count(got, "warning:") != 1 {
		t.Errorf("want one warning (about v, not w):\n%s", got)
	}
	step()
	if strings.Count(out.String(), "warning:") != 1 {
		t.Errorf("the warning repeated:\n%s", out)
	}
	// A new tensor of the same shape, used by the same op (an input that
	// requires grad, made each step), does not warn again.
	v = Randn(2, 4).SetRequiresGrad(true)
	step()
	if strings.Count(out.String(), "warning:") != 1 {
		t.Errorf("a new tensor of the same kind warned again:\n%s", out)
	}
	// A second model with the same mistake (its own optimized weight, a
	// forgotten layer of the same shape) is warned about too.
	w = Randn(3, 2).SetRequiresGrad(true)
	w.MarkOptimized("SGD")
	v = Randn(2, 4).SetRequiresGrad(true)
	step()
	if strings.Count(out.String(), "warning:") != 2 {
		t.Errorf("want a warning about the second model's forgotten layer:\n%s", out)
	}
}

// TestNoUntrainedWarningWithoutOptimizer: gradients computed with no
// optimizer in sight (the autograd lessons) warn about nothing, and neither
// does a leaf that does not require grad.
func TestNoUntrainedWarningWithoutOptimizer(t *testing.T) {
	out := captureWarnings(t)
	a := Randn(3).SetRequiresGrad(true)
	b := Randn(3).SetRequiresGrad(true)
	a.Mul(b).Sum().Backward()
	w := Randn(3).SetRequiresGrad(true)
	w.MarkOptimized("Adam")
	frozen := Randn(3)
	w.Mul(frozen).Sum().Backward()
	if out.Len() != 0 {
		t.Errorf("unexpected warning:\n%s", out)
	}
}
