package nn

import (
	"math"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dbr-go/dbr/engine"
)

// torchKind is one layer of TestStateDictTorch: the dbr layer built as
// testdata/torch_statedict.py builds its PyTorch twin, and the flat output
// the script compares (the outputs and states, reshaped and concatenated).
type torchKind struct {
	name  string
	build func() Module
	run   func(m Module, io map[string]*engine.Tensor) *engine.Tensor
}

func flatCat(ts ...*engine.Tensor) *engine.Tensor {
	flat := make([]*engine.Tensor, len(ts))
	for i, t := range ts {
		flat[i] = t.Reshape(-1)
	}
	return engine.Cat(flat, 0)
}

var torchKinds = []torchKind{
	{"lstm", func() Module { return NewLSTM(3, 5, RNNOpts{NumLayers: 2, Bidirectional: true, BatchFirst: true}) },
		func(m Module, io map[string]*engine.Tensor) *engine.Tensor {
			out, h, c := m.(*LSTM).Run(io["_x"], nil, nil)
			return flatCat(out, h, c)
		}},
	{"gru", func() Module { return NewGRU(3, 5, RNNOpts{NumLayers: 2, Bidirectional: true}) },
		func(m Module, io map[string]*engine.Tensor) *engine.Tensor {
			out, h := m.(*GRU).Run(io["_x"], nil)
			return flatCat(out, h)
		}},
	{"mha", func() Module { return NewMultiheadAttention(8, 2, MHAOpts{BatchFirst: true}) },
		func(m Module, io map[string]*engine.Tensor) *engine.Tensor {
			x := io["_x"]
			out, w := m.(*MultiheadAttention).Attend(x, x, x, Masks{KeyPadding: io["_pad"], Causal: true})
			return flatCat(out, w)
		}},
	{"mha-kv", func() Module {
		return NewMultiheadAttention(8, 2, MHAOpts{BatchFirst: true, KDim: 5, VDim: 3, AddBiasKV: true, AddZeroAttn: true})
	}, func(m Module, io map[string]*engine.Tensor) *engine.Tensor {
		out, w := m.(*MultiheadAttention).AttendWeights(io["_x"], io["_k"], io["_v"], Masks{KeyPadding: io["_pad"], Causal: true}, WeightOpts{PerHead: true})
		return flatCat(out, w)
	}},
	{"encoder", func() Module {
		return NewTransformerEncoderLayer(8, 2, TransformerOpts{DimFeedforward: 16, Dropout: Float(0), BatchFirst: true, NormFirst: true, Activation: "gelu"})
	}, func(m Module, io map[string]*engine.Tensor) *engine.Tensor {
		return m.(*TransformerEncoderLayer).Run(io["_x"], Masks{KeyPadding: io["_pad"], Causal: true}).Reshape(-1)
	}},
}

// TestStateDictTorch moves state dicts between dbr and PyTorch 1.13 both
// ways: PyTorch's freshly initialized layer loads into dbr strictly and gives
// PyTorch's output, and dbr's (its own initialization) loads into PyTorch
// with strict=True and gives dbr's output, within 1e-5 in float32. Skipped
// when Debian's /usr/bin/python3 with torch is absent.
func TestStateDictTorch(t *testing.T) {
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import torch").Run(); err != nil {
		t.Skip("skipping: /usr/bin/python3 with torch (Debian's python3-torch) not found")
	}
	script, err := filepath.Abs(filepath.Join("testdata", "torch_statedict.py"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var kinds []string
	for _, k := range torchKinds {
		kinds = append(kinds, k.name)
	}
	python := func(mode string) string {
		cmd := exec.Command(py, append([]string{"-B", script, mode, dir}, kinds...)...)
		cmd.Dir = "testdata"
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("torch_statedict.py %s: %v\n%s", mode, err, out)
		}
		return string(out)
	}
	python("write") // one process for every kind: importing torch takes seconds
	for _, k := range torchKinds {
		t.Run(k.name, func(t *testing.T) {
			at := func(suffix string) string { return filepath.Join(dir, k.name+suffix) }
			// PyTorch → dbr
			all, err := LoadTensors(at(".torch.safetensors"))
			if err != nil {
				t.Fatal(err)
			}
			io := map[string]*engine.Tensor{}
			var sd []Param
			for _, p := range all {
				if strings.HasPrefix(p.Name, "_") {
					io[p.Name] = p.Tensor
				} else {
					sd = append(sd, p)
				}
			}
			m := k.build()
			if _, err := LoadStateDict(m, sd, true); err != nil {
				t.Fatalf("strict load of PyTorch's state dict: %v", err)
			}
			Eval(m)
			got, want := k.run(m, io).Float64s(), io["_out"].Float64s()
			if len(got) != len(want) {
				t.Fatalf("%d output values, PyTorch has %d", len(got), len(want))
			}
			for i := range got {
				if d := math.Abs(got[i] - want[i]); !(d <= 1e-5) {
					t.Fatalf("output %d: dbr %v, PyTorch %v", i, got[i], want[i])
				}
			}
			// dbr → PyTorch: a layer with dbr's own initialization
			engine.Seed(7)
			m2 := k.build()
			Eval(m2)
			if err := Save(at(".dbr.safetensors"), m2); err != nil {
				t.Fatal(err)
			}
			ps := []Param{{Name: "_out", Tensor: k.run(m2, io)}}
			for name, v := range io {
				if name != "_out" {
					ps = append(ps, Param{Name: name, Tensor: v})
				}
			}
			if err := SaveTensors(at(".io.safetensors"), ps); err != nil {
				t.Fatal(err)
			}
		})
	}
	if t.Failed() {
		return
	}
	out := python("check")
	for _, k := range kinds {
		if !strings.Contains(out, "ok "+k+" ") {
			t.Errorf("PyTorch did not check %s: it printed %q", k, out)
		}
	}
}
