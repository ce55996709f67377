package nn

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/dbr-go/dbr/engine"
)

// FuzzLoadTensors feeds arbitrary bytes to the safetensors reader behind
// LoadTensors. It must never panic or allocate more than the input holds; a
// file it accepts must survive SaveTensors and LoadTensors unchanged.
//
//	go test ./nn -run '^$' -fuzz FuzzLoadTensors -fuzztime 1m
func FuzzLoadTensors(f *testing.F) {
	if torch, err := os.ReadFile(filepath.Join("testdata", "torch_mlp.safetensors")); err == nil {
		f.Add(torch)
	}
	var buf bytes.Buffer
	writeSafetensors(&buf, []Param{
		{Name: "w", Tensor: engine.New([]float32{1, 2, 3, 4, 5, 6}, 2, 3)},
		{Name: "s", Tensor: engine.New64([]float64{7}, 1).Reshape()},
		{Name: "e", Tensor: engine.New([]float32{}, 0)},
	})
	f.Add(buf.Bytes())
	f.Add(buf.Bytes()[:buf.Len()-3])
	for _, h := range []string{
		`{}`,
		`{"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"b":{"dtype":"BF16","shape":[1],"data_offsets":[4,6]}}` + "\x00\x3c\x00\xbc\x80\x3f",
		`{"a":{"dtype":"I64","shape":[1],"data_offsets":[0,8]},"__metadata__":{"k":"v"}}` + "\x01\x00\x00\x00\x00\x00\x00\x80",
		`{"a":{"dtype":"BOOL","shape":[2,1],"data_offsets":[0,2]}}` + "\x00\x01",
		`{"a":{"dtype":"F32","shape":[100000000000],"data_offsets":[0,400000000000]}}`,
	} {
		n := bytes.LastIndexByte([]byte(h), '}') + 1 // the JSON part; data follows
		f.Add(append(binary.LittleEndian.AppendUint64(nil, uint64(n)), h...))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ps, err := readSafetensors(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := checkSaveParams(ps); err != nil {
			t.Fatalf("loaded params cannot be saved: %v", err)
		}
		if err := writeSafetensors(&out, ps); err != nil {
			t.Fatal(err)
		}
		back, err := readSafetensors(bytes.NewReader(out.Bytes()), int64(out.Len()))
		if err != nil {
			t.Fatalf("re-reading a saved file: %v", err)
		}
		if len(back) != len(ps) {
			t.Fatalf("%d tensors after a round trip, want %d", len(back), len(ps))
		}
		for i := range ps {
			if back[i].Name != ps[i].Name || back[i].Tensor.DType() != ps[i].Tensor.DType() {
				t.Fatalf("tensor %d: %q %v after a round trip, want %q %v", i, back[i].Name, back[i].Tensor.DType(), ps[i].Name, ps[i].Tensor.DType())
			}
			equalValues(t, ps[i].Name, back[i].Tensor, ps[i].Tensor)
		}
	})
}
