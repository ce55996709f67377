package repl

import (
	"bytes"
	"context"
	"fmt"
	"runtime/pprof"
	"strings"
	"sync/atomic"
	"time"
)

// Every evaluation runs under a watchdog that turns a stuck evaluation into
// an error naming the input, so that no input hangs the session:
//
//   - yaegi v0.16.1 can deadlock itself handling a panic (runCfg's deferred
//     recover locks the frame's mutex that the panicking code held).
//     refuse.go keeps the known way in out; after half a second, then at
//     doubling intervals, the watchdog also looks for a goroutine of the
//     evaluation waiting on that lock (pprof's goroutine profile, which
//     stops the world); seen twice in a row, the evaluation is stuck, and
//     the watchdog ends it. This is always on. (The frame is that of a
//     function: every statement typed runs inside one; a locked global
//     frame would hang every later input.)
//   - With Options.StallTimeout > 0, an evaluation during which the process
//     uses no CPU for that long (a channel receive, a lock or a sleep that
//     never ends) ends with an error. It is meant for piped input, where no
//     one is there to press Ctrl-C.
//
// Ending an evaluation cancels its context, as Interrupt does: yaegi's
// ExecuteWithContext returns, and a goroutine that cannot be stopped
// (deadlocked) is left behind, holding nothing the session needs.

// watchTick is how often the watchdog samples the process's CPU time; a
// tick in which it used less than idleCPU counts as idle.
const (
	watchTick = 100 * time.Millisecond
	idleCPU   = 2 * time.Millisecond
	// yaegi's deadlock is looked for after deadlockCheck, then at doubling
	// intervals up to maxDeadlockCheck.
	deadlockCheck    = 500 * time.Millisecond
	maxDeadlockCheck = 16 * time.Second
)

// A stallError ends an evaluation that the watchdog found stuck.
type stallError struct {
	idle     time.Duration // how long the process used no CPU
	deadlock bool          // yaegi deadlocked itself
}

func (e *stallError) Error() string {
	if e.deadlock {
		return "the interpreter deadlocked handling a panic of this input (a known yaegi bug); " +
			"the evaluation was stopped and the session goes on"
	}
	return fmt.Sprintf("no progress for %s: the evaluation used no CPU (waiting on a channel, a lock or a sleep "+
		"that does not end?); it was stopped, the session goes on", e.idle.Round(time.Millisecond))
}

// leftDeadlocked counts the goroutines of evaluations, in every session of
// the process, that the watchdog found deadlocked and left behind.
var leftDeadlocked atomic.Int64

// watch starts the watchdog of one evaluation, which calls stop with a
// *stallError when the evaluation is stuck. The returned function ends the
// watchdog.
func (s *Session) watch(stop context.CancelCauseFunc) (end func()) {
	last, ok := cpuTime()
	if !ok {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(watchTick)
		defer t.Stop()
		idleSince := time.Now()
		every := deadlockCheck
		nextCheck := idleSince.Add(every)
		seen := false
		for {
			select {
			case <-done:
				return
			case now := <-t.C:
				cpu, _ := cpuTime()
				if cpu-last >= idleCPU {
					idleSince = now
				}
				last = cpu
				idle := now.Sub(idleSince)
				if now.After(nextCheck) {
					// Looking stops the world: a long evaluation looks ever
					// more rarely (a deadlock is found within twice its age).
					every = min(2*every, maxDeadlockCheck)
					nextCheck = now.Add(every)
					if yaegiDeadlocks() <= leftDeadlocked.Load() {
						seen = false
					} else if !seen {
						seen = true // a waiter on a frame lock, twice a second apart, is stuck
					} else {
						leftDeadlocked.Add(1)
						stop(&stallError{idle: idle, deadlock: true})
						return
					}
				}
				if s.opt.StallTimeout > 0 && idle >= s.opt.StallTimeout {
					stop(&stallError{idle: idle})
					return
				}
			}
		}
	}()
	return func() { close(done) }
}

// yaegiDeadlocks counts the goroutines running an evaluation (execute's,
// or yaegi's ExecuteWithContext's) that wait in runCfg's deferred recover for a frame
// lock: a lock nothing will release.
func yaegiDeadlocks() int64 {
	var b bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&b, 1); err != nil {
		return 0
	}
	var n int64
	for _, rec := range strings.Split(b.String(), "\n\n") {
		var count int64
		if _, err := fmt.Sscanf(rec, "%d @", &count); err != nil {
			continue
		}
		var frames []string
		for _, l := range strings.Split(rec, "\n") {
			if f := strings.Fields(l); len(f) >= 3 && f[0] == "#" {
				frames = append(frames, f[2])
			}
		}
		stuck, eval := false, false
		for i, f := range frames {
			if strings.HasPrefix(f, "github.com/traefik/yaegi/interp.runCfg.func1+") && i > 0 &&
				strings.HasPrefix(frames[i-1], "sync.(*RWMutex).Lock+") {
				stuck = true
			}
			if strings.HasPrefix(f, "github.com/traefik/yaegi/interp.(*Interpreter).ExecuteWithContext.func1+") ||
				strings.HasPrefix(f, "github.com/dbr-go/dbr/repl.(*Session).execute.func") {
				eval = true
			}
		}
		if stuck && eval {
			n += count
		}
	}
	return n
}
