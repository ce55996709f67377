package symbols

import (
	"reflect"

	"github.com/dbr-go/dbr/engine"
	"github.com/dbr-go/dbr/nn"
)

// MapTypes registers hand-written composed interface wrappers with yaegi
// (through interp.Exports{".": {"MapTypes": ...}}). When interpreted code
// passes one of its values where a compiled interface (the key: the wrapper
// that yaegi extract generated for it) is expected, yaegi wraps the value in
// the first listed type whose methods the value has all of, else in the plain
// wrapper. Without these, a module typed at the prompt that has a String
// method is wrapped as a bare nn.Module, and compiled code asserting it to
// fmt.Stringer (as nn.Sequential's String does) gets false.
var MapTypes = map[reflect.Value][]reflect.Type{
	reflect.ValueOf((*_github_com_dbr_go_dbr_nn_Module)(nil)): {
		reflect.TypeOf(moduleStringer{}),
	},
	reflect.ValueOf((*_github_com_dbr_go_dbr_nn_Dataset)(nil)): {
		reflect.TypeOf(datasetStringer{}),
	},
}

// moduleStringer is an interpreted nn.Module that is also a fmt.Stringer.
// The field layout (IValue, then W<Method>) is what yaegi fills in.
type moduleStringer struct {
	IValue   interface{}
	WForward func(x *engine.Tensor) *engine.Tensor
	WParams  func() []nn.Param
	WString  func() string
}

func (w moduleStringer) Forward(x *engine.Tensor) *engine.Tensor { return w.WForward(x) }
func (w moduleStringer) Params() []nn.Param                      { return w.WParams() }
func (w moduleStringer) String() string {
	if w.WString == nil {
		return ""
	}
	return w.WString()
}

// datasetStringer is an interpreted nn.Dataset that is also a fmt.Stringer.
type datasetStringer struct {
	IValue  interface{}
	WGet    func(i int) (x, y *engine.Tensor)
	WLen    func() int
	WString func() string
}

func (w datasetStringer) Get(i int) (x, y *engine.Tensor) { return w.WGet(i) }
func (w datasetStringer) Len() int                        { return w.WLen() }
func (w datasetStringer) String() string {
	if w.WString == nil {
		return ""
	}
	return w.WString()
}
