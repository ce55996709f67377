package repl

import (
	"reflect"
	"unsafe"

	"github.com/dbr-go/dbr/engine"
	"github.com/traefik/yaegi/interp"
)

// yaegi v0.16.1 evaluates a top-level `x := a.MatMul(b).Add(c)` in its
// global frame and never frees the slots of its temporaries (the MatMul
// result here): a session that keeps redefining tensors grows without bound.
// After such a definition the session clears the slots that evaluation added
// for temporaries of type *engine.Tensor. (Other temporaries may be referred
// to by closures yaegi made, such as the method wrappers of an interpreted
// value passed as an interface; the old slot of a redefined x may be referred
// to by a closure that captured it, so it stays.) yaegi does not export its
// frame, so this reads it with reflect and unsafe; TestDefineFrees fails if
// a yaegi upgrade changes its layout.

// frameData returns the slots of the interpreter's global frame, or nil if
// the interpreter's layout is not the known one.
func frameData(in *interp.Interpreter) []reflect.Value {
	f := reflect.ValueOf(in).Elem().FieldByName("frame")
	if !f.IsValid() || f.Kind() != reflect.Ptr || f.IsNil() {
		return nil
	}
	fr := reflect.NewAt(f.Type().Elem(), unsafe.Pointer(f.Pointer())).Elem()
	d := fr.FieldByName("data")
	if !d.IsValid() || d.Type() != reflect.TypeOf([]reflect.Value(nil)) {
		return nil
	}
	return *(*[]reflect.Value)(unsafe.Pointer(d.UnsafeAddr()))
}

// slotAddr identifies a slot by the address of its storage.
func slotAddr(v reflect.Value) uintptr {
	if !v.IsValid() || !v.CanAddr() {
		return 0
	}
	return v.UnsafeAddr()
}

// clearSlot sets a slot to its zero value, dropping what it referred to.
func clearSlot(v reflect.Value) {
	if v.IsValid() && v.CanSet() {
		v.Set(reflect.Zero(v.Type()))
	}
}

var tensorType = reflect.TypeOf((*engine.Tensor)(nil))

// defineMark is the number of slots of the global frame before a top-level
// definition.
type defineMark int

func (s *Session) markDefine() defineMark { return defineMark(len(frameData(s.in))) }

// sweepDefine clears the tensor temporaries that a successful top-level
// definition added to the global frame.
func (s *Session) sweepDefine(m defineMark) {
	data := frameData(s.in)
	if data == nil {
		return
	}
	keep := map[uintptr]bool{}
	for _, v := range s.globals() {
		if a := slotAddr(v); a != 0 {
			keep[a] = true
		}
	}
	for i := int(m); i < len(data); i++ {
		if data[i].IsValid() && data[i].Type() == tensorType {
			if a := slotAddr(data[i]); a != 0 && !keep[a] {
				clearSlot(data[i])
			}
		}
	}
}
