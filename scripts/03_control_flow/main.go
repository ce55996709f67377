// Lesson 3: the graph is the program.
//
// dbr records operations as they run ("define-by-run"). Plain Go loops and
// ifs decide which operations run, so every run can build a different graph,
// and Backward differentiates exactly the path that was taken.
//
// Try:
//
//   - Call grow(x, 1000): how many doublings, and what gradient?
//   - Start h at 0.5 instead of 1.5: which branches run now?
//   - Print inspect.Graph(y) for the data-dependent loop.
package main

import (
	"fmt"

	"github.com/dbr-go/dbr/engine"
	"github.com/dbr-go/dbr/inspect"
)

// grow doubles y until its norm reaches limit: how many times depends on
// the data, not on anything declared in advance.
func grow(x *engine.Tensor, limit float64) (*engine.Tensor, int) {
	y := x.MulScalar(2)
	steps := 1
	for y.Square().Sum().Sqrt().Item() < limit {
		y = y.MulScalar(2)
		steps++
	}
	return y, steps
}

func main() {
	engine.Seed(3)

	// A loop whose length depends on the data.
	x := engine.New([]float32{0.5, -1, 0.25}, 3).SetRequiresGrad(true)
	y, steps := grow(x, 100)
	fmt.Println("doubled", steps, "times; y =", y.Float32s())
	y.Sum().Backward()
	// y = 2^steps · x, so every element of the gradient is 2^steps.
	fmt.Println("dy/dx =", x.Grad().Float32s())

	// A smaller input needs more doublings, so its graph is longer.
	small := engine.New([]float32{0.01, 0.02, 0.01}, 3).SetRequiresGrad(true)
	ys, steps2 := grow(small, 100)
	fmt.Println("a smaller x needs", steps2, "doublings")
	fmt.Println("ops recorded for the first:", inspect.Graph(y).Ops, "for the second:", inspect.Graph(ys).Ops)

	// An if that picks a branch in every iteration. Each step applies
	// tanh or a scaled sin depending on the current value, and the graph
	// records whichever ran.
	w := engine.Scalar(0.8).SetRequiresGrad(true).SetName("w")
	h := engine.Scalar(1.5).SetName("h0")
	var path []string
	for i := 0; i < 5; i++ {
		if h.Item() > 1 {
			h = h.Mul(w).Tanh()
			path = append(path, "tanh")
		} else {
			h = h.Mul(w).Sin().MulScalar(2)
			path = append(path, "sin")
		}
	}
	fmt.Println("branches taken:", path)
	fmt.Printf("h = %.4f\n", h.Item())
	h.Backward()
	fmt.Printf("dh/dw = %.4f\n", w.Grad().Item())

	// The graph behind h, drawn by inspect: one line per op that ran.
	fmt.Println(inspect.Graph(h))

	// The gradient of this data-dependent program is right: GradCheck
	// differentiates it numerically and compares.
	program := func(xs []*engine.Tensor) *engine.Tensor {
		v := xs[0]
		for i := 0; i < 4; i++ {
			if v.Sum().Item() > 0 {
				v = v.Tanh().MulScalar(3)
			} else {
				v = v.Square().AddScalar(0.5)
			}
		}
		return v.Sum()
	}
	report := engine.GradCheck(program, engine.Randn(2, 3))
	fmt.Println("gradcheck of the loop with ifs:", report.OK)
}

// Output:
// doubled 7 times; y = [64 -128 32]
// dy/dx = [128 128 128]
// a smaller x needs 12 doublings
// ops recorded for the first: 7 for the second: 12
// branches taken: [tanh sin tanh sin tanh]
// h = 0.7216
// dh/dw = 1.6136
// graph of [] made by Tanh: 12 ops, 1 parameter
// parameters:
//   w  []  grad ‖g‖=1.614
// ops (oldest first):
//   ×2  ┌ %1 = Mul(h0[], w)   []
//       │ %2 = Tanh(%1)       []
//       │ %3 = Mul(%2, w)     []
//       │ %4 = Sin(%3)        []
//       └ %5 = MulScalar(%4)  []
//         %11 = Mul(%10, w)   []
//         %12 = Tanh(%11)     []  ← this tensor
// gradcheck of the loop with ifs: true
