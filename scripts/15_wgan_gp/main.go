// Lesson 15: WGAN-GP, a gradient penalty made of a gradient.
//
// A Wasserstein GAN trains a critic D to score real points high and
// generated points low; the gap between the two mean scores estimates how far
// apart the two distributions are (the Wasserstein distance), and the
// generator learns by shrinking it. The estimate only means something when D
// has slope at most 1 everywhere. WGAN-GP asks for that with a penalty: at
// random points x̂ between real and generated samples, the norm of ∇ₓD(x̂)
// should be 1, and λ·(‖∇ₓD(x̂)‖ − 1)² is added to the critic's loss.
//
// That penalty is a function of a gradient, and the critic's weights are
// trained through it: Backward has to differentiate a gradient. In dbr the
// backward pass is ordinary code running ordinary ops; engine.Grad with
// CreateGraph records those ops as it runs them, exactly as the forward pass
// is recorded, so the gradient is one more tensor with a graph behind it.
// Nothing is compiled ahead of time, and nothing special is needed for the
// second derivative: the penalty is just more forward code.
//
// The data: points on a ring of radius 2. The generator turns 2-D Gaussian
// noise into points; both networks are small MLPs trained with Adam.
//
// Try:
//
//   - Set lambda to 0: nothing holds the critic's slope now; watch the
//     gradient norm at x̂ grow and the estimate stop meaning anything.
//   - Set CreateGraph to false in penalty: the penalty becomes a constant
//     that trains nothing, and the run prints what lambda = 0 prints.
//   - Make the data eight blobs on the ring (angle rounded down to a
//     multiple of π/4 with Floor) and see how far 1000 steps get.
package main

import (
	"fmt"
	"math"

	"github.com/dbr-go/dbr/engine"
	"github.com/dbr-go/dbr/inspect"
	"github.com/dbr-go/dbr/nn"
)

const (
	batch   = 128
	noise   = 2   // size of the generator's input
	nCritic = 5   // critic steps per generator step
	lambda  = 1.0 // weight of the gradient penalty
	steps   = 1000
)

// realData draws a batch of points on the ring of radius 2, blurred by
// noise of standard deviation 0.1.
func realData(n int) *engine.Tensor {
	angle := engine.Rand(n, 1).MulScalar(2 * math.Pi)
	onRing := engine.Cat([]*engine.Tensor{angle.Cos(), angle.Sin()}, 1).MulScalar(2)
	return onRing.Add(engine.Randn(n, 2).MulScalar(0.1))
}

// mlp is Linear, ReLU, Linear, ReLU, Linear.
func mlp(in, hidden, out int) *nn.Sequential {
	return nn.NewSequential([]nn.Module{
		nn.NewLinear(in, hidden), nn.NewReLU(),
		nn.NewLinear(hidden, hidden), nn.NewReLU(),
		nn.NewLinear(hidden, out),
	})
}

// penalty returns the norm of ∇ₓD at x̂, one per row, as a tensor that
// Backward can differentiate.
func penalty(critic nn.Module, xhat *engine.Tensor) *engine.Tensor {
	// Each score depends on its own row of x̂ only, so the gradient of
	// their sum is, row by row, the gradient of each score.
	scores := critic.Forward(xhat).Sum()
	grads := engine.Grad([]*engine.Tensor{scores}, []*engine.Tensor{xhat}, engine.GradOpts{CreateGraph: true})
	return grads[0].Norm(2, 1)
}

// generate returns n generated points, computed without recording a graph.
func generate(gen nn.Module, n int) *engine.Tensor {
	var x *engine.Tensor
	engine.NoGrad(func() { x = gen.Forward(engine.Randn(n, noise)) })
	return x
}

// radius returns the mean and spread of the points' distance to the origin
// as text.
func radius(x *engine.Tensor) string {
	r := x.Norm(2, 1)
	return fmt.Sprintf("%.2f ± %.2f", r.Mean().Item(), r.Std().Item())
}

// scatter draws the points of x in the square [-3, 3]² as characters, more
// ink where more points fall.
func scatter(x *engine.Tensor) []string {
	const w, h = 31, 13
	count := make([]int, w*h)
	v := x.Float64s()
	for i := 0; i+1 < len(v); i += 2 {
		c, r := int((v[i]+3)/6*w), int((3-v[i+1])/6*h)
		if c >= 0 && c < w && r >= 0 && r < h {
			count[r*w+c]++
		}
	}
	var rows []string
	for r := 0; r < h; r++ {
		row := ""
		for c := 0; c < w; c++ {
			n := count[r*w+c]
			switch {
			case n == 0:
				row += " "
			case n < 5:
				row += "."
			case n < 20:
				row += "o"
			default:
				row += "@"
			}
		}
		rows = append(rows, row)
	}
	return rows
}

