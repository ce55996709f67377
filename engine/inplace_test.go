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

func TestRawData(t *testing.T) {
	a := New([]float32{1, 2, 3})
	r := a.RawFloat32()
	r[1] = 7
	if a.At(1) != 7 || a.RawFloat64() != nil {
		t.Fatalf("RawFloat32 must alias the data: %v", a.Float32s())
	}
	b := New64([]float64{1, 2})
	b.RawFloat64()[0] = -1
	if b.At(0) != -1 || b.RawFloat32() != nil {
		t.Fatalf("RawFloat64 must alias the data: %v", b.Float64s())
	}
}
