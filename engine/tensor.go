package engine

import (
	"fmt"
	"math"
	"sync/atomic"
)

// DType is the element type of a tensor's data.
type DType int

const (
	Float32 DType = iota // the default, as in PyTorch
	Float64              // for precise checks such as GradCheck
)

func (d DType) String() string {
	switch d {
	case Float32:
		return "float32"
	case Float64:
		return "float64"
	}
	return fmt.Sprintf("DType(%d)", int(d))
}

// Tensor is an N-d array of float32 or float64 values stored contiguously in
// row-major order, with the autograd information of the op that made it.
//
// A tensor is never changed in place by ops: every op returns a new tensor.
// The only in-place changes are gradient accumulation into Grad, the
// optimizer updates through the *_ methods and the raw slices, and the
// explicit Set methods; each counts in the tensor's Version, which Backward
// checks (see version.go).
type Tensor struct {
	shape []int
	f32   []float32
	f64   []float64

	grad      *Tensor
	op        string   // the op that made it; "" for tensors made by constructors
	node      *node    // inputs and backward; nil unless the op recorded a gradient
	ver       *version // in-place changes of the data, shared with views: see version.go; nil until needed
	more      *tensorMore
	noGradWhy string // why an op result does not require grad although an input did
	dtype     DType

	requiresGrad bool
	scratch      bool // allocated inside a backward closure: see pool.go
	reusable     bool // a gradient its op's backward may overwrite: see reuse
}

// tensorMore holds what few tensors have (a name, hooks, an optimizer),
// behind one pointer that is nil until one is set: every op makes a
// tensor, and the per-op cost grows with the struct's size.
type tensorMore struct {
	name            string
	retainGrad      bool
	warnedUntrained bool                     // guarded by warnMu: see untrained.go
	opt             *optimized               // the optimizer that updates t, nil for none: see untrained.go; guarded by warnMu
	gradHooks       []*func(*Tensor) *Tensor // see RegisterHook
}

// moreOf returns t's rarely set fields, making them.
func (t *Tensor) moreOf() *tensorMore {
	if t.more == nil {
		t.more = &tensorMore{}
	}
	return t.more
}

// gradHooks returns t's gradient hooks (nil for none).
func (t *Tensor) gradHooks() []*func(*Tensor) *Tensor {
	if t.more == nil {
		return nil
	}
	return t.more.gradHooks
}

// float is the constraint of the engine's generic kernels.
type float interface{ ~float32 | ~float64 }

// slice returns t's data as []T; T must match t's dtype.
func slice[T float](t *Tensor) []T {
	var z T
	if _, ok := any(z).(float32); ok {
		return any(t.f32).([]T)
	}
	return any(t.f64).([]T)
}

// defaultDType is process-wide, as torch.set_default_dtype: set it before
// starting goroutines that make tensors.
var defaultDType atomic.Int32 // a DType; Float32 is 0

// SetDefaultDType sets the dtype of tensors made by constructors (Zeros,
// Randn, Scalar, …), as torch.set_default_dtype does. It returns the previous one.
func SetDefaultDType(d DType) DType {
	if d != Float32 && d != Float64 {
		errorf("SetDefaultDType", "unknown dtype %v; use engine.Float32 or engine.Float64", d)
	}
	return DType(defaultDType.Swap(int32(d)))
}

// DefaultDType returns the dtype of tensors made by constructors.
func DefaultDType() DType { return DType(defaultDType.Load()) }

func numelOf(shape []int) int {
	n := 1
	for _, s := range shape {
		n *= s
	}
	return n
}

// checkShape panics with an error naming op unless a tensor of the default
// dtype and shape is valid and fits in memory (see checkAlloc).
func checkShape(op string, shape []int) { checkAlloc(op, DefaultDType(), shape) }

// New returns a float32 tensor holding a copy of data. With no shape it is 1-D.
// It panics with a *ShapeError when the shape does not hold len(data) elements.
func New(data []float32, shape ...int) *Tensor {
	t := empty(Float32, dataShape("New", len(data), shape))
	copy(t.f32, data)
	return t
}

// New64 is New for float64 data; the tensor's dtype is Float64.
func New64(data []float64, shape ...int) *Tensor {
	t := empty(Float64, dataShape("New64", len(data), shape))
	copy(t.f64, data)
	return t
}

