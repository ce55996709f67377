package inspect

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/dbr-go/dbr/engine"
	"github.com/dbr-go/dbr/nn"
	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"
)

// The symbols interpreted code needs here, as `yaegi extract` writes them
// (symbols/ holds the generated tables the REPL uses).

type _nn_Module struct {
	IValue   interface{}
	WForward func(x *engine.Tensor) *engine.Tensor
	WParams  func() []nn.Param
}

func (W _nn_Module) Forward(x *engine.Tensor) *engine.Tensor { return W.WForward(x) }
func (W _nn_Module) Params() []nn.Param                      { return W.WParams() }

var yaegiSymbols = map[string]map[string]reflect.Value{
	"github.com/dbr-go/dbr/engine/engine": {
		"Tensor": reflect.ValueOf((*engine.Tensor)(nil)),
		"Randn":  reflect.ValueOf(engine.Randn),
		"Seed":   reflect.ValueOf(engine.Seed),
	},
	"github.com/dbr-go/dbr/nn/nn": {
		"Module":    reflect.ValueOf((*nn.Module)(nil)),
		"_Module":   reflect.ValueOf((*_nn_Module)(nil)),
		"Param":     reflect.ValueOf((*nn.Param)(nil)),
		"Linear":    reflect.ValueOf((*nn.Linear)(nil)),
		"NewLinear": reflect.ValueOf(nn.NewLinear),
		"Params":    reflect.ValueOf(nn.Params),
		"Sub":       reflect.ValueOf(nn.Sub),
	},
	"github.com/dbr-go/dbr/inspect/inspect": {
		"Summary":   reflect.ValueOf(Summary),
		"GradsFrom": reflect.ValueOf(GradsFrom),
		"Trace":     reflect.ValueOf(Trace),
		"WhyNoGrad": reflect.ValueOf(WhyNoGrad),
	},
}

// TestInterpretedModule runs Summary, GradsFrom and Trace on a module typed
// as interpreted code, as at the REPL prompt.
func TestInterpretedModule(t *testing.T) {
	i := interp.New(interp.Options{})
	if err := i.Use(stdlib.Symbols); err != nil {
		t.Fatal(err)
	}
	if err := i.Use(yaegiSymbols); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	prev := SetOutput(&buf)
	defer SetOutput(prev)
	src := `
import (
	"github.com/dbr-go/dbr/engine"
	"github.com/dbr-go/dbr/inspect"
	"github.com/dbr-go/dbr/nn"
)

type Net struct {
	fc1, fc2 *nn.Linear
	Deep     bool
}

func (m *Net) Forward(x *engine.Tensor) *engine.Tensor {
	h := m.fc1.Forward(x).ReLU()
	if m.Deep {
		for i := 0; i < 3; i++ {
			h = m.fc2.Forward(h).Tanh()
		}
	}
	return h
}

func (m *Net) Params() []nn.Param { return nn.Params(nn.Sub("fc1", m.fc1), nn.Sub("fc2", m.fc2)) }

func run() (string, string) {
	engine.Seed(4)
	m := &Net{fc1: nn.NewLinear(5, 4), fc2: nn.NewLinear(4, 4), Deep: true}
	s := inspect.Summary(m, 2, 5).String()
	x := engine.Randn(2, 5)
	var loss *engine.Tensor
	inspect.Trace(func() { loss = m.Forward(x).Sum() })
	loss.Backward()
	return s, inspect.GradsFrom(loss, m).String()
}
`
	if _, err := i.Eval(src); err != nil {
		t.Fatal(err)
	}
	if _, err := i.Eval(`func both() []string { a, b := run(); return []string{a, b} }`); err != nil {
		t.Fatal(err)
	}
	res, err := i.Eval(`both()`)
	if err != nil {
		t.Fatal(err)
	}
	out := res.Interface().([]string)
	golden(t, "yaegi_summary", out[0])
	if !strings.Contains(out[1], "fc2.weight") || !strings.Contains(out[1], "  3") {
		t.Errorf("grads:\n%s", out[1])
	}
	if !strings.Contains(buf.String(), "Tanh") {
		t.Errorf("trace:\n%s", buf.String())
	}
}
