package nn

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"encoding/json"
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

// What the safetensors format forbids is refused: holes between tensors,
// bytes after the last one, unknown keys in an entry, more than 64 dims
// (3,000,000 dims of size 1 once loaded). Names and values read from the file
// are cut short in messages.
func TestLoadTensorsFormatRules(t *testing.T) {
	four := make([]byte, 4)
	dims := func(n int) string { return "[" + strings.TrimSuffix(strings.Repeat("1,", n), ",") + "]" }
	long := strings.Repeat("x", 1<<20)
	for _, c := range []struct {
		name, header string
		data         []byte
		want         string
	}{
		{"hole", `{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, make([]byte, 8), "bytes [0, 4) of the data part belong to no tensor"},
		{"hole between", `{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"b":{"dtype":"U8","shape":[1],"data_offsets":[3,4]}}`, four, "bytes [1, 3) of the data part belong to no tensor (before \"b\")"},
		{"trailing bytes", `{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}`, four, "3 bytes follow the last tensor's data"},
		{"unknown key", `{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"strides":[1]}}`, four[:1], `tensor "a": unknown key "strides"`},
		{"65 dims", `{"a":{"dtype":"U8","shape":` + dims(65) + `,"data_offsets":[0,1]}}`, four[:1], "more than 64 dims"},
		{"3,000,000 dims", `{"a":{"dtype":"U8","shape":` + dims(3000000) + `,"data_offsets":[0,1]}}`, four[:1], "more than 64 dims"},
		{"long name", `{"` + long + `":{"dtype":"F32","shape":[1],"data_offsets":[0,1]}}`, four[:1], `tensor "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…" (1048576 bytes): shape [1] of F32 needs 4 bytes`},
		{"long dtype", `{"a":{"dtype":"` + long + `","shape":[1],"data_offsets":[0,1]}}`, four[:1], "(1048576 bytes), which dbr cannot read"},
		{"long number", `{"a":{"dtype":"U8","shape":[1` + strings.Repeat("0", 1<<20) + `],"data_offsets":[0,1]}}`, four[:1], "is not an integer >= 0"},
	} {
		path := writeRaw(t, c.header, c.data)
		_, err := LoadTensors(path)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %.300v, want an error containing %q", c.name, err, c.want)
			continue
		}
		if len(err.Error()) > 400 {
			t.Errorf("%s: the message is %d bytes long", c.name, len(err.Error()))
		}
	}
	// 64 dims and zero-size tensors anywhere are fine.
	ps, err := LoadTensors(writeRaw(t, `{"e":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"a":{"dtype":"U8","shape":`+dims(64)+`,"data_offsets":[0,1]},"z":{"dtype":"F32","shape":[2,0],"data_offsets":[1,1]}}`, four[:1]))
	if err != nil || len(ps) != 3 || ps[1].Tensor.Dims() != 64 {
		t.Fatalf("64 dims and empty tensors: %v %v", ps, err)
	}
}

// A header listing many tensors costs memory in proportion to its size: the
// reader once took a 64 KiB buffer per tensor (200k entries: 12.8 GB allocated).
func TestLoadTensorsManyEntriesMemory(t *testing.T) {
	var b strings.Builder
	b.WriteString("{")
	for i := 0; i < 20000; i++ {
		fmt.Fprintf(&b, `"layer.%06d.weight":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},`, i)
	}
	h := strings.TrimSuffix(b.String(), ",") + "}"
	path := writeRaw(t, h, nil)
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	ps, err := LoadTensors(path)
	runtime.ReadMemStats(&m1)
	if err != nil || len(ps) != 20000 {
		t.Fatalf("%d tensors, %v", len(ps), err)
	}
	if d := m1.TotalAlloc - m0.TotalAlloc; d > 32*uint64(len(h)) {
		t.Errorf("a %d-byte header of 20000 entries allocated %d bytes, more than 32 times its size", len(h), d)
	}
}

// A file written by torch.save (zip, or a bare pickle before PyTorch 1.6) is
// recognised without being unpickled, and the error says how to convert it.
func TestLoadTensorsTorchSaveFile(t *testing.T) {
	dir := t.TempDir()
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	w, _ := zw.Create("archive/data.pkl")
	w.Write([]byte("\x80\x02}q\x00."))
	zw.Close()
	pt := filepath.Join(dir, "model.pt")
	os.WriteFile(pt, zbuf.Bytes(), 0o644)
	legacy := filepath.Join(dir, "old.pth")
	os.WriteFile(legacy, []byte("\x80\x02\x8a\x0alp\xfc\x9cF\xf9 j\xa8P\x19.\x80\x02M\xe9\x03.\x80\x02}q\x00."), 0o644)
	for _, c := range []struct{ path, kind, out string }{
		{pt, "(a zip archive holding a pickle)", filepath.Join(dir, "model.safetensors")},
		{legacy, "(a pickle)", filepath.Join(dir, "old.safetensors")},
	} {
		_, err := LoadTensors(c.path)
		if err == nil {
			t.Fatalf("%s loaded", c.path)
		}
		msg := err.Error()
		for _, want := range []string{"nn.LoadTensors " + c.path + ": this is a PyTorch file written by torch.save " + c.kind,
			"dbr never unpickles", fmt.Sprintf("torch.load(%q, map_location=\"cpu\")", c.path), "save_file(", fmt.Sprintf("%q)'", c.out)} {
			if !strings.Contains(msg, want) {
				t.Errorf("%s: %s\nlacks %q", c.path, msg, want)
			}
		}
		if err := Load(c.path, newCkMLP()); err == nil || !strings.Contains(err.Error(), "torch.save") {
			t.Errorf("Load %s: %v", c.path, err)
		}
	}
}

// rawHeader returns the JSON header of the safetensors file at path.
func rawHeader(t *testing.T, path string) map[string]struct {
	DType       string  `json:"dtype"`
	Shape       []int   `json:"shape"`
	DataOffsets []int64 `json:"data_offsets"`
} {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := binary.LittleEndian.Uint64(b)
	var h map[string]json.RawMessage
	if err := json.Unmarshal(b[8:8+n], &h); err != nil {
		t.Fatal(err)
	}
	delete(h, "__metadata__")
	out := map[string]struct {
		DType       string  `json:"dtype"`
		Shape       []int   `json:"shape"`
		DataOffsets []int64 `json:"data_offsets"`
	}{}
	for k, v := range h {
		e := out[k]
		json.Unmarshal(v, &e)
		out[k] = e
	}
	return out
}

// Tensors are written with their FileDType, bit for bit, and read back with
// it; BatchNorm's num_batches_tracked is I64 as in PyTorch.
func TestSaveTensorsFileDTypes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d.safetensors")
	ps := []Param{
		{Name: "i64", Tensor: engine.New64([]float64{-(1 << 62), 1<<53 + 2, 0}, 3), FileDType: "I64"},
		{Name: "i32", Tensor: engine.New([]float32{-2147483648, 7}, 2), FileDType: "I32"},
		{Name: "u8", Tensor: engine.New([]float32{0, 255}, 2), FileDType: "U8"},
		{Name: "bool", Tensor: engine.New([]float32{1, 0, 1}, 3), FileDType: "BOOL"},
		// 1, -2, 65504, 65520 (rounds up to Inf), 1+2⁻¹¹ (a tie: to even, 1), 1+3·2⁻¹¹ (a tie: up),
		// 3·2⁻²⁵ (a subnormal tie: to even, 2·2⁻²⁴), 2⁻²⁶ (rounds to 0), -0
		{Name: "f16", Tensor: engine.New([]float32{1, -2, 65504, 65520, 1 + 1.0/2048, 1 + 3.0/2048, 3.0 / (1 << 25), 1.0 / (1 << 26), float32(math.Copysign(0, -1))}, 9), FileDType: "F16"},
		// 1, 1+2⁻⁸ (a tie: to even, 1), 1+3·2⁻⁸ (a tie: up to 1+2⁻⁶), -5
		{Name: "bf16", Tensor: engine.New([]float32{1, 1 + 1.0/256, 1 + 3.0/256, -5}, 4), FileDType: "BF16"},
	}
	if err := SaveTensors(path, ps); err != nil {
		t.Fatal(err)
	}
	hdr := rawHeader(t, path)
	b, _ := os.ReadFile(path)
	data := b[8+binary.LittleEndian.Uint64(b):]
	le := func(vs ...uint64) func(size int) []byte {
		return func(size int) (out []byte) {
			for _, v := range vs {
				out = binary.LittleEndian.AppendUint64(out, v)[:len(out)+size]
			}
			return out
		}
	}
	want := map[string][]byte{
		"i64":  le(uint64(1<<64-(1<<62)), 1<<53+2, 0)(8),
		"i32":  le(0x80000000, 7)(4),
		"u8":   {0, 255},
		"bool": {1, 0, 1},
		"f16":  le(0x3c00, 0xc000, 0x7bff, 0x7c00, 0x3c00, 0x3c02, 0x0002, 0x0000, 0x8000)(2),
		"bf16": le(0x3f80, 0x3f80, 0x3f82, 0xc0a0)(2),
	}
	for _, p := range ps {
		e := hdr[p.Name]
		if e.DType != p.FileDType {
			t.Errorf("%s: written as %s, want %s", p.Name, e.DType, p.FileDType)
		}
		if got := data[e.DataOffsets[0]:e.DataOffsets[1]]; !bytes.Equal(got, want[p.Name]) {
			t.Errorf("%s: bytes % x, want % x", p.Name, got, want[p.Name])
		}
	}
	back, err := LoadTensors(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range back {
		if p.FileDType != ps[i].FileDType {
			t.Errorf("%s read back with FileDType %q", p.Name, p.FileDType)
		}
	}
	equalValues(t, "i64", back[0].Tensor, ps[0].Tensor)
	equalValues(t, "f16", back[4].Tensor, engine.New([]float32{1, -2, 65504, float32(math.Inf(1)), 1, 1 + 2.0/1024, 2.0 / (1 << 24), 0, float32(math.Copysign(0, -1))}, 9))

	// Values a dtype cannot hold are an error, and the old file stays.
	for _, c := range []struct {
		p    Param
		want string
	}{
		{Param{Name: "x", Tensor: engine.New([]float32{1, 1.5}, 2), FileDType: "I64"}, `parameter "x": element 1 is 1.5, which I64 cannot hold (integers`},
		{Param{Name: "x", Tensor: engine.New([]float32{256}, 1), FileDType: "U8"}, "element 0 is 256, which U8 cannot hold (integers from 0 to 255)"},
		{Param{Name: "x", Tensor: engine.New([]float32{2}, 1), FileDType: "BOOL"}, "which BOOL cannot hold (only 0 and 1)"},
		{Param{Name: "x", Tensor: engine.New64([]float64{1 << 63}, 1), FileDType: "I64"}, "which I64 cannot hold"},
		{Param{Name: "x", Tensor: engine.New64([]float64{math.NaN()}, 1), FileDType: "I32"}, "which I32 cannot hold"},
		{Param{Name: "x", Tensor: engine.New([]float32{1}, 1), FileDType: "F8"}, `FileDType "F8" is not a safetensors dtype`},
	} {
		err := SaveTensors(path, []Param{c.p})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v as %s: %v, want %q", c.p.Tensor, c.p.FileDType, err, c.want)
		}
	}
	if again, _ := os.ReadFile(path); !bytes.Equal(again, b) {
		t.Error("a failed save changed the file")
	}

	// BatchNorm's counter is I64; WithFileDType makes the floats F16 and
	// leaves it so.
	bn := NewBatchNorm1d(3)
	if err := Save(path, bn); err != nil {
		t.Fatal(err)
	}
	if d := rawHeader(t, path)["num_batches_tracked"].DType; d != "I64" {
		t.Errorf("num_batches_tracked written as %s, want I64", d)
	}
	if err := SaveTensors(path, WithFileDType(StateDict(bn), "F16")); err != nil {
		t.Fatal(err)
	}
	for name, e := range rawHeader(t, path) {
		if want := map[bool]string{true: "I64", false: "F16"}[name == "num_batches_tracked"]; e.DType != want {
			t.Errorf("WithFileDType F16: %s written as %s, want %s", name, e.DType, want)
		}
	}
	if err := engine.Try(func() { WithFileDType(nil, "I8") }); err == nil {
		t.Error("WithFileDType I8 accepted")
	}
}

// Every half-precision value survives half → float32 → half, so the
// conversion is the inverse of the reader's on all 65536 bit patterns (NaNs
// stay NaNs).
func TestFloat32ToHalfInvertsHalfToFloat32(t *testing.T) {
	for h := 0; h < 1<<16; h++ {
		f := halfToFloat32(uint16(h))
		got := float32ToHalf(f)
		if f != f {
			if got&0x7c00 != 0x7c00 || got&0x3ff == 0 {
				t.Fatalf("NaN %#04x became %#04x", h, got)
			}
			continue
		}
		if got != uint16(h) {
			t.Fatalf("%#04x → %v → %#04x", h, f, got)
		}
	}
}

// Checkpoints go both ways between dbr and Debian's PyTorch 1.13
// (testdata/torch_interop.py): a state dict PyTorch wrote (DataParallel's
// "module." prefix, int64 num_batches_tracked, bool, uint8, int32, float16,
// bfloat16 tensors) loads into the same model built from nn's layers, which
// then computes PyTorch's output; saved by dbr, with F16 and BF16 copies of a
// weight, PyTorch loads it strictly with every dtype as its own.
func TestTorchInterop(t *testing.T) {
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import torch").Run(); err != nil {
		t.Skipf("skipping: Debian's PyTorch is not there (%s -c 'import torch': %v); apt-get install python3-torch", py, err)
	}
	dir := t.TempDir()
	run := func(mode string) string {
		cmd := exec.Command(py, "-B", "torch_interop.py", mode, dir)
		cmd.Dir = "testdata"
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("torch_interop.py %s: %v\n%s", mode, err, out)
		}
		return string(out)
	}
	run("write")
	var ref map[string][]float64
	raw, err := os.ReadFile(filepath.Join(dir, "torch.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	ps, err := LoadTensors(filepath.Join(dir, "torch.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	dtypes := map[string]string{}
	byName := map[string]*engine.Tensor{}
	for _, p := range ps {
		dtypes[p.Name], byName[p.Name] = p.FileDType, p.Tensor
		equalValues(t, p.Name, p.Tensor.Reshape(-1), engine.New64(ref[p.Name]))
	}
	for name, want := range map[string]string{"module.1.num_batches_tracked": "I64", "module.0.weight": "F32", "mask": "BOOL",
		"pixels": "U8", "ids": "I32", "half": "F16", "brain": "BF16"} {
		if dtypes[name] != want {
			t.Errorf("%s read with FileDType %q, want %s", name, dtypes[name], want)
		}
	}

	m := NewSequential([]Module{NewLinear(3, 4), NewBatchNorm1d(4), NewLinear(4, 2)})
	var model []Param
	for _, p := range ps {
		if strings.HasPrefix(p.Name, "module.") {
			model = append(model, p)
		}
	}
	if _, err := LoadStateDict(m, model, true); err == nil || !strings.Contains(err.Error(), `nn.TrimPrefix(ps, "module.")`) {
		t.Fatalf("a module. checkpoint: %v", err)
	}
	if _, err := LoadStateDict(m, TrimPrefix(model, "module."), true); err != nil {
		t.Fatal(err)
	}
	Eval(m)
	got := m.Forward(engine.New64(ref["_input"], 3, 3).Float32()).Float64s()
	for i, w := range ref["_output"] {
		if math.Abs(got[i]-w) > 1e-6 {
			t.Fatalf("output %d: %v, PyTorch gives %v", i, got[i], w)
		}
	}

	out := append(StateDict(m),
		Param{Name: "fc1_f16", Tensor: byName["module.0.weight"], FileDType: "F16"},
		Param{Name: "fc1_bf16", Tensor: byName["module.0.weight"], FileDType: "BF16"})
	for _, p := range ps {
		if !strings.HasPrefix(p.Name, "module.") {
			out = append(out, p)
		}
	}
	if err := SaveTensors(filepath.Join(dir, "dbr.safetensors"), out); err != nil {
		t.Fatal(err)
	}
	if msg := run("check"); !strings.HasPrefix(msg, "ok ") {
		t.Fatalf("torch_interop.py check printed %q", msg)
	}
}

// TestSafetensorsRoundTripLarge round-trips tensors larger than the
// reader's 64 KiB chunk (300×300: 5.5 chunks of float32, 11 of float64),
// every element distinct, so that a chunk read from the wrong offset shows.
func TestSafetensorsRoundTripLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.safetensors")
	v32, v64 := make([]float32, 300*300), make([]float64, 300*300)
	for i := range v32 {
		v32[i], v64[i] = float32(i)+0.25, -float64(i)-0.5
	}
	ps := []Param{
		{Name: "small", Tensor: engine.New([]float32{1, 2, 3}, 3)},
		{Name: "f32", Tensor: engine.New(v32, 300, 300)},
		{Name: "f64", Tensor: engine.New64(v64, 300, 300)},
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
		if got[i].Name != p.Name || got[i].Tensor.DType() != p.Tensor.DType() {
			t.Fatalf("tensor %d: %s %v, want %s %v", i, got[i].Name, got[i].Tensor.DType(), p.Name, p.Tensor.DType())
		}
		equalValues(t, p.Name, got[i].Tensor, p.Tensor)
	}
}

// A header of 200k entries (18 MB) is parsed allocating a few times its size:
// the bytes, the entries and their names. Through encoding/json's tokens it
// took 19 times (347 MB; an 11.7 MB header once used 308 MB).
func TestSafetensorsHeaderMemory(t *testing.T) {
	var h bytes.Buffer
	h.WriteString("{")
	const n = 200000
	for i := 0; i < n; i++ {
		if i > 0 {
			h.WriteString(",")
		}
		fmt.Fprintf(&h, `"layer.%06d.some_weight_name":{"dtype":"F32","shape":[1],"data_offsets":[%d,%d]}`, i, 4*i, 4*i+4)
	}
	h.WriteString("}")
	file := make([]byte, 8, 8+h.Len()+4*n)
	binary.LittleEndian.PutUint64(file, uint64(h.Len()))
	file = append(file, h.Bytes()...)
	file = append(file, make([]byte, 4*n)...)
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	es, _, err := readSafetensorsHeader(bytes.NewReader(file), int64(len(file)))
	runtime.ReadMemStats(&m1)
	if err != nil || len(es) != n || es[n-1].name != "layer.199999.some_weight_name" || es[n-1].dtype != "F32" || es[n-1].begin != 4*(n-1) {
		t.Fatalf("%d entries, last %+v, err %v", len(es), es[len(es)-1], err)
	}
	if d := m1.TotalAlloc - m0.TotalAlloc; d > 5*uint64(h.Len()) {
		t.Errorf("parsing a %d-byte header allocated %d bytes (%.1f times its size); want at most 5 times", h.Len(), d, float64(d)/float64(h.Len()))
	}
}
