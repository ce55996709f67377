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
	if err := loadStateDict(m.Params(), ps, true); err != nil {
		err.File = path
		err.Op = "nn.Load"
		return err
	}
	return nil
}

// LoadStateDict copies the values of ps into the tensors of m with the same
// names, checking shapes as Load does. With strict false, names that are
// missing on either side are ignored (PyTorch's strict=False); shape
// mismatches are errors either way. On error nothing is changed.
func LoadStateDict(m Module, ps []Param, strict bool) error {
	if err := loadStateDict(m.Params(), ps, strict); err != nil {
		return err
	}
	return nil
}

// StateDictError reports every way a checkpoint does not fit a model.
type StateDictError struct {
	Op         string   // "nn.Load" or "nn.LoadStateDict"
	File       string   // the checkpoint, when one was read
	Missing    []string // in the model, not in the checkpoint
	Unexpected []string // in the checkpoint, not in the model
	Shapes     []string // "fc1.weight: [64 784] in the checkpoint, [128 784] in the model"
	Other      []string // repeated or empty names in the model
}

func (e *StateDictError) Error() string {
	var b strings.Builder
	b.WriteString(e.Op)
	if e.File != "" {
		b.WriteString(" " + e.File)
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

func loadStateDict(model, file []Param, strict bool) *StateDictError {
	e := &StateDictError{Op: "nn.LoadStateDict"}
	byName := map[string]*engine.Tensor{}
	for _, p := range file {
		byName[p.Name] = p.Tensor
	}
	inModel := map[string]bool{}
	type pair struct{ dst, src *engine.Tensor }
	var todo []pair
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
		if !slices.Equal(src.Shape(), p.Tensor.Shape()) {
			e.Shapes = append(e.Shapes, fmt.Sprintf("%s is %v in the checkpoint, %v in the model", p.Name, src.Shape(), p.Tensor.Shape()))
			continue
		}
		todo = append(todo, pair{p.Tensor, src})
	}
	for _, p := range file {
		if inModel[p.Name] {
			continue
		}
		if base, ok := strings.CutSuffix(p.Name, "num_batches_tracked"); ok && inModel[base+"running_mean"] {
			continue
		}
		e.Unexpected = append(e.Unexpected, p.Name)
	}
	if !strict {
		e.Missing, e.Unexpected = nil, nil
	}
	sort.Strings(e.Unexpected)
	if len(e.Missing)+len(e.Unexpected)+len(e.Shapes)+len(e.Other) > 0 {
		return e
	}
	for _, p := range todo {
		p.dst.CopyFrom(p.src)
	}
	return nil
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
