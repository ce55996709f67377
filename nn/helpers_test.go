package nn

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/dbr-go/dbr/engine"
)

// refCase is one reference computed by PyTorch 1.13 (testdata/nnref.py and
// testdata/layersref.py).
type refCase struct {
	Name    string               `json:"name"`
	Tensors map[string]refTensor `json:"tensors"`
	Scalars map[string]float64   `json:"scalars"`
}

type refTensor struct {
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

var (
	refOnce  sync.Once
	refCases map[string]*refCase
	refErr   error
)

// ref returns the reference case called name; the test fails when it is missing.
func ref(t *testing.T, name string) *refCase {
	t.Helper()
	refOnce.Do(func() {
		refCases = map[string]*refCase{}
		for _, name := range []string{"nnref.json", "layersref.json"} {
			raw, err := os.ReadFile(filepath.Join("testdata", name))
			if err != nil {
				refErr = err
				return
			}
			var file struct {
				Cases []*refCase `json:"cases"`
			}
			if err := json.Unmarshal(raw, &file); err != nil {
				refErr = fmt.Errorf("%s: %v", name, err)
				return
			}
			for _, c := range file.Cases {
				refCases[c.Name] = c
			}
		}
	})
	if refErr != nil {
		t.Fatal(refErr)
	}
	c, ok := refCases[name]
	if !ok {
		t.Fatalf("no reference case %q in testdata/nnref.json; run /usr/bin/python3 nn/testdata/nnref.py and layersref.py", name)
	}
	return c
}

// T returns the reference tensor key as a new float64 tensor.
func (c *refCase) T(t *testing.T, key string) *engine.Tensor {
	t.Helper()
	rt, ok := c.Tensors[key]
	if !ok {
		t.Fatalf("%s: reference has no tensor %q", c.Name, key)
	}
	return engine.New64(rt.Data).Reshape(rt.Shape...).Detach()
}

// Has reports whether the reference has tensor key.
func (c *refCase) Has(key string) bool { _, ok := c.Tensors[key]; return ok }

// P returns the reference tensor key as a float64 leaf that requires grad.
func (c *refCase) P(t *testing.T, key string) *engine.Tensor {
	t.Helper()
	return c.T(t, key).SetRequiresGrad(true)
}

// Ints returns the reference tensor key as integers (class indices).
func (c *refCase) Ints(t *testing.T, key string) []int {
	t.Helper()
	d := c.T(t, key).Float64s()
	out := make([]int, len(d))
	for i, v := range d {
		out[i] = int(v)
	}
	return out
}

// assertClose fails unless got has want's shape and every element is within
// tol·(1+|want|).
func assertClose(t *testing.T, what string, got, want *engine.Tensor, tol float64) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: got nil, want shape %v", what, want.Shape())
		return
	}
	if !slices.Equal(got.Shape(), want.Shape()) {
		t.Errorf("%s: shape %v, want %v", what, got.Shape(), want.Shape())
		return
	}
	g, w := got.Float64s(), want.Float64s()
	for i := range g {
		if !(math.Abs(g[i]-w[i]) <= tol*(1+math.Abs(w[i]))) {
			t.Errorf("%s: element %d is %.10g, want %.10g", what, i, g[i], w[i])
			return
		}
	}
}

