package inspect

import (
	"fmt"
	"math"
	"testing"

	"github.com/dbr-go/dbr/engine"
	"github.com/dbr-go/dbr/nn"
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

// holder is a user struct with a tensor field, a layer and a slice.
type holder struct {
	W     *engine.Tensor
	Layer *nn.Linear
	Ts    []*engine.Tensor
	Self  *holder
	n     int
}

func TestVarChangesModules(t *testing.T) {
	engine.Seed(1)
	h := &holder{W: engine.Ones(2), Layer: nn.NewLinear(2, 1), Ts: []*engine.Tensor{engine.Ones(1)}}
	h.Self = h // cycles are fine
	seq := nn.NewSequential([]nn.Module{nn.NewLinear(2, 2)})
	vars := map[string]any{"h": h, "seq": seq}
	snap := Snapshot(vars)
	engine.NoGrad(func() {
		h.Layer.Weight.Set(5, 0, 0)
		seq.Layer(0).Params()[1].Tensor.Set(7, 1)
		h.Ts[0].Set(2, 0)
	})
	var names []string
	for _, r := range snap.Changes(vars).Rows {
		names = append(names, r.Name+": "+r.What)
	}
	want := "[h.Layer.weight: values changed h.Ts[0]: values changed seq.0.bias: values changed]"
	if got := fmt.Sprint(names); got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
}
