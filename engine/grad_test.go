package engine

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// grad1 is the first derivative of y with respect to x, recorded.
func grad1(y, x *Tensor) *Tensor {
	return Grad([]*Tensor{y}, []*Tensor{x}, GradOpts{CreateGraph: true})[0]
}

// penalty is a WGAN-GP gradient penalty of a two-layer critic at x, as
// torchref_grad.py computes it.
func penalty(x []*Tensor, act func(*Tensor) *Tensor) *Tensor {
	w1, b1, w2, b2, in := x[0], x[1], x[2], x[3], x[4]
	d := Linear(act(Linear(in, w1, b1)), w2, b2)
	g := grad1(d.Sum(), in)
	return g.Norm(2, 1).SubScalar(1).Square().Mean()
}

// convPenalty is penalty for a convolutional critic (Conv2d, act, flatten,
// Linear), as torchref_grad.py's conv_penalty.
func convPenalty(x []*Tensor, act func(*Tensor) *Tensor, o ConvOpts) *Tensor {
	w1, b1, w2, b2, in := x[0], x[1], x[2], x[3], x[4]
	h := act(Conv2d(in, w1, b1, o))
	d := Linear(h.Reshape(h.shape[0], -1), w2, b2)
	g := grad1(d.Sum(), in)
	return g.Reshape(g.shape[0], -1).Norm(2, 1).SubScalar(1).Square().Mean()
}