// checkLayerRef runs a layer (with the reference's weights already copied in)
// on the reference inputs and compares the outputs and the gradients of the
// inputs and of every named parameter with PyTorch's. The inputs take the
// default dtype: under withFloat64 the comparison is to 1e-9, in float32 to
// float32's precision, 2e-5.
func checkLayerRef(t *testing.T, c *refCase, run func(xs []*engine.Tensor) []*engine.Tensor, params []Param) {
	t.Helper()
	tol := refTol()
	var xs []*engine.Tensor
	for i := 0; c.Has(key("in", i)); i++ {
		xs = append(xs, c.T(t, key("in", i)).To(engine.DefaultDType()).SetRequiresGrad(true))
	}
	outs := run(xs)
	var loss *engine.Tensor
	for i, o := range outs {
		assertClose(t, c.Name+" "+key("out", i), o, c.T(t, key("out", i)), tol)
		if o.DType() != engine.DefaultDType() {
			t.Errorf("%s: %s inputs give a %v output", c.Name, engine.DefaultDType(), o.DType())
		}
		l := o.Mul(c.T(t, key("up", i)).To(o.DType())).Sum()
		if loss == nil {
			loss = l
		} else {
			loss = loss.Add(l)
		}
	}
	loss.Backward()
	for i, x := range xs {
		if c.Has(key("grad.in", i)) {
			assertClose(t, c.Name+" "+key("grad.in", i), x.Grad(), c.T(t, key("grad.in", i)), tol)
		}
	}
	for _, p := range params {
		if p.Buffer {
			continue
		}
		assertClose(t, c.Name+" grad."+p.Name, p.Tensor.Grad(), c.T(t, "grad."+p.Name), tol)
	}
}

// refTol is the tolerance of a comparison with PyTorch in the default dtype.
func refTol() float64 {
	if engine.DefaultDType() == engine.Float32 {
		return 2e-5
	}
	return 1e-9
}

func key(prefix string, i int) string { return prefix + string(rune('0'+i)) }

// loadParams copies the reference's tensors into the parameters of m by name.
func loadParams(t *testing.T, c *refCase, ps []Param) {
	t.Helper()
	for _, p := range ps {
		p.Tensor.CopyFrom(c.T(t, p.Name))
	}
}

// withFloat64 runs f with float64 as the default dtype, so that new layers
// hold float64 parameters.
func withFloat64(f func()) {
	old := engine.SetDefaultDType(engine.Float64)
	defer engine.SetDefaultDType(old)
	f()
}

// gradCheckLayer runs engine.GradCheck on layer m with respect to the inputs
// xs and every trainable parameter of m. GradCheck differentiates float64
// copies of its inputs, so the layer's exported tensor fields that hold the
// parameters are pointed at those copies while it runs (and restored after).
// fwd computes the output from the inputs (usually m.Forward).
func gradCheckLayer(t *testing.T, name string, m Module, fwd func(xs []*engine.Tensor) *engine.Tensor, xs ...*engine.Tensor) {
	t.Helper()
	ps := Tensors(m.Params())
	v := reflect.ValueOf(m).Elem()
	fields := make([]int, len(ps))
	for i, p := range ps {
		fields[i] = -1
		for f := 0; f < v.NumField(); f++ {
			if fv := v.Field(f); fv.Type() == tensorType && fv.CanSet() && fv.Interface() == p {
				fields[i] = f
			}
		}
		if fields[i] < 0 {
			t.Fatalf("%s: parameter %d is not an exported field of %T", name, i, m)
		}
	}
	defer func() {
		for i, f := range fields {
			v.Field(f).Set(reflect.ValueOf(ps[i]))
		}
	}()
	inputs := append(append([]*engine.Tensor{}, xs...), ps...)
	r := engine.GradCheck(func(in []*engine.Tensor) *engine.Tensor {
		for i, f := range fields {
			v.Field(f).Set(reflect.ValueOf(in[len(xs)+i]))
		}
		return fwd(in[:len(xs)])
	}, inputs...)
	if !r.OK {
		t.Errorf("%s: %v", name, r)
	} else if r.Checked == 0 {
		t.Errorf("%s: GradCheck compared no elements", name)
	}
}

func equalValues(t *testing.T, name string, got, want *engine.Tensor) {
	t.Helper()
	if !slices.Equal(got.Shape(), want.Shape()) {
		t.Fatalf("%s: shape %v, want %v", name, got.Shape(), want.Shape())
	}
	g, w := got.Float64s(), want.Float64s()
	for i := range g {
		if g[i] != w[i] && !(math.IsNaN(g[i]) && math.IsNaN(w[i])) {
			t.Fatalf("%s: element %d is %v, want %v", name, i, g[i], w[i])
		}
	}
}

func paramNames(ps []Param) string {
	var names []string
	for _, p := range ps {
		names = append(names, p.Name)
	}
	return strings.Join(names, " ")
}
