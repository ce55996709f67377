package repl

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/dbr-go/dbr/nn"
	"github.com/traefik/yaegi/interp"
)

// countModules is a compiled function with a variadic interface parameter,
// the case yaegi v0.16.1 fails on with an interpreted argument.
func countModules(prefix string, ms ...nn.Module) int {
	n := 0
	for _, m := range ms {
		n += len(m.Params())
	}
	return n
}

// describeModules asserts each module to a wider interface, as compiled code
// in nn does (Sequential.String).
func describeModules(ms []nn.Module) string {
	var parts []string
	for _, m := range ms {
		if s, ok := m.(interface {
			nn.Module
			String() string
		}); ok {
			parts = append(parts, s.String())
		} else {
			parts = append(parts, "?")
		}
	}
	return strings.Join(parts, ",")
}

type holder struct{ M nn.Module }

func holdModule(m nn.Module) *holder { return &holder{M: m} }
func holderParams(h *holder) int     { return len(h.M.Params()) }

const mlp = `type MLP struct{ Fc1, Fc2 *nn.Linear }

func (m *MLP) Forward(x *engine.Tensor) *engine.Tensor { return m.Fc2.Forward(m.Fc1.Forward(x).ReLU()) }
func (m *MLP) Params() []nn.Param { return nn.Params(nn.Sub("fc1", m.Fc1), nn.Sub("fc2", m.Fc2)) }
func (m *MLP) String() string { return "MLP(4-8-2)" }

type Plain struct{ W *engine.Tensor }

func (p *Plain) Forward(x *engine.Tensor) *engine.Tensor { return x.MatMul(p.W) }
func (p *Plain) Params() []nn.Param { return []nn.Param{{Name: "w", Tensor: p.W}} }
`

// TestInterpretedModules passes a module typed at the prompt wherever
// compiled code takes an nn.Module.
func TestInterpretedModules(t *testing.T) {
	s, out := newSession(t)
	err := s.Use(interp.Exports{"dbrtest/modtest/modtest": {
		"Count":        reflect.ValueOf(countModules),
		"Describe":     reflect.ValueOf(describeModules),
		"Hold":         reflect.ValueOf(holdModule),
		"HolderParams": reflect.ValueOf(holderParams),
	}})
	if err != nil {
		t.Fatal(err)
	}
	evalOK(t, s, out, `import "dbrtest/modtest"`)
	evalOK(t, s, out, mlp)
	evalOK(t, s, out, "m := &MLP{nn.NewLinear(4, 8), nn.NewLinear(8, 2)}; p := &Plain{engine.Ones(2, 2)}; x := engine.Randn(3, 4)")
	cases := []struct{ src, want string }{
		// a plain argument
		{"len(nn.StateDict(m))", "4\n"},
		// in a slice, then called by compiled code
		{"seq := nn.NewSequential([]nn.Module{m, nn.NewTanh()}); seq.Forward(x).Shape()", "[3 2]\n"},
		{"len(seq.Params())", "4\n"},
		// added to a container
		{"_ = seq.Add(p); len(seq.Params())", "5\n"},
		// compiled code asserting to a wider interface
		{`strings.Contains(seq.String(), "(0): MLP(4-8-2)")`, "true\n"},
		{"modtest.Describe([]nn.Module{m, p})", "\"MLP(4-8-2),?\"\n"},
		// a variadic interface argument
		{"modtest.Count(\"x\", m, p)", "5\n"},
		{"modtest.Count(\"x\")", "0\n"},
		{"ms := []nn.Module{m, m}; modtest.Count(\"x\", ms...)", "8\n"},
		// stored in a compiled struct's interface field by compiled code
		{"modtest.HolderParams(modtest.Hold(m))", "4\n"},
		// a variable of the interface type
		{"var mod nn.Module = m", ""},
		{"mod.Forward(x).Shape()", "[3 2]\n"},
		// training through an optimizer on the interpreted module's params
		{"opt := nn.NewSGD(m.Params(), 0.1, nn.SGDOpts{}); l := m.Forward(x).Sum(); l.Backward(); opt.Step(); opt.ZeroGrad()", ""},
		{"nn.Train(seq); nn.Eval(seq)", ""},
	}
	for _, c := range cases {
		if got := evalOK(t, s, out, c.src); got != c.want {
			t.Errorf("%s printed %q, want %q", c.src, got, c.want)
		}
	}
	file := filepath.Join(t.TempDir(), "mlp.safetensors")
	evalOK(t, s, out, "err := nn.Save("+quote(file)+", m)")
	if got := evalOK(t, s, out, "err == nil"); got != "true\n" {
		t.Errorf("nn.Save: %q", got)
	}
	evalOK(t, s, out, "m2 := &MLP{nn.NewLinear(4, 8), nn.NewLinear(8, 2)}; err = nn.Load("+quote(file)+", m2)")
	if got := evalOK(t, s, out, "err == nil && m2.Forward(x).Sub(m.Forward(x)).Abs().Sum().Item() == 0"); got != "true\n" {
		t.Errorf("nn.Load into an interpreted module: %q", got)
	}
}

// TestInterpretedDataset: a dataset typed at the prompt feeds a DataLoader,
// whose background goroutine calls it; when its Get panics the REPL lives on.
func TestInterpretedDataset(t *testing.T) {
	s, out := newSession(t)
	evalOK(t, s, out, `type Squares struct{ N int; Bad int }

func (d *Squares) Len() int { return d.N }
func (d *Squares) Get(i int) (*engine.Tensor, *engine.Tensor) {
	if i == d.Bad {
		var a []int
		_ = a[i]
	}
	return engine.Scalar(float64(i)).Reshape(1), engine.Scalar(float64(i * i)).Reshape(1)
}`)
	evalOK(t, s, out, "dl := nn.NewDataLoader(&Squares{N: 6, Bad: -1}, nn.LoaderOpts{BatchSize: 2}); total := 0.0")
	got := evalOK(t, s, out, "for dl.Next() {\n\ttotal += dl.Y().Sum().Item()\n}\ntotal, dl.Err()")
	if got != "55 <nil>\n" {
		t.Errorf("sum of squares: %q", got)
	}
	evalOK(t, s, out, "bad := nn.NewDataLoader(&Squares{N: 6, Bad: 3}, nn.LoaderOpts{BatchSize: 2})")
	got = evalErr(t, s, out, "for bad.Next() {\n}")
	if !strings.Contains(got, "error: DataLoader: the dataset's Get(3) panicked") {
		t.Errorf("a panicking Get: %q", got)
	}
	if got := evalOK(t, s, out, "total"); got != "55\n" {
		t.Errorf("after the panic: %q", got)
	}
}
