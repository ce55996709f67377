package repl

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"github.com/dbr-go/dbr/engine"
	"github.com/dbr-go/dbr/nn"
)

// A command that takes a model or a tensor checks the kind of each argument
// before it calls the inspect function: yaegi's own error for a wrong one
// (`:grads 3`: "the value has no method Forward that compiled code can call")
// does not say what the command expects.

var moduleType = reflect.TypeOf((*nn.Module)(nil)).Elem()

// argKind names what a command argument must be.
type argKind int

const (
	tensorArg argKind = iota
	moduleArg
)

// checkArgs evaluates each argument and returns an error that says what
// cmd expects when one is of the wrong kind. usage is an example
// (":grads m loss").
func (s *Session) checkArgs(ctx context.Context, cmd, usage string, args []string, kinds []argKind) error {
	for i, a := range args {
		v, err := s.oneValue(ctx, cmd, usage, a)
		if err != nil {
			return err
		}
		if msg := s.argMismatch(v, kinds[i]); msg != "" {
			return fmt.Errorf(":%s needs %s as its %s argument, e.g. %s; %s is %s", cmd, kindName(kinds[i]), ordinals[min(i, 2)], usage, a, msg)
		}
	}
	return nil
}

var ordinals = []string{"first", "second", "third"}

// oneValue evaluates the argument a of command cmd, which must be one value;
// usage is an example of the command for the error.
func (s *Session) oneValue(ctx context.Context, cmd, usage, a string) (any, error) {
	vals, err := s.Value(ctx, a)
	if err != nil {
		return nil, fmt.Errorf(":%s: %v", cmd, err)
	}
	if len(vals) != 1 {
		return nil, fmt.Errorf(":%s: %s is %d values; give one, e.g. %s", cmd, a, len(vals), usage)
	}
	return vals[0], nil
}

func kindName(k argKind) string {
	if k == tensorArg {
		return "a tensor (*engine.Tensor)"
	}
	return "a model (an nn.Module, with Forward and Params methods)"
}

// argMismatch says what v is when it is not of kind k, or "" when it fits
// (or may: an interpreted type is checked by the methods the user declared).
func (s *Session) argMismatch(v any, k argKind) string {
	t := reflect.TypeOf(v)
	if t == nil {
		return "nil"
	}
	what := article(s.TypeName(t))
	if t == tensorType {
		if k == tensorArg {
			if v.(*engine.Tensor) == nil {
				return "a nil *engine.Tensor"
			}
			return ""
		}
		return what
	}
	if k == tensorArg {
		return what
	}
	rv := reflect.ValueOf(v)
	if (rv.Kind() == reflect.Ptr || rv.Kind() == reflect.Interface) && rv.IsNil() {
		return "a nil " + s.TypeName(t)
	}
	if t.Implements(moduleType) {
		return ""
	}
	if name := strings.TrimPrefix(s.TypeName(t), "*"); s.types[name] {
		m := s.methods[name]
		if m["Forward"] && m["Params"] || embeds(t) {
			return ""
		}
		return what + " (it has no Forward and Params methods)"
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Ptr, reflect.Interface:
		return "" // an interpreted type whose methods come from elsewhere: let the call decide
	}
	return what
}

// article puts "a" or "an" before a type name.
func article(name string) string {
	if name != "" && strings.ContainsRune("aeiouAEIOU", rune(name[0])) {
		return "an " + name
	}
	return "a " + name
}

// embeds reports whether t is (or points to) a struct with an embedded
// field, whose methods the struct may have.
func embeds(t reflect.Type) bool {
	for t.Kind() == reflect.Ptr {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return false
	}
	for i := 0; i < t.NumField(); i++ {
		if t.Field(i).Anonymous {
			return true
		}
	}
	return false
}

var tensorType = reflect.TypeOf((*engine.Tensor)(nil))
