package repl

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dbr-go/dbr/inspect"
)

const inspectNet = `type Net struct { fc1, fc2 *nn.Linear }
func (m *Net) Forward(x *engine.Tensor) *engine.Tensor { return m.fc2.Forward(m.fc1.Forward(x).ReLU()) }
func (m *Net) Params() []nn.Param { return nn.Params(nn.Sub("fc1", m.fc1), nn.Sub("fc2", m.fc2)) }
engine.Seed(1)
m := &Net{nn.NewLinear(3, 5), nn.NewLinear(5, 2)}
x := engine.Randn(4, 3)
w := engine.Randn(3, 2).SetRequiresGrad(true)
`

func TestInspectCommands(t *testing.T) {
	s, out := newSession(t)
	evalOK(t, s, out, inspectNet)
	contains(t, ":summary", runCmd(t, s, out, ":summary m 4 3", false),
		"fc1    Linear  [4 5]", "ReLU   op      [4 5]", "fc2    Linear  [4 2]", "params: 32 total")
	runCmd(t, s, out, ":summary m four", true)
	contains(t, ":stats x", runCmd(t, s, out, ":stats x", false), "x     [4 3]  float32")
	contains(t, ":stats m", runCmd(t, s, out, ":stats m", false), "fc1.weight  [5 3]", "fc2.bias    [2]")
	evalOK(t, s, out, "loss := m.Forward(x).Sum()\nloss.Backward()")
	contains(t, ":grads m loss", runCmd(t, s, out, ":grads m loss", false), "fc1.weight  [5 3]", "uses")
	contains(t, ":grads m", runCmd(t, s, out, ":grads m", false), "fc2.bias")
	contains(t, ":why", runCmd(t, s, out, ":why loss w", false), "was never used to compute the loss")
	contains(t, ":graph", runCmd(t, s, out, ":graph loss m", false), "%1 = Linear([4 3], fc1.weight, fc1.bias)", "← this tensor")
	dir := t.TempDir()
	dot := filepath.Join(dir, "g.dot")
	contains(t, ":graph file", runCmd(t, s, out, ":graph loss m "+dot, false), "wrote "+dot)
	if b, err := os.ReadFile(dot); err != nil || !strings.Contains(string(b), "fc1.weight") {
		t.Errorf("%s: %v\n%s", dot, err, b)
	}
	evalOK(t, s, out, "losses := []float64{3, 2, 1.5, 1.2}")
	contains(t, ":plot", runCmd(t, s, out, ":plot losses", false), "3 ┤", "1.2 ┤")
	evalOK(t, s, out, "f := func(a, b *engine.Tensor) *engine.Tensor { return a.MatMul(b).Sum() }")
	contains(t, ":gradcheck", runCmd(t, s, out, ":gradcheck f x w", false), "GradCheck: ok: 18 elements")
	runCmd(t, s, out, ":gradcheck f x", true)
	contains(t, ":ops", runCmd(t, s, out, ":ops z := x.MatMul(w).ReLU()", false), "MatMul  [4 3], [3 2]  [4 2]", "ReLU")
}

func TestAnomalyCommand(t *testing.T) {
	s, out := newSession(t)
	defer inspect.DetectAnomaly(false)
	contains(t, ":anomaly on", runCmd(t, s, out, ":anomaly on", false), "anomaly mode on")
	got := evalErr(t, s, out, "x := engine.Ones(3)\ny := x.Exp()\nz := x.Sub(x).Div(x.Sub(x))\nq := z.Exp()")
	contains(t, "anomaly", got, "Div: produced NaN in the forward pass", "line 3")
	contains(t, ":anomaly off", runCmd(t, s, out, ":anomaly off", false), "anomaly mode off")
	evalOK(t, s, out, "z := x.Sub(x).Div(x.Sub(x))")
}

func TestTraceCommand(t *testing.T) {
	s, out := newSession(t)
	evalOK(t, s, out, "x := engine.Ones(4, 3)")
	contains(t, ":trace on", runCmd(t, s, out, ":trace on", false), "trace on")
	got := evalOK(t, s, out, "w := engine.Ones(3, 2).SetRequiresGrad(true)\ny := x.MatMul(w)\nbad := y.Div(engine.Zeros(4, 2))")
	contains(t, "trace", got, "· bad  [4 2]  Div", "⚠ NaN/Inf", "· w    [3 2]  leaf    requires grad  new", "· y    [4 2]  MatMul")
	if strings.Contains(got, "· x") {
		t.Errorf("unchanged x listed:\n%s", got)
	}
	if got := evalOK(t, s, out, "n := 3"); got != "" {
		t.Errorf("no tensor changed, got:\n%s", got)
	}
	evalOK(t, s, out, inspectNet)
	got = evalOK(t, s, out, "loss := m.Forward(x).Sum()\nloss.Backward()")
	contains(t, "trace module", got, "· m.fc1.weight  [5 3]", "grad set", "· loss")
	runCmd(t, s, out, ":trace off", false)
	if got := evalOK(t, s, out, "v := x.Exp()"); got != "" {
		t.Errorf("trace off, got:\n%s", got)
	}
}

// TestTwoSessions: the settings of one session (:trace, :anomaly, its
// commands and line hooks) are not another's.
func TestTwoSessions(t *testing.T) {
	a, outA := newSession(t)
	b, outB := newSession(t)
	runCmd(t, a, outA, ":trace on", false)
	runCmd(t, a, outA, ":anomaly on", false)
	a.AddCommand(Command{Name: "zzonlya", Help: "a's own", Run: func(context.Context, *Session, string) error { return nil }})
	hooked := 0
	a.AddLineHook(LineHook{Before: func(*Session) { hooked++ }})

	contains(t, "b's :trace", runCmd(t, b, outB, ":trace", false), "trace off")
	contains(t, "b's :anomaly", runCmd(t, b, outB, ":anomaly", false), "anomaly mode off")
	if got := evalOK(t, b, outB, "x := engine.Ones(2)\nz := x.Sub(x).Div(x.Sub(x))"); got != "" {
		t.Errorf("b printed a trace or stopped at the NaN: %q", got)
	}
	if err := b.RunCommand(context.Background(), ":zzonlya"); err == nil {
		t.Error("b runs a's command")
	}
	if hooked != 0 {
		t.Errorf("a's line hook ran %d times for b's input", hooked)
	}

	got := evalErr(t, a, outA, "x := engine.Ones(2)\nz := x.Sub(x).Div(x.Sub(x))")
	contains(t, "a's anomaly mode", got, "Div: produced NaN in the forward pass")
	contains(t, "a's trace", evalOK(t, a, outA, "y := engine.Ones(3)"), "· y")
	runCmd(t, a, outA, ":zzonlya", false)
	if hooked != 2 {
		t.Errorf("a's line hook ran %d times for a's two inputs", hooked)
	}
	if inspect.AnomalyEnabled() {
		t.Error("anomaly mode stayed on in the process after a's input")
	}
}
