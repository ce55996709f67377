package nn

import (
	"reflect"
	"unsafe"

	"github.com/dbr-go/dbr/engine"
)

// modeSetter is implemented by the layers that behave differently in training
// and in evaluation (Dropout, BatchNorm1d, BatchNorm2d).
type modeSetter interface{ setTraining(on bool) }

// mode is embedded by layers that obey Train and Eval. The zero value is
// training mode, as a new PyTorch module is.
type mode struct{ eval bool }

func (m *mode) setTraining(on bool) { m.eval = !on }

// Training reports whether the layer is in training mode (the default).
func (m *mode) Training() bool { return !m.eval }

// Train puts m and every layer reachable from it in training mode: Dropout
// drops and BatchNorm normalizes with batch statistics and updates its running
// statistics. m is usually a module: a layer, a Sequential, or a user's struct
// (compiled or typed at the prompt) whose fields, exported or not, hold layers,
// slices or maps of layers, or other such structs.
func Train(m any) { setMode(m, true) }

// Eval puts m and every layer reachable from it in evaluation mode: Dropout
// passes its input through and BatchNorm uses its running statistics.
// See Train for what is reachable.
func Eval(m any) { setMode(m, false) }

var tensorType = reflect.TypeOf((*engine.Tensor)(nil))

// setMode walks m with reflect rather than through an interface method: an
// interpreted struct's methods are invisible to compiled code, but its fields
// are real reflect fields (yaegi prefixes unexported ones with X). Interface
// values holding interpreted modules (in a Sequential's list) are yaegi
// wrapper structs whose IValue field holds the module, so the same walk reaches
// them.
func setMode(m any, on bool) {
	w := modeWalker{on: on, seen: map[visitKey]bool{}}
	w.walk(reflect.ValueOf(m))
}

type visitKey struct {
	p uintptr
	t reflect.Type
}

type modeWalker struct {
	on   bool
	seen map[visitKey]bool
}

func (w *modeWalker) walk(v reflect.Value) {
	if !v.IsValid() {
		return
	}
	switch v.Kind() {
	case reflect.Interface:
		if !v.IsNil() {
			w.walk(v.Elem())
		}
	case reflect.Pointer:
		if v.IsNil() || v.Type() == tensorType {
			return
		}
		k := visitKey{v.Pointer(), v.Type()}
		if w.seen[k] {
			return
		}
		w.seen[k] = true
		if v.CanInterface() {
			if s, ok := v.Interface().(modeSetter); ok {
				s.setTraining(w.on)
			}
		}
		w.walk(v.Elem())
	case reflect.Struct:
		if !v.CanAddr() {
			if !v.CanInterface() {
				return
			}
			c := reflect.New(v.Type()).Elem()
			c.Set(v)
			v = c
		}
		for i := 0; i < v.NumField(); i++ {
			f := v.Field(i)
			if !f.CanInterface() {
				// An unexported field of an addressable struct: reach it
				// through its address so its layers can be switched too.
				f = reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
			}
			w.walk(f)
		}
	case reflect.Slice, reflect.Array:
		if !holdsModules(v.Type().Elem()) {
			return
		}
		for i := 0; i < v.Len(); i++ {
			w.walk(v.Index(i))
		}
	case reflect.Map:
		if !holdsModules(v.Type().Elem()) {
			return
		}
		it := v.MapRange()
		for it.Next() {
			w.walk(it.Value())
		}
	}
}

// holdsModules reports whether values of type t can lead to a layer, so that
// large slices of numbers are not walked.
func holdsModules(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer:
		return t != tensorType
	case reflect.Interface, reflect.Struct, reflect.Slice, reflect.Array, reflect.Map:
		return true
	}
	return false
}
