package nn

import (
	"strings"
	"testing"

	"github.com/dbr-go/dbr/engine"
)

// TestConstructorErrorsNameConstructor: a constructor given sizes that
// cannot work panics with an *engine.Error that names the constructor the
// user called (not an engine function it calls inside) and the sizes.
func TestConstructorErrorsNameConstructor(t *testing.T) {
	for _, c := range []struct {
		name string
		f    func()
		want string
	}{
		{"NewLinear in", func() { NewLinear(-1, 3) }, "NewLinear: in_features and out_features must be positive, got in=-1 out=3"},
		{"NewLinear out", func() { NewLinear(2, 0) }, "NewLinear: in_features and out_features must be positive, got in=2 out=0"},
		{"NewConv2d", func() { NewConv2d(-1, 3, 3, engine.ConvOpts{}) }, "NewConv2d: "},
		{"NewEmbedding", func() { NewEmbedding(-1, 2) }, "NewEmbedding: "},
		{"NewBatchNorm1d", func() { NewBatchNorm1d(-1) }, "NewBatchNorm1d: "},
		{"NewBatchNorm2d", func() { NewBatchNorm2d(0) }, "NewBatchNorm2d: "},
		{"NewLayerNorm", func() { NewLayerNorm([]int{-1}) }, "NewLayerNorm: "},
		{"NewRNNCell", func() { NewRNNCell(-1, 2) }, "NewRNNCell: "},
		{"NewLSTMCell", func() { NewLSTMCell(2, -1) }, "NewLSTMCell: "},
		{"NewGRUCell", func() { NewGRUCell(-1, 2) }, "NewGRUCell: "},
		{"NewMaxPool2d", func() { NewMaxPool2d(-1, 0, 0) }, "NewMaxPool2d: kernel must be positive and stride and padding >= 0 (stride 0 means the kernel size), got kernel=-1 stride=0 padding=0"},
		{"NewAvgPool2d", func() { NewAvgPool2d(2, -1, 0) }, "NewAvgPool2d: kernel must be positive and stride and padding >= 0 (stride 0 means the kernel size), got kernel=2 stride=-1 padding=0"},
	} {
		err := engine.Try(c.f)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if _, ok := err.(*engine.Error); !ok {
			t.Errorf("%s: %v is a %T, want an *engine.Error", c.name, err, err)
		}
		if !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s: error %q, want it to start with %q", c.name, err, c.want)
		}
	}
	// the checks do not reject what works
	if l := NewLinear(1, 1); l.Weight.Numel() != 1 {
		t.Errorf("NewLinear(1, 1) has %d weights", l.Weight.Numel())
	}
	if m := NewMaxPool2d(2, 0, 0); m.KernelSize != 2 {
		t.Errorf("NewMaxPool2d(2, 0, 0): %v", m)
	}
}
