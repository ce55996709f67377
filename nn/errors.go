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
	c, n := cut(s)
	if n == 0 {
		return strconv.Quote(s)
	}
	return fmt.Sprintf("%s (%d bytes)", strconv.Quote(c+"…"), n)
}

// clip is quoteShort without the quotes: "sepal_length", or "xxx… (20971520 bytes)".
func clip(s string) string {
	c, n := cut(s)
	if n == 0 {
		return s
	}
	return fmt.Sprintf("%s… (%d bytes)", c, n)
}

// cut returns the first 60 characters of s and len(s), or s and 0 when it
// is not longer.
func cut(s string) (string, int) {
	const max = 60
	if len(s) <= max {
		return s, 0
	}
	i := max
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i], len(s)
}
