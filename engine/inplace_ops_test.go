package engine

import (
	"errors"
	"testing"
)

func TestAddScaled(t *testing.T) {
	p := New([]float32{1, 2, 3, 4}, 2, 2).SetRequiresGrad(true)
	g := New([]float32{10, 20, 30, 40}, 2, 2)
	if got := p.AddScaled_(g, -0.5); got != p {
		t.Fatal("AddScaled_ must return its receiver")
	}
	assertClose(t, "float32", p, New64([]float64{-4, -8, -12, -16}, 2, 2), 0)
	if p.RequiresGrad() != true || !p.IsLeaf() {
		t.Error("AddScaled_ changed the autograd state")
	}
	q := New64([]float64{1, 1}).AddScaled_(New([]float32{2, 4}), 0.25)
	assertClose(t, "float64 += float32", q, New64([]float64{1.5, 2}), 0)
	r := New([]float32{1, 1}).AddScaled_(New64([]float64{2, 4}), 0.25)
	assertClose(t, "float32 += float64", r, New64([]float64{1.5, 2}), 0)
}

func TestAddScaledErrors(t *testing.T) {
	var se *ShapeError
	if err := Try(func() { Zeros(2, 2).AddScaled_(Zeros(4), 1) }); !errors.As(err, &se) {
		t.Errorf("shape mismatch: got %v, want a *ShapeError", err)
	}
	x := Randn(3).SetRequiresGrad(true)
	y := x.MulScalar(2)
	var e *Error
	if err := Try(func() { y.AddScaled_(Ones(3), 1) }); !errors.As(err, &e) {
		t.Errorf("op result: got %v, want an *Error", err)
	}
}
