package nn

import (
	"fmt"
	"strings"

	"github.com/dbr-go/dbr/engine"
)

// RNN, LSTM and GRU run their cells over a whole sequence, as torch.nn.RNN,
// torch.nn.LSTM and torch.nn.GRU: NumLayers stacked layers, each reading the
// outputs of the one below, optionally in both directions (Bidirectional:
// a second cell reads the sequence backwards and the two outputs are
// concatenated), with Dropout applied to every layer's output but the last in
// training mode. Input is [T, N, InputSize] ([N, T, InputSize] with
// BatchFirst, [T, InputSize] for one sequence); the output is
// [T, N, D·HiddenSize] (D = 2 when bidirectional, else 1) and the states
// are [NumLayers·D, N, HiddenSize], layer-major (layer 0 forward, layer 0
// backward, layer 1 forward, …).
//
// The cells are the ones of a single step (RNNCell, LSTMCell, GRUCell), in
// Cells in that order; the parameter names are PyTorch's ("weight_ih_l0",
// "bias_hh_l1_reverse"), so state dicts move both ways.
//
// RunLengths runs a batch of sequences of different lengths, padded to T, as
// PyTorch's pack_padded_sequence (enforce_sorted=False) followed by
// pad_packed_sequence: sequence n is steps 0 … lengths[n]−1; the output is 0
// beyond its end and the final state is the one at its last step (the
// backward direction starts from its last step). The padding is never read:
// whatever it holds (NaN too) changes nothing, and its gradient is 0. The
// output keeps T steps (pad_packed_sequence would cut it to the longest
// length).

// RNNOpts are the options of RNN, LSTM and GRU. Zero values are PyTorch's
// defaults: one layer, tanh (RNN only; "relu" is the other choice), time-major
// input, no dropout, one direction.
type RNNOpts struct {
	NumLayers     int
	Nonlinearity  string
	BatchFirst    bool
	Dropout       float64
	Bidirectional bool
}

// seqCell is a cell a sequence runs: its input projection and its step from
// that projection.
type seqCell interface {
	Params() []Param
	inputWeights() (w, b *engine.Tensor)
	next(gi *engine.Tensor, st []*engine.Tensor) []*engine.Tensor
}

// asSeqCells returns cs as the interface runSeq takes.
func asSeqCells[C seqCell](cs []C) []seqCell {
	out := make([]seqCell, len(cs))
	for i, c := range cs {
		out[i] = c
	}
	return out
}

// dirs is the number of directions: 2 when bidirectional.
func (o RNNOpts) dirs() int {
	if o.Bidirectional {
		return 2
	}
	return 1
}

// seqConfig checks the options and returns the layer and direction counts.
func seqConfig(op string, in, hidden int, o *RNNOpts) (layers, dirs int, drop *Dropout) {
	layers, dirs = max(o.NumLayers, 1), 1
	if o.Bidirectional {
		dirs = 2
	}
	if in <= 0 || hidden <= 0 || o.NumLayers < 0 {
		errorf(op, "sizes must be positive, got input_size=%d hidden_size=%d num_layers=%d", in, hidden, o.NumLayers)
	}
	if !(o.Dropout >= 0 && o.Dropout < 1) {
		errorf(op, "dropout must be in [0, 1), got %v", o.Dropout)
	}
	return layers, dirs, NewDropout(o.Dropout)
}

// seqIn is the input size of layer l's cells.
func seqIn(l, in, hidden, dirs int) int {
	if l == 0 {
		return in
	}
	return hidden * dirs
}

// seqParams names the cells' parameters as PyTorch does.
func seqParams(cells []seqCell, dirs int) []Param {
	var out []Param
	for i := range cells {
		suffix := fmt.Sprintf("_l%d", i/dirs)
		if i%dirs == 1 {
			suffix += "_reverse"
		}
		for _, p := range cells[i].Params() {
			p.Name += suffix
			out = append(out, p)
		}
	}
	return out
}

