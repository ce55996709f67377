package nn

import (
	"reflect"
	"strings"
	"testing"

	"github.com/dbr-go/dbr/engine"
)

func init() {
	yaegiSymbols["github.com/dbr-go/dbr/nn/nn"]["RegisterForwardHook"] = reflect.ValueOf(RegisterForwardHook)
	yaegiSymbols["github.com/dbr-go/dbr/nn/nn"]["Call"] = reflect.ValueOf(Call)
	yaegiSymbols["github.com/dbr-go/dbr/nn/nn"]["ForwardHook"] = reflect.ValueOf((*ForwardHook)(nil))
	yaegiSymbols["github.com/dbr-go/dbr/engine/engine"]["Grad"] = reflect.ValueOf(engine.Grad)
	yaegiSymbols["github.com/dbr-go/dbr/engine/engine"]["GradOpts"] = reflect.ValueOf((*engine.GradOpts)(nil))
}

// TestGradFromTheInterpreter computes a gradient penalty with engine.Grad
// and CreateGraph from interpreted code and compares the critic's gradient
// with the same computation compiled.
func TestGradFromTheInterpreter(t *testing.T) {
	penalty := func(l *Linear, x *engine.Tensor) *engine.Tensor {
		y := l.Forward(x).Tanh().Sum()
		g := engine.Grad([]*engine.Tensor{y}, []*engine.Tensor{x}, engine.GradOpts{CreateGraph: true})[0]
		return g.Norm(2, 1).SubScalar(1).Square().Mean()
	}
	engine.Seed(4)
	l := NewLinear(3, 2)
	x := engine.Randn(4, 3).SetRequiresGrad(true)
	penalty(l, x).Backward()
	want := l.Weight.Grad()
	if want == nil {
		t.Fatal("the compiled penalty gave the weight no gradient")
	}
	i := newInterp(t)
	eval(t, i, `
var lin *nn.Linear
func penalty() {
	engine.Seed(4)
	lin = nn.NewLinear(3, 2)
	x := engine.Randn(4, 3).SetRequiresGrad(true)
	y := lin.Forward(x).Tanh().Sum()
	g := engine.Grad([]*engine.Tensor{y}, []*engine.Tensor{x}, engine.GradOpts{CreateGraph: true})[0]
	g.Norm(2, 1).SubScalar(1).Square().Mean().Backward()
}`)
	eval(t, i, "penalty()")
	got := eval(t, i, "lin.Weight.Grad()").Interface().(*engine.Tensor)
	assertTensorsClose(t, "weight gradient of the penalty", got, want)
}

func TestForwardHooks(t *testing.T) {
	engine.Seed(1)
	l1, l2 := NewLinear(3, 4), NewLinear(4, 2)
	seq := NewSequential([]Module{l1, NewReLU(), l2})
	x := engine.Randn(5, 3)
	want := seq.Forward(x)
	var shapes []string
	var grads []*engine.Tensor
	remove1 := RegisterForwardHook(l1, func(m Module, in, out *engine.Tensor) *engine.Tensor {
		if m != Module(l1) || in != x {
			t.Errorf("the hook got module %v and input %p, want l1 and x", m, in)
		}
		shapes = append(shapes, TypeName(m))
		out.RegisterHook(func(g *engine.Tensor) *engine.Tensor { grads = append(grads, g); return nil })
		return nil
	})
	// a hook on the Sequential itself, through Call, replacing the output
	remove2 := RegisterForwardHook(seq, func(m Module, in, out *engine.Tensor) *engine.Tensor { return out.MulScalar(2) })
	y := Call(seq, x)
	assertTensorsClose(t, "hooked output", y, want.MulScalar(2))
	y.Sum().Backward()
	if len(shapes) != 1 || shapes[0] != "Linear" || len(grads) != 1 {
		t.Fatalf("hook calls %v, gradient hook calls %d; want one each", shapes, len(grads))
	}
	// the gradient at l1's output: 2·(relu mask)·w2ᵀ summed over outputs
	h := engine.Linear(x, l1.Weight, l1.Bias)
	wantG := h.GtScalar(0).Mul(engine.Ones(5, 2).MulScalar(2).MatMul(l2.Weight))
	assertTensorsClose(t, "gradient at l1's output", grads[0], wantG)
	remove1()
	remove2()
	remove2() // twice is harmless
	assertTensorsClose(t, "after remove", Call(seq, x), want)
	if len(shapes) != 1 {
		t.Error("a removed hook ran")
	}
	if err := engine.Try(func() { RegisterForwardHook(l1, nil) }); err == nil || !strings.Contains(err.Error(), "RegisterForwardHook: the hook is nil") {
		t.Errorf("nil hook: %v", err)
	}
}

func assertTensorsClose(t *testing.T, what string, got, want *engine.Tensor) {
	t.Helper()
	g, w := got.Float64s(), want.Float64s()
	if !reflect.DeepEqual(got.Shape(), want.Shape()) {
		t.Fatalf("%s: shape %v, want %v", what, got.Shape(), want.Shape())
	}
	for i := range g {
		if d := g[i] - w[i]; d > 1e-6 || d < -1e-6 {
			t.Fatalf("%s: element %d is %v, want %v", what, i, g[i], w[i])
		}
	}
}

// TestHooksFromTheInterpreter registers a forward hook on a module typed at
// the prompt and a gradient hook on a tensor, from interpreted code.
func TestHooksFromTheInterpreter(t *testing.T) {
	i := newInterp(t)
	eval(t, i, userModuleSrc)
	eval(t, i, `
var calls int
var seen *engine.Tensor
var net *Net
var out *engine.Tensor
func run() {
	engine.Seed(2)
	net = &Net{Hidden: nn.NewLinear(3, 4), Out: nn.NewLinear(4, 2), scale: &nn.Probe{}}
	nn.RegisterForwardHook(net, func(m nn.Module, x, y *engine.Tensor) *engine.Tensor {
		calls++
		y.RegisterHook(func(g *engine.Tensor) *engine.Tensor { seen = g; return g.MulScalar(3) })
		return nil
	})
	x := engine.Randn(5, 3)
	out = nn.Call(net, x)
	out.Sum().Backward()
}`)
	eval(t, i, "run()")
	if c := eval(t, i, "calls").Interface().(int); c != 1 {
		t.Fatalf("the forward hook ran %d times, want 1", c)
	}
	seen := eval(t, i, "seen").Interface().(*engine.Tensor)
	if seen == nil || !reflect.DeepEqual(seen.Shape(), []int{5, 2}) {
		t.Fatalf("the gradient hook saw %v", seen)
	}
	for _, v := range seen.Float64s() {
		if v != 1 {
			t.Fatalf("the gradient of Sum at the output is %v, want ones", seen.Float64s())
		}
	}
	// the hook tripled the gradient reaching the output layer's bias
	b := eval(t, i, "net.Out.Bias.Grad()").Interface().(*engine.Tensor)
	for _, v := range b.Float64s() {
		if v != 15 {
			t.Fatalf("bias gradient %v, want 3·5 per output", b.Float64s())
		}
	}
}
