package engine

import (
	"sync"
	"sync/atomic"
)

// Grad mode belongs to a goroutine, as it belongs to a thread in PyTorch:
// NoGrad, Backward (whose backward closures run without recording) and op
// hooks (whose own ops fire no hooks) change it for the goroutine that calls
// them and for nothing else, so that eight goroutines can train eight models
// at once, one evaluating under NoGrad while another records. A goroutine
// starts with grad mode on, whatever the goroutine that started it was
// doing: a function started with go inside NoGrad records again.
//
// The state lives in a map keyed by the goroutine's runtime identity
// (goroutine.go), with an entry only while a goroutine is inside NoGrad,
// Backward or a hook; while the map is empty, which is the usual case
// outside those, an op does not look at it at all. The state last looked up
// or entered is remembered (last), so that the ops of a backward, which all
// run on the goroutine that called Backward, find it without hashing.

// goState is one goroutine's grad mode. Only its goroutine reads or writes
// its counters.
type goState struct {
	key      atomic.Uintptr // the owning goroutine; read by others through last
	boxed    any            // key as an interface, for goStates
	noGrad   int32          // NoGrad and Backward calls under way: ops record no graph
	backward int32          // backward closures under way: their ops are part of one backward event
	hook     int32          // op hooks under way: their ops fire no hooks
	grad     int32          // Grad calls under way: backward closures return every gradient
}

var (
	goStates sync.Map     // goroutine identity → *goState
	nStates  atomic.Int32 // entries in goStates
	// last is a state in goStates, or nil. Only a state's owner stores it
	// here, and its leave clears it before the state goes back to
	// freeStates, so a state found here whose key is the calling goroutine
	// is that goroutine's.
	last atomic.Pointer[goState]
)

// current returns the calling goroutine's state, or nil when it has none
// (grad mode on, outside any backward or hook).
func current() *goState {
	if nStates.Load() == 0 {
		return nil
	}
	k := goroutine()
	if s := last.Load(); s != nil && s.key.Load() == k {
		return s
	}
	if v, ok := goStates.Load(k); ok {
		s := v.(*goState)
		last.Store(s)
		return s
	}
	return nil
}

// enter increments the counter that field picks of the calling goroutine's
// state, creating the state; the deferred leave undoes it (and drops the
// state once every counter is back to zero):
//
//	defer enter(noGradOf).leave()
//
// Neither allocates once the goroutine has a state, and states are reused:
// Backward enters once per op.
func enter(field func(*goState) *int32) entered {
	k := goroutine()
	s := last.Load()
	if s == nil || s.key.Load() != k {
		if v, ok := goStates.Load(k); ok {
			s = v.(*goState)
		} else {
			s = freeStates.Get().(*goState)
			if s.key.Load() != k || s.boxed == nil {
				s.key.Store(k)
				s.boxed = k // boxed once, not at every Store
			}
			goStates.Store(s.boxed, s)
			nStates.Add(1)
		}
		last.Store(s)
	}
	c := field(s)
	*c++
	return entered{s, c}
}

// entered is a counter incremented by enter.
type entered struct {
	s *goState
	c *int32
}

func (e entered) leave() {
	*e.c--
	if s := e.s; s.noGrad == 0 && s.backward == 0 && s.hook == 0 && s.grad == 0 {
		goStates.Delete(s.boxed)
		last.CompareAndSwap(s, nil)
		nStates.Add(-1)
		freeStates.Put(s)
	}
}

// freeStates holds the goStates no goroutine uses (all counters zero).
var freeStates = sync.Pool{New: func() any { return new(goState) }}

func noGradOf(s *goState) *int32   { return &s.noGrad }
func backwardOf(s *goState) *int32 { return &s.backward }
func hookOf(s *goState) *int32     { return &s.hook }
func gradOf(s *goState) *int32     { return &s.grad }

// inGrad reports whether the calling goroutine is inside Grad, whose
// backward closures must return each gradient rather than add it into a
// leaf's Grad (Linear's shortcut).
func inGrad() bool {
	s := current()
	return s != nil && s.grad > 0
}

// GradEnabled reports whether ops on the calling goroutine record the
// autograd graph.
func GradEnabled() bool {
	s := current()
	return s == nil || s.noGrad == 0
}

// NoGrad runs f with graph recording off on the calling goroutine, as
// torch.no_grad on the calling thread: results made inside do not require
// grad. Use it for evaluation and for updating weights. Goroutines started
// inside f record as usual.
func NoGrad(f func()) {
	defer enter(noGradOf).leave()
	f()
}

// inBackwardClosure reports whether the calling goroutine is running an
// op's backward closure: tensors allocated there are scratch (bufpool.go).
func inBackwardClosure() bool {
	s := current()
	return s != nil && s.backward > 0
}

// hooksQuiet reports whether ops on the calling goroutine fire no hooks:
// inside a backward closure (the op's backward is one event) or inside a
// hook (a hook that runs an op would otherwise call itself).
func hooksQuiet() bool {
	s := current()
	return s != nil && (s.backward > 0 || s.hook > 0)
}
