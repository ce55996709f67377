package repl

import (
	"context"
	"reflect"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/traefik/yaegi/interp"
)

// yaegi's ExecuteWithContext returns as soon as its context is cancelled,
// while the goroutine running the program is still on its way out of
// interpreted code: it finishes the step it is in, runs deferred calls and,
// for a function literal called through reflect (every statement runs in
// one), writes the literal's global frame slot back. A session that went on
// at once would trim the global frame under it (forgetCompiled) or reuse
// the slot, and that late write then panics inside yaegi while it holds the
// frame's lock: every later input waited on that lock forever (Ctrl-C in
// `for {}`, then `kept.Shape()`, hung about one time in eight).
//
// execute runs prog as ExecuteWithContext does (the same fields set, the same
// stop), and on cancellation counts the program's goroutine in stragglers
// until it has really ended; forgetCompiled leaves the frame alone meanwhile.

// yaegiRun holds what execute needs of an Interpreter's unexported fields.
type yaegiRun struct {
	id         *uint64
	mutex      *sync.RWMutex
	done       reflect.Value // chan struct{}
	cancelChan reflect.Value // bool
	fastChan   bool
}

// runFields finds the fields, or reports false if yaegi's layout is not the
// one known (execute then uses ExecuteWithContext).
func runFields(in *interp.Interpreter) (y yaegiRun, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	root := reflect.ValueOf(in)
	id := unexported(root, "id")
	mu := unexported(root, "mutex")
	done := unexported(root, "done")
	cc := unexported(root, "cancelChan")
	fast := unexported(unexported(root, "opt"), "fastChan")
	if !id.IsValid() || id.Kind() != reflect.Uint64 ||
		!mu.IsValid() || mu.Type() != reflect.TypeOf(sync.RWMutex{}) ||
		!done.IsValid() || done.Type() != reflect.TypeOf(make(chan struct{})) ||
		!cc.IsValid() || cc.Kind() != reflect.Bool ||
		!fast.IsValid() || fast.Kind() != reflect.Bool {
		return y, false
	}
	return yaegiRun{
		id:         (*uint64)(unsafe.Pointer(id.UnsafeAddr())),
		mutex:      (*sync.RWMutex)(unsafe.Pointer(mu.UnsafeAddr())),
		done:       done,
		cancelChan: cc,
		fastChan:   fast.Bool(),
	}, true
}

// execute runs prog until it ends or ctx is cancelled (see above).
func (s *Session) execute(ctx context.Context, prog *interp.Program) error {
	y, ok := runFields(s.in)
	if !ok {
		_, err := s.in.ExecuteWithContext(ctx, prog)
		return err
	}
	y.mutex.Lock()
	y.done.Set(reflect.ValueOf(make(chan struct{})))
	y.cancelChan.SetBool(!y.fastChan)
	stopCh := y.done.Interface().(chan struct{})
	y.mutex.Unlock()

	ended := make(chan struct{})
	var err error
	go func() {
		defer close(ended)
		_, err = s.in.Execute(prog)
	}()
	select {
	case <-ended:
		return err
	case <-ctx.Done():
	}
	atomic.AddUint64(y.id, 1) // yaegi's stop: every frame's run id is now stale
	close(stopCh)
	s.stragglers.Add(1)
	go func() {
		<-ended
		s.stragglers.Add(-1)
	}()
	return ctx.Err()
}

// forget is forgetCompiled, skipped while a stopped program is still running
// (it may still write to the global frame).
func (s *Session) forget(m compileMark) {
	if s.stragglers.Load() == 0 {
		forgetCompiled(s.in, m)
	}
}
