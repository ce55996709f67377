package nn

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/dbr-go/dbr/engine"
)

// ckLin is a linear layer written with engine ops only, so that these tests do
// not depend on the layers of this package.
type ckLin struct{ W, B *engine.Tensor }

func newCkLin(in, out int) *ckLin {
	return &ckLin{W: engine.Randn(out, in).SetRequiresGrad(true), B: engine.Randn(out).SetRequiresGrad(true)}
}
func (l *ckLin) Forward(x *engine.Tensor) *engine.Tensor { return x.MatMul(l.W.T()).Add(l.B) }
func (l *ckLin) Params() []Param {
	return []Param{{Name: "weight", Tensor: l.W}, {Name: "bias", Tensor: l.B}}
}

// ckNorm holds buffers only, like BatchNorm's running statistics.
type ckNorm struct{ Mean, Var *engine.Tensor }

func (n *ckNorm) Forward(x *engine.Tensor) *engine.Tensor { return x.Sub(n.Mean) }
func (n *ckNorm) Params() []Param {
	return []Param{{Name: "running_mean", Tensor: n.Mean, Buffer: true}, {Name: "running_var", Tensor: n.Var, Buffer: true}}
}

type ckMLP struct {
	Fc1, Fc2 *ckLin
	Bn       *ckNorm
}

func newCkMLP() *ckMLP {
	return &ckMLP{Fc1: newCkLin(3, 4), Fc2: newCkLin(4, 2), Bn: &ckNorm{Mean: engine.Randn(4), Var: engine.Rand(4)}}
}
func (m *ckMLP) Forward(x *engine.Tensor) *engine.Tensor {
	return m.Fc2.Forward(m.Bn.Forward(m.Fc1.Forward(x)))
}
func (m *ckMLP) Params() []Param {
	return Params(Sub("fc1", m.Fc1), Sub("fc2", m.Fc2), Sub("bn", m.Bn))
}

func TestSubAndParamsNames(t *testing.T) {
	m := newCkMLP()
	var names []string
	for _, p := range m.Params() {
		names = append(names, p.Name)
	}
	want := "fc1.weight fc1.bias fc2.weight fc2.bias bn.running_mean bn.running_var"
	if got := strings.Join(names, " "); got != want {
		t.Fatalf("names %q, want %q", got, want)
	}
	// Shared weights are listed once; Tensors skips buffers.
	shared := Params(Sub("a", m.Fc1), Sub("b", m.Fc1), Sub("bn", m.Bn))
	if len(shared) != 4 || shared[0].Name != "a.weight" || shared[1].Name != "a.bias" {
		t.Fatalf("shared params: %v", shared)
	}
	if ts := Tensors(shared); len(ts) != 2 || ts[0] != m.Fc1.W || ts[1] != m.Fc1.B {
		t.Fatalf("Tensors = %v", ts)
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	engine.Seed(1)
	dir := t.TempDir()
	path := filepath.Join(dir, "ckMLP.safetensors")
	a := newCkMLP()
	if err := Save(path, a); err != nil {
		t.Fatal(err)
	}
	b := newCkMLP() // different random values
	oldW := b.Fc1.W
	if err := Load(path, b); err != nil {
		t.Fatal(err)
	}
	if b.Fc1.W != oldW {
		t.Fatal("Load replaced the tensor instead of copying into it")
	}
	if !b.Fc1.W.RequiresGrad() {
		t.Fatal("Load lost requires-grad")
	}
	ap, bp := a.Params(), b.Params()
	for i := range ap {
		equalValues(t, ap[i].Name, bp[i].Tensor, ap[i].Tensor)
	}
	// No temporary file is left behind.
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("directory holds %d entries after Save, want 1", len(entries))
	}
}