// gradRows are functions built from first derivatives (Grad with
// CreateGraph); their gradients are second derivatives.
func gradRows() []opSpec {
	Seed(21)
	second := func(f func(*Tensor) *Tensor) func([]*Tensor) *Tensor {
		// Σ u·∂(Σ w·f(x))/∂x for fixed random u and w
		return func(x []*Tensor) *Tensor {
			y := f(x[0])
			w := randNormal(rand.New(rand.NewPCG(1, 2)), y.shape).To(y.dtype)
			g := grad1(y.Mul(w).Sum(), x[0])
			u := randNormal(rand.New(rand.NewPCG(3, 4)), g.shape).To(g.dtype)
			return g.Mul(u).Sum()
		}
	}
	return []opSpec{
		{name: "WGAN-GP/leaky", torch: true, f: func(x []*Tensor) *Tensor {
			return penalty(x, func(h *Tensor) *Tensor { return h.LeakyReLU(0.2) })
		}},
		{name: "WGAN-GP/tanh-sigmoid-relu", torch: true, f: func(x []*Tensor) *Tensor {
			return penalty(x, func(h *Tensor) *Tensor { return h.Tanh().MulScalar(2).Add(h.ReLU()).Sigmoid() })
		}},
		{name: "WGAN-GP/gelu", torch: true, f: func(x []*Tensor) *Tensor { return penalty(x, (*Tensor).GELU) }},
		{name: "WGAN-GP/conv", torch: true, f: func(x []*Tensor) *Tensor {
			return convPenalty(x, func(h *Tensor) *Tensor { return h.LeakyReLU(0.2) }, ConvOpts{Stride: 2, Padding: 1})
		}},
		// the last input row is beyond the stride's reach: its gradient is 0
		{name: "WGAN-GP/conv-groups", torch: true, f: func(x []*Tensor) *Tensor {
			return convPenalty(x, (*Tensor).Tanh, ConvOpts{StrideHW: [2]int{2, 1}, PaddingHW: [2]int{1, 0}, Dilation: 2, Groups: 2})
		}},
		// the Hessian-vector product of a classifier's loss in its weights
		// (as MAML and influence functions take it)
		{name: "HVP/CrossEntropy", torch: true, f: func(x []*Tensor) *Tensor {
			w, in, v := x[0], x[1], x[2]
			loss := CrossEntropy(in.MatMul(w).Tanh().MatMul(w.T()).LogSoftmax(1).MulScalar(3), []int{1, 0, 3, 3, 2}).Mean()
			return grad1(grad1(loss, w).Mul(v).Sum(), w)
		}},
		// a penalty through causal self-attention and a log-softmax (a + a
		// style sums of a shared gradient: Backward once added into one in place)
		{name: "WGAN-GP/attention", torch: true, f: func(x []*Tensor) *Tensor {
			wq, wk, wv, in := x[0], x[1], x[2], x[3]
			a := ScaledDotProductAttention(in.MatMul(wq), in.MatMul(wk), in.MatMul(wv), AttentionOpts{Causal: true})
			g := grad1(a.LogSoftmax(-1).Mul(a).Sum().Add(a.Tanh().Sum()), in)
			return g.Reshape(g.shape[0], -1).Norm(2, 1).SubScalar(1).Square().Mean()
		}},
		{name: "HVP", torch: true, f: func(x []*Tensor) *Tensor {
			a, in, v := x[0], x[1], x[2]
			f := in.MatMul(a).Tanh().Mul(in.Sigmoid()).Sum().Add(in.Square().Sum().DivScalar(3)).Add(in.Exp().Sum())
			return grad1(grad1(f, in).Mul(v).Sum(), in)
		}},
		{name: "second/Mul-Div-Sub", f: func(x []*Tensor) *Tensor {
			g := grad1(x[0].Mul(x[1]).Div(x[1].AddScalar(3)).Sub(x[0].Square()).Sum(), x[0])
			return g.Mul(x[1]).Sum()
		}, inputs: []*Tensor{Randn(2, 3), positive(3)}},
		{name: "second/MatMul-batch", f: func(x []*Tensor) *Tensor {
			g := Grad([]*Tensor{x[0].MatMul(x[1]).Tanh().Sum()}, []*Tensor{x[0], x[1]}, GradOpts{CreateGraph: true})
			return g[0].Square().Sum().Add(g[1].Sin().Sum())
		}, inputs: []*Tensor{Randn(2, 3, 4), Randn(4, 2)}},
		{name: "second/Linear-3d", f: func(x []*Tensor) *Tensor {
			g := Grad([]*Tensor{Linear(x[0], x[1], x[2]).Sigmoid().Sum()}, []*Tensor{x[0], x[1], x[2]}, GradOpts{CreateGraph: true})
			return g[0].Square().Sum().Add(g[1].Exp().Sum()).Add(g[2].Square().Sum())
		}, inputs: []*Tensor{Randn(2, 3, 4), Randn(5, 4), Randn(5)}},
		{name: "second/Exp-Log-Sqrt-Pow", f: second(func(a *Tensor) *Tensor {
			return a.Exp().Add(a.Log()).Add(a.Sqrt()).Add(a.PowScalar(2.5)).Add(a.Pow(a.Cos().AddScalar(2)))
		}), inputs: []*Tensor{positive(2, 3)}},
		{name: "second/Sin-Cos-Neg-Scalars", f: second(func(a *Tensor) *Tensor {
			return a.Sin().Mul(a.Cos().Neg()).MulScalar(1.5).AddScalar(2).SubScalar(1).DivScalar(4).Add(a.Log1p())
		}), inputs: []*Tensor{positive(3, 2)}},
		{name: "second/activations", f: second(func(a *Tensor) *Tensor {
			return a.SiLU().Add(a.Softplus(1, 20)).Add(a.ELU(0.7)).Add(a.Tanh().Square()).Add(a.Sigmoid()).Mul(a.LeakyReLU(0.1)).Add(a.ReLU().Square()).Add(a.GELU().Exp())
		}), inputs: []*Tensor{awayFrom(0.1, 3, 4)}},
		{name: "second/AttentionWeights", f: func(x []*Tensor) *Tensor {
			g := Grad([]*Tensor{AttentionWeights(x[0], x[1], AttentionOpts{}).Tanh().Sum()}, []*Tensor{x[0], x[1]}, GradOpts{CreateGraph: true})
			return g[0].Square().Sum().Add(g[1].Sin().Sum())
		}, inputs: []*Tensor{Randn(2, 3, 4), Randn(2, 5, 4)}},
		// the heads read in place (AttentionScores, ApplyAttention)
		{name: "second/attention-heads", f: func(x []*Tensor) *Tensor {
			out := ScaledDotProductAttention(x[0], x[1], x[2], AttentionOpts{Heads: 2})
			g := Grad([]*Tensor{out.Tanh().Sum()}, []*Tensor{x[0], x[1], x[2]}, GradOpts{CreateGraph: true})
			return g[0].Square().Sum().Add(g[1].Sin().Sum()).Add(g[2].Square().Sum())
		}, inputs: []*Tensor{Randn(3, 2, 4), Randn(5, 2, 4), Randn(5, 2, 6)}},
		{name: "second/LayerNorm", f: func(x []*Tensor) *Tensor {
			g := Grad([]*Tensor{LayerNorm(x[0], []int{4}, x[1], x[2], 1e-5).Tanh().Sum()}, []*Tensor{x[0], x[1], x[2]}, GradOpts{CreateGraph: true})
			return g[0].Square().Sum().Add(g[1].Sin().Sum()).Add(g[2].Square().Sum())
		}, inputs: []*Tensor{Randn(3, 4), Randn(4), Randn(4)}},
		{name: "second/Abs-Clamp-Maximum", f: second(func(a *Tensor) *Tensor {
			return a.Abs().Square().Add(a.Clamp(-0.5, 0.5).Mul(a)).Add(a.Maximum(a.Sin().MulScalar(0.5)).Square())
		}), inputs: []*Tensor{New64([]float64{-2, -0.8, -0.3, 0.25, 0.4, 0.69, 0.9, 3}, 2, 4)}},
		{name: "second/broadcast-Where", f: func(x []*Tensor) *Tensor {
			y := Where(x[0].GtScalar(0), x[0].Mul(x[1]), x[1].Exp()).Add(x[1].Square())
			g := Grad([]*Tensor{y.Sum()}, []*Tensor{x[0], x[1]}, GradOpts{CreateGraph: true})
			return g[0].Square().Sum().Add(g[1].Square().Sum())
		}, inputs: []*Tensor{awayFrom(0.1, 2, 3), Randn(3)}},
		{name: "second/reductions-shapes", f: second(func(a *Tensor) *Tensor {
			s := a.Permute(1, 0).Reshape(6).Expand(2, 6).Sum(0).Square().Sum()
			return a.Mean(0).Square().Sum().Add(a.LogSumExp(1).Sum()).Add(s).Add(a.Clone().Tanh().Sum())
		}), inputs: []*Tensor{Randn(2, 3)}},
		{name: "second/Var-Std", f: second(func(a *Tensor) *Tensor {
			return a.Var(1).Square().Add(a.Std(0).Exp().Sum()).Add(a.VarKeep(0).Mul(a).Sum()).Add(a.Std().Square())
		}), inputs: []*Tensor{Randn(3, 4)}},
		{name: "second/Norm", f: second(func(a *Tensor) *Tensor {
			return a.Norm(2, 1).Square().Add(a.Norm(2).Tanh()).Add(a.Norm(1, 0).Sum().Square()).Add(a.Norm(math.Inf(1), 1).Square())
		}), inputs: []*Tensor{noTies(3, 4).SubScalar(0.5)}},
		{name: "second/Norm-p", f: second(func(a *Tensor) *Tensor {
			return a.Norm(3, 1).Square().Add(a.Norm(1.5).Tanh()).Add(a.Norm(0.5, 0).Square().Sum()).Add(a.Norm(-1.5, 1).Exp())
		}), inputs: []*Tensor{awayFrom(0.1, 3, 4)}},
		{name: "second/Einsum-CumSum-Repeat", f: func(x []*Tensor) *Tensor {
			y := Einsum("bqd,bkd->bqk", x[0], x[1]).Tanh().CumSum(2).Repeat(1, 2, 1).Sum()
			g := Grad([]*Tensor{y}, []*Tensor{x[0], x[1]}, GradOpts{CreateGraph: true})
			return g[0].Square().Sum().Add(g[1].Sin().Sum())
		}, inputs: []*Tensor{Randn(2, 3, 4), Randn(2, 2, 4)}},
		// second derivatives through both recorded gradients of Conv2d (∂x
		// and ∂w), two layers deep, grouped and strided
		{name: "second/Conv2d-input-weights", f: func(x []*Tensor) *Tensor {
			h := Conv2d(x[0], x[1], nil, ConvOpts{Stride: 2, Dilation: 2}).Sigmoid()
			y := Conv2d(h, x[2], x[3], ConvOpts{Padding: 1, Groups: 2}).Tanh().Sum()
			g := Grad([]*Tensor{y}, []*Tensor{x[0], x[1], x[2], x[3]}, GradOpts{CreateGraph: true})
			return g[0].Square().Sum().Add(g[1].Sin().Sum()).Add(g[2].Square().Sum()).Add(g[3].Exp().Sum())
		}, inputs: []*Tensor{Randn(2, 2, 7, 6), Randn(4, 2, 2, 2), Randn(2, 2, 3, 3), Randn(2)}},
		// a Hessian-vector product through two convolutions, differentiated
		// once more: third derivatives through conv2dInputGrad and
		// conv2dWeightGrad
		{name: "third/Conv2d-HVP", f: func(x []*Tensor) *Tensor {
			in, w1, w2, v := x[0], x[1], x[2], x[3]
			f := Conv2d(Conv2d(in, w1, nil, ConvOpts{Stride: 2, Padding: 1}).Tanh(), w2, nil, ConvOpts{Dilation: 2}).Sigmoid().Sum()
			return grad1(grad1(f, in).Mul(v).Sum(), in)
		}, inputs: []*Tensor{Randn(2, 2, 6, 6), Randn(3, 2, 3, 3), Randn(2, 3, 2, 2), Randn(2, 2, 6, 6)}},
		// float32 rows (the kernels' vector loops) and the scalar loops
		// (float64, a dim that is not the last)
		{name: "second/Softmax-LogSoftmax", f: second(func(a *Tensor) *Tensor {
			return a.Softmax(1).Mul(a).Add(a.LogSoftmax(1).Square()).Add(a.Softmax(0).Sin()).Add(a.LogSoftmax(0).Mul(a.Tanh()))
		}), inputs: []*Tensor{Randn(3, 4)}},
		{name: "second/attention", f: func(x []*Tensor) *Tensor {
			y := ScaledDotProductAttention(x[0], x[1], x[2], AttentionOpts{Causal: true}).Tanh().Sum()
			g := Grad([]*Tensor{y}, []*Tensor{x[0], x[1], x[2]}, GradOpts{CreateGraph: true})
			return g[0].Square().Sum().Add(g[1].Sin().Sum()).Add(g[2].Mul(x[2]).Sum())
		}, inputs: []*Tensor{Randn(2, 3, 4), Randn(2, 3, 4), Randn(2, 3, 2)}},
		{name: "second/CrossEntropy", f: func(x []*Tensor) *Tensor {
			loss := CrossEntropy(x[0].MatMul(x[1]).Tanh().MulScalar(2), []int{2, 0, 1, 2}).Mul(x[2]).Sum()
			g := Grad([]*Tensor{loss}, []*Tensor{x[0], x[1]}, GradOpts{CreateGraph: true})
			return g[0].Square().Sum().Add(g[1].Sin().Sum())
		}, inputs: []*Tensor{Randn(4, 5), Randn(5, 3), positive(4)}},
		// the pieces of a tensor, padded and joined again
		{name: "second/Narrow-Select-Chunk-Pad-Cat", f: func(x []*Tensor) *Tensor {
			p := x[0].Chunk(2, 1)
			y := Cat([]*Tensor{p[0].Tanh(), x[1].Pad([]int{1, -1, 0, 0}, 0.5).Mul(p[1])}, 0)
			y = Stack([]*Tensor{y.Narrow(1, 1, 2).Sin(), y.Slice(1, 0, 2)}, 2).Square().Add(y.Select(0, -1).Exp().Sum())
			g := Grad([]*Tensor{y.Mul(y.Split(1, 0)[1].Sum()).Sum()}, []*Tensor{x[0], x[1]}, GradOpts{CreateGraph: true})
			return g[0].Square().Sum().Add(g[1].Sin().Sum())
		}, inputs: []*Tensor{Randn(2, 6), Randn(2, 3)}},
		{name: "third/Narrow-Pad-Cat-HVP", f: func(x []*Tensor) *Tensor {
			in, v := x[0], x[1]
			f := Cat([]*Tensor{in.Narrow(1, 1, 2).Tanh(), in.Pad([]int{-1, 0}, 0).Sigmoid()}, 0).Square().Mul(in.Select(1, 0).Unsqueeze(1).Repeat(2, 1)).Sum()
			return grad1(grad1(f, in).Mul(v).Sum(), in)
		}, inputs: []*Tensor{Randn(2, 3), Randn(2, 3)}},
		// a convolutional critic with pooling: second derivatives through
		// MaxPool2d's and AvgPool2d's recorded gradients, and a third
		// through an HVP
		{name: "second/MaxPool2d-AvgPool2d", f: func(x []*Tensor) *Tensor {
			h := MaxPool2d(Conv2d(x[0], x[1], nil, ConvOpts{Padding: 1}).Tanh(), 3, 2, 1)
			y := AvgPool2d(h.Sigmoid(), 2, 1, 1).Square().Sum()
			g := Grad([]*Tensor{y}, []*Tensor{x[0], x[1]}, GradOpts{CreateGraph: true})
			return g[0].Square().Sum().Add(g[1].Sin().Sum())
		}, inputs: []*Tensor{Randn(2, 1, 5, 6), Randn(2, 1, 2, 2)}},
		{name: "third/pooling-HVP", f: func(x []*Tensor) *Tensor {
			in, v := x[0], x[1]
			f := AvgPool2d(MaxPool2d(in.Tanh(), 2, 1, 0).Square(), 2, 1, 1).Exp().Sum()
			return grad1(grad1(f, in).Mul(v).Sum(), in)
		}, inputs: []*Tensor{Randn(1, 2, 4, 4), Randn(1, 2, 4, 4)}},
		// an embedding lookup (IndexSelect) and Gather, repeated indices
		// included, twice and three times differentiated
		{name: "second/IndexSelect-Gather", f: second(func(a *Tensor) *Tensor {
			idx := New([]float32{0, 1, 3, 2, 2, 0, 3, 1, 1}, 3, 3)
			return a.IndexSelect(1, []int{2, 0, 2}).Square().Mul(a.Gather(1, idx).Sin())
		}), inputs: []*Tensor{Randn(3, 4)}},
		{name: "third/IndexSelect-Gather-HVP", f: func(x []*Tensor) *Tensor {
			in, v := x[0], x[1]
			f := in.IndexSelect(0, []int{1, 1, 0}).Tanh().Mul(in.Gather(1, New([]float32{2, 0, 0, 1, 2, 2}, 2, 3)).Repeat(2, 1).Narrow(0, 0, 3)).Exp().Sum()
			return grad1(grad1(f, in).Mul(v).Sum(), in)
		}, inputs: []*Tensor{Randn(2, 3), Randn(2, 3)}},
		// the first extreme of each slice (one dim) and the extreme of all
		{name: "second/Max-Min", f: second(func(a *Tensor) *Tensor {
			return a.MaxKeep(1).Mul(a).Add(a.Min(0).Exp().Sum()).Add(a.Max().Square()).Add(a.MinKeep(0, 1).Mul(a.Sin()))
		}), inputs: []*Tensor{noTies(3, 4).SubScalar(0.5)}},
		{name: "second/Dropout", f: second(func(a *Tensor) *Tensor {
			Seed(7) // the same mask at every evaluation
			return a.Dropout(0.4, true).Tanh().Mul(a)
		}), inputs: []*Tensor{Randn(3, 4)}},
		{name: "second/Tril-MaskedFill", f: second(func(a *Tensor) *Tensor {
			return a.Tril(0).Square().Add(a.Triu(1).Exp()).MaskedFill(Ones(3, 3).Triu(2), 0).Mul(a)
		}), inputs: []*Tensor{Randn(3, 3)}},
	}
}

