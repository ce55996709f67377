// Package child runs a repl.Session in a child process, so that what Go
// cannot recover (fatal error: concurrent map writes, sync: unlock of
// unlocked mutex, a stack overflow, running out of memory, a fault) kills the
// child and not the program that talks to the learner. The parent keeps the
// successful inputs of the session and can rebuild it in a new child by
// replaying them.
//
// dbr-repl's terminal front end is the parent today; a notebook kernel can be
// one the same way. The child is the parent's own binary, re-executed with
// the environment variable DBR_CHILD set, so its main must start with
//
//	if child.IsChild() {
//		os.Exit(child.Serve())
//	}
//
// # Parent side
//
// Start starts a child; Eval, Load, Command and Complete send one request
// each and wait for its answer; Interrupt stops the running request
// (engine.Interrupt and the cancellation of its context: variables stay as
// they were). When the child dies, the waiting call returns a *Died that
// names the fatal error's first line and the input that was running, and,
// when the fatal error happened in a goroutine that an earlier input's go
// statement started, that input (Goroutine); Restart starts a new child and
// replays, printing nothing, the inputs the old one had succeeded with
// (Inputs), without the one that killed it.
//
// # File descriptors of the child
//
//	0  standard input, inherited
//	1  the program's output and results (the parent's stdout, or a relay pipe)
//	2  errors (the parent's stderr, or the same relay pipe)
//	3  requests, parent to child
//	4  answers, child to parent
//	5  crash output: the child moves descriptor 2 here once it has kept its
//	   own copies of 1 and 2, so the Go runtime's fatal error text reaches the
//	   parent, which reports its first line instead of a page of stacks; the
//	   child also notes there which input started each live goroutine of the
//	   session's code, so that the parent can blame the goroutine a fatal
//	   error names
//
// Interpreted code gets its own os.Stdout and os.Stderr: closing them does
// not silence the session's results, and closing os.Stdin ends nothing but
// the program's own reading.
//
// # Messages
//
// Requests and answers are JSON objects, one per line (see request and
// answer). Requests are handled one at a time and each gets exactly one
// answer with its ID, except "interrupt", which gets none and acts at once,
// even while another request runs. The first request is "start" (the
// program's arguments); its answer says the session is ready. Every answer
// carries the inputs the session recorded since the previous answer
// (Added), or all of them after a :reset (Reset), so the parent always holds
// what it needs to rebuild the session.
//
// When the parent relays the child's output through a pipe (Config.Output),
// the child writes a sync marker to descriptor 1 before each answer, and the
// parent delivers an answer only once everything written before it has been
// relayed: a prompt never appears above the output of the input it follows.
package child
