package nn

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dbr-go/dbr/engine"
)

// forgetful uses B in Forward but its Params() lists only A.
type forgetful struct{ A, B *Linear }

func (m *forgetful) Forward(x *engine.Tensor) *engine.Tensor {
	return m.B.Forward(m.A.Forward(x).ReLU())
}
func (m *forgetful) Params() []Param { return Sub("a", m.A) }

// TestLayerLeftOutOfParamsTorchRef: trained for five steps, a model whose
// Params() forgets a layer computes what PyTorch computes (the forgotten
// weight never moves, its gradient accumulates), and dbr warns where PyTorch
// is silent.
func TestLayerLeftOutOfParamsTorchRef(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "untrained_ref.json"))
	if err != nil {
		t.Fatal(err)
	}
	type tensor struct {
		Shape []int     `json:"shape"`
		Data  []float64 `json:"data"`
	}
	var ref map[string]json.RawMessage
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	get := func(key string, in map[string]json.RawMessage) *engine.Tensor {
		var tt tensor
		if err := json.Unmarshal(in[key], &tt); err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		return engine.New64(tt.Data).Reshape(tt.Shape...)
	}
	var init map[string]json.RawMessage
	if err := json.Unmarshal(ref["init"], &init); err != nil {
		t.Fatal(err)
	}
	var warn bytes.Buffer
	prev := engine.Warnings
	engine.Warnings = &warn
	defer func() { engine.Warnings = prev }()

	a, b := NewLinear(3, 4), NewLinear(4, 2)
	for _, p := range []struct {
		dst *engine.Tensor
		key string
	}{{a.Weight, "a.weight"}, {a.Bias, "a.bias"}, {b.Weight, "b.weight"}, {b.Bias, "b.bias"}} {
		p.dst.CopyFrom(get(p.key, init))
	}
	b0 := b.Weight.Float32s()
	m := &forgetful{a, b}
	x := get("x", ref)
	opt := NewSGD(m.Params(), 0.1, SGDOpts{})
	for i := 0; i < 5; i++ {
		opt.ZeroGrad()
		m.Forward(x).Sum().Backward()
		opt.Step()
	}
	assertClose(t, "a.weight", a.Weight, get("a.weight", ref), 1e-5)
	assertClose(t, "b.weight (never trained)", b.Weight, get("b.weight", ref), 1e-7) // float32 of the same start
	for i, v := range b.Weight.Float32s() {
		if v != b0[i] {
			t.Fatalf("b.weight[%d] moved from %v to %v", i, b0[i], v)
		}
	}
	assertClose(t, "b.weight.grad (accumulated)", b.Weight.Grad(), get("b.weight.grad", ref), 1e-4)
	assertClose(t, "b.bias.grad (accumulated)", b.Bias.Grad(), get("b.bias.grad", ref), 1e-4)
	if w := warn.String(); strings.Count(w, "warning:") != 2 || !strings.Contains(w, "float32 [2 4] tensor") || !strings.Contains(w, "float32 [2] tensor") {
		t.Errorf("want one warning for B's weight and one for its bias:\n%s", w)
	}
}