// runSeq runs the stacked cells over x. init holds the initial states (h0,
// and c0 for an LSTM), each nil or [layers·dirs, N, hidden]; it returns the
// output and the final states.
func runSeq(op string, cells []seqCell, in, hidden int, o RNNOpts, drop *Dropout, x *engine.Tensor, lengths []int, init []*engine.Tensor) (*engine.Tensor, []*engine.Tensor) {
	dirs := o.dirs()
	layers := len(cells) / dirs
	xshape := x.Shape()
	unbatched := x.Dims() == 2
	want := fmt.Sprintf("[T, N, %d]", in)
	if o.BatchFirst {
		want = fmt.Sprintf("[N, T, %d]", in)
	}
	if (x.Dims() != 3 && !unbatched) || xshape[len(xshape)-1] != in {
		shapeError(op, fmt.Sprintf("input_size=%d: expected input %s, or [T, %d] for one sequence", in, want, in), "", xshape)
	}
	if unbatched {
		x = x.Unsqueeze(1)
	} else if o.BatchFirst {
		x = x.Transpose(0, 1)
	}
	steps, n := x.Size(0), x.Size(1)
	if steps == 0 {
		shapeError(op, "the sequence is empty (T = 0)", "", xshape)
	}
	states := make([]*engine.Tensor, len(init))
	for k, s := range init {
		if s == nil {
			continue
		}
		if unbatched && s.Dims() == 2 {
			s = s.Unsqueeze(1)
		}
		if s.Dims() != 3 || s.Size(0) != layers*dirs || s.Size(1) != n || s.Size(2) != hidden {
			name := []string{"h0", "c0"}[k]
			shapeError(op, fmt.Sprintf("%s %v but it must be [num_layers·directions, N, hidden_size] = [%d, %d, %d] for input %v",
				name, init[k].Shape(), layers*dirs, n, hidden, xshape), "", xshape, init[k].Shape())
		}
		states[k] = s
	}
	// masks[t] is [N, 1]: 1 where step t is inside sequence n
	var masks []*engine.Tensor
	if lengths != nil {
		if len(lengths) != n {
			errorf(op, "%d lengths for a batch of %d sequences (input %v): give one length per sequence, %d in all", len(lengths), n, xshape, n)
		}
		short := false
		for _, l := range lengths {
			if l < 1 || l > steps {
				errorf(op, "lengths %v: each must be from 1 to the padded length T = %d", lengths, steps)
			}
			short = short || l < steps
		}
		if short {
			keep := make([]float64, steps*n)
			for t := 0; t < steps; t++ {
				for i, l := range lengths {
					if t < l {
						keep[t*n+i] = 1
					}
				}
			}
			inside := engine.New64(keep, steps, n, 1).To(x.DType())
			masks = make([]*engine.Tensor, steps)
			for t := range masks {
				masks[t] = inside.Select(0, t)
			}
			// the padding never reaches the cells, as with PyTorch's packed
			// sequences: whatever it holds (NaN too), its steps read zeros
			x = x.MaskedFill(inside.EqScalar(0), 0)
		}
	}
	final := make([][]*engine.Tensor, len(init))
	for l := 0; l < layers; l++ {
		dirOut := make([]*engine.Tensor, dirs)
		for d := 0; d < dirs; d++ {
			idx := l*dirs + d
			cell := cells[idx]
			w, b := cell.inputWeights()
			gi := engine.Linear(x, w, b) // [T, N, gates·hidden] for every step at once
			st := make([]*engine.Tensor, len(init))
			for k := range st {
				if states[k] != nil {
					st[k] = states[k].Select(0, idx)
				} else {
					st[k] = engine.Zeros(n, hidden).To(gi.DType())
				}
			}
			outs := make([]*engine.Tensor, steps)
			for s := 0; s < steps; s++ {
				t := s
				if d == 1 {
					t = steps - 1 - s
				}
				nx := cell.next(gi.Select(0, t), st)
				if masks == nil {
					st = nx
					outs[t] = nx[0]
					continue
				}
				// a sequence that has ended keeps its state, bit for bit
				m := masks[t]
				for k := range st {
					st[k] = engine.Where(m, nx[k], st[k])
				}
				outs[t] = nx[0].Mul(m)
			}
			dirOut[d] = engine.Stack(outs, 0)
			for k := range st {
				final[k] = append(final[k], st[k])
			}
		}
		x = dirOut[0]
		if dirs == 2 {
			x = engine.Cat(dirOut, 2)
		}
		if l < layers-1 && drop.P > 0 {
			x = drop.Forward(x)
		}
	}
	hn := make([]*engine.Tensor, len(final))
	for k, f := range final {
		hn[k] = engine.Stack(f, 0)
		if unbatched {
			hn[k] = hn[k].Squeeze(1)
		}
	}
	switch {
	case unbatched:
		x = x.Squeeze(1)
	case o.BatchFirst:
		x = x.Transpose(0, 1)
	}
	return x, hn
}