// TestSecondOrder checks gradRows against PyTorch and checks the gradients of
// each (second derivatives, computed by Backward through a graph that Grad
// recorded) against central differences of the function, which is itself
// made of first derivatives, in float64.
func TestSecondOrder(t *testing.T) {
	cases := map[string]*torchCase{}
	for _, c := range loadTorchCases(t, "grad") {
		cases[c.Name] = &c
	}
	for _, s := range gradRows() {
		t.Run(s.name, func(t *testing.T) {
			xs := s.inputs
			if s.torch {
				c := cases[s.name]
				if c == nil {
					t.Fatalf("no reference %q in testdata/torchref_grad.json", s.name)
				}
				delete(cases, s.name)
				checkTorchCase(t, s, c, Float64, 1e-9)
				checkTorchCase(t, s, c, Float32, 2e-5)
				for _, in := range c.Inputs {
					xs = append(xs, in.tensor())
				}
			}
			checkSecondOrder(t, s.f, xs)
		})
	}
	for name := range cases {
		t.Errorf("reference %q of testdata/torchref_grad.json is checked by no row", name)
	}
}

// checkSecondOrder is GradCheck for a function that calls Grad (GradCheck
// evaluates f under NoGrad, where Grad has no graph to walk): Backward from a
// random upstream gradient into pre-filled gradients against central
// differences of Σ f·u, element by element, in float64.
func checkSecondOrder(t *testing.T, f func([]*Tensor) *Tensor, xs []*Tensor) {
	t.Helper()
	r := rand.New(rand.NewPCG(5, 6))
	req := make([]bool, len(xs))
	for i := range req {
		req[i] = true
	}
	cs := copies(xs, Float64, req)
	pre := make([]*Tensor, len(cs))
	for i, c := range cs {
		pre[i] = randNormal(r, c.shape)
		c.grad = pre[i].clone()
	}
	y := f(cs)
	u := randNormal(r, y.shape)
	y.BackwardWith(u)
	loss := func() float64 {
		s := 0.0
		for i, v := range f(cs).f64 {
			s += v * u.f64[i]
		}
		return s
	}
	const eps = 1e-6
	checked := 0
	for i, c := range cs {
		for j := range c.f64 {
			analytic := c.grad.f64[j] - pre[i].f64[j]
			v := c.f64[j]
			c.f64[j] = v + eps
			lp := loss()
			c.f64[j] = v - eps
			lm := loss()
			c.f64[j] = v
			numeric := (lp - lm) / (2 * eps)
			if !(math.Abs(analytic-numeric) <= 1e-5+1e-4*math.Abs(numeric)) {
				t.Errorf("input %d element %d: gradient %v, finite differences %v", i, j, analytic, numeric)
			}
			checked++
		}
	}
	if checked == 0 {
		t.Error("no element compared")
	}
}

