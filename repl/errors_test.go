package repl

import "testing"

// TestOptionsPrinted: an options struct whose unset fields are nil pointers
// (PyTorch's default) prints the values it holds, not their addresses.
func TestOptionsPrinted(t *testing.T) {
	s, out := newSession(t)
	for _, c := range []struct{ src, want string }{
		{"nn.AdamOpts{Beta1: nn.Float(0)}", "nn.AdamOpts{Beta1: 0, Beta2: nil, Eps: nil, WeightDecay: nil, AMSGrad: false}\n"},
		{"o := nn.AdamOpts{Beta2: nn.Float(0.9), AMSGrad: true}; o", "nn.AdamOpts{Beta1: nil, Beta2: 0.9, Eps: nil, WeightDecay: nil, AMSGrad: true}\n"},
		{"nn.LossOpts{Beta: nn.Float(0)}", "nn.LossOpts{Reduction: mean, LabelSmoothing: 0, Weight: tensor(nil), PosWeight: tensor(nil), Beta: 0}\n"},
		{"nn.SGDOpts{Momentum: 0.9}", "{0.9 0 0 false}\n"}, // no pointer fields: as fmt prints it
	} {
		if got := evalOK(t, s, out, c.src); got != c.want {
			t.Errorf("%s: %q, want %q", c.src, got, c.want)
		}
	}
}