func seqString(name string, in, hidden int, o RNNOpts, relu bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s(%d, %d", name, in, hidden)
	if o.NumLayers > 1 {
		fmt.Fprintf(&b, ", num_layers=%d", o.NumLayers)
	}
	if relu {
		b.WriteString(", nonlinearity=relu")
	}
	if o.BatchFirst {
		b.WriteString(", batch_first=True")
	}
	if o.Dropout > 0 {
		fmt.Fprintf(&b, ", dropout=%g", o.Dropout)
	}
	if o.Bidirectional {
		b.WriteString(", bidirectional=True")
	}
	return b.String() + ")"
}

// LSTM is a multi-layer long short-term memory network over sequences; see
// RNNOpts and the comment above it.
type LSTM struct {
	InputSize, HiddenSize int
	Opts                  RNNOpts
	Cells                 []*LSTMCell
	drop                  *Dropout
}

// NewLSTM returns an LSTM from input to hidden features with PyTorch's
// initialization (every weight and bias from U(±1/√hidden)).
// It panics with an *engine.Error when a size is not positive or the dropout
// is not in [0, 1).
func NewLSTM(input, hidden int, o RNNOpts) *LSTM {
	layers, dirs, drop := seqConfig("NewLSTM", input, hidden, &o)
	m := &LSTM{InputSize: input, HiddenSize: hidden, Opts: o, drop: drop}
	for i := 0; i < layers*dirs; i++ {
		m.Cells = append(m.Cells, NewLSTMCell(seqIn(i/dirs, input, hidden, dirs), hidden))
	}
	return m
}

func (m *LSTM) cells() []seqCell { return asSeqCells(m.Cells) }

// Forward returns the output of Run(x, nil, nil).
func (m *LSTM) Forward(x *engine.Tensor) *engine.Tensor {
	out, _, _ := m.Run(x, nil, nil)
	return out
}

// Run returns the output and the final hidden and cell states from input x
// and the initial states h0, c0 (nil for zeros).
// It panics with a *engine.ShapeError when the shapes do not fit.
func (m *LSTM) Run(x, h0, c0 *engine.Tensor) (out, hn, cn *engine.Tensor) {
	return m.RunLengths(x, nil, h0, c0)
}

// RunLengths is Run over a padded batch whose sequence n has lengths[n]
// steps (nil: all have T), as PyTorch's packed sequences: the output is 0
// beyond a sequence's end, hn and cn are the states after its last step
// (the backward direction starts there), and the padding is never read.
func (m *LSTM) RunLengths(x *engine.Tensor, lengths []int, h0, c0 *engine.Tensor) (out, hn, cn *engine.Tensor) {
	m.check()
	out, st := runSeq("LSTM", m.cells(), m.InputSize, m.HiddenSize, m.Opts, m.drop, x, lengths, []*engine.Tensor{h0, c0})
	return out, st[0], st[1]
}

func (m *LSTM) check() {
	if len(m.Cells) == 0 || m.drop == nil {
		errorf("LSTM", "the layer has no cells; make it with nn.NewLSTM(input, hidden, nn.RNNOpts{})")
	}
}

// Params returns every cell's weights with PyTorch's names (weight_ih_l0, …).
func (m *LSTM) Params() []Param {
	return seqParams(m.cells(), m.Opts.dirs())
}

func (m *LSTM) String() string { return seqString("LSTM", m.InputSize, m.HiddenSize, m.Opts, false) }

// GRU is a multi-layer gated recurrent unit network over sequences; see
// RNNOpts and the comment above it.
type GRU struct {
	InputSize, HiddenSize int
	Opts                  RNNOpts
	Cells                 []*GRUCell
	drop                  *Dropout
}

// NewGRU returns a GRU from input to hidden features with PyTorch's
// initialization. It panics as NewLSTM does.
func NewGRU(input, hidden int, o RNNOpts) *GRU {
	layers, dirs, drop := seqConfig("NewGRU", input, hidden, &o)
	m := &GRU{InputSize: input, HiddenSize: hidden, Opts: o, drop: drop}
	for i := 0; i < layers*dirs; i++ {
		m.Cells = append(m.Cells, NewGRUCell(seqIn(i/dirs, input, hidden, dirs), hidden))
	}
	return m
}

func (m *GRU) cells() []seqCell { return asSeqCells(m.Cells) }

// Forward returns the output of Run(x, nil).
func (m *GRU) Forward(x *engine.Tensor) *engine.Tensor {
	out, _ := m.Run(x, nil)
	return out
}

// Run returns the output and the final hidden state from input x and the
// initial state h0 (nil for zeros).
// It panics with a *engine.ShapeError when the shapes do not fit.
func (m *GRU) Run(x, h0 *engine.Tensor) (out, hn *engine.Tensor) { return m.RunLengths(x, nil, h0) }

// RunLengths is Run over a padded batch whose sequence n has lengths[n]
// steps (nil: all have T), as PyTorch's packed sequences: the output is 0
// beyond a sequence's end, hn is the state after its last step (the
// backward direction starts there), and the padding is never read.
func (m *GRU) RunLengths(x *engine.Tensor, lengths []int, h0 *engine.Tensor) (out, hn *engine.Tensor) {
	if len(m.Cells) == 0 || m.drop == nil {
		errorf("GRU", "the layer has no cells; make it with nn.NewGRU(input, hidden, nn.RNNOpts{})")
	}
	out, st := runSeq("GRU", m.cells(), m.InputSize, m.HiddenSize, m.Opts, m.drop, x, lengths, []*engine.Tensor{h0})
	return out, st[0]
}

// Params returns every cell's weights with PyTorch's names (weight_ih_l0, …).
func (m *GRU) Params() []Param {
	return seqParams(m.cells(), m.Opts.dirs())
}

func (m *GRU) String() string { return seqString("GRU", m.InputSize, m.HiddenSize, m.Opts, false) }

// RNN is a multi-layer Elman network over sequences (tanh, or ReLU with
// Opts.Nonlinearity "relu"); see RNNOpts and the comment above it.
type RNN struct {
	InputSize, HiddenSize int
	Opts                  RNNOpts
	Cells                 []*RNNCell
	drop                  *Dropout
}

// NewRNN returns an RNN from input to hidden features with PyTorch's
// initialization. It panics as NewLSTM does, and for an unknown nonlinearity.
func NewRNN(input, hidden int, o RNNOpts) *RNN {
	layers, dirs, drop := seqConfig("NewRNN", input, hidden, &o)
	if o.Nonlinearity != "" && o.Nonlinearity != "tanh" && o.Nonlinearity != "relu" {
		errorf("NewRNN", "unknown nonlinearity %q (use \"tanh\" or \"relu\")", o.Nonlinearity)
	}
	m := &RNN{InputSize: input, HiddenSize: hidden, Opts: o, drop: drop}
	for i := 0; i < layers*dirs; i++ {
		c := NewRNNCell(seqIn(i/dirs, input, hidden, dirs), hidden)
		if o.Nonlinearity != "" {
			c.Nonlinearity = o.Nonlinearity
		}
		m.Cells = append(m.Cells, c)
	}
	return m
}

func (m *RNN) cells() []seqCell { return asSeqCells(m.Cells) }

// Forward returns the output of Run(x, nil).
func (m *RNN) Forward(x *engine.Tensor) *engine.Tensor {
	out, _ := m.Run(x, nil)
	return out
}

// Run returns the output and the final hidden state from input x and the
// initial state h0 (nil for zeros).
// It panics with a *engine.ShapeError when the shapes do not fit.
func (m *RNN) Run(x, h0 *engine.Tensor) (out, hn *engine.Tensor) { return m.RunLengths(x, nil, h0) }

// RunLengths is Run over a padded batch whose sequence n has lengths[n]
// steps (nil: all have T), as PyTorch's packed sequences: the output is 0
// beyond a sequence's end, hn is the state after its last step (the
// backward direction starts there), and the padding is never read.
func (m *RNN) RunLengths(x *engine.Tensor, lengths []int, h0 *engine.Tensor) (out, hn *engine.Tensor) {
	if len(m.Cells) == 0 || m.drop == nil {
		errorf("RNN", "the layer has no cells; make it with nn.NewRNN(input, hidden, nn.RNNOpts{})")
	}
	out, st := runSeq("RNN", m.cells(), m.InputSize, m.HiddenSize, m.Opts, m.drop, x, lengths, []*engine.Tensor{h0})
	return out, st[0]
}

// Params returns every cell's weights with PyTorch's names (weight_ih_l0, …).
func (m *RNN) Params() []Param {
	return seqParams(m.cells(), m.Opts.dirs())
}

func (m *RNN) String() string {
	return seqString("RNN", m.InputSize, m.HiddenSize, m.Opts, m.Opts.Nonlinearity == "relu")
}
