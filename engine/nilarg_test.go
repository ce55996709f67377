package engine

import (
	"strings"
	"testing"
)

// TestNilTensorArgument: a nil tensor as the receiver or as an argument
// gets an *Error naming the op and which operand is nil, not a nil-pointer
// crash inside the op.
func TestNilTensorArgument(t *testing.T) {
	x := Ones(2, 2).SetRequiresGrad(true)
	var nilT *Tensor
	for _, c := range []struct {
		f    func()
		want string
	}{
		{func() { x.Mul(x.Grad()) }, "Mul: its argument is nil"},
		{func() { nilT.Add(x) }, "Add: the tensor it is called on is nil"},
		{func() { nilT.Exp() }, "Exp: the tensor it is called on is nil"},
		{func() { x.MatMul(nilT) }, "MatMul: its argument is nil"},
		{func() { Where(x, x, nilT) }, "Where: b is nil"},
		{func() { Linear(x, nilT, nil) }, "Linear: w is nil"},
	} {
		err := Try(c.f)
		if _, ok := err.(*Error); !ok || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "Grad() taken before Backward()") {
			t.Errorf("%v (%T), want an *Error with %q", err, err, c.want)
		}
	}
}
