package engine

import (
	"fmt"
	"slices"
	"sync"
	"testing"
)

// TestNoGradIsPerGoroutine: a NoGrad on one goroutine leaves another
// goroutine recording, and a goroutine started inside NoGrad records.
func TestNoGradIsPerGoroutine(t *testing.T) {
	w := Randn(3).SetRequiresGrad(true)
	inside, release := make(chan bool), make(chan bool)
	var insideGrad, childGrad bool
	finished := make(chan bool)
	go func() {
		defer close(finished)
		NoGrad(func() {
			done := make(chan bool)
			go func() { childGrad = w.Mul(w).RequiresGrad(); done <- true }()
			<-done
			inside <- true
			<-release
			insideGrad = w.Mul(w).RequiresGrad()
			inside <- true
		})
	}()
	<-inside
	if !GradEnabled() || !w.Mul(w).RequiresGrad() {
		t.Error("a NoGrad on another goroutine turned recording off here")
	}
	release <- true
	<-inside
	<-finished
	if insideGrad {
		t.Error("inside NoGrad a result requires grad")
	}
	if !childGrad {
		t.Error("a goroutine started inside NoGrad does not record")
	}
	if n := nStates.Load(); n != 0 {
		t.Errorf("%d goroutine states left after NoGrad returned", n)
	}
}

// trainLine fits w in y = x·w by gradient descent for steps steps, the
// update under NoGrad, and returns w.
func trainLine(x, y *Tensor, steps int) []float32 {
	w := Zeros(4, 1).SetRequiresGrad(true)
	for range steps {
		loss := x.MatMul(w).Sub(y).Square().Mean()
		loss.Backward()
		NoGrad(func() {
			w.AddScaled_(w.Grad(), -0.1)
			w.ZeroGrad()
		})
	}
	return w.Float32s()
}

// TestEightGoroutinesTrainEightModels trains eight models at once, each on
// its own goroutine (one's Backward and NoGrad do not turn recording off for
// the others), and checks each ends where the same training on one goroutine
// does, bit for bit.
func TestEightGoroutinesTrainEightModels(t *testing.T) {
	Seed(21)
	x := Randn(32, 4)
	y := x.MatMul(New([]float32{1, -2, 0.5, 3}, 4, 1))
	want := trainLine(x, y, 30)
	got := make([][]float32, 8)
	errs := make([]error, 8)
	var wg sync.WaitGroup
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = Try(func() { got[i] = trainLine(x, y, 30) })
		}()
	}
	wg.Wait()
	for i := range got {
		if errs[i] != nil {
			t.Errorf("goroutine %d: %v", i, errs[i])
		} else if !slices.Equal(got[i], want) {
			t.Errorf("goroutine %d ended at %v, one goroutine alone at %v", i, got[i], want)
		}
	}
}

// TestOpInsideHookFiresNoHook: a hook that runs an op sees each op of the
// program once and not its own ops (which would call it again, forever).
func TestOpInsideHookFiresNoHook(t *testing.T) {
	var seen []string
	remove := AddOpHook(func(ev OpEvent) {
		seen = append(seen, ev.Op)
		Ones(1).Exp()
	})
	x := Randn(2).SetRequiresGrad(true)
	x.Exp().Sum().Backward()
	remove()
	if want := []string{"Exp", "Sum", "Sum", "Exp"}; !slices.Equal(seen, want) {
		t.Errorf("hook saw %v, want %v", seen, want)
	}
}

// TestDefaultDTypeAcrossGoroutines sets the default dtype while other
// goroutines make tensors (run with -race: the setting is atomic).
func TestDefaultDTypeAcrossGoroutines(t *testing.T) {
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				if dt := Zeros(2).DType(); dt != Float32 {
					t.Errorf("Zeros made %v", dt)
					return
				}
			}
		}()
	}
	for range 100 {
		SetDefaultDType(Float32)
	}
	wg.Wait()
}

// TestGradModeLastStateIsOwners: the state remembered as the last one used
// (gradmode.go) answers only for its own goroutine. Three goroutines take
// turns, in a fixed order, entering and leaving NoGrad, so that when one
// asks, the remembered state is often another's, or was released by one
// goroutine and taken again by another.
func TestGradModeLastStateIsOwners(t *testing.T) {
	type step struct {
		who  int
		do   string // "enter", "leave" or "check"
		want bool   // GradEnabled at a check
	}
	steps := []step{
		{0, "enter", false}, {1, "check", true}, {0, "check", false},
		{1, "enter", false}, {0, "check", false}, {1, "check", false}, {2, "check", true},
		{0, "leave", false}, {0, "check", true}, {1, "check", false},
		{2, "enter", false}, {0, "check", true}, {2, "check", false}, {1, "check", false},
		{1, "leave", false}, {2, "check", false}, {1, "check", true}, {0, "check", true},
		{0, "enter", false}, {0, "enter", false}, {2, "leave", false}, {0, "check", false}, {2, "check", true},
		{0, "leave", false}, {0, "check", false}, {1, "check", true},
		{0, "leave", false}, {0, "check", true},
	}
	turns := []chan step{make(chan step), make(chan step), make(chan step)}
	done := make(chan string)
	// serve answers who's turns until a leave (returning from the NoGrad
	// that the matching enter started) or until its channel is closed.
	var serve func(who int) bool
	serve = func(who int) bool {
		for s := range turns[who] {
			switch s.do {
			case "enter":
				done <- ""
				var closed bool
				NoGrad(func() { closed = !serve(who) })
				if closed {
					return false
				}
				done <- "" // the leave
				continue
			case "leave":
				return true
			case "check":
				if got := GradEnabled(); got != s.want {
					done <- fmt.Sprintf("goroutine %d: GradEnabled() = %v, want %v", who, got, s.want)
					continue
				}
			}
			done <- ""
		}
		return false
	}
	for who := range turns {
		go serve(who)
	}
	for i, s := range steps {
		turns[s.who] <- s
		if msg := <-done; msg != "" {
			t.Errorf("step %d: %s", i, msg)
		}
	}
	for _, c := range turns {
		close(c)
	}
}
