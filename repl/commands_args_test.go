package repl

import (
	"strings"
	"testing"
)

// TestCommandArgKinds: an inspect command given a value of the wrong kind
// says what it expects and what the value is, instead of yaegi's message
// about a missing Forward method; a user's module still passes.
func TestCommandArgKinds(t *testing.T) {
	s, out := newSession(t)
	evalOK(t, s, out, inspectNet+"loss := m.Forward(x).Sum()\nloss.Backward()\nvar nilm *nn.Linear\ntype Plain struct{ A int }\npl := &Plain{1}")
	const model = "a model (an nn.Module, with Forward and Params methods) as its "
	for line, want := range map[string]string{
		":grads 3":       ":grads needs " + model + "first argument, e.g. :grads m loss; 3 is an int",
		":grads x":       ":grads needs " + model + "first argument, e.g. :grads m loss; x is a *engine.Tensor",
		":grads m 2.5":   ":grads needs a tensor (*engine.Tensor) as its second argument, e.g. :grads m loss; 2.5 is a float64",
		":grads nilm":    ":grads needs " + model + "first argument, e.g. :grads m loss; nilm is a nil *nn.Linear",
		":grads pl":      ":grads needs " + model + "first argument, e.g. :grads m loss; pl is a *Plain (it has no Forward and Params methods)",
		":why 3 x":       ":why needs a tensor (*engine.Tensor) as its first argument, e.g. :why loss w; 3 is an int",
		":summary 3 4 3": ":summary needs " + model + "first argument, e.g. :summary m 64 784; 3 is an int",
		":graph loss 4":  ":graph needs " + model + "second argument, e.g. :graph loss model; 4 is an int",
		":stats \"s\"":   ":stats needs a tensor, a []*engine.Tensor or a model, e.g. :stats x; \"s\" is a string",
	} {
		if got := runCmd(t, s, out, line, true); got != "error: "+want+"\n" {
			t.Errorf("%s:\n got %q\nwant %q", line, got, "error: "+want+"\n")
		}
	}
	contains(t, ":grads m", runCmd(t, s, out, ":grads m", false), "fc1.weight", "fc2.bias")
	evalOK(t, s, out, "type Wrapped struct{ *nn.Linear }\nwl := &Wrapped{nn.NewLinear(2, 2)}")
	contains(t, ":grads wl", runCmd(t, s, out, ":grads wl", false), "weight")
	contains(t, ":grads m loss", runCmd(t, s, out, ":grads m loss", false), "fc1.weight")
	contains(t, ":grads nn", runCmd(t, s, out, ":grads nn.NewLinear(2,2)", false), "weight")
	if got := runCmd(t, s, out, ":why loss x", false); strings.Contains(got, "needs") {
		t.Errorf(":why loss x: %q", got)
	}
}
