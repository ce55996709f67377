package repl

import (
	"os"
	"os/signal"
	"reflect"
	"syscall"

	"github.com/dbr-go/dbr/engine"
	"github.com/traefik/yaegi/interp"
)

// processKnobs replaces the few standard library functions that change the
// whole process so that later code, or the REPL itself, dies with a fatal
// error that no recover catches (a stack or thread limit, a trap), or that
// take Ctrl-C away from the REPL. Code typed at the prompt gets an error
// saying why instead.
var processKnobs = interp.Exports{
	"runtime/debug/debug": {
		"SetMaxStack": reflect.ValueOf(func(int) int {
			panic(&engine.Error{Op: "debug.SetMaxStack", Msg: "not available in dbr-repl: it limits the stack of every goroutine " +
				"of the process, and code that then needs more (dbr-repl's own included) ends the process with a fatal error " +
				"that no recover catches; dbr-repl already stops a runaway recursion after 5000 nested calls"})
		}),
		"SetMaxThreads": reflect.ValueOf(func(int) int {
			panic(&engine.Error{Op: "debug.SetMaxThreads", Msg: "not available in dbr-repl: when the process needs one thread more " +
				"than the limit, it dies with a fatal error (thread exhaustion) that no recover catches"})
		}),
	},
	"runtime/runtime": {
		"Breakpoint": reflect.ValueOf(func() {
			panic(&engine.Error{Op: "runtime.Breakpoint", Msg: "not available in dbr-repl: without a debugger attached, " +
				"the trap it raises kills the process"})
		}),
	},
	"os/signal/signal": {
		"Ignore": reflect.ValueOf(func(sigs ...os.Signal) {
			checkInterruptKept("signal.Ignore", sigs)
			signal.Ignore(sigs...)
		}),
		"Reset": reflect.ValueOf(func(sigs ...os.Signal) {
			checkInterruptKept("signal.Reset", sigs)
			signal.Reset(sigs...)
		}),
	},
}

// checkInterruptKept panics with an *engine.Error when sigs (none: every
// signal) include Ctrl-C's, which dbr-repl needs.
func checkInterruptKept(op string, sigs []os.Signal) {
	hit := len(sigs) == 0
	for _, s := range sigs {
		if s == os.Interrupt || s == syscall.SIGINT {
			hit = true
		}
	}
	if hit {
		panic(&engine.Error{Op: op, Msg: "not available in dbr-repl for os.Interrupt (or with no signal, which means every " +
			"signal): dbr-repl needs Ctrl-C to stop running code; name the other signals"})
	}
}
