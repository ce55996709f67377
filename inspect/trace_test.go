package inspect

import (
	"bytes"
	"testing"

	"github.com/dbr-go/dbr/engine"
	"github.com/dbr-go/dbr/nn"
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

// opsDataset runs ops in Get, as a dataset that normalises its examples does.
type opsDataset struct{}

func (opsDataset) Len() int { return 64 }
func (opsDataset) Get(i int) (x, y *engine.Tensor) {
	return engine.Full(float64(i), 3).Exp().Log(), engine.Scalar(float64(i % 2))
}

// TestTraceWithPrefetchingLoader traces a training loop whose DataLoader
// builds the next batch on its own goroutine, running ops there while the
// trace's hook collects: under -race (CI runs this package so) the
// collector must be safe.
func TestTraceWithPrefetchingLoader(t *testing.T) {
	dl := nn.NewDataLoader(opsDataset{}, nn.LoaderOpts{BatchSize: 4})
	defer dl.Close()
	w := engine.Randn(3, 1).SetRequiresGrad(true)
	tr := TraceOps(func() {
		for range 4 { // epochs
			for dl.Next() {
				x, _ := dl.Batch()
				x.MatMul(w).Sum().Backward()
			}
		}
	})
	n := 0
	for _, r := range tr.Ops {
		if r.Op == "MatMul" && !r.Backward {
			n++
		}
	}
	if n != 64 || tr.Panic != "" {
		t.Errorf("traced %d forward MatMuls, want 64 (panic %q)", n, tr.Panic)
	}
}
