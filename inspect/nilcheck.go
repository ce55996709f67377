package inspect

import (
	"reflect"

	"github.com/dbr-go/dbr/engine"
	"github.com/dbr-go/dbr/nn"
)

// needTensor panics with an *engine.Error naming op when t, described by
// what ("the tensor", "tensor [2]"), is nil: usually a Grad() read before
// Backward, instead of a nil-pointer crash deep inside.
func needTensor(op, what string, t *engine.Tensor) {
	if t == nil {
		panic(&engine.Error{Op: op, Msg: what + " is nil (x.Grad() is nil until a Backward has reached x; a declared but unassigned variable is nil too)"})
	}
}

// needModule panics with an *engine.Error naming op when m is nil or a nil
// pointer.
func needModule(op string, m nn.Module) {
	v := reflect.ValueOf(m)
	if m == nil || (v.Kind() == reflect.Pointer && v.IsNil()) {
		panic(&engine.Error{Op: op, Msg: "the module is nil (make it with a constructor such as nn.NewLinear, or as &MyNet{…} with its layers filled in)"})
	}
}
