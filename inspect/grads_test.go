package inspect

import (
	"math"
	"strings"
	"testing"

	"github.com/dbr-go/dbr/engine"
	"github.com/dbr-go/dbr/nn"
)

func TestGrads(t *testing.T) {
	engine.Seed(2)
	m := &mlp{nn.NewLinear(4, 3), nn.NewLinear(3, 2)}
	x := engine.Randn(5, 4)
	loss := m.Forward(x).Square().Mean()
	if r := Grads(m); len(r.Rows) != 4 || r.Rows[0].HasGrad || !strings.Contains(r.String(), "no gradient reached this parameter") {
		t.Fatalf("before Backward:\n%s", r)
	}
	loss.Backward()
	r := GradsFrom(loss, m)
	for i, p := range m.Params() {
		row := r.Rows[i]
		want := 0.0
		for _, v := range p.Tensor.Grad().Float64s() {
			want += v * v
		}
		if math.Abs(row.GradNorm-math.Sqrt(want)) > 1e-6 || row.Uses != 1 || len(row.Flags) != 0 {
			t.Errorf("%s: %+v, want norm %v, 1 use, no flags", p.Name, row, math.Sqrt(want))
		}
	}
	// Exploding, vanishing, zero and NaN gradients.
	m.Fc1.Weight.SetGrad(engine.FullLike(m.Fc1.Weight, 1e4))
	m.Fc1.Bias.SetGrad(engine.FullLike(m.Fc1.Bias, 1e-9))
	m.Fc2.Weight.SetGrad(engine.ZerosLike(m.Fc2.Weight))
	m.Fc2.Bias.SetGrad(engine.New([]float32{float32(math.NaN()), 1}, 2))
	r = Grads(m)
	want := []string{"exploding", "vanishing", "gradient is all zeros", "NaN/Inf in gradient"}
	for i, w := range want {
		if len(r.Rows[i].Flags) != 1 || r.Rows[i].Flags[0] != w {
			t.Errorf("row %d flags %v, want %s", i, r.Rows[i].Flags, w)
		}
	}
	if r.Rows[2].ZeroShare != 1 || r.Rows[3].NaN != 1 {
		t.Errorf("zero share %v, NaN %d", r.Rows[2].ZeroShare, r.Rows[3].NaN)
	}
	// Vanishing relative to the largest gradient: norms 60, 6e-4 (1e-5 of
	// it, above VanishingNorm but below VanishingShare of the largest) and
	// 0.06 (1e-3 of it: fine).
	m.Fc1.Weight.SetGrad(engine.FullLike(m.Fc1.Weight, 60/math.Sqrt(12)))
	m.Fc1.Bias.SetGrad(engine.FullLike(m.Fc1.Bias, 6e-4/math.Sqrt(3)))
	m.Fc2.Weight.SetGrad(engine.FullLike(m.Fc2.Weight, 0.06/math.Sqrt(6)))
	m.Fc2.Bias.SetGrad(engine.FullLike(m.Fc2.Bias, 0.06/math.Sqrt(2)))
	r = Grads(m)
	for i, w := range []string{"", "vanishing", "", ""} {
		if got := strings.Join(r.Rows[i].Flags, ", "); got != w {
			t.Errorf("relative rule: row %d (norm %.3g) flags %q, want %q", i, r.Rows[i].GradNorm, got, w)
		}
	}
}

// tied uses one weight matrix twice: as an encoder and, transposed, as a
// decoder, and lists it under two names.
func TestGradsShared(t *testing.T) {
	w := engine.Linspace(-1, 1, 12).Reshape(4, 3).Detach().SetRequiresGrad(true)
	m := &tied{W: w}
	loss := m.Forward(engine.Ones(2, 4)).Sum()
	loss.Backward()
	r := GradsFrom(loss, m)
	if len(r.Rows) != 1 || r.Rows[0].Uses != 2 || len(r.Rows[0].Names) != 2 {
		t.Fatalf("rows %+v, want one row used twice", r.Rows)
	}
	golden(t, "grads_shared", r.String())
	if u := Grads(m).Rows[0].Uses; u != 2 {
		t.Errorf("listed twice: uses %d", u)
	}
	golden(t, "param_stats", ParamStats(&mlp{nn.NewLinear(2, 2), nn.NewLinear(2, 1)}).String())
}

func TestGradsWhyNot(t *testing.T) {
	engine.Seed(2)
	m := &rnnNet{Cell: nn.NewLinear(3+8, 8), Head: nn.NewLinear(8, 2), Unused: nn.NewLinear(2, 2), Steps: 3, Classify: true}
	loss := m.Forward(engine.Randn(2, 3, 3)).Sum()
	loss.Backward()
	r := GradsFrom(loss, m)
	golden(t, "grads_rnn", r.String())
	if r.Rows[0].Uses != 3 {
		t.Errorf("cell.weight uses %d, want 3", r.Rows[0].Uses)
	}
	if !strings.Contains(strings.Join(r.Rows[4].Flags, ""), "not used by the loss") {
		t.Errorf("unused.weight flags %v", r.Rows[4].Flags)
	}
}
