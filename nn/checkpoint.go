package nn

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/dbr-go/dbr/engine"
)

// StateDict returns m's parameters and buffers under their PyTorch names
// ("fc1.weight", "bn.running_mean"), the same tensors, not copies: what Save
// writes and Load fills. It is m.Params().
func StateDict(m Module) []Param { return m.Params() }

// Save writes m's parameters and buffers (StateDict) to path as a safetensors
// file that PyTorch loads with safetensors.torch.load_file and then
// model.load_state_dict. The write is atomic (see SaveTensors).
func Save(path string, m Module) error {
	return saveParams("nn.Save", path, StateDict(m))
}

// Load reads a safetensors file written by Save or by PyTorch and copies its
// values into m's existing tensors, so optimizers holding them keep working.
// Names, shapes and dtypes are checked first, and every mismatch is reported
// in one error (a *StateDictError) before anything is changed: missing names,
// unexpected names, and shape mismatches with both shapes. A value stored in
// another dtype is converted to the model tensor's dtype, as PyTorch's
// load_state_dict does: an F64 file loads into a float32 model rounded to
// float32. BatchNorm's counter "….num_batches_tracked" may be absent from
// either side (next to a "….running_mean" that both have); it is skipped then,
// as PyTorch does.
func Load(path string, m Module) error {
	ps, err := loadTensorsFile(path)
	if err != nil {
		return fmt.Errorf("nn.Load %w", err)
	}
	if _, err := loadStateDict(m.Params(), ps, true); err != nil {
		err.File = path
		err.Op = "nn.Load"
		return err
	}
	return nil
}

// LoadStateDict copies the values of ps into the tensors of m with the same
// names, checking shapes as Load does, as PyTorch's load_state_dict. With
// strict false, names missing on either side are not errors (PyTorch's
// strict=False) but come back in the IncompatibleKeys; shape mismatches are
// errors either way, and so is a ps of which no name fits m at all. On error
// nothing is changed.
//
// When every name in ps carries a prefix the model's names lack ("module."
// from PyTorch's DataParallel), the error says so in one line; TrimPrefix
// removes it.
func LoadStateDict(m Module, ps []Param, strict bool) (IncompatibleKeys, error) {
	keys, err := loadStateDict(m.Params(), ps, strict)
	if err != nil {
		return keys, err
	}
	return keys, nil
}

// IncompatibleKeys lists the names that a non-strict LoadStateDict skipped,
// as PyTorch's load_state_dict returns them.
type IncompatibleKeys struct {
	Missing    []string // in the model, not in the checkpoint
	Unexpected []string // in the checkpoint, not in the model
}

func (k IncompatibleKeys) String() string {
	return fmt.Sprintf("IncompatibleKeys{Missing: %v, Unexpected: %v}", k.Missing, k.Unexpected)
}

// TrimPrefix returns copies of ps (the same tensors) with prefix removed from
// the start of the names that have it, as PyTorch's
// consume_prefix_in_state_dict_if_present: TrimPrefix(ps, "module.") loads
// a checkpoint of a model that was wrapped in DataParallel.
func TrimPrefix(ps []Param, prefix string) []Param {
	out := make([]Param, len(ps))
	for i, p := range ps {
		out[i] = p
		out[i].Name = strings.TrimPrefix(p.Name, prefix)
	}
	return out
}

// StateDictError reports every way a checkpoint does not fit a model.
type StateDictError struct {
	Op         string   // "nn.Load" or "nn.LoadStateDict"
	File       string   // the checkpoint, when one was read
	Missing    []string // in the model, not in the checkpoint
	Unexpected []string // in the checkpoint, not in the model
	Shapes     []string // "fc1.weight: [64 784] in the checkpoint, [128 784] in the model"
	Other      []string // repeated, empty or nil names
	// Prefix is set when every name of the checkpoint starts with it and
	// the model's names do not ("module."); the message is then one line.
	Prefix string
}

func (e *StateDictError) Error() string {
	var b strings.Builder
	b.WriteString(e.Op)
	if e.File != "" {
		b.WriteString(" " + e.File)
	}
	if e.Prefix != "" && len(e.Shapes)+len(e.Other) == 0 {
		fmt.Fprintf(&b, ": every name in the checkpoint starts with %q and no name in the model does (a checkpoint of a model wrapped in DataParallel?); "+
			"strip it: nn.LoadStateDict(m, nn.TrimPrefix(ps, %q), true)", e.Prefix, e.Prefix)
		return b.String()
	}
	n := len(e.Missing) + len(e.Unexpected) + len(e.Shapes) + len(e.Other)
	problems := "problems"
	if n == 1 {
		problems = "problem"
	}
	fmt.Fprintf(&b, ": the checkpoint does not fit the model (%d %s):", n, problems)
	for _, s := range e.Other {
		b.WriteString("\n  " + s)
	}
	if len(e.Missing) > 0 {
		b.WriteString("\n  missing from the checkpoint: " + strings.Join(e.Missing, ", "))
	}
	if len(e.Unexpected) > 0 {
		b.WriteString("\n  in the checkpoint but not in the model: " + strings.Join(e.Unexpected, ", "))
	}
	for _, s := range e.Shapes {
		b.WriteString("\n  shape mismatch: " + s)
	}
	if len(e.Missing)+len(e.Unexpected) > 0 && len(e.Shapes)+len(e.Other) == 0 {
		b.WriteString("\n  (the model's names come from its Params(); nn.LoadStateDict(m, ps, false) ignores missing and extra names)")
	}
	return b.String()
}