// TestNotTwice: a gradient through an op whose backward is not built from
// recorded ops refuses to be differentiated again, naming the op, instead of
// giving a wrong second derivative. Every differentiable op of the engine
// can be differentiated twice; GELU's derivative, geluGrad, is the op whose
// gradient (GELU's third derivative) refuses.
func TestNotTwice(t *testing.T) {
	for _, c := range []struct {
		op string
		f  func(x *Tensor) *Tensor
	}{
		// GELU's second derivative is recorded, its third is not
		{"geluGrad", func(x *Tensor) *Tensor { return grad1(x.GELU().Square().Sum(), x) }},
	} {
		x := Randn(2, 3).SetRequiresGrad(true)
		g := grad1(c.f(x).Sum(), x)
		if !g.RequiresGrad() {
			t.Errorf("%s: the gradient does not require grad", c.op)
			continue
		}
		err := Try(func() { g.Square().Sum().Backward() })
		if err == nil || !strings.Contains(err.Error(), c.op+": its backward is not differentiable") {
			t.Errorf("%s: Backward through the gradient gave %v", c.op, err)
		}
		// the first derivative itself is right
		var want *Tensor
		x2 := x.Detach().clone().SetRequiresGrad(true)
		c.f(x2).Sum().Backward()
		want = x2.Grad()
		assertClose(t, c.op+" first derivative", g, want, 1e-6)
	}
}

