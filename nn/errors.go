package nn

import (
	"fmt"

	"github.com/dbr-go/dbr/engine"
)

// shapeError panics with a *engine.ShapeError naming op and every operand's shape.
func shapeError(op, reason, hint string, shapes ...[]int) {
	panic(&engine.ShapeError{Op: op, Shapes: shapes, Reason: reason, Hint: hint})
}

// errorf panics with an *engine.Error.
func errorf(op, format string, args ...any) {
	panic(&engine.Error{Op: op, Msg: fmt.Sprintf(format, args...)})
}

// needWeight panics with an *engine.Error when a layer built as a struct
// literal has no weight, instead of a nil-pointer crash.
func needWeight(op string, w *engine.Tensor, ctor string) {
	if w == nil {
		errorf(op, "the layer has no Weight; make it with %s", ctor)
	}
}
