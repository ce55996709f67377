package nn

import (
	"path/filepath"
	"testing"

	"github.com/dbr-go/dbr/engine"
)

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
