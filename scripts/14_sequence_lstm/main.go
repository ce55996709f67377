// Lesson 14: a sequence model, as one layer and as a plain Go loop.
//
// The task: read a sequence of 3 to 12 numbers in [-1, 1] and say whether
// its sum is below -1, between -1 and 1, or above 1. No single number
// decides it: the model has to read the whole sequence, whatever its length.
//
// nn.LSTM reads a whole batch in one call. Sequences of different lengths
// are padded to the longest, and RunLengths is told each one's length: as
// PyTorch's packed sequences, a sequence's final state is the one after its
// own last number, and the padding is never read. Then we take the trained
// weights and step the LSTM's cell in a Go for loop over each sequence's
// real length, and get the same numbers.
//
// Try:
//
//   - Call model.LSTM.Run(x, nil, nil) instead of RunLengths (the padding
//     is then read as data) and pad with 1s instead of 0s: what happens to
//     the accuracy?
//   - Use nn.NewGRU: its RunLengths(x, lengths, h0) returns out, hn, and its
//     cell's Step(x, h) returns only h.
package main

import (
	"fmt"

	"github.com/dbr-go/dbr/engine"
	"github.com/dbr-go/dbr/nn"
)

const maxLen = 12 // the longest sequence; shorter ones are padded to it

var classNames = []string{"sum < -1", "-1 ≤ sum ≤ 1", "sum > 1"}

// makeBatch returns n sequences of 3 to 12 numbers, padded with zeros to
// [n, maxLen, 1] (batch first, one number per step), their lengths and
// their classes (0, 1, 2 as in classNames).
func makeBatch(n int) (*engine.Tensor, []int, []int) {
	values := engine.Uniform(-1, 1, n, maxLen).Float32s()
	lengths := make([]int, n)
	classes := make([]int, n)
	for i := 0; i < n; i++ {
		lengths[i] = 3 + engine.RandInt(10)
		sum := float32(0)
		for t := 0; t < maxLen; t++ {
			if t < lengths[i] {
				sum += values[i*maxLen+t]
			} else {
				values[i*maxLen+t] = 0 // padding
			}
		}
		classes[i] = 1
		if sum < -1 {
			classes[i] = 0
		} else if sum > 1 {
			classes[i] = 2
		}
	}
	return engine.New(values, n, maxLen, 1), lengths, classes
}

// Classifier is an LSTM followed by a linear read-out of its final hidden
// state: three scores (logits), one per class.
type Classifier struct {
	LSTM *nn.LSTM
	Head *nn.Linear
}

// Run classifies a padded batch x [N, maxLen, 1] whose sequence i has
// lengths[i] steps, and returns logits [N, 3].
func (m *Classifier) Run(x *engine.Tensor, lengths []int) *engine.Tensor {
	_, h, _ := m.LSTM.RunLengths(x, lengths, nil, nil) // h: [1, N, hidden], one layer
	return m.Head.Forward(h.Select(0, 0))
}

// StepByStep classifies one sequence seq [maxLen, 1] of the given length
// with the same weights, one LSTMCell step per number, in a Go loop.
func (m *Classifier) StepByStep(seq *engine.Tensor, length int) *engine.Tensor {
	cell := m.LSTM.Cells[0] // layer 0's cell: weight_ih_l0, weight_hh_l0, …
	var h, c *engine.Tensor // nil: zeros, as the layer starts
	for t := 0; t < length; t++ {
		h, c = cell.Step(seq.Narrow(0, t, 1), h, c) // input [1, 1]
	}
	return m.Head.Forward(h)
}

func (m *Classifier) Params() []nn.Param {
	return nn.Params(nn.Sub("lstm", m.LSTM), nn.Sub("head", m.Head))
}

// accuracy is the fraction of logits' rows whose largest score is the class.
func accuracy(logits *engine.Tensor, classes []int) float64 {
	right := 0
	for i, p := range logits.ArgMax(1).Ints() {
		if p == classes[i] {
			right++
		}
	}
	return float64(right) / float64(len(classes))
}

// rounded prints a [1, C] or [C] tensor's values with two decimals.
func rounded(t *engine.Tensor) string {
	s := "["
	for i, v := range t.Float64s() {
		if i > 0 {
			s += " "
		}
		s += fmt.Sprintf("%5.2f", v)
	}
	return s + "]"
}

