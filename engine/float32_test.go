package engine

import "testing"

// checkTorchRef32 is checkTorchRef with every input converted to float32: it
// exercises the float32 kernels. The references were computed in float64 from
// inputs that float32 rounds (relative error 6e-8), so the tolerance is
// float32's, 2e-5·(1+|want|).
func checkTorchRef32(t *testing.T, family string, ops map[string]func(xs []*Tensor) *Tensor) {
	t.Helper()
	for _, c := range loadTorchCases(t, family) {
		f := ops[c.Name]
		if f == nil {
			t.Errorf("%s: no op registered for reference case %q", family, c.Name)
			continue
		}
		xs := make([]*Tensor, len(c.Inputs))
		for i, in := range c.Inputs {
			xs[i] = in.tensor().To(Float32).SetRequiresGrad(c.Upstream != nil)
		}
		out := f(xs)
		if out.DType() != Float32 {
			t.Errorf("%s: float32 inputs gave a %v result", c.Name, out.DType())
		}
		assertClose(t, c.Name+" float32 output", out, c.Output.tensor(), 2e-5)
		if c.Upstream == nil {
			continue
		}
		out.BackwardWith(c.Upstream.tensor().To(Float32))
		for i, g := range c.Grads {
			if g == nil {
				continue
			}
			if xs[i].Grad() == nil {
				t.Errorf("%s float32: input %d got no gradient, PyTorch gives one", c.Name, i)
				continue
			}
			assertClose(t, c.Name+" float32 grad", xs[i].Grad(), g.tensor(), 2e-5)
		}
	}
}