func TestGradLeavesGradAlone(t *testing.T) {
	x := Randn(3, 4).SetRequiresGrad(true)
	w := Randn(2, 4).SetRequiresGrad(true)
	w.SetGrad(Ones(2, 4)) // Linear's backward would add into an existing Grad
	y := Linear(x, w, nil).Tanh().Sum()
	gs := Grad([]*Tensor{y}, []*Tensor{w, x}, GradOpts{})
	if x.Grad() != nil {
		t.Error("Grad set x.Grad")
	}
	assertClose(t, "w.Grad unchanged", w.Grad(), Ones(2, 4), 0)
	if gs[0].RequiresGrad() || gs[1].RequiresGrad() {
		t.Error("without CreateGraph the gradients require grad")
	}
	y.Backward()
	assertClose(t, "Grad vs Backward (w)", gs[0], w.Grad().SubScalar(1), 1e-6)
	assertClose(t, "Grad vs Backward (x)", gs[1], x.Grad(), 1e-6)
}

func TestGradOptions(t *testing.T) {
	x := Randn(3).SetRequiresGrad(true)
	z := Randn(3).SetRequiresGrad(true)
	y := x.Square()
	// GradOutputs and an intermediate input
	u := New([]float32{1, 2, 3})
	gs := Grad([]*Tensor{y}, []*Tensor{x, y}, GradOpts{GradOutputs: []*Tensor{u}})
	assertClose(t, "∂x", gs[0], x.Detach().MulScalar(2).Mul(u), 1e-6)
	assertClose(t, "∂y", gs[1], u, 0)
	// two outputs add up
	gs = Grad([]*Tensor{x.Sum(), x.MulScalar(3).Sum()}, []*Tensor{x}, GradOpts{})
	assertClose(t, "two outputs", gs[0], Full(4, 3), 0)
	gs = Grad([]*Tensor{x.Sum()}, []*Tensor{x, z}, GradOpts{AllowUnused: true})
	if gs[1] != nil {
		t.Error("AllowUnused: an unused input got a gradient")
	}
	checkErrors(t, []errorCase{
		{"unused", func() { Grad([]*Tensor{x.Sum()}, []*Tensor{z}, GradOpts{}) }, []string{"Grad", "input 0 [3] is not used", "AllowUnused"}},
		{"vector output", func() { Grad([]*Tensor{y}, []*Tensor{x}, GradOpts{}) }, []string{"Grad", "output 0 has shape [3]", "GradOutputs"}},
		{"no grad input", func() { Grad([]*Tensor{y.Sum()}, []*Tensor{Randn(3)}, GradOpts{}) }, []string{"Grad", "input 0 [3] does not require grad"}},
		{"no grad output", func() { Grad([]*Tensor{Randn(1)}, []*Tensor{x}, GradOpts{}) }, []string{"Grad", "output 0 [1] does not require grad"}},
		{"bad GradOutputs", func() { Grad([]*Tensor{y}, []*Tensor{x}, GradOpts{GradOutputs: []*Tensor{Ones(2)}}) }, []string{"Grad", "[3]", "[2]", "GradOutputs[0]"}},
		{"GradOutputs count", func() { Grad([]*Tensor{y}, []*Tensor{x}, GradOpts{GradOutputs: []*Tensor{}}) }, []string{"Grad", "1 outputs but 0 GradOutputs"}},
	})
}

