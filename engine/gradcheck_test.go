package engine

import (
	"testing"
)

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
