// Command dbr-repl is dbr's interactive define-by-run REPL and script runner.
//
//	dbr-repl                  start the REPL (engine, nn, inspect and the standard library imported)
//	dbr-repl file.go [args]   run a Go file with package main and func main
//	dbr-repl -i file.go       run it, then keep the session open with its globals
//	dbr-repl -e 'code'        evaluate code (then exit, or continue with -i)
//	dbr-repl < lesson.txt     read input line by line from a pipe or file
//
// When standard input is not a terminal, input is read without line editing,
// only results and errors are printed, and the exit status is 1 if any input
// failed.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/chzyer/readline"
	"github.com/dbr-go/dbr/repl"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(argv []string, stdin *os.File, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("dbr-repl", flag.ContinueOnError)
	fs.SetOutput(stderr)
	interactive := fs.Bool("i", false, "keep the session open after running a file or -e")
	var codes []string
	fs.Func("e", "evaluate `code` (repeatable: each runs in turn)", func(c string) error {
		codes = append(codes, c)
		return nil
	})
	stack := fs.Bool("stack", false, "print Go stack traces of panics")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: dbr-repl [-i] [-stack] [-e code] [file.go [args...]]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(argv); err != nil {
		return 2
	}
	args := fs.Args()
	progArgs := []string{"dbr-repl"}
	if len(args) > 0 {
		progArgs = args
	}
	out, errOut := &switchWriter{w: stdout}, &switchWriter{w: stderr}
	s, err := repl.New(repl.Options{Stdout: out, Stderr: errOut, Stdin: stdin, Args: progArgs, Stack: *stack})
	if err != nil {
		fmt.Fprintln(stderr, "dbr-repl:", err)
		return 1
	}

	// Ctrl-C while evaluating interrupts the evaluation; at a prompt it is
	// handled by the line editor.
	var busy atomic.Bool
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	defer signal.Stop(sig)
	go func() {
		for range sig {
			if busy.Load() {
				if isTerminal(stdin) {
					fmt.Fprintln(stderr) // after the terminal's ^C
				}
				s.Interrupt()
			} else if !isTerminal(stdin) {
				os.Exit(130)
			}
		}
	}()
	eval := func(f func() error) error {
		busy.Store(true)
		defer busy.Store(false)
		return f()
	}
	ctx := context.Background()

	status := 0
	ran := false
	if len(args) > 0 {
		ran = true
		if err := eval(func() error { return s.LoadFile(ctx, args[0]) }); err != nil {
			if e, ok := err.(*repl.ExitError); ok && !*interactive {
				return e.Code
			}
			status = 1
		}
	}
	for _, c := range codes {
		ran = true
		if err := eval(func() error { return s.Eval(ctx, c) }); err != nil {
			if e, ok := err.(*repl.ExitError); ok && !*interactive {
				return e.Code
			}
			status = 1
			break
		}
	}
	if ran && !*interactive {
		return status
	}
	if isTerminal(stdin) {
		return interactiveLoop(ctx, s, eval, stdin, out, errOut)
	}
	if pipeLoop(ctx, s, eval, stdin) != 0 {
		status = 1
	}
	return status
}

// pipeLoop reads input line by line, without echo or prompt, and evaluates
// each complete unit. It returns 1 if any input failed.
func pipeLoop(ctx context.Context, s *repl.Session, eval func(func() error) error, in io.Reader) int {
	status := 0
	r := bufio.NewReader(in)
	var buf strings.Builder
	start, lineNo, blank := 0, 0, 0
	for !s.Quitting() {
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
				if eval(func() error { return s.RunCommand(ctx, line) }) != nil {
					status = 1
				}
				continue
			}
			start = lineNo
		}
		buf.WriteString(line + "\n")
		if strings.TrimSpace(line) == "" {
			blank++
		} else {
			blank = 0
		}
		if repl.Incomplete(buf.String()) && blank < 2 && err == nil {
			continue
		}
		src := buf.String()
		buf.Reset()
		blank = 0
		if e := eval(func() error { return s.EvalSource(ctx, src, "", start) }); e != nil {
			if ex, ok := e.(*repl.ExitError); ok {
				return ex.Code
			}
			status = 1
		}
	}
	if buf.Len() > 0 {
		src := buf.String()
		if eval(func() error { return s.EvalSource(ctx, src, "", start) }) != nil {
			status = 1
		}
	}
	return status
}

