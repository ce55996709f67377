package nn

import (
	"reflect"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/dbr-go/dbr/engine"
)

// ForwardHook sees a module's input x and output y each time the module runs
// through Call (a Sequential runs its layers through Call), as a forward hook
// of torch.nn.Module; it may return a replacement output, or nil to keep y.
// Gradient hooks are the engine's: y.RegisterHook(…) inside a forward hook
// watches the gradient arriving at the module's output.
type ForwardHook func(m Module, x, y *engine.Tensor) *engine.Tensor

var (
	fwdMu    sync.Mutex
	fwdHooks = map[uintptr][]*ForwardHook{} // by moduleKey
	nFwd     atomic.Int32                   // hooks registered: Call skips the map when 0
)

// RegisterForwardHook makes h run after every Call of m (a layer of a
// Sequential included) until the returned function is called. Hooks run in
// the order they were registered, each seeing the output the previous one
// returned.
// It panics with an *engine.Error when m is nil or not a pointer (a module's
// identity is its address: register &m).
func RegisterForwardHook(m Module, h ForwardHook) (remove func()) {
	if h == nil {
		errorf("RegisterForwardHook", "the hook is nil")
	}
	k, ok := moduleKey(m)
	if !ok {
		errorf("RegisterForwardHook", "the module must be a non-nil pointer (its address identifies it), got %T", m)
	}
	p := &h
	fwdMu.Lock()
	defer fwdMu.Unlock()
	fwdHooks[k] = append(fwdHooks[k], p)
	nFwd.Add(1)
	var once sync.Once
	return func() {
		once.Do(func() {
			fwdMu.Lock()
			defer fwdMu.Unlock()
			hs := fwdHooks[k]
			for i, q := range hs {
				if q == p {
					hs = append(hs[:i:i], hs[i+1:]...)
					break
				}
			}
			if len(hs) == 0 {
				delete(fwdHooks, k)
			} else {
				fwdHooks[k] = hs
			}
			nFwd.Add(-1)
		})
	}
}

// Call returns m.Forward(x) passed through m's forward hooks, as calling a
// torch module does; with no hook registered it is m.Forward(x).
func Call(m Module, x *engine.Tensor) *engine.Tensor {
	y := m.Forward(x)
	if nFwd.Load() == 0 {
		return y
	}
	k, ok := moduleKey(m)
	if !ok {
		return y
	}
	fwdMu.Lock()
	hs := fwdHooks[k]
	fwdMu.Unlock()
	for _, h := range hs {
		if r := (*h)(m, x, y); r != nil {
			y = r
		}
	}
	return y
}

// moduleKey is m's address; a user module typed at the prompt arrives in
// yaegi's wrapper (symbols' _…_Module), whose IValue holds the module.
func moduleKey(m Module) (uintptr, bool) {
	v := reflect.ValueOf(m)
	if v.Kind() == reflect.Struct && strings.HasPrefix(v.Type().Name(), "_") {
		if f := v.FieldByName("IValue"); f.IsValid() && !f.IsNil() {
			v = f.Elem()
		}
	}
	if !v.IsValid() || v.Kind() != reflect.Pointer || v.IsNil() {
		return 0, false
	}
	return v.Pointer(), true
}
