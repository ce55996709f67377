package engine

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// versionRef is PyTorch's answer for one case of testdata/torchref_version.py.
type versionRef struct {
	Name    string    `json:"name"`
	Refused bool      `json:"refused"`
	Message string    `json:"message"`
	Grad    []float64 `json:"grad"`
}

func versionRefs(t *testing.T) map[string]versionRef {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "torchref_version.json"))
	if err != nil {
		t.Fatal(err)
	}
	var file struct{ Cases []versionRef }
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	m := map[string]versionRef{}
	for _, c := range file.Cases {
		m[c.Name] = c
	}
	return m
}

// TestInPlaceChangeTorchRef: where PyTorch refuses a Backward because a
// tensor the graph saved was changed in place, dbr refuses too, naming the
// op, the tensor and the in-place call; where PyTorch computes a gradient,
// dbr computes the same one.
func TestInPlaceChangeTorchRef(t *testing.T) {
	refs := versionRefs(t)
	for _, c := range []struct {
		name string
		f    func(x *Tensor) *Tensor
		want []string // in dbr's message
	}{
		{"set_after_mul", func(x *Tensor) *Tensor {
			u := x.Mul(x).Sum()
			x.Set(5, 1)
			return u
		}, []string{"Mul's backward needs input 0 (float64 [3], a leaf named \"x\")", "Set changed it in place", "it is now at version 1"}},
		{"step_between", func(x *Tensor) *Tensor {
			u := x.Mul(x).Sum()
			x.SetGrad(OnesLike(x))
			x.AddScaled_(x.Grad(), -0.1)
			x.MarkChanged("SGD.Step")
			x.SetGrad(nil)
			return u
		}, []string{"Mul's backward", "SGD.Step changed it in place"}},
		{"fill_detached_result", func(x *Tensor) *Tensor {
			y := x.Exp()
			y.Detach().Fill_(0)
			return y.Sum()
		}, []string{"Exp's backward needs its result (float64 [3], made by Exp)", "Fill_ changed it"}},
		{"copy_into_view", func(x *Tensor) *Tensor {
			u := x.Mul(x).Sum()
			NoGrad(func() { x.Detach().Reshape(1, 3).Detach().CopyFrom(Zeros(1, 3)) })
			return u
		}, []string{"Mul's backward", "CopyFrom changed it"}},
		{"change_after_backward", func(x *Tensor) *Tensor {
			x.Mul(x).Sum().Backward()
			x.Set(5, 1)
			x.SetGrad(nil)
			return x.Mul(x).Sum()
		}, nil},
		{"change_add_input", func(x *Tensor) *Tensor {
			w := New64([]float64{4, 5, 6})
			u := x.Add(w).Sum()
			w.Set(7, 0)
			x.Set(9, 2)
			return u
		}, nil},
		{"change_other_input", func(x *Tensor) *Tensor {
			w := New64([]float64{4, 5, 6}).SetName("w")
			u := x.Mul(w).Sum()
			w.Set(7, 0)
			return u
		}, []string{"Mul's backward needs input 1 (float64 [3], a leaf named \"w\")", "Set changed it"}},
	} {
		ref, ok := refs[c.name]
		if !ok {
			t.Fatalf("%s: no PyTorch reference", c.name)
		}
		x := New64([]float64{1, 2, 3}).SetRequiresGrad(true).SetName("x")
		err := Try(func() { c.f(x).Backward() })
		switch {
		case ref.Refused && err == nil:
			t.Errorf("%s: PyTorch refuses (%s); dbr computed %v", c.name, ref.Message, x.Grad())
		case ref.Refused:
			if !strings.Contains(ref.Message, "modified by an inplace operation") {
				t.Fatalf("%s: unexpected PyTorch message %q", c.name, ref.Message)
			}
			for _, w := range append(c.want, "modified by an in-place operation") {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%s: message lacks %q:\n%v", c.name, w, err)
				}
			}
			if _, isErr := err.(*Error); !isErr {
				t.Errorf("%s: %T, want an *Error", c.name, err)
			}
			if x.Grad() != nil && c.name != "step_between" {
				t.Errorf("%s: a refused Backward changed x's gradient to %v", c.name, x.Grad())
			}
		case err != nil:
			t.Errorf("%s: PyTorch computes %v; dbr refuses: %v", c.name, ref.Grad, err)
		case !slices.Equal(x.Grad().Float64s(), ref.Grad):
			t.Errorf("%s: gradient %v, PyTorch %v", c.name, x.Grad().Float64s(), ref.Grad)
		}
	}
}

// TestVersionCounts: every in-place method counts, views share the count,
// and ops do not count.
func TestVersionCounts(t *testing.T) {
	x := Zeros(2, 2)
	v := x.Reshape(4)
	d := x.Detach()
	steps := []struct {
		name string
		f    func()
	}{
		{"Set", func() { x.Set(1, 0, 0) }},
		{"Fill_", func() { x.Fill_(2) }},
		{"CopyFrom", func() { x.CopyFrom(Ones(2, 2)) }},
		{"AddScaled_", func() { x.AddScaled_(Ones(2, 2), 1) }},
		{"RawFloat32", func() { x.RawFloat32()[0] = 3; x.MarkChanged("mine") }}, // names the change, counts none
	}
	for i, s := range steps {
		s.f()
		for _, y := range []*Tensor{x, v, d} {
			if y.Version() != i+1 {
				t.Fatalf("after %s: version %d, want %d", s.name, y.Version(), i+1)
			}
		}
	}
	if x.ver.by != "mine" {
		t.Errorf("MarkChanged did not name the change: %q", x.ver.by)
	}
	y := Zeros(2)
	y.MarkChanged("first")
	if y.Version() != 1 {
		t.Errorf("MarkChanged on an unchanged tensor: version %d, want 1", y.Version())
	}
	x.Add(x).Exp().Sum()
	if x.Version() != len(steps) {
		t.Errorf("ops changed the version to %d", x.Version())
	}
	if x.RawFloat64() != nil || x.Version() != len(steps) {
		t.Errorf("RawFloat64 of a float32 tensor (nil) counted as a change: version %d", x.Version())
	}
}

// TestVersionGradAccumulation: a graph that used a Grad is refused once a
// Backward (including the Linear op's direct path) or ZeroGrad changed it.
func TestVersionGradAccumulation(t *testing.T) {
	for _, change := range []string{"ZeroGrad", "Backward", "Linear"} {
		w := Randn(3, 2).To(Float64).SetRequiresGrad(true)
		x := Randn(4, 2).To(Float64)
		Linear(x, w, nil).Sum().Backward() // w.Grad now exists
		y := Ones(3, 2).To(Float64).SetRequiresGrad(true)
		u := y.Mul(w.Grad()).Sum()
		switch change {
		case "ZeroGrad":
			w.ZeroGrad()
		case "Backward":
			w.Mul(w).Sum().Backward()
		case "Linear":
			Linear(x, w, nil).Sum().Backward()
		}
		err := Try(func() { u.Backward() })
		if err == nil || !strings.Contains(err.Error(), "modified by an in-place operation") {
			t.Errorf("%s: %v, want a refusal", change, err)
		}
	}
}
