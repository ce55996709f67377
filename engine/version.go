package engine

import "fmt"

// Version counters, as PyTorch's: every in-place change of a tensor's values
// (Set, Fill_, CopyFrom, AddScaled_, RawFloat32/RawFloat64, gradient
// accumulation, an optimizer's step) adds one to the tensor's version.
// Backward refuses, before running an op's backward, when the op's result or
// one of its inputs was changed in place since the op ran, naming the op,
// the tensor and the in-place call: the backward would read changed values
// and give a wrong gradient. Tensors that share data (Detach, Reshape) share
// one counter.
//
// "Since the op ran" is told by one clock, seqCounter, which numbers both
// the recorded ops (node.seq) and the in-place changes (version.at): a
// tensor changed after an op used it has a later stamp than the op. A node
// thus saves nothing per input, and an op costs no more than before version
// counters existed.
//
// As PyTorch saves nothing for ops whose backward reads only the incoming
// gradient and shapes (Add, Sub, Sum, Reshape, …: see readsNoData), changing
// their operands in place before Backward is allowed, as there.

// version is the counter shared by the tensors that share one data buffer.
type version struct {
	n  uint32
	at uint64 // seqCounter when the last change was made
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
	t.ver.at = seqCounter.Add(1)
	t.ver.by = by
}

// changedAfter reports whether t was changed in place after the op numbered seq ran.
func (t *Tensor) changedAfter(seq uint64) bool { return t.ver != nil && t.ver.at > seq }

// sharedVersion returns t's counter, making it, for a tensor that will
// share t's data.
func (t *Tensor) sharedVersion() *version {
	if t.ver == nil {
		t.ver = &version{}
	}
	return t.ver
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
	if r.changedAfter(n.seq) {
		versionErr(r.op, "its result", r)
	}
	for i, in := range n.inputs {
		if in.changedAfter(n.seq) {
			versionErr(r.op, fmt.Sprintf("input %d", i), in)
		}
	}
}

func versionErr(op, which string, t *Tensor) {
	what := "a leaf"
	if t.node != nil {
		what = "made by " + t.op
	}
	if name := t.Name(); name != "" {
		what += fmt.Sprintf(" named %q", name)
	}
	by := "an in-place change"
	if t.ver != nil && t.ver.by != "" {
		by = t.ver.by
	}
	errorf("Backward", "%s's backward needs %s (%v %v, %s) as it was when %s ran, but %s changed it in place since (it is now at version %d), so its gradient would be wrong: "+
		"one of the tensors needed for gradient computation has been modified by an in-place operation, as PyTorch says. "+
		"Run the forward again after the change, or make the change after Backward (optimizers step after Backward)",
		op, which, t.dtype, t.shape, what, op, by, t.Version())
}
