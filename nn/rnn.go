package nn

import (
	"fmt"
	"math"

	"github.com/dbr-go/dbr/engine"
)

// The recurrent cells compute one time step. A sequence is a Go loop:
//
//	cell := nn.NewLSTMCell(10, 20)
//	var h, c *engine.Tensor // nil: zero state
//	for t := 0; t < x.Size(0); t++ {
//		h, c = cell.Step(x.Select(0, t), h, c)
//	}
//
// Inputs are [N, InputSize] (or [InputSize] for one sample) and states
// [N, HiddenSize]; a nil state means zeros. Weights are named as in PyTorch
// (weight_ih, weight_hh, bias_ih, bias_hh) and initialized from
// U(±1/√HiddenSize). Forward(x) is Step with a zero state, for use as a Module.

// rnnWeights holds the four tensors of a cell with gates gate blocks.
func rnnWeights(op string, in, hidden, gates int) (wih, whh, bih, bhh *engine.Tensor) {
	if in <= 0 || hidden <= 0 {
		errorf(op, "sizes must be positive, got input_size=%d hidden_size=%d", in, hidden)
	}
	k := 1 / math.Sqrt(float64(hidden))
	wih, whh, bih, bhh = param(gates*hidden, in), param(gates*hidden, hidden), param(gates*hidden), param(gates*hidden)
	for _, t := range []*engine.Tensor{wih, whh, bih, bhh} {
		UniformInit(t, -k, k)
	}
	return
}

func rnnParams(wih, whh, bih, bhh *engine.Tensor) []Param {
	ps := []Param{{Name: "weight_ih", Tensor: wih}, {Name: "weight_hh", Tensor: whh}}
	if bih != nil {
		ps = append(ps, Param{Name: "bias_ih", Tensor: bih})
	}
	if bhh != nil {
		ps = append(ps, Param{Name: "bias_hh", Tensor: bhh})
	}
	return ps
}

// cellInputs checks x and the states, adds a batch dim to unbatched input and
// replaces nil states by zeros. It returns whether the batch dim was added.
func cellInputs(op string, x *engine.Tensor, in, hidden int, states []*engine.Tensor) (*engine.Tensor, []*engine.Tensor, bool) {
	shape := x.Shape() // as given, for the messages
	unbatched := x.Dims() == 1
	if unbatched {
		x = x.Unsqueeze(0)
	}
	if x.Dims() != 2 || x.Size(1) != in {
		hint := ""
		switch len(shape) {
		case 3:
			hint = "for a sequence [T, N, features] step through x.Select(0, t)"
		case 1, 2:
			hint = fmt.Sprintf("New%s(%d, %d) fits this input", op, shape[len(shape)-1], hidden)
		}
		shapeError(op, fmt.Sprintf("the input must be [batch, %d] or [%d]", in, in), hint, shape)
	}
	n := x.Size(0)
	out := make([]*engine.Tensor, len(states))
	for i, s := range states {
		switch {
		case s == nil:
			out[i] = engine.Zeros(n, hidden).To(x.DType())
		case unbatched && s.Dims() == 1:
			out[i] = s.Unsqueeze(0)
		default:
			out[i] = s
		}
		if out[i].Dims() != 2 || out[i].Size(0) != n || out[i].Size(1) != hidden {
			want := fmt.Sprintf("[%d, %d]", n, hidden)
			if unbatched {
				want = fmt.Sprintf("[%d] (or [1, %d])", hidden, hidden)
			}
			shapeError(op, fmt.Sprintf("the state must be %s to match the input", want), "", shape, s.Shape())
		}
	}
	return x, out, unbatched
}

func unbatch(t *engine.Tensor, unbatched bool) *engine.Tensor {
	if unbatched {
		return t.Squeeze(0)
	}
	return t
}

// RNNCell is an Elman RNN cell, as torch.nn.RNNCell:
// h' = act(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh) with act tanh (or ReLU when
// Nonlinearity is "relu").
type RNNCell struct {
	InputSize, HiddenSize int
	Nonlinearity          string // "tanh" (default) or "relu"
	WeightIH, WeightHH    *engine.Tensor
	BiasIH, BiasHH        *engine.Tensor
}