func TestRegisterHook(t *testing.T) {
	x := Randn(2, 3).SetRequiresGrad(true)
	h := x.Tanh()
	var seen []*Tensor
	removeH := h.RegisterHook(func(g *Tensor) *Tensor { seen = append(seen, g); return g.MulScalar(2) })
	// a leaf reached twice: its hook sees the sum once
	var leafSeen int
	x.RegisterHook(func(g *Tensor) *Tensor { leafSeen++; return nil })
	y := h.Mul(h).Add(x.Sin()).Sum()
	y.Backward()
	if len(seen) != 1 || leafSeen != 1 {
		t.Fatalf("hooks ran %d and %d times, want once each", len(seen), leafSeen)
	}
	hv, xv := h.Detach(), x.Detach()
	assertClose(t, "hook saw ∂h", seen[0], hv.MulScalar(2), 1e-6)
	want := hv.MulScalar(4).Mul(hv.Square().Neg().AddScalar(1)).Add(xv.Cos())
	assertClose(t, "doubled through the hook", x.Grad(), want, 1e-6)
	// the gradient a hook kept is its own: later backwards do not change it
	kept := seen[0].Float64s()
	for range 3 {
		x.Tanh().Square().Sum().Backward()
	}
	assertClose(t, "kept gradient", seen[0], New64(kept, 2, 3), 0)
	removeH()
	x.ZeroGrad()
	h.Mul(h).Add(x.Sin()).Sum().Backward()
	assertClose(t, "after remove", x.Grad(), hv.MulScalar(2).Mul(hv.Square().Neg().AddScalar(1)).Add(xv.Cos()), 1e-6)
	// Grad runs hooks too
	x2 := Randn(3).SetRequiresGrad(true)
	x2.RegisterHook(func(g *Tensor) *Tensor { return g.Neg() })
	gs := Grad([]*Tensor{x2.Sum()}, []*Tensor{x2}, GradOpts{})
	assertClose(t, "Grad with a hook", gs[0], Full(-1, 3), 0)
	checkErrors(t, []errorCase{
		{"no grad", func() { Randn(2).RegisterHook(func(g *Tensor) *Tensor { return nil }) }, []string{"RegisterHook", "does not require grad"}},
		{"bad shape", func() {
			z := Randn(2).SetRequiresGrad(true)
			z.RegisterHook(func(g *Tensor) *Tensor { return Ones(3) })
			z.Sum().Backward()
		}, []string{"RegisterHook", "[2]", "[3]", "wrong shape"}},
	})
}
