package inspect

import (
	"errors"
	"strings"
	"testing"

	"github.com/dbr-go/dbr/engine"
	"github.com/dbr-go/dbr/nn"
)

// TestNilArgumentsAreUserErrors checks that a nil tensor or module, the usual
// slip being Grad() before Backward, gives an *engine.Error naming the
// function rather than a nil-pointer crash.
func TestNilArgumentsAreUserErrors(t *testing.T) {
	w := engine.Randn(2).SetRequiresGrad(true)
	var nilLinear *nn.Linear
	m := nn.NewLinear(2, 1)
	for _, c := range []struct {
		f    func()
		want string
	}{
		{func() { Stats(w.Grad()) }, "Stats: the tensor is nil (x.Grad() is nil until a Backward has reached x"},
		{func() { StatsOf([]*engine.Tensor{w, nil}) }, "StatsOf: tensor [1] is nil"},
		{func() { Compute("g", nil) }, "Compute: tensor g is nil"},
		{func() { Graph(nil) }, "Graph: the tensor is nil"},
		{func() { GraphWith(w, nil) }, "GraphWith: the module is nil"},
		{func() { Dot(nil) }, "Dot: the tensor is nil"},
		{func() { DotWith(nil, m) }, "DotWith: the tensor is nil"},
		{func() { _ = SaveGraph(t.TempDir()+"/g.dot", nil) }, "SaveGraph: the tensor is nil"},
		{func() { _ = SaveGraphWith(t.TempDir()+"/g.dot", w, nilLinear) }, "SaveGraphWith: the module is nil"},
		{func() { Grads(nil) }, "Grads: the module is nil"},
		{func() { Grads(nilLinear) }, "Grads: the module is nil"},
		{func() { GradsFrom(nil, m) }, "GradsFrom: the loss is nil"},
		{func() { ParamStats(nilLinear) }, "ParamStats: the module is nil"},
		{func() { Summary(nil, 2, 2) }, "Summary: the module is nil"},
		{func() { SummaryWith(m, nil) }, "SummaryWith: the input is nil"},
	} {
		err := engine.Try(c.f)
		var e *engine.Error
		if !errors.As(err, &e) || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("got %v (%T), want an *engine.Error starting %q", err, err, c.want)
		}
	}
}
