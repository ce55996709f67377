// Package inspect shows what a define-by-run program computed: shapes,
// values, gradients and the graph behind a result, at any line.
//
// It reads the engine's graph through its read-only view (Op, Inputs, Seq,
// NoGradReason, Grad) and watches ops as they run through engine.AddOpHook;
// all printing lives here, never in the engine.
//
//   - Stats, StatsOf, ParamStats: shape, dtype, min, max, mean, std and counts
//     of zeros, NaN and Inf, one line per tensor.
//   - Heatmap: a matrix such as attention weights as a labeled table
//     (shaded cells in a notebook), exact zeros shown as 0.
//   - Summary: each submodule's output shape and parameter count, found by
//     running a forward pass, so loops and ifs in Forward are fine.
//   - Trace and TraceOps: one row per op run inside a function; Snapshot and
//     its Changes: which variables a REPL line created or changed.
//   - Grads, GradsFrom: gradient norm, gradient-to-weight ratio, zeros and
//     NaN/Inf per parameter, with flags for missing, vanishing and exploding
//     gradients; WhyNoGrad: where the path from a loss to a tensor breaks.
//   - Graph, Dot, SaveGraph: the graph behind a tensor, drawn in the terminal
//     (repeated structure such as an unrolled RNN collapsed to "×50"), as
//     Graphviz DOT, or as an image through the dot program.
//   - DetectAnomaly: stop at the first op that produces NaN or Inf.
//   - Plot, SavePlot: loss curves in the terminal as wide as the window, or
//     as PNG or SVG with several named series, a title and axis labels (a
//     Chart); NewProgress and Track: a live progress line for training loops
//     (Track: for every epoch of a DataLoader, from its Next calls alone).
//
// Functions that compute a report return a value whose String method prints
// it (the REPL shows it; a script uses fmt.Println). Trace, Plot and
// Progress print directly, to os.Stdout unless SetOutput says otherwise.
//
//	m := nn.NewSequential([]nn.Module{nn.NewLinear(4, 8), nn.NewReLU(), nn.NewLinear(8, 1)})
//	fmt.Println(inspect.Summary(m, 32, 4)) // each layer's output shape and parameters
//	x, y := engine.Randn(32, 4), engine.Randn(32, 1)
//	var loss *engine.Tensor
//	inspect.Trace(func() { loss = nn.MSELoss(m.Forward(x), y) }) // one row per op
//	loss.Backward()
//	fmt.Println(inspect.GradsFrom(loss, m)) // gradient norms per parameter, with flags
//	fmt.Println(inspect.Graph(loss))        // the graph behind loss
//	w := engine.Randn(4, 8).SetRequiresGrad(true)
//	fmt.Println(inspect.WhyNoGrad(loss, w)) // w was never used to compute the loss
//
// Nothing here panics on a well-formed tensor. A nil tensor or module (a
// w.Grad() read before Backward, say) panics with an *engine.Error naming the
// function, which the REPL prints as an error. DetectAnomaly makes ops panic
// with an *engine.Error on purpose, and Trace passes on a panic of the
// function it runs after printing the rows up to it; Summary instead keeps
// the error of a failed forward pass in ModelSummary.Err.
package inspect