// dataShape checks that shape holds n data elements and returns it; no shape
// means [n].
func dataShape(op string, n int, shape []int) []int {
	if len(shape) == 0 {
		return []int{n}
	}
	checkShape(op, shape)
	if numelOf(shape) != n {
		shapeErr(op, fmt.Sprintf("shape holds %d elements but data has %d", numelOf(shape), n), "", shape)
	}
	return shape
}

// Scalar returns a 0-d tensor (shape []) holding v.
func Scalar(v float64) *Tensor { return full("Scalar", v, nil) }

// Zeros returns a tensor of zeros of the default dtype.
func Zeros(shape ...int) *Tensor {
	checkShape("Zeros", shape)
	return empty(DefaultDType(), shape)
}

// Ones returns a tensor of ones of the default dtype.
func Ones(shape ...int) *Tensor { return full("Ones", 1, shape) }

// Full returns a tensor of the default dtype filled with v.
func Full(v float64, shape ...int) *Tensor { return full("Full", v, shape) }

// full is Full with the name of the function the user called, for errors.
func full(op string, v float64, shape []int) *Tensor {
	checkShape(op, shape)
	t := empty(DefaultDType(), shape)
	t.fill(v)
	return t
}

func (t *Tensor) fill(v float64) {
	if v == 0 { // memclr: several times faster than the loop (ZeroGrad each step)
		clear(t.f32)
		clear(t.f64)
		return
	}
	if t.dtype == Float64 {
		for i := range t.f64 {
			t.f64[i] = v
		}
		return
	}
	f := float32(v)
	for i := range t.f32 {
		t.f32[i] = f
	}
}

// Arange returns the 1-D tensor start, start+step, … below end, as torch.arange:
// Arange(end), Arange(start, end) or Arange(start, end, step).
func Arange(args ...float64) *Tensor {
	start, end, step := 0.0, 0.0, 1.0
	switch len(args) {
	case 1:
		end = args[0]
	case 2:
		start, end = args[0], args[1]
	case 3:
		start, end, step = args[0], args[1], args[2]
	default:
		errorf("Arange", "takes 1 to 3 arguments (end | start, end | start, end, step), got %d", len(args))
	}
	if step == 0 || math.IsNaN(step) {
		errorf("Arange", "step must be non-zero, got %v", step)
	}
	count := math.Ceil((end - start) / step)
	if math.IsNaN(count) || count >= 1<<62 {
		errorf("Arange", "Arange(%v, %v, %v) would hold %v values", start, end, step, count)
	}
	n := max(int(count), 0)
	t := empty(DefaultDType(), []int{n})
	for i := 0; i < n; i++ {
		t.set(i, start+float64(i)*step)
	}
	return t
}

// Linspace returns steps evenly spaced values from start to end inclusive.
func Linspace(start, end float64, steps int) *Tensor {
	if steps < 0 {
		errorf("Linspace", "steps must be >= 0, got %d", steps)
	}
	t := empty(DefaultDType(), []int{steps})
	for i := 0; i < steps; i++ {
		v := start
		if steps > 1 {
			v = start + (end-start)*float64(i)/float64(steps-1)
		}
		t.set(i, v)
	}
	return t
}

// Eye returns the n×n identity matrix, or with a second size m the n×m
// matrix with ones on its main diagonal, as torch.eye(n, m).
// It panics with an *Error when a size is negative or more than one m is given.
func Eye(n int, m ...int) *Tensor {
	cols := n
	switch len(m) {
	case 0:
	case 1:
		cols = m[0]
	default:
		errorf("Eye", "takes n or n, m (rows, columns), got %d sizes", 1+len(m))
	}
	if n < 0 {
		errorf("Eye", "n must be >= 0, got %d", n)
	}
	if cols < 0 {
		errorf("Eye", "m must be >= 0, got %d", cols)
	}
	t := Zeros(n, cols)
	for i := 0; i < min(n, cols); i++ {
		t.set(i*cols+i, 1)
	}
	return t
}

// ZerosLike returns zeros with t's shape and dtype.
func ZerosLike(t *Tensor) *Tensor { return empty(t.dtype, t.shape) }

// OnesLike returns ones with t's shape and dtype.
func OnesLike(t *Tensor) *Tensor { return FullLike(t, 1) }

// FullLike returns a tensor with t's shape and dtype filled with v.
func FullLike(t *Tensor, v float64) *Tensor {
	o := empty(t.dtype, t.shape)
	o.fill(v)
	return o
}

