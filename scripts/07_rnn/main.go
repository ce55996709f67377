// Lesson 7: recurrent networks, stepped in a plain Go loop.
//
// A recurrent cell reads a sequence one element at a time and carries a
// hidden state from step to step. In define-by-run you write that as an
// ordinary for loop over the sequence, so sequences of different lengths need
// no padding and no masks: each one simply runs its own number of steps, and
// Backward goes back through exactly those steps.
//
// The task: read a sequence of 2 to 10 numbers and output their sum.
//
// Try:
//
//   - Test a sequence of 20 numbers, longer than any seen in training.
//   - Replace the LSTMCell by an nn.GRUCell (its Step(x, h) returns only h).
package main

import (
	"fmt"

	"github.com/dbr-go/dbr/engine"
	"github.com/dbr-go/dbr/inspect"
	"github.com/dbr-go/dbr/nn"
)

// Summer is an LSTM cell followed by a linear read-out of its last state.
type Summer struct {
	Cell *nn.LSTMCell
	Out  *nn.Linear
}

// Run reads seq ([length, 1]) step by step and returns a [1, 1] prediction.
func (m *Summer) Run(seq *engine.Tensor) *engine.Tensor {
	var h, c *engine.Tensor // nil: the cell starts from zeros
	for t := 0; t < seq.Size(0); t++ {
		x := seq.Narrow(0, t, 1) // the t-th element, shape [1, 1]
		h, c = m.Cell.Step(x, h, c)
	}
	return m.Out.Forward(h)
}

func (m *Summer) Params() []nn.Param {
	return nn.Params(nn.Sub("cell", m.Cell), nn.Sub("out", m.Out))
}

// randomSequence returns a sequence of 2 to 10 numbers in [-1, 1] and its sum.
func randomSequence() (*engine.Tensor, *engine.Tensor) {
	n := 2 + engine.RandInt(9)
	seq := engine.Uniform(-1, 1, n, 1)
	return seq, seq.Sum().Reshape(1, 1)
}

func main() {
	engine.Seed(7)
	model := &Summer{Cell: nn.NewLSTMCell(1, 16), Out: nn.NewLinear(16, 1)}

	// What a recurrent cell does, written out: h = tanh(x·Wx + h·Wh), one
	// step per element. nn.RNNCell is this plus biases.
	Wx := engine.Randn(1, 3).SetName("Wx").SetRequiresGrad(true)
	Wh := engine.Randn(3, 3).MulScalar(0.5).SetName("Wh").SetRequiresGrad(true)
	unroll := func(seq *engine.Tensor) *engine.Tensor {
		h := engine.Zeros(1, 3)
		for t := 0; t < seq.Size(0); t++ {
			h = seq.Narrow(0, t, 1).MatMul(Wx).Add(h.MatMul(Wh)).Tanh()
		}
		return h.Sum()
	}

	// The graph has one block of ops per step; inspect draws it once, "×4".
	fmt.Println(inspect.Graph(unroll(engine.Uniform(-1, 1, 4, 1))))

	// Sequences of different lengths make graphs of different sizes.
	fmt.Println("ops for a sequence of 3:", inspect.Graph(unroll(engine.Uniform(-1, 1, 3, 1))).Ops)
	fmt.Println("ops for a sequence of 9:", inspect.Graph(unroll(engine.Uniform(-1, 1, 9, 1))).Ops)

	// Train on 8 sequences of random lengths per step: each runs its own
	// loop, their losses are averaged, one Backward goes through all of them.
	opt := nn.NewAdam(model.Params(), 0.01, nn.AdamOpts{})
	total := 0.0
	for step := 1; step <= 150; step++ {
		opt.ZeroGrad()
		loss := engine.Scalar(0)
		for i := 0; i < 8; i++ {
			seq, sum := randomSequence()
			loss = loss.Add(nn.MSELoss(model.Run(seq), sum))
		}
		loss = loss.DivScalar(8)
		loss.Backward()
		opt.Step()
		total += loss.Item()
		if step%50 == 0 {
			fmt.Printf("steps %3d-%3d: mean loss %.4f\n", step-49, step, total/50)
			total = 0
		}
	}

	// Try it on sequences it has not seen, of lengths 2, 5 and 10.
	tests := [][]float32{
		{0.5, 0.25},
		{0.9, -0.3, 0.1, 0.4, -0.6},
		{0.1, 0.2, 0.3, -0.1, 0.5, -0.4, 0.2, 0.1, 0.3, -0.2},
	}
	engine.NoGrad(func() {
		for _, s := range tests {
			seq := engine.New(s, len(s), 1)
			fmt.Printf("length %2d: sum %5.2f, predicted %5.2f\n",
				len(s), seq.Sum().Item(), model.Run(seq).Item())
		}
	})
}

// Output:
// graph of [] made by Sum: 17 ops, 2 parameters
// parameters:
//   Wx  [1 3]  no grad yet
//   Wh  [3 3]  no grad yet
// ops (oldest first):
//   ×4  ┌ %1 = MatMul([1 1], Wx)  [1 3]
//       │ %2 = MatMul([1 3], Wh)  [1 3]
//       │ %3 = Add(%1, %2)        [1 3]
//       └ %4 = Tanh(%3)           [1 3]
//         %17 = Sum(%16)          []     ← this tensor
// ops for a sequence of 3: 13
// ops for a sequence of 9: 37
// steps   1- 50: mean loss 0.9754
// steps  51-100: mean loss 0.1729
// steps 101-150: mean loss 0.0216
// length  2: sum  0.75, predicted  0.72
// length  5: sum  0.50, predicted  0.41
// length 10: sum  1.00, predicted  0.87
