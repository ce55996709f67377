package repl

import (
	"context"
	"testing"
	"time"
)

// An evaluation stopped by Ctrl-C must have left interpreted code before the
// next input runs: yaegi's own ExecuteWithContext returned while the stopped
// goroutine still had to write the statement's frame slot back, and when the
// session had trimmed the frame meanwhile that write panicked under yaegi's
// frame lock, so the next input (here kept.Shape()) waited forever. The
// interrupt lands at a different moment in each round.
func TestInterruptThenEvaluate(t *testing.T) {
	s, out := newSession(t)
	defer s.Close()
	if _, ok := runFields(s.in); !ok {
		t.Fatal("yaegi's Interpreter no longer has the fields execute sets (id, mutex, done, cancelChan, opt.fastChan)")
	}
	evalOK(t, s, out, "kept := engine.Ones(2, 4)")
	for round := 0; round < 12; round++ {
		done := make(chan error, 1)
		go func() { done <- s.Eval(context.Background(), "for {}") }()
		time.Sleep(time.Duration(20+round*37) * time.Millisecond)
		s.Interrupt()
		if err := <-done; err == nil {
			t.Fatal("for {} ended without an error")
		}
		answer := make(chan string, 1)
		go func() { answer <- evalOK(t, s, out, "kept.Shape()") }()
		select {
		case got := <-answer:
			if got != "[2 4]\n" {
				t.Fatalf("round %d: kept.Shape() after an interrupt printed %q", round, got)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("round %d: kept.Shape() after an interrupted for {} did not answer", round)
		}
	}
	for deadline := time.Now().Add(30 * time.Second); s.stragglers.Load() != 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d stopped programs still running after 30 s", s.stragglers.Load())
		}
	}
}