func loadStateDict(model, file []Param, strict bool) (IncompatibleKeys, *StateDictError) {
	e := &StateDictError{Op: "nn.LoadStateDict"}
	byName := map[string]*engine.Tensor{}
	for i, p := range file {
		switch {
		case p.Tensor == nil:
			e.Other = append(e.Other, fmt.Sprintf("the checkpoint's %s is a nil tensor", nameOrIndex(p.Name, i)))
			continue
		case p.Name == "":
			e.Other = append(e.Other, fmt.Sprintf("the checkpoint's tensor %d has no name", i))
			continue
		case byName[p.Name] != nil:
			e.Other = append(e.Other, fmt.Sprintf("the checkpoint has two tensors named %s", quoteShort(p.Name)))
			continue
		}
		byName[p.Name] = p.Tensor
	}
	inModel := map[string]bool{}
	type pair struct{ dst, src *engine.Tensor }
	var todo []pair
	matched := 0
	for _, p := range model {
		switch {
		case p.Name == "":
			e.Other = append(e.Other, "the model has a parameter with no name")
			continue
		case inModel[p.Name]:
			e.Other = append(e.Other, fmt.Sprintf("the model has two parameters named %q", p.Name))
			continue
		case p.Tensor == nil:
			e.Other = append(e.Other, fmt.Sprintf("the model's parameter %q is nil", p.Name))
			continue
		}
		inModel[p.Name] = true
		if !p.Tensor.IsLeaf() {
			e.Other = append(e.Other, fmt.Sprintf("the model's %q is the result of %s, not a tensor a checkpoint can fill", p.Name, p.Tensor.Op()))
			continue
		}
		src, ok := byName[p.Name]
		if !ok {
			if base, cut := strings.CutSuffix(p.Name, "num_batches_tracked"); cut && byName[base+"running_mean"] != nil {
				continue // a checkpoint without BatchNorm's counter, which PyTorch accepts too
			}
			e.Missing = append(e.Missing, p.Name)
			continue
		}
		matched++
		if !slices.Equal(src.Shape(), p.Tensor.Shape()) {
			e.Shapes = append(e.Shapes, fmt.Sprintf("%s is %v in the checkpoint, %v in the model", p.Name, src.Shape(), p.Tensor.Shape()))
			continue
		}
		todo = append(todo, pair{p.Tensor, src})
	}
	for name := range byName {
		if inModel[name] {
			continue
		}
		if base, ok := strings.CutSuffix(name, "num_batches_tracked"); ok && inModel[base+"running_mean"] {
			continue
		}
		e.Unexpected = append(e.Unexpected, name)
	}
	sort.Strings(e.Unexpected)
	keys := IncompatibleKeys{Missing: e.Missing, Unexpected: e.Unexpected}
	e.Prefix = commonPrefix(file, inModel)
	nothing := matched == 0 && len(model) > 0
	if !strict && !nothing {
		e.Missing, e.Unexpected = nil, nil
	}
	if len(e.Missing)+len(e.Unexpected)+len(e.Shapes)+len(e.Other) > 0 {
		return keys, e
	}
	for _, p := range todo {
		p.dst.CopyFrom(p.src)
	}
	return keys, nil
}

// commonPrefix returns the dotted prefix ("module.") that every name of file
// starts with, when no name of the model does and removing it makes some
// name match; else "".
func commonPrefix(file []Param, inModel map[string]bool) string {
	if len(file) == 0 {
		return ""
	}
	first := file[0].Name
	dot := strings.IndexByte(first, '.')
	if dot < 0 {
		return ""
	}
	prefix := first[:dot+1]
	hits := 0
	for _, p := range file {
		rest, ok := strings.CutPrefix(p.Name, prefix)
		if !ok {
			return ""
		}
		if inModel[rest] {
			hits++
		}
	}
	for name := range inModel {
		if strings.HasPrefix(name, prefix) {
			return ""
		}
	}
	if hits == 0 {
		return ""
	}
	return prefix
}

// nameOrIndex names a checkpoint tensor by its name, or its index when it has none.
func nameOrIndex(name string, i int) string {
	if name == "" {
		return fmt.Sprintf("tensor %d", i)
	}
	return quoteShort(name)
}

// Stateful is what SaveOptimizer and LoadOptimizer need: the optimizers of
// this package (SGD, Adam, …) list their state (momentum buffers, step
// counts) as named tensors and restore it.
type Stateful interface {
	State() []Param
	LoadState(ps []Param) error
}

// SaveOptimizer writes opt.State() to path as a safetensors file, atomically
// (see SaveTensors). Save the model with Save next to it to resume training.
func SaveOptimizer(path string, opt Stateful) error {
	return saveParams("nn.SaveOptimizer", path, opt.State())
}

// LoadOptimizer reads a file written by SaveOptimizer and passes its tensors
// to opt.LoadState, which checks that they fit the optimizer's parameters.
func LoadOptimizer(path string, opt Stateful) error {
	ps, err := loadTensorsFile(path)
	if err != nil {
		return fmt.Errorf("nn.LoadOptimizer %w", err)
	}
	if err := opt.LoadState(ps); err != nil {
		return fmt.Errorf("nn.LoadOptimizer %s: %w", path, err)
	}
	return nil
}