// histSep joins the lines of a multi-line block in the history file, so that
// the block is recalled as one entry.
const histSep = "\u2424"

// switchWriter writes to a writer that can be replaced: the interactive loop
// puts the line editor's writers there, so that what a goroutine prints
// while the prompt waits appears above a redrawn prompt.
type switchWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (w *switchWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	t := w.w
	w.mu.Unlock()
	return t.Write(p)
}

// set replaces the writer and returns the previous one.
func (w *switchWriter) set(t io.Writer) io.Writer {
	w.mu.Lock()
	defer w.mu.Unlock()
	old := w.w
	w.w = t
	return old
}

func interactiveLoop(ctx context.Context, s *repl.Session, eval func(func() error) error, stdin *os.File, out, errOut *switchWriter) int {
	stdout, stderr := out.w, errOut.w
	home, _ := os.UserHomeDir()
	hist := ""
	if home != "" {
		hist = home + "/.dbr_history"
	}
	if h := os.Getenv("DBR_HISTORY"); h != "" {
		hist = h
	}
	rl, err := readline.NewEx(&readline.Config{
		Prompt:                 "dbr> ",
		HistoryFile:            hist,
		HistoryLimit:           5000,
		DisableAutoSaveHistory: true,
		HistorySearchFold:      true,
		AutoComplete:           completer{s},
		InterruptPrompt:        "^C",
		EOFPrompt:              "",
		Stdin:                  stdin,
		Stdout:                 stdout,
		Stderr:                 stderr,
	})
	if err != nil {
		fmt.Fprintln(stderr, "dbr-repl:", err)
		return pipeLoop(ctx, s, eval, stdin)
	}
	defer rl.Close()
	defer out.set(out.set(rl.Stdout()))
	defer errOut.set(errOut.set(rl.Stderr()))
	fmt.Fprintln(stdout, "dbr-repl: Go with "+repl.Imported+" imported. :help for help, :quit to leave.")
	var buf strings.Builder
	blank := 0
	for !s.Quitting() {
		if buf.Len() == 0 {
			rl.SetPrompt("dbr> ")
		} else {
			rl.SetPrompt("...  ")
		}
		line, err := rl.Readline()
		if err == readline.ErrInterrupt {
			buf.Reset()
			blank = 0
			continue
		}
		if err != nil {
			break
		}
		line = strings.ReplaceAll(line, histSep, "\n")
		if buf.Len() == 0 {
			if strings.TrimSpace(line) == "" {
				continue
			}
			if repl.IsCommand(line) {
				rl.SaveHistory(line)
				eval(func() error { return s.RunCommand(ctx, line) })
				continue
			}
		}
		buf.WriteString(line + "\n")
		if strings.TrimSpace(line) == "" {
			blank++
		} else {
			blank = 0
		}
		if repl.Incomplete(buf.String()) && blank < 2 {
			continue
		}
		src := buf.String()
		buf.Reset()
		blank = 0
		rl.SaveHistory(strings.ReplaceAll(strings.TrimRight(src, "\n"), "\n", histSep))
		if e := eval(func() error { return s.Eval(ctx, src) }); e != nil {
			if ex, ok := e.(*repl.ExitError); ok {
				return ex.Code
			}
		}
	}
	return 0
}

func isTerminal(f *os.File) bool { return readline.IsTerminal(int(f.Fd())) }

// completer adapts the session's completion to readline.
type completer struct{ s *repl.Session }

func (c completer) Do(line []rune, pos int) ([][]rune, int) {
	prefix, cands := c.s.Complete(string(line[:pos]))
	n := len([]rune(prefix))
	out := make([][]rune, 0, len(cands))
	for _, cand := range cands {
		out = append(out, []rune(cand)[n:])
	}
	return out, n
}
