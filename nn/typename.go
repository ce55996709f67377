package nn

import (
	"reflect"
	"strings"
	"sync"
)

// typeNames maps the reflect types of types declared at the REPL, which yaegi
// makes anonymous structs, to the names they were declared with.
var typeNames sync.Map

// NameType records name as the name of sample's type (through pointers): the
// REPL calls it with (*T)(nil) for every type T the user declares, so that a
// user module inside a Sequential prints as T() and inspect's Summary labels
// it T. Compiled types need no call.
func NameType(sample any, name string) {
	if t := derefType(reflect.TypeOf(sample)); t != nil && name != "" {
		typeNames.Store(t, name)
	}
}

// TypeName returns the name of m's type without its pointers ("Linear", or a
// type declared at the REPL as NameType recorded it), or "" when the type has
// none. It sees through the wrappers the REPL puts around a user's module
// when it is passed as a Module.
func TypeName(m any) string {
	v := reflect.ValueOf(m)
	for v.IsValid() && (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) && !v.IsNil() {
		if n := typeNameOf(v.Type()); n != "" {
			return n
		}
		v = v.Elem()
	}
	if !v.IsValid() {
		return ""
	}
	if n := typeNameOf(v.Type()); n != "" {
		return n
	}
	// yaegi's wrapper of an interpreted value for a compiled interface
	// (symbols' _…_Module) holds the value in IValue.
	if v.Kind() == reflect.Struct && strings.HasPrefix(v.Type().Name(), "_") {
		if f := v.FieldByName("IValue"); f.IsValid() && f.CanInterface() && !f.IsNil() {
			return TypeName(f.Interface())
		}
	}
	return ""
}

func typeNameOf(t reflect.Type) string {
	t = derefType(t)
	if n, ok := typeNames.Load(t); ok {
		return n.(string)
	}
	if t.Name() != "" && !strings.HasPrefix(t.Name(), "_") {
		return t.Name()
	}
	return ""
}

func derefType(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}
