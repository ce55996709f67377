package inspect

import (
	"math"
	"testing"

	"github.com/dbr-go/dbr/engine"
)

func TestVarChanges(t *testing.T) {
	x := engine.Ones(2, 3)
	w := engine.Ones(3, 4).SetRequiresGrad(true)
	b := engine.Zeros(4)
	vars := map[string]any{"x": x, "w": w, "b": b, "n": 3, "ts": []*engine.Tensor{x}}
	snap := Snapshot(vars)
	if s := snap.Changes(vars).String(); s != "" {
		t.Fatalf("nothing changed, got:\n%s", s)
	}
	// One "line": y := x.MatMul(w); loss := y.Sum(); loss.Backward();
	// x = x.Reshape(3, 2); b.Set(nan); ts = append(ts, y)
	y := x.MatMul(w)
	loss := y.Sum()
	loss.Backward()
	b.Set(math.NaN(), 1)
	after := map[string]any{"x": x.Reshape(3, 2), "w": w, "b": b, "y": y, "loss": loss, "n": 4,
		"ts": []*engine.Tensor{x, y}}
	golden(t, "var_changes", snap.Changes(after).String())

	snap = Snapshot(after)
	engine.NoGrad(func() { w.Set(2, 0, 0) })
	w.ZeroGrad()
	c := snap.Changes(after)
	if len(c.Rows) != 1 || c.Rows[0].Name != "w" || c.Rows[0].What != "values changed, grad changed" {
		t.Errorf("in-place update: %+v", c.Rows)
	}
}
