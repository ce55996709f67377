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
//   - declarations are evaluated as they are, except `func main` (yaegi would
//     rerun it on every later input) and `var x I = v` (split in two, since
//     yaegi fails on it for an interpreted v);
//   - `x := e` is evaluated at top level, so x persists; when e uses an x
//     being redeclared it goes through a temporary (yaegi would see the new,
//     zero x);
//   - every other statement runs inside `(func() { ... })()`, so that yaegi
//     frees its temporaries: a 10,000-step training loop typed at the prompt
//     keeps memory flat;
//   - a bare expression (or a list `a, b`) runs as `_dbr.Result(e)`, which
//     hands its values to the session for printing; a call without results
//     falls back to running as a statement; fmt.Print* results are not shown.
//
// # Rewrites for yaegi's traps
//
// Before evaluation the parsed input is rewritten: `go f(x)` reports a panic
// of the goroutine instead of killing the process; `for i := range n` over an
// integer becomes a three-clause loop; min, max and clear call helpers;
// top-level comma-ok forms (`v, ok := m[k]`, `x.(T)`) become two definitions;
// variadic arguments of a compiled function whose variadic parameter is an
// interface are passed as a slice; every named function counts its calls so
// that unbounded recursion stops with an error before Go's fatal stack
// overflow. What cannot be rewritten gets "not supported in dbr-repl: ...;
// use ... instead". Every call into yaegi is recovered: no input kills the
// host (FuzzEval checks it).
//
// # Errors
//
// A failing unit prints one line saying what failed (an op's *engine.ShapeError
// as it is, yaegi's reflect messages translated) and the unit's line; the Go
// stack is kept for :stack. Interrupt stops a running evaluation (interpreted
// code through its context, compiled ops through engine.Interrupt).
//
// # Commands
//
// `:name args` lines run registered Commands; packages add theirs with
// RegisterCommand in an init function (commands_inspect.go), and line hooks
// (AddLineHook) run around every input.
package repl