func TestSaveTensorsRoundTripDTypesAndShapes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.safetensors")
	ps := []Param{
		{Name: "scalar", Tensor: engine.New([]float32{3.5}, 1).Reshape()},
		{Name: "empty", Tensor: engine.New([]float32{}, 0, 3)},
		{Name: "f64", Tensor: engine.New64([]float64{math.Pi, -1e-300, math.Inf(1), math.NaN()}, 2, 2)},
		{Name: "odd name \"quoted\" é", Tensor: engine.New([]float32{1, -2, 3}, 3, 1, 1)},
	}
	if err := SaveTensors(path, ps); err != nil {
		t.Fatal(err)
	}
	got, err := LoadTensors(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(ps) {
		t.Fatalf("loaded %d tensors, want %d", len(got), len(ps))
	}
	for i, p := range ps {
		if got[i].Name != p.Name {
			t.Fatalf("tensor %d named %q, want %q (file order)", i, got[i].Name, p.Name)
		}
		if got[i].Tensor.DType() != p.Tensor.DType() {
			t.Fatalf("%s: dtype %v, want %v", p.Name, got[i].Tensor.DType(), p.Tensor.DType())
		}
		equalValues(t, p.Name, got[i].Tensor, p.Tensor)
	}
	if got[0].Tensor.Dims() != 0 {
		t.Fatalf("scalar loaded with shape %v", got[0].Tensor.Shape())
	}
}

// The exact bytes of a small file, written out by hand from the format's
// description: a check of SaveTensors that does not use LoadTensors.
func TestSaveTensorsBytes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.safetensors")
	if err := SaveTensors(path, []Param{{Name: "w", Tensor: engine.New([]float32{1, -2}, 2)}}); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	hdr := `{"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`
	for (8+len(hdr))%8 != 0 {
		hdr += " "
	}
	want := binary.LittleEndian.AppendUint64(nil, uint64(len(hdr)))
	want = append(want, hdr...)
	want = append(want, 0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0) // 1.0f, -2.0f little-endian
	if string(raw) != string(want) {
		t.Fatalf("file bytes\n%q\nwant\n%q", raw, want)
	}
}

