// Command dbr-repl is dbr's interactive define-by-run REPL and script runner.
//
//	dbr-repl                  start the REPL (engine, nn, inspect and the standard library imported)
//	dbr-repl file.go [args]   run a Go file with package main and func main
//	dbr-repl -i file.go       run it, then keep the session open with its globals and
//	                          main's variables (main() runs it again)
//	dbr-repl file.go -i       the same (dbr-repl's flags right after the file are its own;
//	                          after --, everything goes to the program)
//	dbr-repl -e 'code'        evaluate code (then exit, or continue with -i)
//	dbr-repl < lesson.txt     read input line by line from a pipe or file
//	dbr-repl -stall 10s       end a statement stuck (no CPU used) for 10s with an error
//
// The session runs in a child process (package repl/child) that this one
// supervises: when Go kills it (fatal error: concurrent map writes, a stack
// overflow, out of memory), dbr-repl says what killed it and with which
// input, and rebuilds the session by replaying the inputs that succeeded.
//
// When standard input is not a terminal, input is read without line editing,
// only results and errors are printed, and the exit status is 1 if any input
// failed (or the program's, when it calls os.Exit).
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/dbr-go/dbr/repl/child"
	"golang.org/x/sys/unix"
)

func main() {
	if child.IsChild() {
		os.Exit(child.Serve())
	}
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
	stall := fs.Duration("stall", stallDefault(stdin),
		"end a statement that uses no CPU for this `long` with an error (0: never; default $DBR_STALL, else 1m when input is not a terminal, 0 at a terminal)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: dbr-repl [-i] [-stack] [-e code] [file.go [-i] [--] [args...]]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(argv); err != nil {
		return 2
	}
	args := fileArgs(fs.Args(), interactive, stack)
	progArgs := []string{"dbr-repl"}
	if len(args) > 0 {
		progArgs = args
	}
	terminal := isTerminal(stdin)
	interactiveRun := terminal && (*interactive || (len(args) == 0 && len(codes) == 0))
	cfg := child.Config{Args: progArgs, Stack: *stack, Stall: *stall}
	var tout *termOut
	if interactiveRun {
		tout = &termOut{w: stdout, atLineStart: true}
		cfg.Output = tout
	}
	sv, err := newSupervisor(cfg, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "dbr-repl:", err)
		return 1
	}
	defer func() { sv.child().Close() }()
	if tout != nil {
		sv.report = tout
	}

	// Ctrl-C while evaluating interrupts the evaluation (the child ignores
	// the signal); at a prompt it is a key the line editor handles.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	defer signal.Stop(sig)
	go func() {
		for range sig {
			if sv.busy.Load() {
				if terminal {
					fmt.Fprintln(stderr) // after the terminal's ^C
				}
				sv.child().Interrupt()
			} else if !terminal {
				os.Exit(130)
			}
		}
	}()

	status := 0
	ran := false
	sv.final = !*interactive && (len(args) > 0 || len(codes) > 0)
	if len(args) > 0 {
		ran = true
		load := func(c *child.Child) (child.Result, error) { return c.Load(args[0]) }
		if *interactive {
			// main's variables stay for inspection at the prompt.
			load = func(c *child.Child) (child.Result, error) { return c.Command(":load -i " + args[0]) }
		}
		res, ok := sv.do(args[0], load)
		if res.Exited && !*interactive {
			return res.Code
		}
		if !ok || res.Failed {
			status = 1
		}
	}
	for _, c := range codes {
		ran = true
		res, ok := sv.do(c, func(ch *child.Child) (child.Result, error) { return ch.Eval(c, "", 0) })
		if res.Exited && !*interactive {
			return res.Code
		}
		if !ok || res.Failed {
			status = 1
			break
		}
	}
	if ran && !*interactive {
		return status
	}
	if interactiveRun {
		return interactiveLoop(sv, tout)
	}
	if code := pipeLoop(sv, stdin); code != 0 || status == 0 {
		return code
	}
	return status
}

// fileArgs takes dbr-repl's own flags (-i, -stack) that follow the file
// out of args: `dbr-repl file.go -i` means what `dbr-repl -i file.go`
// does. Everything after "--", or after the first other argument, is the
// program's.
func fileArgs(args []string, interactive, stack *bool) []string {
	if len(args) == 0 {
		return args
	}
	out := []string{args[0]}
	rest := args[1:]
	for len(rest) > 0 {
		switch rest[0] {
		case "-i", "--i":
			*interactive = true
		case "-stack", "--stack":
			*stack = true
		case "--":
			return append(out, rest[1:]...)
		default:
			return append(out, rest...)
		}
		rest = rest[1:]
	}
	return out
}

// stallDefault is the -stall default: $DBR_STALL if set, else one minute
// when no one is at a terminal to press Ctrl-C, else off.
func stallDefault(stdin *os.File) time.Duration {
	if d, err := time.ParseDuration(os.Getenv("DBR_STALL")); err == nil {
		return d
	}
	if isTerminal(stdin) {
		return 0
	}
	return time.Minute
}

func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), ioctlGetTermios)
	return err == nil
}