func main() {
	engine.Seed(14)

	// A padded batch: every row is maxLen long, the lengths say how much
	// of it is real.
	x, lengths, classes := makeBatch(4)
	fmt.Println("a batch:", x.Shape(), "lengths", lengths, "classes", classes)

	model := &Classifier{
		LSTM: nn.NewLSTM(1, 16, nn.RNNOpts{BatchFirst: true}),
		Head: nn.NewLinear(16, 3),
	}
	// PyTorch's names; the four gates (i, f, g, o) are stacked, 4·16 = 64
	// rows. The layer's Cells[0] holds these very tensors.
	fmt.Println(model.LSTM)
	for _, p := range model.LSTM.Params() {
		fmt.Println(" ", p.Name, p.Tensor.Shape())
	}

	// Train on fresh batches of 64; CrossEntropyLoss takes the logits and
	// the class of each sequence.
	testX, testLengths, testClasses := makeBatch(200)
	opt := nn.NewAdam(model.Params(), 0.01, nn.AdamOpts{})
	total := 0.0
	for step := 1; step <= 300; step++ {
		x, lengths, classes = makeBatch(64)
		loss := nn.CrossEntropyLossIndices(model.Run(x, lengths), classes)
		opt.ZeroGrad()
		loss.Backward()
		opt.Step()
		total += loss.Item()
		if step%100 == 0 {
			acc := 0.0
			engine.NoGrad(func() { acc = accuracy(model.Run(testX, testLengths), testClasses) })
			fmt.Printf("steps %3d-%3d: mean loss %.3f, test accuracy %.2f\n", step-99, step, total/100, acc)
			total = 0
		}
	}

	// The same weights, stepped by hand: one sequence at a time, each for
	// exactly its own number of steps. No padding is read and no mask is
	// needed: the loop simply stops at the sequence's length.
	engine.NoGrad(func() {
		layer := model.Run(testX, testLengths)
		var rows []*engine.Tensor
		for i := 0; i < testX.Size(0); i++ {
			rows = append(rows, model.StepByStep(testX.Select(0, i), testLengths[i]))
		}
		loop := engine.Cat(rows, 0)
		for i := 0; i < 3; i++ {
			fmt.Printf("sequence %d (%2d steps): layer %s, loop %s\n",
				i, testLengths[i], rounded(layer.Select(0, i)), rounded(loop.Select(0, i)))
		}
		// Not bit for bit: the layer multiplies 200 sequences' states at
		// once, the loop one at a time, and float32 sums in another order
		// round differently in the 7th digit.
		fmt.Printf("largest difference over 200 sequences: %.0e; accuracy %.2f and %.2f\n",
			layer.Sub(loop).Abs().Max().Item(), accuracy(layer, testClasses), accuracy(loop, testClasses))
	})

	// Why the loop is the define-by-run point: it is ordinary Go. Each
	// sequence runs its own length, an if can look at every step's values,
	// and you can print inside it; with gradients on, Backward goes back
	// through exactly the steps that ran (lesson 7 trains a cell this way). Here the model's answer after every
	// number, printed only when it changes its mind: it has learned to keep
	// a running sum in its state.
	engine.NoGrad(func() {
		seq, length := testX.Select(0, 37), testLengths[37]
		cell := model.LSTM.Cells[0]
		var h, c *engine.Tensor
		sum, said := 0.0, -1
		for t := 0; t < length; t++ {
			h, c = cell.Step(seq.Narrow(0, t, 1), h, c)
			sum += seq.At(t, 0)
			p := model.Head.Forward(h).Softmax(1)
			if class := p.ArgMax(1).Ints()[0]; class != said {
				fmt.Printf("step %2d, sum so far %5.2f: says %-12s p = %s\n", t+1, sum, classNames[class], rounded(p))
				said = class
			}
		}
		fmt.Println("true class:", classNames[testClasses[37]])
	})

	// The same holds for a bidirectional LSTM (untrained here: only the
	// agreement matters). Its Cells[1] reads each sequence backwards,
	// starting from the sequence's own last number, not from the padding.
	bi := nn.NewLSTM(1, 4, nn.RNNOpts{BatchFirst: true, Bidirectional: true})
	engine.NoGrad(func() {
		_, hn, _ := bi.RunLengths(testX, testLengths, nil, nil) // [2, N, 4]: forward, backward
		seq, n := testX.Select(0, 0), testLengths[0]
		var hf, cf, hb, cb *engine.Tensor
		for t := 0; t < n; t++ {
			hf, cf = bi.Cells[0].Step(seq.Narrow(0, t, 1), hf, cf)
			hb, cb = bi.Cells[1].Step(seq.Narrow(0, n-1-t, 1), hb, cb)
		}
		fmt.Println("bidirectional, forward: ", rounded(hn.Select(0, 0).Select(0, 0)), rounded(hf))
		fmt.Println("bidirectional, backward:", rounded(hn.Select(0, 1).Select(0, 0)), rounded(hb))
	})
}

// Output:
// a batch: [4 12 1] lengths [5 3 5 7] classes [0 2 1 1]
// LSTM(1, 16, batch_first=True)
//   weight_ih_l0 [64 1]
//   weight_hh_l0 [64 16]
//   bias_ih_l0 [64]
//   bias_hh_l0 [64]
// steps   1-100: mean loss 0.501, test accuracy 0.86
// steps 101-200: mean loss 0.165, test accuracy 0.97
// steps 201-300: mean loss 0.133, test accuracy 0.98
// sequence 0 ( 7 steps): layer [-3.06  3.99 -3.15], loop [-3.06  3.99 -3.15]
// sequence 1 ( 6 steps): layer [-4.65  1.17  3.01], loop [-4.65  1.17  3.01]
// sequence 2 ( 9 steps): layer [-6.56  2.59  2.66], loop [-6.56  2.59  2.66]
// largest difference over 200 sequences: 1e-06; accuracy 0.98 and 0.98
// step  1, sum so far  0.03: says -1 ≤ sum ≤ 1 p = [ 0.04  0.91  0.05]
// step  8, sum so far  1.14: says sum > 1      p = [ 0.00  0.39  0.61]
// step  9, sum so far  0.78: says -1 ≤ sum ≤ 1 p = [ 0.00  0.95  0.04]
// step 12, sum so far -1.17: says sum < -1     p = [ 0.83  0.17  0.00]
// true class: sum < -1
// bidirectional, forward:  [ 0.01 -0.42 -0.36 -0.20] [ 0.01 -0.42 -0.36 -0.20]
// bidirectional, backward: [-0.27  0.30  0.31  0.08] [-0.27  0.30  0.31  0.08]
