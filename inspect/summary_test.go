package inspect

import (
	"fmt"
	"strings"
	"testing"

	"github.com/dbr-go/dbr/engine"
	"github.com/dbr-go/dbr/nn"
)

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

// A residual block's Add, which reads the block's input, is in the block;
// the ReLU after the block, which reads only its output, is not.
func TestSummaryResidualAdd(t *testing.T) {
	engine.Seed(1)
	s := Summary(&resNet{&resBlock{nn.NewLinear(4, 4), nn.NewLinear(4, 4)}, nn.NewLinear(4, 2)}, 2, 4)
	var got []string
	for _, r := range s.Rows {
		name := r.Path
		if name == "" {
			name = r.Op
		}
		got = append(got, fmt.Sprintf("%d %s", r.Depth, name))
	}
	want := "0 block, 1 block.l1, 1 ReLU, 1 block.l2, 1 Add, 0 ReLU, 0 head"
	if strings.Join(got, ", ") != want {
		t.Errorf("rows %s, want %s\n%s", strings.Join(got, ", "), want, s)
	}
}
