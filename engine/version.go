package engine

import "fmt"

// Version counters, as PyTorch's: every in-place change of a tensor's values
// (Set, Fill_, CopyFrom, AddScaled_, RawFloat32/RawFloat64, gradient
// accumulation, an optimizer's step) adds one to the tensor's version. An op
// that records a gradient notes the version of each input and of its result;
// Backward compares before running the op's backward and refuses, naming the
// op, the tensor and the in-place call, when they differ: the backward would
// read changed values and give a wrong gradient. Tensors that share data
// (Detach, Reshape) share one counter.
//
// As PyTorch saves nothing for ops whose backward reads only the incoming
// gradient and shapes (Add, Sub, Sum, Reshape, …: see readsNoData), changing
// their operands in place before Backward is allowed, as there.

// version is the counter shared by the tensors that share one data buffer.
type version struct {
	n  uint32
	by string // the last in-place call, for Backward's message
}

// Version returns the number of in-place changes made to t's data so far (0
// for a tensor never changed in place), as PyTorch's t._version.
func (t *Tensor) Version() int {
	if t.ver == nil {
		return 0
	}
	return int(t.ver.n)
}

func (t *Tensor) version() uint32 {
	if t.ver == nil {
		return 0
	}
	return t.ver.n
}

// MarkChanged names by (such as "SGD.Step") as the maker of t's last
// in-place change, for Backward's message: call it after writing through the
// slices of RawFloat32 or RawFloat64 (which counted the change). On a tensor
// never changed yet it counts one change.
func (t *Tensor) MarkChanged(by string) {
	if t.ver == nil || t.ver.n == 0 {
		t.bump(by)
		return
	}
	t.ver.by = by
}

// bump counts an in-place change of t's data made by by.
func (t *Tensor) bump(by string) {
	if t.ver == nil {
		t.ver = &version{}
	}
	t.ver.n++
	t.ver.by = by
}

// sharedVersion returns t's counter, making it, for a tensor that will
// share t's data.
func (t *Tensor) sharedVersion() *version {
	if t.ver == nil {
		t.ver = &version{}
	}
	return t.ver
}

// savedVersions holds the versions an op saw: of its result and of each input.
type savedVersions struct {
	out  uint32
	in   [3]uint32 // inputs 0..2, inline: most ops have at most three
	more []uint32  // inputs 3 and up (Cat)
}

func (s *savedVersions) save(out *Tensor, inputs []*Tensor) {
	s.out = out.version()
	for i, in := range inputs {
		if i < len(s.in) {
			s.in[i] = in.version()
		} else {
			s.more = append(s.more, in.version())
		}
	}
}

func (s *savedVersions) input(i int) uint32 {
	if i < len(s.in) {
		return s.in[i]
	}
	return s.more[i-len(s.in)]
}

// readsNoData reports whether op's backward reads neither its inputs' nor
// its result's values, only the incoming gradient and shapes: PyTorch saves
// no tensor for these ops, so an in-place change of their operands leaves
// the gradient right.
func readsNoData(op string) bool {
	switch op {
	case "Add", "Sub", "Neg", "AddScalar", "SubScalar", "MulScalar", "DivScalar",
		"Sum", "Mean", "Reshape", "Permute", "Expand", "Cat", "ToFloat32", "ToFloat64":
		return true
	}
	return false
}

// checkVersions panics with an *Error when r or one of its inputs was changed
// in place since r's op ran, unless r's backward reads none of them.
func checkVersions(r *Tensor) {
	if readsNoData(r.op) {
		return
	}
	n := r.node
	if v := r.version(); v != n.vers.out {
		versionErr(r.op, "its result", r, n.vers.out)
	}
	for i, in := range n.inputs {
		if v := in.version(); v != n.vers.input(i) {
			versionErr(r.op, fmt.Sprintf("input %d", i), in, n.vers.input(i))
		}
	}
}

func versionErr(op, which string, t *Tensor, saved uint32) {
	what := "a leaf"
	if t.node != nil {
		what = "made by " + t.op
	}
	if t.name != "" {
		what += fmt.Sprintf(" named %q", t.name)
	}
	by := "an in-place change"
	if t.ver != nil && t.ver.by != "" {
		by = t.ver.by
	}
	errorf("Backward", "%s's backward needs %s (%v %v, %s) as it was when %s ran, but %s changed it in place since (version %d, now %d), so its gradient would be wrong: "+
		"one of the tensors needed for gradient computation has been modified by an in-place operation, as PyTorch says. "+
		"Run the forward again after the change, or make the change after Backward (optimizers step after Backward)",
		op, which, t.dtype, t.shape, what, op, by, saved, t.version())
}
