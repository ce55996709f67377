package kernels

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Products split over cores run their shares on long-lived worker
// goroutines. Starting a goroutine for an idle core means waking a sleeping
// OS thread, tens of microseconds on this kind of machine: a tenth of a
// 256×256 product, and the whole gain of splitting a 128×128 one. A worker
// that finishes a share keeps polling for the next one for spinTime,
// yielding its core to any other goroutine that wants it, before it sleeps,
// so back-to-back products (a training loop, a benchmark) find it awake, as
// OpenBLAS's threads do. A sleeping worker costs nothing.
const spinTime = 200 * time.Microsecond

type worker struct {
	job  atomic.Pointer[share]
	wake chan struct{} // a token after each job handed over, for a sleeping worker
}

// share is one goroutine's part of a parallel call.
type share struct {
	f func(w int)
	w int
	g *group
}

// group tracks the shares of one parallel call. Groups are pooled, with
// their shares and channel, so that a call allocates nothing once the pool
// holds one: a worker touches its group last when it counts its share
// finished (or, when the caller sleeps, right after, to wake it), and the
// caller puts the group back only once it has seen every share finished.
type group struct {
	// state is the shares on workers not yet finished, plus asleep once
	// the caller has stopped polling and sleeps on done.
	state   atomic.Int32
	done    chan struct{} // a token from the last share, for a sleeping caller
	mu      sync.Mutex
	failure any // the first panic
	shares  []share
}

// asleep is the flag in group.state of a caller sleeping on done.
const asleep = 1 << 30

var groups = sync.Pool{New: func() any { return &group{done: make(chan struct{}, 1)} }}

var (
	idleMu sync.Mutex
	idle   []*worker    // workers free for a share
	active atomic.Int32 // parallel calls running: products inside them are not split again
)

// Parallel runs f(0) on the calling goroutine and f(1), …, f(n−1) on the
// package's workers, and returns when all have returned; the first panic of
// any of them is re-raised here once all have stopped. While it runs,
// products do not split over goroutines themselves (the cores are taken), so
// the engine can run, say, a convolution's images on all cores.
func Parallel(n int, f func(w int)) { parallel(n, f) }

// parallel is Parallel.
func parallel(n int, f func(w int)) {
	if n <= 1 {
		f(0)
		return
	}
	active.Add(1)
	defer active.Add(-1)
	g := groups.Get().(*group)
	if cap(g.shares) < n {
		g.shares = make([]share, n)
	}
	g.shares = g.shares[:n]
	g.state.Store(int32(n - 1))
	idleMu.Lock()
	for w := 1; w < n; w++ {
		var wk *worker
		if k := len(idle); k > 0 {
			wk, idle = idle[k-1], idle[:k-1]
		} else {
			wk = &worker{wake: make(chan struct{}, 1)}
			go wk.loop()
		}
		g.shares[w] = share{f, w, g}
		wk.job.Store(&g.shares[w])
		select {
		case wk.wake <- struct{}{}:
		default: // a token is already there
		}
	}
	idleMu.Unlock()
	g.run(f, 0)
	g.wait()
	failure := g.failure
	g.failure = nil
	clear(g.shares) // the pool keeps no f alive
	groups.Put(g)
	if failure != nil {
		panic(failure)
	}
}

// run calls f(w), keeping a panic for the caller of parallel.
func (g *group) run(f func(w int), w int) {
	defer func() {
		if e := recover(); e != nil {
			g.mu.Lock()
			if g.failure == nil {
				g.failure = e
			}
			g.mu.Unlock()
		}
	}()
	f(w)
}

// wait returns when every worker's share is done: it polls briefly (the
// shares are even, so they end together), then sleeps until the last share
// wakes it (unless all finished before it set asleep: then none will).
func (g *group) wait() {
	for i := 0; g.state.Load() > 0; i++ {
		if i == 1<<12 {
			if g.state.Add(asleep) != asleep {
				<-g.done
			}
			return
		}
		if i%64 == 63 {
			runtime.Gosched()
		}
	}
}

func (w *worker) loop() {
	for {
		s := w.next()
		g := s.g
		g.run(s.f, s.w)
		idleMu.Lock()
		idle = append(idle, w)
		idleMu.Unlock()
		if g.state.Add(-1) == asleep { // the last share, and the caller sleeps
			g.done <- struct{}{}
		}
	}
}

// next returns the worker's next share: it polls for spinTime, then sleeps
// until a share is handed over.
func (w *worker) next() *share {
	start := time.Now()
	for i := 1; ; i++ {
		if s := w.job.Swap(nil); s != nil {
			return s
		}
		if i%64 == 0 {
			runtime.Gosched()
			if time.Since(start) > spinTime {
				break
			}
		}
	}
	for {
		<-w.wake
		if s := w.job.Swap(nil); s != nil {
			return s
		}
	}
}
