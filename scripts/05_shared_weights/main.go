// Lesson 5: shared weights.
//
// A triplet network learns an embedding where points of the same class are
// close and points of different classes are far apart. It has one encoder,
// applied three times: to an anchor, to a positive (same class) and to a
// negative (another class). In define-by-run there is nothing to declare:
// using the same variable three times is the sharing, and Backward adds the
// gradient from every use into the one set of weights.
//
// Try:
//
//   - Set the margin to 0.2, then to 5: what happens to the loss and to the accuracy?
//   - Use a separate encoder for the negatives: what does nn.Params list then?
package main

import (
	"fmt"

	"github.com/dbr-go/dbr/engine"
	"github.com/dbr-go/dbr/nn"
)

const (
	classes = 4
	dims    = 8
)

// sample draws n points of the given classes around the class centers.
func sample(centers *engine.Tensor, labels []int) *engine.Tensor {
	return centers.IndexSelect(0, labels).Add(engine.Randn(len(labels), dims))
}

// triplets draws n (anchor, positive, negative) class triples.
func triplets(n int) ([]int, []int, []int) {
	var a, p, neg []int
	for i := 0; i < n; i++ {
		c := engine.RandInt(classes)
		a = append(a, c)
		p = append(p, c)
		neg = append(neg, (c+1+engine.RandInt(classes-1))%classes)
	}
	return a, p, neg
}

// satisfied is the fraction of triplets whose anchor is closer to the
// positive than to the negative.
func satisfied(enc nn.Module, centers *engine.Tensor, n int) float64 {
	var frac float64
	engine.NoGrad(func() {
		la, lp, ln := triplets(n)
		a := enc.Forward(sample(centers, la))
		p := enc.Forward(sample(centers, lp))
		neg := enc.Forward(sample(centers, ln))
		dp := a.Sub(p).Square().Sum(1)
		dn := a.Sub(neg).Square().Sum(1)
		frac = dp.Lt(dn).Mean().Item()
	})
	return frac
}

func main() {
	engine.Seed(5)
	centers := engine.Randn(classes, dims).MulScalar(1.5)

	// The encoder: 8 numbers in, a 2-D embedding out.
	first := nn.NewLinear(dims, 32)
	enc := nn.NewSequential([]nn.Module{first, nn.NewReLU(), nn.NewLinear(32, 2)})

	// Listing the encoder once per use still gives each tensor once:
	// nn.Params drops repeated tensors, so the optimizer updates each once.
	all := nn.Params(nn.Sub("enc", enc), nn.Sub("enc", enc), nn.Sub("enc", enc))
	for _, p := range all {
		fmt.Println(p.Name, p.Tensor.Shape())
	}

	// One backward through all three uses gives the same gradient as three
	// backwards that each let only one use through (the other two detached):
	// the gradient of a shared weight is the sum of its uses' contributions.
	la, lp, ln := triplets(16)
	xa, xp, xn := sample(centers, la), sample(centers, lp), sample(centers, ln)
	w := first.Weight // the first layer's weight

	nn.TripletMarginLoss(enc.Forward(xa), enc.Forward(xp), enc.Forward(xn), 1).Backward()
	together := w.Grad().MulScalar(1) // a copy: ZeroGrad clears Grad in place
	w.ZeroGrad()
	for use := 0; use < 3; use++ {
		es := []*engine.Tensor{enc.Forward(xa), enc.Forward(xp), enc.Forward(xn)}
		for j := 0; j < 3; j++ {
			if j != use {
				es[j] = es[j].Detach()
			}
		}
		nn.TripletMarginLoss(es[0], es[1], es[2], 1).Backward() // accumulates
	}
	diff := together.Sub(w.Grad()).Abs().Max().Item()
	fmt.Println("one backward = sum of three:", diff < 1e-5)

	// Train.
	fmt.Printf("triplets satisfied before training: %.2f\n", satisfied(enc, centers, 400))
	opt := nn.NewAdam(enc.Params(), 0.01, nn.AdamOpts{})
	sum := 0.0
	for step := 1; step <= 200; step++ {
		la, lp, ln := triplets(32)
		a := enc.Forward(sample(centers, la)) // the same encoder ...
		p := enc.Forward(sample(centers, lp)) // ... used ...
		n := enc.Forward(sample(centers, ln)) // ... three times
		loss := nn.TripletMarginLoss(a, p, n, 1)
		opt.ZeroGrad()
		loss.Backward()
		opt.Step()
		sum += loss.Item()
		if step%50 == 0 {
			fmt.Printf("steps %3d-%3d: mean loss %.4f\n", step-49, step, sum/50)
			sum = 0
		}
	}
	fmt.Printf("triplets satisfied after training: %.2f\n", satisfied(enc, centers, 400))
}

// Output:
// enc.0.weight [32 8]
// enc.0.bias [32]
// enc.2.weight [2 32]
// enc.2.bias [2]
// one backward = sum of three: true
// triplets satisfied before training: 0.82
// steps   1- 50: mean loss 0.1582
// steps  51-100: mean loss 0.1050
// steps 101-150: mean loss 0.0962
// steps 151-200: mean loss 0.0960
// triplets satisfied after training: 0.96
