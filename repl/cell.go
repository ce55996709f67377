package repl

import (
	"context"
	"strings"
)

// EvalCell evaluates a notebook cell (or any multi-line input) as the
// prompt would if it were typed line by line: a line that starts with ':'
// where no code is unfinished runs that command, and the code between
// commands is evaluated as one input (units split as Eval splits them).
// It stops at the first error and returns it.
func (s *Session) EvalCell(ctx context.Context, cell string) error {
	var code strings.Builder
	start, lineNo := 1, 0
	flush := func() error {
		src := code.String()
		code.Reset()
		if strings.TrimSpace(src) == "" {
			return nil
		}
		return s.EvalSource(ctx, src, "", start)
	}
	for _, line := range strings.Split(cell, "\n") {
		lineNo++
		if IsCommand(line) && !Incomplete(code.String()) {
			if err := flush(); err != nil {
				return err
			}
			if err := s.RunCommand(ctx, line); err != nil {
				return err
			}
			continue
		}
		if strings.TrimSpace(code.String()) == "" {
			code.Reset()
			start = lineNo
		}
		code.WriteString(line + "\n")
	}
	return flush()
}

// DocOf returns the documentation of a dbr function, type or method as
// :doc shows it; name may start with a variable (x.MatMul).
func (s *Session) DocOf(name string) (string, error) { return Doc(s.docName(name)) }
