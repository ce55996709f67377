package engine

import (
	"errors"
	"fmt"
	"strings"
)

// ShapeError is the panic value of an op whose operands do not fit together.
// Its message names the op, every operand's shape (and dtype when they differ)
// and, where one exists, a hint at what would fit.
type ShapeError struct {
	Op     string   // the op, e.g. "MatMul"
	Shapes [][]int  // every operand's shape, in argument order
	Reason string   // what is wrong, e.g. "inner sizes 784 and 128 differ"
	Hint   string   // what would fit, e.g. "did you mean w.T()?"; may be empty
	Sep    string   // joins the shapes in the message; ", " when empty ("·" for MatMul)
	Labels []string // optional name of each operand ("input", "weight"), printed before its shape
}

func (e *ShapeError) Error() string {
	parts := make([]string, len(e.Shapes))
	for i, s := range e.Shapes {
		parts[i] = fmt.Sprint(s)
		if i < len(e.Labels) && e.Labels[i] != "" {
			parts[i] = e.Labels[i] + " " + parts[i]
		}
	}
	sep := e.Sep
	if sep == "" {
		sep = ", "
	}
	msg := e.Op + ": " + strings.Join(parts, sep) + ": " + e.Reason
	if e.Hint != "" {
		msg += " (" + e.Hint + ")"
	}
	return msg
}

// Error is the panic value of an op used in a way that cannot work for a reason
// other than shapes: a bad argument, a backward that cannot be taken, an interrupt.
type Error struct {
	Op  string
	Msg string
}

func (e *Error) Error() string { return e.Op + ": " + e.Msg }

// ErrInterrupted is the panic value of a long op stopped by Interrupt.
var ErrInterrupted = &Error{Op: "interrupt", Msg: "stopped by Ctrl-C"}

// shapeErr panics with a *ShapeError.
func shapeErr(op, reason, hint string, shapes ...[]int) {
	cp := make([][]int, len(shapes))
	for i, s := range shapes {
		cp[i] = append([]int(nil), s...)
	}
	panic(&ShapeError{Op: op, Shapes: cp, Reason: reason, Hint: hint})
}

// errorf panics with an *Error.
func errorf(op, format string, args ...any) {
	panic(&Error{Op: op, Msg: fmt.Sprintf(format, args...)})
}

// IsUserError reports whether err is an error dbr raises on purpose for bad
// use (a *ShapeError or an *Error), as opposed to a bug in dbr.
func IsUserError(err error) bool {
	var se *ShapeError
	var e *Error
	return errors.As(err, &se) || errors.As(err, &e)
}

// Try runs f and returns the *ShapeError or *Error that an op inside it panicked
// with, or nil. Other panics (runtime errors, which are bugs) are not hidden:
// they propagate unchanged.
func Try(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok && IsUserError(e) {
				err = e
				return
			}
			panic(r)
		}
	}()
	f()
	return nil
}

// nilWhy explains a nil *Tensor, the usual causes first.
const nilWhy = "a Grad() taken before Backward(), or an unassigned *engine.Tensor"

// needTensors panics with an *Error naming op and the nil one when the
// receiver or an argument is nil, instead of a nil-pointer crash inside the
// op; names[i] says which ts[i] is ("the tensor it is called on", "its
// argument", "b").
func needTensors(op string, names []string, ts ...*Tensor) {
	for i, t := range ts {
		if t == nil {
			errorf(op, "%s is nil (%s)", names[i], nilWhy)
		}
	}
}

var (
	recvArg  = []string{"the tensor it is called on", "its argument"}
	recvOnly = []string{"the tensor it is called on"}
)