// NewRNNCell returns a tanh RNNCell from input to hidden features.
func NewRNNCell(input, hidden int) *RNNCell {
	c := &RNNCell{InputSize: input, HiddenSize: hidden, Nonlinearity: "tanh"}
	c.WeightIH, c.WeightHH, c.BiasIH, c.BiasHH = rnnWeights("NewRNNCell", input, hidden, 1)
	return c
}

// Step returns the next hidden state from input x and hidden state h (nil for zeros).
// It panics with a *engine.ShapeError when the shapes do not fit.
func (c *RNNCell) Step(x, h *engine.Tensor) *engine.Tensor {
	x, st, ub := cellInputs("RNNCell", x, c.WeightIH.Size(1), c.WeightHH.Size(1), []*engine.Tensor{h})
	return unbatch(c.next(engine.Linear(x, c.WeightIH, c.BiasIH), st)[0], ub)
}

// next is a step from the input's projection gi = x·W_ihᵀ + b_ih and the
// states (here h): the part of Step a whole sequence (RNN) shares.
func (c *RNNCell) next(gi *engine.Tensor, st []*engine.Tensor) []*engine.Tensor {
	pre := gi.Add(engine.Linear(st[0], c.WeightHH, c.BiasHH))
	switch c.Nonlinearity {
	case "tanh", "":
		return []*engine.Tensor{pre.Tanh()}
	case "relu":
		return []*engine.Tensor{pre.ReLU()}
	}
	errorf("RNNCell", "unknown nonlinearity %q (use \"tanh\" or \"relu\")", c.Nonlinearity)
	return nil
}

func (c *RNNCell) inputWeights() (w, b *engine.Tensor) { return c.WeightIH, c.BiasIH }

// Forward is Step(x, nil).
func (c *RNNCell) Forward(x *engine.Tensor) *engine.Tensor { return c.Step(x, nil) }

// Params returns weight_ih, weight_hh, bias_ih, bias_hh.
func (c *RNNCell) Params() []Param { return rnnParams(c.WeightIH, c.WeightHH, c.BiasIH, c.BiasHH) }

func (c *RNNCell) String() string {
	s := fmt.Sprintf("RNNCell(%d, %d", c.WeightIH.Size(1), c.WeightHH.Size(1))
	if c.Nonlinearity == "relu" {
		s += ", nonlinearity=relu"
	}
	return s + ")"
}

// LSTMCell is a long short-term memory cell, as torch.nn.LSTMCell. The gates
// are stacked in PyTorch's order i, f, g, o in the [4·HiddenSize, …] weights:
//
//	i, f, o = σ(…), g = tanh(…)
//	c' = f·c + i·g
//	h' = o·tanh(c')
type LSTMCell struct {
	InputSize, HiddenSize int
	WeightIH, WeightHH    *engine.Tensor
	BiasIH, BiasHH        *engine.Tensor
}

// NewLSTMCell returns an LSTMCell from input to hidden features.
func NewLSTMCell(input, hidden int) *LSTMCell {
	c := &LSTMCell{InputSize: input, HiddenSize: hidden}
	c.WeightIH, c.WeightHH, c.BiasIH, c.BiasHH = rnnWeights("NewLSTMCell", input, hidden, 4)
	return c
}

// Step returns the next hidden and cell states from input x and states h, c
// (nil for zeros). It panics with a *engine.ShapeError when the shapes do not fit.
func (l *LSTMCell) Step(x, h, c *engine.Tensor) (h2, c2 *engine.Tensor) {
	hid := l.WeightHH.Size(1)
	x, st, ub := cellInputs("LSTMCell", x, l.WeightIH.Size(1), hid, []*engine.Tensor{h, c})
	hc := l.next(engine.Linear(x, l.WeightIH, l.BiasIH), st)
	return unbatch(hc[0], ub), unbatch(hc[1], ub)
}

