// Lesson 6: a tiny GAN.
//
// Two networks play a game. The generator turns random noise into numbers;
// the discriminator tries to tell them from real data (here: numbers drawn
// from a Gaussian with mean 3 and standard deviation 0.5). Each has its own
// optimizer, and the training loop alternates between them. Detach decides
// which network a loss trains.
//
// Try:
//
//   - Remove .Detach() in the discriminator step: what does the first check print now?
//   - Make the real data N(-2, 1) and see whether the generator follows.
package main

import (
	"fmt"

	"github.com/dbr-go/dbr/engine"
	"github.com/dbr-go/dbr/nn"
)

const (
	batch = 64
	noise = 4
)

// realData draws a batch of real data: N(3, 0.5²).
func realData() *engine.Tensor {
	return engine.Randn(batch, 1).MulScalar(0.5).AddScalar(3)
}

// describe prints the mean and standard deviation of 1000 generated numbers.
func describe(label string, gen nn.Module) {
	engine.NoGrad(func() {
		x := gen.Forward(engine.Randn(1000, noise))
		fmt.Printf("%-16s generated mean %.2f, std %.2f\n", label, x.Mean().Item(), x.Std().Item())
	})
}

func main() {
	engine.Seed(6)

	gen := nn.NewSequential([]nn.Module{
		nn.NewLinear(noise, 32), nn.NewTanh(), nn.NewLinear(32, 1),
	})
	disc := nn.NewSequential([]nn.Module{
		nn.NewLinear(1, 32), nn.NewLeakyReLU(0.2),
		nn.NewLinear(32, 32), nn.NewLeakyReLU(0.2),
		nn.NewLinear(32, 1), // a logit: > 0 means "real"
	})
	optG := nn.NewAdam(gen.Params(), 0.002, nn.AdamOpts{Beta1: nn.Float(0.5)})
	optD := nn.NewAdam(disc.Params(), 0.002, nn.AdamOpts{Beta1: nn.Float(0.5)})
	ones, zeros := engine.Ones(batch, 1), engine.Zeros(batch, 1)

	describe("before training:", gen)
	for step := 1; step <= 800; step++ {
		// 1. Train the discriminator: real data → 1, generated data → 0.
		// fake.Detach() cuts the generator out of this loss: the
		// discriminator's step must not compute gradients for it.
		fake := gen.Forward(engine.Randn(batch, noise))
		lossD := nn.BCEWithLogitsLoss(disc.Forward(realData()), ones).
			Add(nn.BCEWithLogitsLoss(disc.Forward(fake.Detach()), zeros))
		optD.ZeroGrad()
		lossD.Backward()
		optD.Step()
		if step == 1 {
			fmt.Println("the generator got a gradient from the discriminator's loss:",
				gen.Params()[0].Tensor.Grad() != nil)
		}

		// 2. Train the generator: make the discriminator say 1 for fakes.
		// This time no Detach: the gradient flows through the
		// discriminator into the generator. The discriminator's weights
		// get gradients too, but only optG steps, and optD.ZeroGrad clears
		// them before the discriminator's next step.
		lossG := nn.BCEWithLogitsLoss(disc.Forward(fake), ones)
		optG.ZeroGrad()
		lossG.Backward()
		optG.Step()

		if step%200 == 0 {
			describe(fmt.Sprintf("after step %d:", step), gen)
		}
	}
	fmt.Println("real data:       mean 3.00, std 0.50")
}

// Output:
// before training: generated mean -0.32, std 0.16
// the generator got a gradient from the discriminator's loss: false
// after step 200:  generated mean 2.56, std 0.17
// after step 400:  generated mean 3.02, std 0.57
// after step 600:  generated mean 2.98, std 0.47
// after step 800:  generated mean 3.03, std 0.50
// real data:       mean 3.00, std 0.50
