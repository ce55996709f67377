package main

import (
	"bufio"
	"io"
	"strings"

	"github.com/dbr-go/dbr/repl"
	"github.com/dbr-go/dbr/repl/child"
)

// pipeLoop reads input line by line, without echo or prompt, and evaluates
// each complete unit in the supervised session; each line is read and
// scanned once. It returns 1 if any input failed (or the session died), or
// the status the program passed to os.Exit.
func pipeLoop(sv *supervisor, in io.Reader) int {
	status := 0
	r := bufio.NewReaderSize(in, 1<<16)
	var buf strings.Builder
	var cont repl.Continuation
	start, lineNo, blank := 0, 0, 0
	eval := func(src string, line int) child.Result {
		res, ok := sv.do(src, func(c *child.Child) (child.Result, error) { return c.Eval(src, "", line) })
		if !ok || res.Failed {
			status = 1
		}
		return res
	}
	for {
		line, err := r.ReadString('\n')
		if line == "" && err != nil {
			break
		}
		lineNo++
		line = strings.TrimRight(line, "\r\n")
		if buf.Len() == 0 {
			if strings.TrimSpace(line) == "" {
				continue
			}
			if repl.IsCommand(line) {
				res, ok := sv.do(line, func(c *child.Child) (child.Result, error) { return c.Command(line) })
				if !ok || res.Failed {
					status = 1
				}
				if res.Quit {
					return status
				}
				continue
			}
			start = lineNo
		}
		buf.WriteString(line)
		buf.WriteByte('\n')
		if strings.TrimSpace(line) == "" {
			blank++
		} else {
			blank = 0
		}
		if cont.Add(line) && blank < 2 && err == nil {
			continue
		}
		src := buf.String()
		buf.Reset()
		cont.Reset()
		blank = 0
		if res := eval(src, start); res.Exited {
			return res.Code
		} else if res.Quit {
			return status
		}
	}
	if buf.Len() > 0 {
		if res := eval(buf.String(), start); res.Exited {
			return res.Code
		}
	}
	return status
}