// next is a step from the input's projection gi and the states h, c.
func (l *LSTMCell) next(gi *engine.Tensor, st []*engine.Tensor) []*engine.Tensor {
	gates := gi.Add(engine.Linear(st[0], l.WeightHH, l.BiasHH)).Chunk(4, -1)
	i, f, g, o := gates[0].Sigmoid(), gates[1].Sigmoid(), gates[2].Tanh(), gates[3].Sigmoid()
	c2 := f.Mul(st[1]).Add(i.Mul(g))
	return []*engine.Tensor{o.Mul(c2.Tanh()), c2}
}

func (l *LSTMCell) inputWeights() (w, b *engine.Tensor) { return l.WeightIH, l.BiasIH }

// Forward returns the hidden state of Step(x, nil, nil).
func (l *LSTMCell) Forward(x *engine.Tensor) *engine.Tensor {
	h, _ := l.Step(x, nil, nil)
	return h
}

// Params returns weight_ih, weight_hh, bias_ih, bias_hh.
func (l *LSTMCell) Params() []Param { return rnnParams(l.WeightIH, l.WeightHH, l.BiasIH, l.BiasHH) }

func (l *LSTMCell) String() string {
	return fmt.Sprintf("LSTMCell(%d, %d)", l.WeightIH.Size(1), l.WeightHH.Size(1))
}

// GRUCell is a gated recurrent unit cell, as torch.nn.GRUCell, with the gates
// in PyTorch's order r, z, n in the [3·HiddenSize, …] weights:
//
//	r = σ(x·W_irᵀ + b_ir + h·W_hrᵀ + b_hr), z likewise
//	n = tanh(x·W_inᵀ + b_in + r·(h·W_hnᵀ + b_hn))
//	h' = (1-z)·n + z·h
type GRUCell struct {
	InputSize, HiddenSize int
	WeightIH, WeightHH    *engine.Tensor
	BiasIH, BiasHH        *engine.Tensor
}

// NewGRUCell returns a GRUCell from input to hidden features.
func NewGRUCell(input, hidden int) *GRUCell {
	c := &GRUCell{InputSize: input, HiddenSize: hidden}
	c.WeightIH, c.WeightHH, c.BiasIH, c.BiasHH = rnnWeights("NewGRUCell", input, hidden, 3)
	return c
}

// Step returns the next hidden state from input x and hidden state h (nil for
// zeros). It panics with a *engine.ShapeError when the shapes do not fit.
func (c *GRUCell) Step(x, h *engine.Tensor) *engine.Tensor {
	x, st, ub := cellInputs("GRUCell", x, c.WeightIH.Size(1), c.WeightHH.Size(1), []*engine.Tensor{h})
	return unbatch(c.next(engine.Linear(x, c.WeightIH, c.BiasIH), st)[0], ub)
}

// next is a step from the input's projection gi and the state h.
func (c *GRUCell) next(gi0 *engine.Tensor, st []*engine.Tensor) []*engine.Tensor {
	gi := gi0.Chunk(3, -1)
	gh := engine.Linear(st[0], c.WeightHH, c.BiasHH).Chunk(3, -1)
	r := gi[0].Add(gh[0]).Sigmoid()
	z := gi[1].Add(gh[1]).Sigmoid()
	n := gi[2].Add(r.Mul(gh[2])).Tanh()
	// h' = (1-z)·n + z·h = n + z·(h-n)
	return []*engine.Tensor{n.Add(z.Mul(st[0].Sub(n)))}
}

func (c *GRUCell) inputWeights() (w, b *engine.Tensor) { return c.WeightIH, c.BiasIH }

// Forward is Step(x, nil).
func (c *GRUCell) Forward(x *engine.Tensor) *engine.Tensor { return c.Step(x, nil) }

// Params returns weight_ih, weight_hh, bias_ih, bias_hh.
func (c *GRUCell) Params() []Param { return rnnParams(c.WeightIH, c.WeightHH, c.BiasIH, c.BiasHH) }

func (c *GRUCell) String() string {
	return fmt.Sprintf("GRUCell(%d, %d)", c.WeightIH.Size(1), c.WeightHH.Size(1))
}