func main() {
	engine.Seed(15)
	gen := mlp(noise, 32, 2)
	critic := mlp(2, 32, 1)
	// WGAN-GP's Adam has β₁ = 0: no momentum, which a moving target
	// punishes. nn.Float(0) says "zero"; an unset field would mean
	// PyTorch's default 0.9.
	betas := nn.AdamOpts{Beta1: nn.Float(0), Beta2: nn.Float(0.9)}
	optG := nn.NewAdam(gen.Params(), 0.002, betas)
	optC := nn.NewAdam(critic.Params(), 0.002, betas)

	// What Grad returns, as torch.autograd.grad: without CreateGraph a
	// plain tensor, the end of the story; with it, a tensor computed by
	// recorded ops, which depends on the critic's weights and can go into a
	// loss like any other result.
	x := realData(4).SetRequiresGrad(true)
	for _, create := range []bool{false, true} {
		g := engine.Grad([]*engine.Tensor{critic.Forward(x).Sum()}, []*engine.Tensor{x}, engine.GradOpts{CreateGraph: create})[0]
		fmt.Printf("CreateGraph %-5v → ∇ₓD requires grad: %v\n", create, g.RequiresGrad())
	}

	// Training. Every 200 steps the lesson prints, averaged over the last
	// 10 steps, the critic's Wasserstein estimate (mean score of real
	// points minus mean score of generated ones) and the norm of ∇ₓD at the
	// x̂: the norm starts below 1, overshoots while the critic learns to
	// tell the two apart, and the penalty brings it to 1. The last column
	// is the distance of 1000 generated points to the origin: from about
	// 0.5 it moves out to the real points' 2, then wanders around it, as
	// GANs do: the two nets chase each other rather than settle.
	data := realData(1000)
	fmt.Println("real points: radius", radius(data))
	var history []float64
	sumW, sumNorm := 0.0, 0.0
	fmt.Println("step  Wasserstein estimate  ‖∇D(x̂)‖  generated radius")
	for step := 1; step <= steps; step++ {
		for k := 0; k < nCritic; k++ {
			// 1. The critic: real scores up, generated scores down, and
			// slope 1 between them. Detach keeps the generator out of it.
			realBatch := realData(batch)
			fake := gen.Forward(engine.Randn(batch, noise)).Detach()
			// x̂: a random point on the segment from each fake to its real
			// partner; a new leaf, so that Grad can differentiate by it.
			eps := engine.Rand(batch, 1)
			xhat := eps.Mul(realBatch).Add(eps.Neg().AddScalar(1).Mul(fake)).SetRequiresGrad(true)
			norm := penalty(critic, xhat)
			w := critic.Forward(realBatch).Mean().Sub(critic.Forward(fake).Mean())
			lossC := w.Neg().Add(norm.SubScalar(1).Square().Mean().MulScalar(lambda))
			optC.ZeroGrad()
			// Backward walks the graph that Grad recorded too: through
			// ∇ₓD it reaches the critic's weights (second derivatives of
			// D), with no extra code.
			lossC.Backward()
			optC.Step()
			sumW += w.Item() / nCritic
			sumNorm += norm.Mean().Item() / nCritic
		}

		// 2. The generator: raise the critic's score of its samples. The
		// critic's weights get gradients too; optC.ZeroGrad clears them
		// before the critic's next step.
		lossG := critic.Forward(gen.Forward(engine.Randn(batch, noise))).Mean().Neg()
		optG.ZeroGrad()
		lossG.Backward()
		optG.Step()

		if step%10 == 0 {
			history = append(history, sumW/10)
			if step == 10 || step%200 == 0 {
				fmt.Printf("%4d  %20.3f  %8.3f  %16s\n", step, sumW/10, sumNorm/10, radius(generate(gen, 1000)))
			}
			sumW, sumNorm = 0, 0
		}
	}

	// The critic first learns to tell the two apart (the estimate rises),
	// then the generator closes the gap (it falls toward 0). The estimate
	// is a lower bound: the best critic of slope 1 would measure the whole
	// distance, a small one sees only part of it. So it nears 0 while the
	// generated ring is still blurrier than the real one.
	fmt.Println("Wasserstein estimate, mean of each 10 steps (x axis: step/10):")
	inspect.Plot(history)

	// The real points and 1000 generated ones, drawn (. for 1 to 4 points,
	// o up to 19, @ more).
	left, right := scatter(data), scatter(generate(gen, 1000))
	fmt.Printf("%-31s   %s\n", "real", "generated")
	for i := 0; i < len(left); i++ {
		fmt.Println(left[i] + " | " + right[i])
	}
}

// Output:
// CreateGraph false → ∇ₓD requires grad: false
// CreateGraph true  → ∇ₓD requires grad: true
// real points: radius 2.00 ± 0.10
// step  Wasserstein estimate  ‖∇D(x̂)‖  generated radius
//   10                 0.937     0.742       0.50 ± 0.14
//  200                 0.195     1.072       1.85 ± 0.35
//  400                 0.046     1.018       1.98 ± 0.29
//  600                 0.034     1.011       1.92 ± 0.24
//  800                 0.011     1.006       2.07 ± 0.22
// 1000                 0.002     0.998       1.85 ± 0.15
// Wasserstein estimate, mean of each 10 steps (x axis: step/10):
//    2.756 ┤ ⡷⡀
//          │⢀⠇⡇
//          │⢸ ⡇
//          │⢸ ⢸
//          │⢸ ⢸
//          │⢸  ⡇
//          │⠜  ⡇
//          │   ⢸   ⣀
//          │   ⢸⢀⠔⠉ ⠉⠒⠤⢄
// 0.002455 ┤    ⠁       ⠉⠉⠒⠒⠢⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⣀⢄⣀⣀⣀⢄⣀⠤⣀⣀⣀⣀⣀⣀⣀⣀⣀⣀⣀⣀⣀⣀⣀⣀⣀⣀⣀⣀⣀⣀⣀⣀⣀⣀⣀
//          └──────────────────────────────────────────────────────────────────────
//           0                                                                   99
// real                              generated
//                                 |
//              ......             |               .
//         .o@ooooooo@oooo.        |           .o@oooooooo.
//       oooo..        .o@oo       |        .oooo .  .. .o@o.
//      o@o.             .ooo.     |       @o.          ....o@.
//     o@.                 o@.     |      @o.   ..     .    o@o
//    .o@.                  @o     |      @o.            .  .@@
//     o@.                 o@o     |      @o .      ..     .o@.
//     .o@o               o@o      |      .@o.  .     ... .o@o
//       oooo ..    . ..oooo       |        o@o... . ...oooo.
//        ..oo@oooooooo@oo         |           oooooooooo.
//               ... .             |
//                                 |
