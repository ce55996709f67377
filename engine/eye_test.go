package engine

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestEyeAndMTTorchRef: Eye(n) and Eye(n, m) equal torch.eye; T on a 3-d
// tensor equals PyTorch's x.mT (the last two dims swapped).
func TestEyeAndMTTorchRef(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "torchref_eye.json"))
	if err != nil {
		t.Fatal(err)
	}
	type tensor struct {
		Size  []int     `json:"size"`
		Shape []int     `json:"shape"`
		Data  []float64 `json:"data"`
	}
	var ref struct {
		Eye []tensor `json:"eye"`
		MT  tensor   `json:"mT"`
	}
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	for _, c := range ref.Eye {
		got := Eye(c.Size[0], c.Size[1:]...)
		if !slices.Equal(got.Shape(), c.Shape) || !slices.Equal(got.Float64s(), c.Data) {
			t.Errorf("Eye%v = %v %v, torch.eye %v %v", c.Size, got.Shape(), got.Float64s(), c.Shape, c.Data)
		}
	}
	mt := Arange(24).Reshape(2, 3, 4).T()
	if !slices.Equal(mt.Shape(), ref.MT.Shape) || !slices.Equal(mt.Float64s(), ref.MT.Data) {
		t.Errorf("T of [2 3 4] = %v %v, PyTorch's mT %v %v", mt.Shape(), mt.Float64s(), ref.MT.Shape, ref.MT.Data)
	}
	for _, bad := range []func(){func() { Eye(2, -1) }, func() { Eye(2, 3, 4) }} {
		if err := Try(bad); err == nil {
			t.Error("a bad Eye must panic with an *Error")
		}
	}
}
