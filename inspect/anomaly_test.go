package inspect

import (
	"errors"
	"strings"
	"testing"

	"github.com/dbr-go/dbr/engine"
)

// catch runs f and returns the *engine.Error it panicked with (nil if none).
func catch(t *testing.T, f func()) *engine.Error {
	t.Helper()
	err := engine.Try(f)
	if err == nil {
		return nil
	}
	var e *engine.Error
	if !errors.As(err, &e) {
		t.Fatalf("panic %v is not an *engine.Error", err)
	}
	return e
}

func TestAnomalyForwardStopsAtFirstOp(t *testing.T) {
	DetectAnomaly(true)
	defer DetectAnomaly(false)
	if !AnomalyEnabled() {
		t.Fatal("AnomalyEnabled false after DetectAnomaly(true)")
	}
	a := engine.New([]float32{1, 0, 2}, 3).SetRequiresGrad(true)
	b := engine.New([]float32{1, 0, 4}, 3)
	var reached []string
	e := catch(t, func() {
		c := a.MulScalar(2) // finite
		reached = append(reached, "MulScalar")
		d := c.Div(b) // 0/0 = NaN
		reached = append(reached, "Div")
		d.Exp()
	})
	if e == nil {
		t.Fatal("no anomaly error")
	}
	if e.Op != "Div" || len(reached) != 1 {
		t.Fatalf("stopped at %q after %v, want Div after [MulScalar]", e.Op, reached)
	}
	for _, s := range []string{"produced NaN in the forward pass", "output [3]", "1 NaN", "input 0: [3] min 0 max 4", "input 1: [3] min 0 max 4"} {
		if !strings.Contains(e.Msg, s) {
			t.Errorf("message %q lacks %q", e.Msg, s)
		}
	}
}

func TestAnomalyBackward(t *testing.T) {
	a := engine.New([]float32{1, 2}, 2).SetRequiresGrad(true)
	b := engine.New([]float32{1e-30, 1}, 2).SetRequiresGrad(true)
	y := a.Div(b).Sum() // 1e30 is finite in float32; ∂b = -a/b² = -1e60 is not
	DetectAnomaly(true)
	defer DetectAnomaly(false)
	e := catch(t, func() { y.Backward() })
	if e == nil {
		t.Fatal("no anomaly error in Backward")
	}
	if e.Op != "Div" || !strings.Contains(e.Msg, "produced Inf in the backward pass") || !strings.Contains(e.Msg, "gradient for input 1") {
		t.Errorf("got %v", e)
	}
	DetectAnomaly(false)
	if AnomalyEnabled() {
		t.Fatal("still enabled")
	}
	if e := catch(t, func() { a.Div(engine.Zeros(2)) }); e != nil {
		t.Errorf("anomaly off but got %v", e)
	}
}
