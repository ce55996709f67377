package nn

import (
	"fmt"
	"strconv"
	"unicode/utf8"

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

// quoteShort quotes s for a message, cut to its first 60 characters: a name
// or a field read from a file may be megabytes long.
func quoteShort(s string) string {
	const max = 60
	if len(s) <= max {
		return strconv.Quote(s)
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s (%d bytes)", strconv.Quote(s[:cut]+"…"), len(s))
}