func TestLoadReportsEveryMismatch(t *testing.T) {
	engine.Seed(2)
	path := filepath.Join(t.TempDir(), "ck.safetensors")
	ps := []Param{
		{Name: "fc1.weight", Tensor: engine.Randn(5, 3)}, // wrong shape
		{Name: "fc1.bias", Tensor: engine.Randn(4)},
		{Name: "fc3.weight", Tensor: engine.Randn(2)}, // unexpected
		{Name: "bn.running_mean", Tensor: engine.Randn(4)},
		{Name: "bn.running_var", Tensor: engine.Randn(4)},
		{Name: "bn.num_batches_tracked", Tensor: engine.New64([]float64{3}, 1).Reshape()}, // skipped
	}
	if err := SaveTensors(path, ps); err != nil {
		t.Fatal(err)
	}
	m := newCkMLP()
	before := m.Fc1.B.Float64s()
	err := Load(path, m)
	var se *StateDictError
	if !errors.As(err, &se) {
		t.Fatalf("Load error %v (%T), want *StateDictError", err, err)
	}
	msg := err.Error()
	for _, want := range []string{
		"nn.Load " + path,
		"(4 problems)",
		"missing from the checkpoint: fc2.weight, fc2.bias",
		"in the checkpoint but not in the model: fc3.weight",
		"fc1.weight is [5 3] in the checkpoint, [4 3] in the model",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "num_batches_tracked") {
		t.Errorf("num_batches_tracked should be skipped:\n%s", msg)
	}
	// Nothing was changed, not even the tensors that did fit.
	equalValues(t, "fc1.bias after failed Load", m.Fc1.B, engine.New64(before, 4))

	// Non-strict: missing and unexpected names are ignored, shapes still checked.
	loaded, err := LoadTensors(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := LoadStateDict(m, loaded, false); err == nil || !strings.Contains(err.Error(), "fc1.weight is [5 3]") {
		t.Fatalf("non-strict load with a shape mismatch: %v", err)
	}
	keys, err := LoadStateDict(m, loaded[1:], false) // without fc1.weight
	if err != nil {
		t.Fatalf("non-strict load: %v", err)
	}
	if want := "IncompatibleKeys{Missing: [fc1.weight fc2.weight fc2.bias], Unexpected: [fc3.weight]}"; keys.String() != want {
		t.Errorf("non-strict load returned %v, want %s", keys, want)
	}
	equalValues(t, "fc1.bias", m.Fc1.B, loaded[1].Tensor)
}

func TestLoadConvertsDType(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f64.safetensors")
	w64 := []float64{0.1, 1.0 / 3, -2.5, 1e-3, 7, 8, 9, 10, 11, 12, 13, 14}
	if err := SaveTensors(path, []Param{
		{Name: "weight", Tensor: engine.New64(w64, 4, 3)},
		{Name: "bias", Tensor: engine.New([]float32{1, 2, 3, 4}, 4)},
	}); err != nil {
		t.Fatal(err)
	}
	l := newCkLin(3, 4) // float32
	l64 := &ckLin{W: engine.Zeros(4, 3).Float64(), B: engine.Zeros(4).Float64()}
	if err := Load(path, l); err != nil {
		t.Fatal(err)
	}
	if err := Load(path, l64); err != nil {
		t.Fatal(err)
	}
	if l.W.DType() != engine.Float32 || l64.B.DType() != engine.Float64 {
		t.Fatal("Load changed a tensor's dtype")
	}
	for i, v := range l.W.Float32s() {
		if v != float32(w64[i]) {
			t.Fatalf("float32 weight %d = %v, want %v", i, v, float32(w64[i]))
		}
	}
	for i, v := range l64.W.Float64s() {
		if v != w64[i] {
			t.Fatalf("float64 weight %d = %v, want %v", i, v, w64[i])
		}
	}
	equalValues(t, "bias64", l64.B, engine.New64([]float64{1, 2, 3, 4}))
}

func TestSaveErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bad.safetensors")
	x := engine.Ones(2)
	cases := []struct {
		ps   []Param
		want string
	}{
		{[]Param{{Name: "", Tensor: x}}, "parameter 0 has no name"},
		{[]Param{{Name: "a", Tensor: x}, {Name: "a", Tensor: x}}, `two parameters are named "a"`},
		{[]Param{{Name: "__metadata__", Tensor: x}}, "reserved"},
		{[]Param{{Name: "a"}}, `"a" has a nil tensor`},
	}
	for _, c := range cases {
		err := SaveTensors(path, c.ps)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("SaveTensors(%v): %v, want an error naming the file and %q", c.ps, err, c.want)
		}
	}
	if err := SaveTensors(filepath.Join(dir, "no", "such", "dir.safetensors"), []Param{{Name: "a", Tensor: x}}); err == nil {
		t.Error("SaveTensors into a missing directory succeeded")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("failed saves left %d files behind", len(entries))
	}
}

// A save interrupted half way (Ctrl-C in the REPL) leaves the old checkpoint
// intact and no temporary file.
func TestSaveInterruptedKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ck.safetensors")
	old := []Param{{Name: "w", Tensor: engine.New([]float32{1, 2, 3}, 3)}}
	if err := SaveTensors(path, old); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	big := []Param{{Name: "w", Tensor: engine.Zeros(1 << 16)}, {Name: "v", Tensor: engine.Zeros(1 << 16)}}
	engine.Interrupt()
	err := engine.Try(func() { SaveTensors(path, big) })
	engine.ClearInterrupt()
	if err != engine.ErrInterrupted {
		t.Fatalf("interrupted save: %v, want ErrInterrupted", err)
	}
	after, _ := os.ReadFile(path)
	if string(after) != string(before) {
		t.Fatal("an interrupted save changed the checkpoint")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("an interrupted save left %d files", len(entries))
	}
}

