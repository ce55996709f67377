package repl

import (
	"os"
	"strings"
	"testing"
)

// TestClosest: "did you mean" names one candidate, equal but for case or a
// typo or two away, never a guess among several or for a very short name.
func TestClosest(t *testing.T) {
	for _, c := range []struct {
		name  string
		cands []string
		want  string
	}{
		{"Relu", []string{"ReLU", "Reshape", "Sum"}, "ReLU"},
		{"Matmul", []string{"MatMul", "Mul"}, "MatMul"},
		{"Itme", []string{"Item", "Name"}, "Item"}, // a swap is one edit
		{"randn", []string{"Randn", "Rand"}, "Randn"},
		{"grad", []string{"grads", "graph", "gradcheck"}, "grads"},
		{"x", []string{"y", "xs"}, ""},
		{"ab", []string{"AB"}, "AB"},
		{"shape", []string{"Shape", "Reshape"}, "Shape"},
		{"Lenear", []string{"Linear", "Lenearr"}, ""}, // two at distance 1
		{"Forwardd", []string{"Forward", "."}, "Forward"},
		{"zzzzzz", []string{"Forward"}, ""},
	} {
		if got := closest(c.name, c.cands); got != c.want {
			t.Errorf("closest(%q, %v) = %q, want %q", c.name, c.cands, got, c.want)
		}
	}
}

// TestImportedAgrees: the README says what the prompt imports in the words
// the banner and :help use.
func TestImportedAgrees(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.ReplaceAll(string(readme), "\n", " "), Imported) {
		t.Errorf("README.md does not say %q", Imported)
	}
	s, out := newSession(t)
	if got := evalOK(t, s, out, "rand.Intn(1)"); got != "0\n" {
		t.Errorf("rand.Intn(1) = %q", got)
	}
}

// TestMainWithoutFile: main() with no file loaded says what main() does.
func TestMainWithoutFile(t *testing.T) {
	s, out := newSession(t)
	got := evalErr(t, s, out, "main()")
	if !strings.Contains(got, "main() runs the func main of a file loaded with :load FILE") {
		t.Errorf("main(): %q", got)
	}
}

// TestUniqueMethod: the signature of a method called on a value of unknown
// type is the one dbr type's that has it; a name several types have, or
// that the user declared, gives none.
func TestUniqueMethod(t *testing.T) {
	s, out := newSession(t)
	if ft, key := s.uniqueMethod("Transpose"); ft == nil || key != "engine.Tensor.Transpose" || ft.NumIn() != 2 {
		t.Errorf("Transpose: %v %q", ft, key)
	}
	if ft, _ := s.uniqueMethod("Forward"); ft != nil {
		t.Errorf("Forward (every layer has one): %v", ft)
	}
	evalOK(t, s, out, "type T struct{}\nfunc (T) Transpose() {}")
	if ft, _ := s.uniqueMethod("Transpose"); ft != nil {
		t.Errorf("Transpose declared by the user too: %v", ft)
	}
}

// TestZeroGradHint: every nn layer has ZeroGrad, as any torch.nn.Module has
// zero_grad; m.ZeroGrad() on a module typed at the prompt, which cannot get
// a method from nn, says how to zero its gradients.
func TestZeroGradHint(t *testing.T) {
	s, out := newSession(t)
	evalOK(t, s, out, `type Net struct{ A *nn.Linear }
func (n *Net) Forward(x *engine.Tensor) *engine.Tensor { return n.A.Forward(x) }
func (n *Net) Params() []nn.Param { return nn.Sub("A", n.A) }
m := &Net{nn.NewLinear(3, 4)}
lin := nn.NewLinear(2, 2)`)
	if got := evalErr(t, s, out, "m.ZeroGrad()"); !strings.Contains(got, "ZeroGrad; any module's gradients are zeroed by nn.ZeroGrad(m), as PyTorch's model.zero_grad()") {
		t.Errorf("m.ZeroGrad(): %q", got)
	}
	if got := evalOK(t, s, out, "lin.Forward(engine.Ones(1, 2)).Sum().Backward(); lin.ZeroGrad(); lin.Weight.Grad().Abs().Sum().Item(), lin.Bias.Grad().Shape()"); got != "0 [2]\n" {
		t.Errorf("lin.ZeroGrad(): %q", got)
	}
	// nn.ZeroGrad itself zeroes a module typed at the prompt
	got := evalOK(t, s, out, "m.Forward(engine.Ones(1, 3)).Sum().Backward(); nn.ZeroGrad(m); m.A.Weight.Grad().Abs().Sum().Item(), m.A.Weight.Grad().Shape()")
	if got != "0 [4 3]\n" {
		t.Errorf("nn.ZeroGrad(m): %q", got)
	}
}
