package engine

import (
	"errors"
	"strings"
	"testing"
)

var _ = addOps("linear", linearOps)

// linearOps are the op table's rows for Linear (see runOps).
func linearOps() []opSpec {
	Seed(3)
	return []opSpec{
		{name: "Linear/2d", torch: true, f: func(x []*Tensor) *Tensor { return Linear(x[0], x[1], x[2]) }},
		{name: "Linear/3d-nobias", torch: true, f: func(x []*Tensor) *Tensor { return Linear(x[0], x[1], nil) }},
		{name: "Linear/1d", torch: true, f: func(x []*Tensor) *Tensor { return Linear(x[0], x[1], x[2]) }},
		{name: "Linear/large", torch: true, f: func(x []*Tensor) *Tensor { return Linear(x[0], x[1], x[2]) }},
		{name: "2d", f: func(x []*Tensor) *Tensor { return Linear(x[0], x[1], x[2]) }, inputs: []*Tensor{Randn(4, 3), Randn(5, 3), Randn(5)}},
		{name: "3d", f: func(x []*Tensor) *Tensor { return Linear(x[0], x[1], x[2]) }, inputs: []*Tensor{Randn(2, 3, 4), Randn(2, 4), Randn(2)}},
		{name: "1d-nobias", f: func(x []*Tensor) *Tensor { return Linear(x[0], x[1], nil) }, inputs: []*Tensor{Randn(3), Randn(2, 3)}},
		{name: "large", f: func(x []*Tensor) *Tensor { return Linear(x[0], x[1], x[2]) }, inputs: []*Tensor{Randn(9, 20), Randn(17, 20), Randn(17)}},
		// a tensor used twice: as input and as weight
		{name: "twice", f: func(x []*Tensor) *Tensor { return Linear(x[0], x[0], x[1]) }, inputs: []*Tensor{Randn(3, 3), Randn(3)}},
		// above poolMin and the GEMM's parallel threshold
		{name: "Linear/big", f: func(x []*Tensor) *Tensor { return Linear(x[0], x[1], x[2]) }, inputs: []*Tensor{Randn(64, 80), Randn(70, 80), Randn(70)}},
		// the bias gradient's float32 loop: two 64-column blocks, an 8-column
		// block and 3 columns after it; and one row
		{name: "Linear/bias-columns", f: func(x []*Tensor) *Tensor { return Linear(x[0], x[1], x[2]) }, inputs: []*Tensor{Randn(7, 5), Randn(139, 5), Randn(139)}},
		{name: "Linear/one-row", f: func(x []*Tensor) *Tensor { return Linear(x[0], x[1], x[2]) }, inputs: []*Tensor{Randn(1, 6), Randn(72, 6), Randn(72)}},
	}
}

// TestLinearFloat32MatchesMatMul checks the float32 path (dbr's GEMM with a
// transposed operand and the bias as starting value) against the unfused ops.
func TestLinearFloat32MatchesMatMul(t *testing.T) {
	Seed(4)
	x, w, b := Randn(33, 70), Randn(19, 70).SetRequiresGrad(true), Randn(19).SetRequiresGrad(true)
	x.SetRequiresGrad(true)
	up := Randn(33, 19)
	y := Linear(x, w, b)
	y.BackwardWith(up)
	gx, gw, gb := x.Grad(), w.Grad(), b.Grad()
	x.SetGrad(nil)
	w.SetGrad(nil)
	b.SetGrad(nil)
	want := x.MatMul(w.T()).Add(b)
	want.BackwardWith(up)
	assertClose(t, "output", y, want, 1e-5)
	assertClose(t, "grad x", gx, x.Grad(), 1e-5)
	assertClose(t, "grad w", gw, w.Grad(), 1e-5)
	assertClose(t, "grad b", gb, b.Grad(), 1e-5)
	if y.DType() != Float32 {
		t.Errorf("dtype %v, want float32", y.DType())
	}
}

func TestLinearShapeErrors(t *testing.T) {
	for _, c := range []struct {
		f    func()
		want string
	}{
		{func() { Linear(Zeros(4, 3), Zeros(5, 4), nil) }, "in_features=4"},
		{func() { Linear(Zeros(4, 3), Zeros(5, 3), Zeros(4)) }, "bias must be [5]"},
		{func() { Linear(Zeros(4, 3), Zeros(3), nil) }, "weight must be 2-d"},
	} {
		err := Try(c.f)
		var se *ShapeError
		if !errors.As(err, &se) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "Linear") {
			t.Errorf("got %v, want a Linear shape error mentioning %q", err, c.want)
		}
	}
}

// TestLinearAccumulatesIntoGrad checks the direct path: a second backward
// adds into the parameters' existing gradients (float32, dbr's GEMM with
// beta = 1), and with an op hook installed the hook still sees every gradient.
func TestLinearAccumulatesIntoGrad(t *testing.T) {
	Seed(5)
	x := Randn(7, 30)
	w, b := Randn(20, 30).SetRequiresGrad(true), Randn(20).SetRequiresGrad(true)
	up := Randn(7, 20)
	Linear(x, w, b).BackwardWith(up)
	gw1, gb1 := w.Grad().clone(), b.Grad().clone()
	Linear(x, w, b).BackwardWith(up)
	assertClose(t, "grad w after two backwards", w.Grad(), gw1.MulScalar(2), 1e-6)
	assertClose(t, "grad b after two backwards", b.Grad(), gb1.MulScalar(2), 1e-6)

	var seen []*Tensor
	remove := AddOpHook(func(ev OpEvent) {
		if ev.Backward && ev.Op == "Linear" {
			seen = ev.Grads
		}
	})
	defer remove()
	Linear(x, w, b).BackwardWith(up)
	if len(seen) != 3 || seen[1] == nil || seen[2] == nil {
		t.Fatalf("hook saw gradients %v, want ones for w and b", seen)
	}
	assertClose(t, "hooked grad w", seen[1], gw1, 1e-6)
	assertClose(t, "grad w after three backwards", w.Grad(), gw1.MulScalar(3), 1e-5)
}

// TestLinearBiasGradBits checks the bias gradient bit for bit against the sum
// of the upstream rows added in order onto a pre-filled gradient, in both
// dtypes, for widths under and past the vector loops' blocks (32 floats, and
// the AVX-512 loop's 4096) and batches of one to 300 rows.
func TestLinearBiasGradBits(t *testing.T) {
	Seed(6)
	for _, dt := range []DType{Float32, Float64} {
		for _, c := range []struct{ batch, in, out int }{{300, 50, 70}, {1, 3, 33}, {3, 2, 4100}, {64, 20, 10}} {
			x := Randn(c.batch, c.in).To(dt)
			w := Randn(c.out, c.in).To(dt).SetRequiresGrad(true)
			b := Randn(c.out).To(dt).SetRequiresGrad(true)
			pre := Randn(c.out).To(dt)
			b.SetGrad(pre.clone())
			up := Randn(c.batch, c.out).To(dt)
			Linear(x, w, b).BackwardWith(up)
			got, u, p := b.Grad().Float64s(), up.Float64s(), pre.Float64s()
			for j := 0; j < c.out; j++ {
				want32, want64 := float32(p[j]), p[j]
				for i := 0; i < c.batch; i++ {
					want32 += float32(u[i*c.out+j])
					want64 += u[i*c.out+j]
				}
				want := want64
				if dt == Float32 {
					want = float64(want32)
				}
				if got[j] != want {
					t.Fatalf("%v %+v: grad b[%d] = %v, want %v", dt, c, j, got[j], want)
				}
			}
		}
	}
}
