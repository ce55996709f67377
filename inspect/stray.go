package inspect

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/dbr-go/dbr/engine"
	"github.com/dbr-go/dbr/nn"
)

// stray is a tensor that requires grad, held by a module (in a field, or a
// field of a layer in a field) but missing from its Params(): an optimizer
// made over Params() never updates it, so the layer holding it never trains.
type stray struct {
	path  string // Go field path from the module ("Extra.Weight")
	layer string // the field path of the layer holding it ("Extra"), "" when the module holds it itself
	typ   string // the Go type of that layer ("Linear") when reflect knows it
	t     *engine.Tensor
}

func (s stray) label() string {
	if s.layer == "" || s.typ == "" {
		return s.path
	}
	return fmt.Sprintf("%s (%s)", s.path, s.typ)
}

// strayTensors walks m's fields for leaf tensors that require grad and are
// not in m.Params(), in field order, each once.
func strayTensors(m nn.Module) []stray {
	listed := map[*engine.Tensor]bool{}
	for _, p := range m.Params() {
		listed[p.Tensor] = true
	}
	tensorType := reflect.TypeOf((*engine.Tensor)(nil))
	seen := map[uintptr]bool{}
	var out []stray
	var walk func(v reflect.Value, path, layer, typ string, depth int)
	walk = func(v reflect.Value, path, layer, typ string, depth int) {
		if !v.IsValid() || depth > 12 {
			return
		}
		switch v.Kind() {
		case reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem(), path, layer, typ, depth)
			}
		case reflect.Pointer:
			if v.IsNil() || seen[v.Pointer()] || !v.CanInterface() {
				return
			}
			seen[v.Pointer()] = true
			if v.Type() == tensorType {
				if t := v.Interface().(*engine.Tensor); !listed[t] && t.RequiresGrad() && t.IsLeaf() {
					out = append(out, stray{path, layer, typ, t})
				}
				return
			}
			if _, ok := v.Interface().(nn.Module); ok && depth > 0 {
				layer, typ = path, v.Type().Elem().Name()
			}
			if seq, ok := v.Interface().(*nn.Sequential); ok {
				for i, l := range seq.Layers() {
					p := fmt.Sprint(i)
					if path != "" {
						p = path + "." + p
					}
					walk(reflect.ValueOf(l), p, layer, typ, depth+1)
				}
				return
			}
			walk(v.Elem(), path, layer, typ, depth+1)
		case reflect.Struct:
			wrapper := strings.HasPrefix(v.Type().Name(), "_") // the REPL's wrapper of a user's module: its IValue is the module
			for i := 0; i < v.NumField(); i++ {
				name := v.Type().Field(i).Name
				switch {
				case wrapper:
					name = path
				case path != "":
					name = path + "." + name
				}
				walk(v.Field(i), name, layer, typ, depth+1)
			}
		case reflect.Slice, reflect.Array:
			if k := v.Type().Elem().Kind(); k == reflect.Pointer || k == reflect.Interface || k == reflect.Struct {
				for i := 0; i < v.Len(); i++ {
					walk(v.Index(i), fmt.Sprintf("%s[%d]", path, i), layer, typ, depth+1)
				}
			}
		}
	}
	walk(reflect.ValueOf(m), "", "", "", 0)
	return out
}
