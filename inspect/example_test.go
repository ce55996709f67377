package inspect_test

import (
	"fmt"
	"math"
	"os"

	"github.com/dbr-go/dbr/engine"
	"github.com/dbr-go/dbr/inspect"
)

func ExampleStats() {
	x := engine.New64([]float64{1, 0, -2, math.NaN(), 5, 2}, 2, 3)
	fmt.Println(inspect.Stats(x))
	// Output:
	// name    shape  dtype    min  max  mean    std  zeros  NaN  Inf
	// tensor  [2 3]  float64   -2    5   1.2  2.588      1    1    0
}

func ExampleWhyNoGrad() {
	w := engine.Randn(3, 2).SetRequiresGrad(true).SetName("w")
	x := engine.Randn(4, 3)
	h := x.MatMul(w).Detach() // cuts the graph
	loss := h.Mul(h).Sum()
	fmt.Println(inspect.WhyNoGrad(loss, w))
	// Output:
	// the loss (made by Sum) does not require grad: it depends on a tensor that does not require grad: it was detached. The graph was cut before the loss, so no gradient reaches w
}

func ExamplePlot() {
	losses := make([]float64, 40)
	for i := range losses {
		losses[i] = 2 * math.Exp(-float64(i)/8)
	}
	os.Setenv("COLUMNS", "40") // the width of the terminal window
	inspect.Plot(losses)
	// Output:
	//       2 ┤⢱
	//         │ ⢇
	//         │ ⠈⡆
	//         │  ⠘⡄
	//         │   ⠘⡄
	//         │    ⠈⢆
	//         │      ⠑⢄
	//         │        ⠑⢄⡀
	//         │          ⠈⠒⠤⢄⣀
	// 0.01527 ┤               ⠉⠉⠒⠒⠢⠤⠤⠤⠤⢄⣀⣀⣀⣀⣀⣀
	//         └───────────────────────────────
	//          0                            39
}

func ExampleHeatmap() {
	// attention weights under a causal mask: each row spreads evenly over
	// its position and the ones before it
	scores := engine.Zeros(3, 3).MaskedFill(engine.Ones(3, 3).Triu(1), math.Inf(-1))
	w := scores.Softmax(1)
	fmt.Println(inspect.Heatmap(w, []string{"a", "b", "c"}, []string{"a", "b", "c"}))
	// Output:
	//       a     b     c
	// a  1.00     0     0
	// b  0.50  0.50     0
	// c  0.33  0.33  0.33
}
