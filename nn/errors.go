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
