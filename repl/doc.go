// Package repl is the evaluation core of dbr-repl: it turns what a learner
// types into Go that yaegi (v0.16.1) evaluates well, runs it, prints values
// and explains errors. It has no terminal code, so the dbr-repl binary, its
// script runner, tests and a future notebook kernel share it.
//
// # From input to values
//
// Incomplete says whether input needs more lines (an open bracket, a trailing
// operator, '.', ',', an unterminated raw string or comment). Split cuts
// complete input into top-level units. Session.Eval then handles each unit:
//
//   - consecutive declarations (functions, methods, types, constants,
//     imports) are declared together, as in a file, and kept in the
//     session's record of declarations (decls.go): a name defined again
//     replaces its old definition for every later use, by a rebuild of the
//     interpreter from the record when yaegi cannot rebind in place; a
//     declaration that fails leaves no trace; `func main` is refused (yaegi
//     would rerun it on every later input);
//   - `x := e` and `var x = e` evaluate e inside a function and then bind x
//     (define.go): x is the same variable when its type does not change, so
//     functions defined before see the new value; a definition that fails
//     or is interrupted changes nothing;
//   - every other statement runs inside `(func() { ... })()`, so that yaegi
//     frees its temporaries: a 10,000-step training loop typed at the prompt
//     keeps memory flat; one that fails changes no variable, one that is
//     interrupted keeps what it did until then;
//   - a bare expression (or a list `a, b`) runs as `_dbr.Result(e)`, which
//     hands its values to the session for printing; a call without results
//     falls back to running as a statement; fmt.Print* results are not shown.
//
// # Rewrites for yaegi's traps
//
// Before evaluation the parsed input is rewritten: `go f(x)` becomes a call
// of a compiled helper that starts the goroutine and reports its panic
// instead of killing the process; `for i := range n` over an integer becomes
// a three-clause loop; min, max and clear call helpers; variadic arguments
// of a compiled function whose variadic parameter is an interface are passed
// as a slice; every function body starts by counting the call (see Guards).
// What cannot be rewritten gets "not supported in dbr-repl: ...; use ...
// instead". Every call into yaegi is recovered: no input kills the host
// (FuzzEval checks it).
//
// # Guards
//
// What yaegi or the Go runtime cannot survive is kept out by one set of
// guards, each in its own file. An input ends in a result or an error, and
// the session goes on; what no Go process survives (a fatal error such as
// concurrent map writes) is left to the supervising process (repl/child).
//
//   - Before evaluation (refuse.go), input that would hang or crash the
//     session is refused with what to write instead: an unexported field or
//     method of a compiled type (x.shape(), which deadlocks yaegi; "Go
//     methods are capitalised and called: x.Shape()"), a generic function
//     that calls itself (a panic inside it loops yaegi's panic handler until
//     a fatal stack overflow), and a declaration of a name starting with
//     _dbr (the helpers' names).
//   - While evaluating (watchdog.go), a watchdog ends an evaluation that
//     yaegi deadlocked and, with Options.StallTimeout (dbr-repl's -stall, on
//     by default for piped input), one during which the process uses no CPU
//     for that long, with an error naming the input.
//   - Recursion (depth.go): every interpreted call counts, per goroutine and
//     across inputs; more than 5,000 nested calls on a goroutine stop it
//     with an error before Go's fatal stack overflow.
//   - Printing (printsafe.go): a value nested more than 10,000 levels deep
//     or containing itself is named instead of printed, as a result, as a
//     panic's value and through fmt and log in interpreted code.
//   - Process-wide knobs that would make later code die (debug.SetMaxStack,
//     signal.Ignore of Ctrl-C) are replaced by errors (guards.go); a function
//     passed to compiled code reports its panic on a goroutine of its own
//     (callback.go); :load reads regular files of at most 16 MiB (load.go).
//
// cmd/dbr-repl's TestAttacks pipes the known killers to the binary, and
// TestFuzzInputsPiped every FuzzEval input (testdata/fuzz_seeds.txt).
//
// # Errors
//
// A failing unit prints one line saying what failed (an op's *engine.ShapeError
// as it is, yaegi's reflect messages translated) and the unit's line; the Go
// stack is kept for :stack. Interrupt stops a running evaluation (interpreted
// code through its context, compiled ops through engine.Interrupt). A
// statement that fails leaves every global variable holding what it held
// before (a value changed in place, such as a tensor's elements, stays
// changed).
//
// # Commands
//
// `:name args` lines run the session's Commands: those that packages
// register with RegisterCommand in an init function (commands_inspect.go),
// and those added to one session with Session.AddCommand. Line hooks
// (Session.AddLineHook) run around every input of their session.
//
// # Sessions and goroutines
//
// A Session is used by one goroutine at a time: Eval, RunCommand, Complete
// and the rest must not be called concurrently on one session, except
// Interrupt, which a signal handler may call at any time. Goroutines that
// the session's code starts keep running after Eval returns and may read
// and write its variables, as in Go.
//
// Sessions are independent: each has its own interpreter (so its own
// variables, functions and types), commands, line hooks, :trace and
// :anomaly settings, writers and callbacks, and record of declarations and
// successful inputs. Two sessions may live in one process (a notebook
// kernel, tests) and evaluate one after the other without seeing each
// other's state. A few things belong to the process, and two sessions
// evaluating at the same time share them while they overlap: Interrupt
// stops the compiled engine ops of both (engine.Interrupt); anomaly mode
// is on for every op while a session with :anomaly on evaluates; inspect's
// output and display's handler point at the session that started
// evaluating last; the standard logger's filter of yaegi's noise is
// installed once.
package repl