// get returns element i of the flat data as float64.
func (t *Tensor) get(i int) float64 {
	if t.dtype == Float64 {
		return t.f64[i]
	}
	return float64(t.f32[i])
}

// set stores v at flat index i.
func (t *Tensor) set(i int, v float64) {
	if t.dtype == Float64 {
		t.f64[i] = v
	} else {
		t.f32[i] = float32(v)
	}
}

// Shape returns a copy of the sizes of t's dimensions.
func (t *Tensor) Shape() []int { return append([]int{}, t.shape...) }

// Size returns the size of dimension dim; negative dims count from the end.
func (t *Tensor) Size(dim int) int { return t.shape[normDim("Size", dim, len(t.shape), t.shape)] }

// Dims returns the number of dimensions (0 for a scalar).
func (t *Tensor) Dims() int { return len(t.shape) }

// Numel returns the number of elements.
func (t *Tensor) Numel() int { return numelOf(t.shape) }

// DType returns the element type.
func (t *Tensor) DType() DType { return t.dtype }

// Item returns the value of a one-element tensor.
// It panics with a *ShapeError when t has more than one element.
func (t *Tensor) Item() float64 {
	if t.Numel() != 1 {
		shapeErr("Item", fmt.Sprintf("only a one-element tensor has an item, this one has %d elements", t.Numel()),
			"use At(i, j, …) for one element, or reduce with Sum() or Mean()", t.shape)
	}
	return t.get(0)
}

// At returns the element at the given index; negative indices count from the end.
// It panics with a *ShapeError when the number of indices or one index does not fit.
func (t *Tensor) At(idx ...int) float64 { return t.get(t.flatIndex("At", idx)) }

// Set stores v at the given index, in place. It is meant for building inputs;
// it counts as an in-place change (see Version), so a Backward through a
// graph that used t before the change refuses to run.
func (t *Tensor) Set(v float64, idx ...int) {
	t.set(t.flatIndex("Set", idx), v)
	t.bump("Set")
}

// Fill_ sets every element of t to v in place, as PyTorch's t.fill_(v), and
// returns t. It counts as an in-place change (see Version).
func (t *Tensor) Fill_(v float64) *Tensor {
	t.fill(v)
	t.bump("Fill_")
	return t
}

func (t *Tensor) flatIndex(op string, idx []int) int {
	if len(idx) != len(t.shape) {
		shapeErr(op, fmt.Sprintf("%d indices for a %d-d tensor", len(idx), len(t.shape)), "", t.shape)
	}
	flat := 0
	for d, i := range idx {
		n := t.shape[d]
		if i < 0 {
			i += n
		}
		if i < 0 || i >= n {
			shapeErr(op, fmt.Sprintf("index %d is out of range for dimension %d of size %d", idx[d], d, n), "", t.shape)
		}
		flat = flat*n + i
	}
	return flat
}

// Float32s returns a copy of the data as float32.
func (t *Tensor) Float32s() []float32 {
	out := make([]float32, t.Numel())
	if t.dtype == Float32 {
		copy(out, t.f32)
	} else {
		for i, v := range t.f64 {
			out[i] = float32(v)
		}
	}
	return out
}

// Float64s returns a copy of the data as float64.
func (t *Tensor) Float64s() []float64 {
	out := make([]float64, t.Numel())
	if t.dtype == Float64 {
		copy(out, t.f64)
	} else {
		for i, v := range t.f32 {
			out[i] = float64(v)
		}
	}
	return out
}

// Name returns the name set by SetName, or "".
func (t *Tensor) Name() string {
	if t.more == nil {
		return ""
	}
	return t.more.name
}

// SetName labels t for printing and graph drawing (nn names its parameters
// "fc1.weight" and so on). It returns t.
func (t *Tensor) SetName(name string) *Tensor {
	if name != "" || t.more != nil {
		t.moreOf().name = name
	}
	return t
}

// clone returns a copy of t's data with no autograd history.
func (t *Tensor) clone() *Tensor {
	o := uninit(t.dtype, t.shape)
	copy(o.f32, t.f32)
	copy(o.f64, t.f64)
	return o
}

// normDim turns a possibly negative dim into an index below n.
func normDim(op string, dim, n int, shape []int) int {
	d := dim
	if d < 0 {
		d += n
	}
	if d < 0 || d >= n {
		shapeErr(op, fmt.Sprintf("dim %d is out of range for a %d-d tensor", dim, n),
			fmt.Sprintf("use a dim from %d to %d", -n, n-1), shape)
	}
	return d
}
