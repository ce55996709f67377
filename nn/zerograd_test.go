package nn_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/dbr-go/dbr/engine"
	"github.com/dbr-go/dbr/nn"
	"github.com/dbr-go/dbr/symbols"
)

// TestEveryModuleHasZeroGrad walks the nn types the REPL sees (the symbol
// table) and requires a ZeroGrad method on every one that is a Module, as
// torch.nn.Module has zero_grad: a new layer without it fails here.
func TestEveryModuleHasZeroGrad(t *testing.T) {
	module := reflect.TypeOf((*nn.Module)(nil)).Elem()
	n := 0
	for name, v := range symbols.Symbols["github.com/dbr-go/dbr/nn/nn"] {
		if strings.HasPrefix(name, "_") || v.Kind() != reflect.Ptr || !v.IsNil() || v.Type().Elem().Kind() != reflect.Struct {
			continue // not a type's entry, or the REPL's wrapper of an interface
		}
		typ := v.Type()
		if !typ.Implements(module) {
			continue
		}
		n++
		if _, ok := typ.MethodByName("ZeroGrad"); !ok {
			t.Errorf("nn.%s is a Module without a ZeroGrad method", name)
		}
	}
	if n < 30 {
		t.Fatalf("found %d Module types in the symbol table, want the 30 or more layers of nn", n)
	}
}

// TestLayerZeroGrad: a layer's ZeroGrad zeroes each parameter's gradient and
// keeps it allocated, as model.zero_grad() in PyTorch 1.13.
func TestLayerZeroGrad(t *testing.T) {
	l := nn.NewLinear(3, 2)
	l.Forward(engine.Ones(4, 3)).Sum().Backward()
	if g := l.Bias.Grad().Float32s(); g[0] != 4 || g[1] != 4 {
		t.Fatalf("bias gradient %v before ZeroGrad, want [4 4]", g)
	}
	l.ZeroGrad()
	for _, p := range l.Params() {
		g := p.Tensor.Grad()
		if g == nil {
			t.Fatalf("%s: ZeroGrad dropped the gradient, want it kept as zeros", p.Name)
		}
		for i, v := range g.Float32s() {
			if v != 0 {
				t.Fatalf("%s: gradient[%d] = %v after ZeroGrad, want 0", p.Name, i, v)
			}
		}
	}
}
