package symbols

import "reflect"

// MapTypes registers hand-written interface wrappers with yaegi (through
// interp.Exports{".": {"MapTypes": ...}}): when interpreted code passes one of
// its values to a compiled function or stores it where a key below is
// expected, yaegi wraps the value in the first listed type that it implements,
// so that compiled code asserting it to a wider interface sees every method.
var MapTypes = map[reflect.Value][]reflect.Type{}
