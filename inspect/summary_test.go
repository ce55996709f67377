package inspect

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/dbr-go/dbr/engine"
	"github.com/dbr-go/dbr/nn"
)

type mlp struct{ Fc1, Fc2 *nn.Linear }

func (m *mlp) Forward(x *engine.Tensor) *engine.Tensor {
	return m.Fc2.Forward(m.Fc1.Forward(x).ReLU())
}
func (m *mlp) Params() []nn.Param { return nn.Params(nn.Sub("fc1", m.Fc1), nn.Sub("fc2", m.Fc2)) }

// rnnNet uses Cell in a loop, Head only when Classify is set, and Unused
// never.
type rnnNet struct {
	Cell, Head, Unused *nn.Linear
	Steps              int
	Classify           bool
}

func (m *rnnNet) Forward(x *engine.Tensor) *engine.Tensor {
	h := engine.Zeros(x.Size(0), 8)
	for s := 0; s < m.Steps; s++ {
		h = m.Cell.Forward(engine.Cat([]*engine.Tensor{x.Select(1, s), h}, 1)).Tanh()
	}
	if m.Classify {
		return m.Head.Forward(h)
	}
	return h
}
func (m *rnnNet) Params() []nn.Param {
	return nn.Params(nn.Sub("cell", m.Cell), nn.Sub("head", m.Head), nn.Sub("unused", m.Unused))
}

type encDec struct {
	Enc *mlp
	Dec *nn.Linear
}

func (m *encDec) Forward(x *engine.Tensor) *engine.Tensor { return m.Dec.Forward(m.Enc.Forward(x)) }
func (m *encDec) Params() []nn.Param {
	return nn.Params(nn.Sub("enc", m.Enc), nn.Sub("dec", m.Dec))
}

func TestSummaryMLP(t *testing.T) {
	engine.Seed(1)
	m := &mlp{nn.NewLinear(784, 128), nn.NewLinear(128, 10)}
	s := Summary(m, 64, 784)
	if s.Total != 784*128+128+128*10+10 || s.Trainable != s.Total {
		t.Errorf("total %d trainable %d", s.Total, s.Trainable)
	}
	if shapeStr(s.Output) != "[64 10]" || s.Err != nil {
		t.Errorf("output %v err %v", s.Output, s.Err)
	}
	golden(t, "summary_mlp", s.String())
}

func TestSummaryLoopAndUnused(t *testing.T) {
	engine.Seed(1)
	m := &rnnNet{Cell: nn.NewLinear(3+8, 8), Head: nn.NewLinear(8, 2), Unused: nn.NewLinear(2, 2), Steps: 50, Classify: true}
	s := Summary(m, 4, 50, 3)
	golden(t, "summary_rnn", s.String())
	if !strings.Contains(s.String(), "×50") {
		t.Error("loop not collapsed")
	}
	m.Classify = false
	s = Summary(m, 4, 50, 3)
	var unused []string
	for _, r := range s.Rows {
		if r.Unused {
			unused = append(unused, r.Path)
		}
	}
	if strings.Join(unused, ",") != "head,unused" {
		t.Errorf("unused rows %v, want head and unused", unused)
	}
}

func TestSummaryNestedAndSequential(t *testing.T) {
	engine.Seed(1)
	m := &encDec{Enc: &mlp{nn.NewLinear(6, 5), nn.NewLinear(5, 4)}, Dec: nn.NewLinear(4, 2)}
	golden(t, "summary_nested", Summary(m, 3, 6).String())
	seq := nn.NewSequential([]nn.Module{nn.NewLinear(6, 6), m.Enc, nn.NewLinear(4, 1)})
	golden(t, "summary_sequential", Summary(seq, 2, 6).String())
}

func TestSummaryShapeError(t *testing.T) {
	engine.Seed(1)
	m := &mlp{nn.NewLinear(10, 5), nn.NewLinear(6, 2)} // fc2 does not fit fc1
	s := Summary(m, 3, 10)
	if s.Err == nil || s.Output != nil {
		t.Fatalf("err %v output %v", s.Err, s.Output)
	}
	if len(s.Rows) != 2 || s.Rows[0].Path != "fc1" || s.Rows[1].Op != "ReLU" {
		t.Errorf("rows %+v, want fc1 then ReLU", s.Rows)
	}
	if !strings.Contains(s.String(), "the forward pass stopped after the last row: Linear") {
		t.Errorf("summary lacks the error:\n%s", s)
	}
}

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
}

// tied uses one weight matrix twice: as an encoder and, transposed, as a
// decoder, and lists it under two names.
type tied struct{ W *engine.Tensor }

func (m *tied) Forward(x *engine.Tensor) *engine.Tensor { return x.MatMul(m.W).MatMul(m.W.T()) }
func (m *tied) Params() []nn.Param {
	return []nn.Param{{Name: "enc.weight", Tensor: m.W}, {Name: "dec.weight", Tensor: m.W}}
}

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

func TestSummaryFailsAtFirstOp(t *testing.T) {
	engine.Seed(1)
	m := &mlp{nn.NewLinear(10, 5), nn.NewLinear(5, 2)}
	got := Summary(m, 3, 7).String()
	if !strings.HasPrefix(got, "input [3 7]\n") || !strings.Contains(got, "the forward pass stopped at its first op: Linear") {
		t.Errorf("got:\n%s", got)
	}
}

func TestSummaryKeepsBuffers(t *testing.T) {
	engine.Seed(1)
	seq := nn.NewSequential([]nn.Module{nn.NewLinear(4, 6), nn.NewBatchNorm1d(6), nn.NewReLU(), nn.NewLinear(6, 2)})
	before := map[string][]float64{}
	for _, p := range seq.Params() {
		before[p.Name] = p.Tensor.Float64s()
	}
	s := Summary(seq, 8, 4)
	if s.Buffers != 6+6+1 || s.Err != nil {
		t.Errorf("buffers %d err %v, want 13 values", s.Buffers, s.Err)
	}
	for _, p := range seq.Params() {
		if fmt.Sprint(p.Tensor.Float64s()) != fmt.Sprint(before[p.Name]) {
			t.Errorf("%s changed by Summary", p.Name)
		}
	}
	golden(t, "summary_batchnorm", s.String())
}

// twice applies one layer twice in a row, then a residual block.
type twice struct{ Fc, Res *nn.Linear }

func (m *twice) Forward(x *engine.Tensor) *engine.Tensor {
	h := m.Fc.Forward(m.Fc.Forward(x))
	return h.Add(m.Res.Forward(h).Tanh())
}
func (m *twice) Params() []nn.Param { return nn.Params(nn.Sub("fc", m.Fc), nn.Sub("res", m.Res)) }

func TestSummaryCallsInARow(t *testing.T) {
	engine.Seed(1)
	s := Summary(&twice{nn.NewLinear(4, 4), nn.NewLinear(4, 4)}, 2, 4)
	golden(t, "summary_twice", s.String())
	if len(s.Rows) < 1 || s.Rows[0].Path != "fc" || s.Rows[0].Calls != 2 {
		t.Errorf("rows %+v, want fc called twice first", s.Rows)
	}
}

func TestSummarySequentialError(t *testing.T) {
	engine.Seed(1)
	seq := nn.NewSequential([]nn.Module{nn.NewLinear(4, 6), nn.NewReLU(), nn.NewLinear(5, 2)})
	s := Summary(seq, 3, 4)
	if len(s.Rows) != 2 || s.Rows[1].Type != "ReLU" || s.Err == nil || s.Output != nil {
		t.Errorf("rows %+v err %v", s.Rows, s.Err)
	}
}
