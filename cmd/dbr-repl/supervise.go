package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"

	"github.com/dbr-go/dbr/repl/child"
)

// A supervisor runs requests in the session's child process and, when the
// child dies, says what killed it and with which input, then rebuilds the
// session in a new child by replaying the inputs that had succeeded.
type supervisor struct {
	cur    atomic.Pointer[child.Child]
	report io.Writer // where deaths and rebuilds are reported
	// ask, when set, asks whether to rebuild (at a terminal); without it
	// the session is rebuilt at once.
	ask  func(question string) bool
	busy atomic.Bool // a request is running (Ctrl-C interrupts it)
	// rebuilt is set by a rebuild and cleared by the next input that
	// succeeds: a death while it is set does not replay again.
	rebuilt bool
	// final is set when nothing runs after the current request (a script
	// without -i): a death is reported and the session not rebuilt.
	final bool
}

func newSupervisor(cfg child.Config, report io.Writer) (*supervisor, error) {
	c, err := child.Start(cfg)
	if err != nil {
		return nil, err
	}
	sv := &supervisor{report: report}
	sv.cur.Store(c)
	return sv, nil
}

func (sv *supervisor) child() *child.Child { return sv.cur.Load() }

// do runs f on the child; input names what it runs in a report. It returns
// false when the child died (the death is reported and the session rebuilt).
func (sv *supervisor) do(input string, f func(c *child.Child) (child.Result, error)) (child.Result, bool) {
	sv.busy.Store(true)
	res, err := f(sv.child())
	sv.busy.Store(false)
	if err == nil {
		if !res.Failed {
			sv.rebuilt = false
		}
		return res, true
	}
	var died *child.Died
	if !errors.As(err, &died) {
		fmt.Fprintf(sv.report, "error: %v\n", err)
		return res, false
	}
	sv.died(died)
	if died.Input != "" {
		return res, false
	}
	// The child died between inputs (a goroutine of an earlier input
	// killed it): this input was not sent; run it in the new session.
	sv.busy.Store(true)
	res, err = f(sv.child())
	sv.busy.Store(false)
	if err != nil {
		if errors.As(err, &died) {
			sv.died(died)
		} else {
			fmt.Fprintf(sv.report, "error: %v\n", err)
		}
		return res, false
	}
	return res, true
}

// died reports a death and rebuilds the session.
func (sv *supervisor) died(d *child.Died) {
	fmt.Fprintf(sv.report, "error: the session's process died: %s\n", d.Fatal)
	switch {
	case d.Goroutine != "":
		fmt.Fprintf(sv.report, "  in a goroutine started by: %s\n", firstLine(d.Goroutine))
		if d.Input != "" {
			fmt.Fprintf(sv.report, "  while running (it did not finish): %s\n", firstLine(d.Input))
		}
	case d.Input != "":
		fmt.Fprintf(sv.report, "  in: %s\n", firstLine(d.Input))
	default:
		fmt.Fprintln(sv.report, "  between inputs (a goroutine started earlier?)")
	}
	if sv.final {
		return
	}
	old := sv.child()
	inputs := old.Inputs()
	again := sv.rebuilt
	sv.rebuilt = false
	switch {
	case len(inputs) == 0:
		sv.fresh(old, "started a new session")
		return
	case again:
		// Nothing succeeded since the last rebuild: what the replay
		// brought back (a goroutine an input starts) kills it again.
		sv.fresh(old, "the rebuilt session died too before any input succeeded in it, "+
			"so an input it replays kills it (a goroutine that input starts?); started a new, empty session")
		return
	}
	count := len(inputs)
	if d.Goroutine != "" {
		count--
	}
	what := fmt.Sprintf("%d successful input%s", count, plural(count))
	if d.Input != "" || d.Goroutine != "" {
		what += " (without the one that killed it)"
	}
	if sv.ask != nil && !sv.ask(fmt.Sprintf("Rebuild the session by replaying its %s?", what)) {
		sv.fresh(old, "started a new, empty session")
		return
	}
	fmt.Fprintf(sv.report, "rebuilding the session: replaying its %s\n", what)
	sv.busy.Store(true)
	n, rb, err := old.Restart()
	sv.busy.Store(false)
	if n != nil {
		sv.cur.Store(n)
	}
	for _, in := range rb.Dropped {
		fmt.Fprintf(sv.report, "left out, since it killed the new session too: %s\n", firstLine(in))
	}
	if err != nil {
		fmt.Fprintf(sv.report, "error: the replay failed: %v\n", err)
		sv.fresh(sv.child(), "started a new, empty session")
		return
	}
	sv.rebuilt = true
	for _, in := range rb.Failed {
		fmt.Fprintf(sv.report, "failed this time: %s\n", firstLine(in))
	}
	fmt.Fprintf(sv.report, "session rebuilt (%d input%s replayed)\n", rb.Replayed, plural(rb.Replayed))
}

// fresh replaces the child with a new, empty session and says so.
func (sv *supervisor) fresh(old *child.Child, msg string) {
	n, err := old.Fresh()
	if err != nil {
		fmt.Fprintf(sv.report, "dbr-repl: %v\n", err)
		return
	}
	sv.cur.Store(n)
	fmt.Fprintln(sv.report, msg)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if first, _, multi := strings.Cut(s, "\n"); multi {
		return first + " …"
	}
	return s
}
