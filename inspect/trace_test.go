package inspect

import (
	"bytes"
	"testing"

	"github.com/dbr-go/dbr/engine"
)

func TestTraceGolden(t *testing.T) {
	var buf bytes.Buffer
	prev := SetOutput(&buf)
	defer SetOutput(prev)
	x := engine.Ones(4, 3)
	w := engine.Ones(3, 2).SetRequiresGrad(true)
	Trace(func() {
		y := x.MatMul(w).AddScalar(1)
		z := y.Div(engine.Zeros(4, 2)) // Inf
		loss := y.Sum()
		loss.Backward()
		_ = z
	})
	golden(t, "trace", buf.String())
}

func TestTraceOpsPanic(t *testing.T) {
	tr := TraceOps(func() {
		a := engine.Ones(2, 3).Exp()
		a.MatMul(engine.Ones(2, 3))
	})
	if len(tr.Ops) != 1 || tr.Ops[0].Op != "Exp" || tr.Panic == "" {
		t.Fatalf("ops %+v panic %q; want one Exp op and a panic", tr.Ops, tr.Panic)
	}
}