// writeRaw writes a safetensors file with the given JSON header and data.
func writeRaw(t *testing.T, header string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "raw.safetensors")
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	b = append(append(b, header...), data...)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadTensorsMalformed(t *testing.T) {
	f32 := func(vs ...float32) []byte {
		var b []byte
		for _, v := range vs {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
		}
		return b
	}
	cases := []struct {
		name, header string
		data         []byte
		want         string
	}{
		{"not json", `hello`, nil, "not a JSON object"},
		{"array", `[1,2]`, nil, "not a JSON object"},
		{"unknown dtype", `{"a":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}}`, []byte{0}, `dtype "F8_E4M3"`},
		{"size mismatch", `{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, f32(1, 2), "needs 12 bytes"},
		{"past the end", `{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,12]}}`, f32(1, 2), "truncated"},
		{"huge shape", `{"a":{"dtype":"F32","shape":[4000000000,4000000000,4000000000],"data_offsets":[0,8]}}`, f32(1, 2), "too large"},
		{"huge offsets", `{"a":{"dtype":"F32","shape":[1000000000],"data_offsets":[0,4000000000]}}`, f32(1, 2), "truncated"},
		{"negative", `{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}`, f32(1), "invalid shape"},
		{"backwards", `{"a":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}}`, f32(1), "invalid data_offsets"},
		{"missing field", `{"a":{"dtype":"F32","shape":[1]}}`, f32(1), "lacks"},
		{"bad offsets", `{"a":{"dtype":"F32","shape":[1],"data_offsets":[0]}}`, f32(1), "must be [begin, end]"},
		{"duplicate", `{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, f32(1), "twice"},
		{"overlap", `{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, f32(1, 2), "overlap"},
		{"bad metadata", `{"__metadata__":{"a":1}}`, nil, "__metadata__"},
		{"trailing", `{} x`, nil, "extra data"},
	}
	for _, c := range cases {
		path := writeRaw(t, c.header, c.data)
		_, err := LoadTensors(path)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: %v, want an error naming the file and %q", c.name, err, c.want)
		}
	}
	// A header length beyond the limit or the file.
	for _, n := range []uint64{maxHeaderBytes + 1, 1 << 62, 1000} {
		path := filepath.Join(t.TempDir(), "len.safetensors")
		os.WriteFile(path, binary.LittleEndian.AppendUint64(nil, n), 0o644)
		if _, err := LoadTensors(path); err == nil || !strings.Contains(err.Error(), "header length") {
			t.Errorf("header length %d: %v", n, err)
		}
	}
	if _, err := LoadTensors(filepath.Join(t.TempDir(), "missing.safetensors")); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing file: %v", err)
	}
	if _, err := LoadTensors(t.TempDir()); err == nil || !strings.Contains(err.Error(), "directory") {
		t.Errorf("directory: %v", err)
	}
}

// Every truncation of a valid file is an error, never a panic or a success.
func TestLoadTensorsTruncatedEverywhere(t *testing.T) {
	path := filepath.Join(t.TempDir(), "full.safetensors")
	if err := SaveTensors(path, []Param{
		{Name: "a", Tensor: engine.Randn(3, 2)},
		{Name: "b", Tensor: engine.Randn(2).Float64()},
	}); err != nil {
		t.Fatal(err)
	}
	full, _ := os.ReadFile(path)
	cut := filepath.Join(t.TempDir(), "cut.safetensors")
	for n := 0; n < len(full); n++ {
		os.WriteFile(cut, full[:n], 0o644)
		ps, err := LoadTensors(cut)
		if err == nil {
			t.Fatalf("a file cut to %d of %d bytes loaded: %v", n, len(full), ps)
		}
		if !strings.Contains(err.Error(), cut) {
			t.Fatalf("cut to %d bytes: error does not name the file: %v", n, err)
		}
	}
}

// readRef reads testdata/torch_mlp.json, written by PyTorch with
// testdata/safetensors_gen.py.
func readRef(t *testing.T) map[string]struct {
	Shape  []int
	Values []float64
} {
	raw, err := os.ReadFile(filepath.Join("testdata", "torch_mlp.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref map[string]struct {
		Shape  []int
		Values []float64
	}
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	return ref
}

// A state dict saved by PyTorch (F32 weights, BatchNorm buffers with the I64
// num_batches_tracked, an F64 tensor) loads with the right values, and the
// loaded layer computes what PyTorch computed.
func TestLoadPyTorchFile(t *testing.T) {
	ref := readRef(t)
	path := filepath.Join("testdata", "torch_mlp.safetensors")
	ps, err := LoadTensors(path)
	if err != nil {
		t.Fatal(err)
	}
	nref := 0
	for name := range ref {
		if !strings.HasPrefix(name, "_") {
			nref++
		}
	}
	if len(ps) != nref {
		t.Fatalf("%d tensors in the file, the reference lists %d", len(ps), nref)
	}
	for _, p := range ps {
		r, ok := ref[p.Name]
		if !ok {
			t.Fatalf("unexpected tensor %q", p.Name)
		}
		want := engine.New64(r.Values, r.Shape...)
		if len(r.Shape) == 0 {
			want = engine.New64(r.Values, 1).Reshape()
		}
		equalValues(t, p.Name, p.Tensor, want)
	}

	m := &ckMLP{Fc1: newCkLin(3, 4), Fc2: newCkLin(4, 2), Bn: &ckNorm{Mean: engine.Zeros(4), Var: engine.Zeros(4)}}
	// The file has an extra F64 tensor; a strict Load must say so and change nothing.
	if err := Load(path, m); err == nil || !strings.Contains(err.Error(), "extra64") {
		t.Fatalf("strict load of a file with an extra tensor: %v", err)
	}
	if _, err := LoadStateDict(m, ps, false); err != nil {
		t.Fatal(err)
	}
	in, out := ref["_input"], ref["_fc1_output"]
	y := m.Fc1.Forward(engine.New64(in.Values, in.Shape...).Float32())
	got := y.Float64s()
	for i, w := range out.Values {
		if math.Abs(got[i]-w) > 1e-6 {
			t.Fatalf("fc1 output %d: %v, PyTorch gives %v", i, got[i], w)
		}
	}
	equalValues(t, "bn.running_var", m.Bn.Var, engine.New64(ref["bn.running_var"].Values, 4))
}

// The other direction: a file written by dbr parses in Python with the right
// values (testdata/safetensors_check.py computes them from their formula).
// Skipped when Debian's /usr/bin/python3 is absent.
func TestPythonReadsDbrFile(t *testing.T) {
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		t.Skip("skipping: /usr/bin/python3 not found; run testdata/safetensors_check.py by hand")
	}
	w := make([]float32, 6)
	for i := range w {
		w[i] = float32(i)*0.25 - 1
	}
	big := make([]float64, 4)
	for i := range big {
		big[i] = float64(i) / 3
	}
	path := filepath.Join(t.TempDir(), "dbr.safetensors")
	if err := SaveTensors(path, []Param{
		{Name: "fc.weight", Tensor: engine.New(w, 2, 3)},
		{Name: "fc.bias", Tensor: engine.New([]float32{0.5, -0.5}, 2)},
		{Name: "step", Tensor: engine.New64([]float64{7}, 1).Reshape()},
		{Name: "big64", Tensor: engine.New64(big, 4)},
	}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, "-B", "safetensors_check.py", path)
	cmd.Dir = "testdata"
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("python check failed: %v\n%s", err, out)
	}
	if !strings.HasPrefix(string(out), "ok ") {
		t.Fatalf("python check printed %q", out)
	}
}

// Training resumed from a saved model and optimizer continues exactly as the
// uninterrupted run: same weights after the same further steps.
func TestSaveOptimizerResume(t *testing.T) {
	engine.Seed(3)
	dir := t.TempDir()
	x, y := engine.Randn(8, 3), engine.Randn(8, 2)
	step := func(m *Linear, opt *SGD) {
		opt.ZeroGrad()
		MSELoss(m.Forward(x), y).Backward()
		opt.Step()
	}
	a := NewLinear(3, 2)
	optA := NewSGD(a.Params(), 0.1, SGDOpts{Momentum: 0.9})
	for i := 0; i < 3; i++ {
		step(a, optA)
	}
	if err := Save(filepath.Join(dir, "m.safetensors"), a); err != nil {
		t.Fatal(err)
	}
	if err := SaveOptimizer(filepath.Join(dir, "opt.safetensors"), optA); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		step(a, optA)
	}

	b := NewLinear(3, 2)
	optB := NewSGD(b.Params(), 0.5, SGDOpts{Momentum: 0.9})
	if err := Load(filepath.Join(dir, "m.safetensors"), b); err != nil {
		t.Fatal(err)
	}
	if err := LoadOptimizer(filepath.Join(dir, "opt.safetensors"), optB); err != nil {
		t.Fatal(err)
	}
	if optB.LR() != 0.1 {
		t.Fatalf("lr after LoadOptimizer = %v, want 0.1", optB.LR())
	}
	for i := 0; i < 2; i++ {
		step(b, optB)
	}
	equalValues(t, "weight", b.Weight, a.Weight)
	equalValues(t, "bias", b.Bias, a.Bias)

	// A state for other parameters is refused with the file's name.
	c := NewLinear(4, 2)
	optC := NewSGD(c.Params(), 0.1, SGDOpts{Momentum: 0.9})
	err := LoadOptimizer(filepath.Join(dir, "opt.safetensors"), optC)
	if err == nil || !strings.Contains(err.Error(), "opt.safetensors") || !strings.Contains(err.Error(), "shape") {
		t.Fatalf("LoadOptimizer with other parameters: %v", err)
	}
}

// torchNet is the PyTorch model of testdata/safetensors_gen.py built from
// this package's layers.
type torchNet struct {
	Fc1 *Linear
	Bn  *BatchNorm1d
	Fc2 *Linear
}

func (m *torchNet) Forward(x *engine.Tensor) *engine.Tensor {
	return m.Fc2.Forward(m.Bn.Forward(m.Fc1.Forward(x)))
}
func (m *torchNet) Params() []Param {
	return Params(Sub("fc1", m.Fc1), Sub("bn", m.Bn), Sub("fc2", m.Fc2))
}

// PyTorch's state dict loads strictly into the same model built from nn's
// layers (BatchNorm's I64 num_batches_tracked included), and the model then
// computes what PyTorch computed. Saved again by dbr, it loads back the same.
func TestLoadPyTorchModel(t *testing.T) {
	ref := readRef(t)
	ps, err := LoadTensors(filepath.Join("testdata", "torch_mlp.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	var model []Param
	for _, p := range ps {
		if p.Name != "extra64" {
			model = append(model, p)
		}
	}
	m := &torchNet{NewLinear(3, 4), NewBatchNorm1d(4), NewLinear(4, 2)}
	if _, err := LoadStateDict(m, model, true); err != nil {
		t.Fatal(err)
	}
	Eval(m)
	in, out := ref["_input"], ref["_model_output"]
	got := m.Forward(engine.New64(in.Values, in.Shape...).Float32()).Float64s()
	for i, w := range out.Values {
		if math.Abs(got[i]-w) > 1e-5 {
			t.Fatalf("output %d: %v, PyTorch gives %v", i, got[i], w)
		}
	}
	if m.Bn.NumBatchesTracked.Item() != 1 {
		t.Fatalf("num_batches_tracked = %v, want 1", m.Bn.NumBatchesTracked.Item())
	}

	// A checkpoint without BatchNorm's counter loads too, leaving it as it was.
	var noCounter []Param
	for _, p := range model {
		if p.Name != "bn.num_batches_tracked" {
			noCounter = append(noCounter, p)
		}
	}
	m.Bn.NumBatchesTracked.CopyFrom(engine.Full(5))
	if _, err := LoadStateDict(m, noCounter, true); err != nil {
		t.Fatal(err)
	}
	if m.Bn.NumBatchesTracked.Item() != 5 {
		t.Fatalf("num_batches_tracked = %v after a load without it, want 5", m.Bn.NumBatchesTracked.Item())
	}

	path := filepath.Join(t.TempDir(), "again.safetensors")
	if err := Save(path, m); err != nil {
		t.Fatal(err)
	}
	m2 := &torchNet{NewLinear(3, 4), NewBatchNorm1d(4), NewLinear(4, 2)}
	if err := Load(path, m2); err != nil {
		t.Fatal(err)
	}
	a, b := m.Params(), m2.Params()
	for i := range a {
		equalValues(t, a[i].Name, b[i].Tensor, a[i].Tensor)
	}
}

// A header that declares huge tensors in a small file is refused before any
// large allocation.
func TestLoadTensorsHugeDeclarationDoesNotAllocate(t *testing.T) {
	for _, h := range []string{
		`{"a":{"dtype":"F64","shape":[100000,100000],"data_offsets":[0,80000000000]}}`,
		`{"a":{"dtype":"F32","shape":[250000000],"data_offsets":[0,1000000000]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`,
	} {
		path := writeRaw(t, h, make([]byte, 64))
		var m0, m1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m0)
		_, err := LoadTensors(path)
		runtime.ReadMemStats(&m1)
		if err == nil || !strings.Contains(err.Error(), "truncated") {
			t.Fatalf("huge declaration: %v", err)
		}
		if d := m1.TotalAlloc - m0.TotalAlloc; d > 1<<20 {
			t.Fatalf("a refused file allocated %d bytes", d)
		}
	}
}

// The dtypes PyTorch and Hugging Face files hold besides F32 and F64, with
// values written out bit by bit.
func TestLoadTensorsOtherDTypes(t *testing.T) {
	le16 := func(vs ...uint16) (b []byte) {
		for _, v := range vs {
			b = binary.LittleEndian.AppendUint16(b, v)
		}
		return b
	}
	var data []byte
	data = append(data, le16(0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00, 0x8000)...) // F16: 1, -2, 65504, 2^-24, +Inf, -0
	data = append(data, le16(0x3f80, 0xc0a0)...)                                 // BF16: 1, -5
	data = binary.LittleEndian.AppendUint64(data, uint64(1<<53))                 // I64
	data = binary.LittleEndian.AppendUint32(data, 0xffffffff)                    // I32: -1
	data = append(data, le16(0x8000)...)                                         // I16: -32768
	data = append(data, 0x80, 200, 0, 3)                                         // I8 -128, U8 200, BOOL false true
	h := `{"h":{"dtype":"F16","shape":[6],"data_offsets":[0,12]},` +
		`"bf":{"dtype":"BF16","shape":[2],"data_offsets":[12,16]},` +
		`"l":{"dtype":"I64","shape":[],"data_offsets":[16,24]},` +
		`"i":{"dtype":"I32","shape":[1],"data_offsets":[24,28]},` +
		`"s":{"dtype":"I16","shape":[1],"data_offsets":[28,30]},` +
		`"b":{"dtype":"I8","shape":[1],"data_offsets":[30,31]},` +
		`"u":{"dtype":"U8","shape":[1],"data_offsets":[31,32]},` +
		`"t":{"dtype":"BOOL","shape":[2],"data_offsets":[32,34]}}`
	ps, err := LoadTensors(writeRaw(t, h, data))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]float64{
		"h": {1, -2, 65504, math.Ldexp(1, -24), math.Inf(1), math.Copysign(0, -1)}, "bf": {1, -5}, "l": {1 << 53},
		"i": {-1}, "s": {-32768}, "b": {-128}, "u": {200}, "t": {0, 1},
	}
	dtypes := map[string]engine.DType{"h": engine.Float32, "bf": engine.Float32, "l": engine.Float64, "i": engine.Float64,
		"s": engine.Float32, "b": engine.Float32, "u": engine.Float32, "t": engine.Float32}
	for _, p := range ps {
		got := p.Tensor.Float64s()
		if fmt.Sprint(got) != fmt.Sprint(want[p.Name]) || p.Tensor.DType() != dtypes[p.Name] {
			t.Errorf("%s: %v %v, want %v %v", p.Name, got, p.Tensor.DType(), want[p.Name], dtypes[p.Name])
		}
	}
	if h := ps[0].Tensor.Float64s(); !math.Signbit(h[5]) {
		t.Error("F16 -0 lost its sign")
	}
	if ps[2].Tensor.Dims() != 0 {
		t.Errorf("I64 scalar has shape %v", ps[2].Tensor.Shape())
	}
}

// Non-strict loading returns what it skipped, as PyTorch's load_state_dict;
// a state dict of which nothing fits is an error even then; nil tensors are
// errors, not crashes; a common "module." prefix gets one line that says how
// to strip it instead of a complaint per name.
func TestLoadStateDictEdges(t *testing.T) {
	engine.Seed(5)
	m := newCkMLP()
	before := m.Fc1.W.Float64s()
	other := []Param{{Name: "encoder.weight", Tensor: engine.Randn(4, 3)}}
	keys, err := LoadStateDict(m, other, false)
	if err == nil || !strings.Contains(err.Error(), "in the checkpoint but not in the model: encoder.weight") ||
		!strings.Contains(err.Error(), "missing from the checkpoint: fc1.weight, fc1.bias, fc2.weight, fc2.bias, bn.running_mean, bn.running_var") {
		t.Errorf("non-strict load matching nothing: %v", err)
	}
	if fmt.Sprint(keys.Unexpected) != "[encoder.weight]" || len(keys.Missing) != 6 {
		t.Errorf("keys of a load matching nothing: %v", keys)
	}
	if _, err := LoadStateDict(m, nil, false); err == nil {
		t.Error("non-strict load of an empty state dict: no error")
	}

	for _, ps := range [][]Param{
		{{Name: "fc1.weight"}},
		{{Name: "fc1.weight", Tensor: engine.Randn(4, 3)}, {Name: "extra"}},
		{{Tensor: nil}},
	} {
		var err error
		if p := engine.Try(func() { _, err = LoadStateDict(m, ps, false) }); p != nil {
			t.Fatalf("nil tensor: panic %v", p)
		}
		if err == nil || !strings.Contains(err.Error(), "is a nil tensor") {
			t.Errorf("nil tensor in %v: %v", ps, err)
		}
	}
	equalValues(t, "fc1.weight after failed loads", m.Fc1.W, engine.New64(before, 4, 3).Float32())

	// A DataParallel checkpoint: every name starts with "module.".
	var wrapped []Param
	for _, p := range newCkMLP().Params() {
		wrapped = append(wrapped, Param{Name: "module." + p.Name, Tensor: p.Tensor})
	}
	for _, strict := range []bool{true, false} {
		_, err := LoadStateDict(m, wrapped, strict)
		want := `nn.LoadStateDict: every name in the checkpoint starts with "module." and no name in the model does (a checkpoint of a model wrapped in DataParallel?); strip it: nn.LoadStateDict(m, nn.TrimPrefix(ps, "module."), true)`
		if err == nil || err.Error() != want {
			t.Errorf("strict %v, module. prefix:\n%v\nwant\n%s", strict, err, want)
		}
	}
	if _, err := LoadStateDict(m, TrimPrefix(wrapped, "module."), true); err != nil {
		t.Fatal(err)
	}
	equalValues(t, "fc2.bias after TrimPrefix", m.Fc2.B, wrapped[3].Tensor)
	if wrapped[0].Name != "module.fc1.weight" {
		t.Errorf("TrimPrefix changed its argument: %s", wrapped[0].Name)
	}
}
