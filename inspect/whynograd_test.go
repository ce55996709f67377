package inspect

import (
	"strings"
	"testing"

	"github.com/dbr-go/dbr/engine"
)

func TestWhyNoGrad(t *testing.T) {
	engine.Seed(3)
	x := engine.Randn(4, 3)
	param := func(name string, shape ...int) *engine.Tensor {
		return engine.Randn(shape...).SetRequiresGrad(true).SetName(name)
	}
	cases := []struct {
		name     string
		build    func() (loss, p *engine.Tensor)
		kind     string
		contains []string
	}{
		{"intact", func() (*engine.Tensor, *engine.Tensor) {
			w := param("w", 3, 2)
			return x.MatMul(w).Sum(), w
		}, ReachesParam, []string{"loss Sum ← MatMul ← w", "run Backward"}},
		{"intact-after-backward", func() (*engine.Tensor, *engine.Tensor) {
			w := param("w", 3, 2)
			loss := x.MatMul(w).Sum()
			loss.Backward()
			return loss, w
		}, ReachesParam, []string{"Grad() holds it"}},
		{"detached-middle", func() (*engine.Tensor, *engine.Tensor) {
			w1, w2 := param("w1", 3, 5), param("w2", 5, 2)
			h := x.MatMul(w1).Detach()
			return h.MatMul(w2).Sum(), w1
		}, Detached, []string{"input 0 of MatMul is a tensor [4 5]", "it was detached"}},
		{"nograd-middle", func() (*engine.Tensor, *engine.Tensor) {
			w1, w2 := param("w1", 3, 5), param("w2", 5, 2)
			var h *engine.Tensor
			engine.NoGrad(func() { h = x.MatMul(w1) })
			return h.MatMul(w2).Sum(), w1
		}, UnderNoGrad, []string{"input 0 of MatMul is the result of MatMul [4 5]", "computed under NoGrad"}},
		{"detached-all", func() (*engine.Tensor, *engine.Tensor) {
			w := param("w", 3, 2)
			h := x.MatMul(w).Detach()
			return h.Mul(h).Sum(), w
		}, Detached, []string{"the loss (made by Sum) does not require grad", "detached"}},
		{"loss-under-nograd", func() (*engine.Tensor, *engine.Tensor) {
			w := param("w", 3, 2)
			var loss *engine.Tensor
			engine.NoGrad(func() { loss = x.MatMul(w).Sum() })
			return loss, w
		}, UnderNoGrad, []string{"the path breaks at the loss itself: it was made by Sum", "NoGrad"}},
		{"not-differentiable", func() (*engine.Tensor, *engine.Tensor) {
			w1, w2 := param("w1", 3, 5), param("w2", 5, 2)
			mask := x.MatMul(w1).GtScalar(0) // a step function: no gradient
			return mask.MatMul(w2).Sum(), w1
		}, NotDiff, []string{"input 0 of MatMul is the result of GtScalar [4 5]", "GtScalar is not differentiable"}},
		{"not-differentiable-all", func() (*engine.Tensor, *engine.Tensor) {
			w := param("w", 3, 2)
			return x.MatMul(w).ArgMax(1).Sum(), w
		}, NotDiff, []string{"ArgMax is not differentiable"}},
		{"never-used", func() (*engine.Tensor, *engine.Tensor) {
			w, b := param("w", 3, 2), param("b", 2)
			return x.MatMul(w).Sum(), b
		}, NeverUsed, []string{"b was never used", "depends on: w [3 2]"}},
		{"re-created", func() (*engine.Tensor, *engine.Tensor) {
			w := param("w", 3, 2)
			loss := x.MatMul(w).Sum()
			w = param("w", 3, 2)
			return loss, w
		}, NeverUsed, []string{"re-created after the loss"}},
		{"param-no-grad", func() (*engine.Tensor, *engine.Tensor) {
			w := engine.Randn(3, 2).SetName("w")
			v := param("v", 3, 2)
			return x.MatMul(w.Add(v)).Sum(), w
		}, ParamNoGrad, []string{"w does not require grad", "SetRequiresGrad(true)"}},
		{"not-leaf", func() (*engine.Tensor, *engine.Tensor) {
			w := param("w", 3, 2)
			h := x.MatMul(w)
			return h.Sum(), h
		}, NotLeaf, []string{"RetainGrad()"}},
		{"is-loss", func() (*engine.Tensor, *engine.Tensor) {
			w := param("w", 3, 2)
			l := x.MatMul(w).Sum()
			return l, l
		}, SameTensorLoss, nil},
	}
	for _, c := range cases {
		loss, p := c.build()
		d := WhyNoGrad(loss, p)
		if d.Kind != c.kind {
			t.Errorf("%s: kind %q, want %q (%s)", c.name, d.Kind, c.kind, d.Message)
		}
		for _, s := range c.contains {
			if !strings.Contains(d.Message, s) {
				t.Errorf("%s: message %q lacks %q", c.name, d.Message, s)
			}
		}
	}
}
