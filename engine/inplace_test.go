package engine

import (
	"errors"
	"testing"
)

func TestCopyFrom(t *testing.T) {
	w := New([]float32{1, 2, 3, 4}, 2, 2).SetRequiresGrad(true)
	same := w
	w.CopyFrom(New64([]float64{0.5, -1, 2.25, 8}, 2, 2))
	if same != w {
		t.Fatal("CopyFrom must change the tensor in place")
	}
	want := []float32{0.5, -1, 2.25, 8}
	for i, v := range w.Float32s() {
		if v != want[i] {
			t.Fatalf("element %d is %v, want %v", i, v, want[i])
		}
	}
	if w.DType() != Float32 || !w.RequiresGrad() {
		t.Fatalf("CopyFrom changed dtype or requires-grad: %v %v", w.DType(), w.RequiresGrad())
	}
	d := New64([]float64{0, 0}, 2)
	d.CopyFrom(New([]float32{1.5, -2}, 2))
	if d.At(0) != 1.5 || d.At(1) != -2 {
		t.Fatalf("float32 -> float64 copy gave %v", d.Float64s())
	}

	err := Try(func() { w.CopyFrom(Zeros(4)) })
	var se *ShapeError
	if !errors.As(err, &se) || se.Op != "CopyFrom" {
		t.Fatalf("shape mismatch: got %v, want a CopyFrom *ShapeError", err)
	}
	y := w.MulScalar(2)
	err = Try(func() { y.CopyFrom(Zeros(2, 2)) })
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("copy into an op result: got %v, want an *Error", err)
	}
}
