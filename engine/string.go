package engine

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Printing elides large tensors as NumPy does: past printThreshold elements,
// only printEdge items are shown at each end of every dim.
const (
	printThreshold = 1000
	printEdge      = 3
)

// String prints t like PyTorch: its values (large tensors elided with ...),
// its shape, its dtype when not float32, and where it came from:
//
//	tensor([[1 2] [3 4]], shape=[2 2], grad_fn=MatMul)
func (t *Tensor) String() string {
	if t == nil {
		return "tensor(nil)"
	}
	var b strings.Builder
	b.WriteString("tensor(")
	elide := t.Numel() > printThreshold
	values := formatValues(t, elide)
	if len(t.shape) >= 2 && len(values) > 72 {
		values = strings.ReplaceAll(values, "] [", "]\n        [")
	}
	b.WriteString(values)
	fmt.Fprintf(&b, ", shape=%v", t.shape)
	if t.dtype != Float32 {
		fmt.Fprintf(&b, ", dtype=%v", t.dtype)
	}
	if t.name != "" {
		fmt.Fprintf(&b, ", name=%s", t.name)
	}
	switch {
	case t.node != nil:
		fmt.Fprintf(&b, ", grad_fn=%s", t.op)
	case t.requiresGrad:
		b.WriteString(", requires_grad=true")
	}
	b.WriteString(")")
	return b.String()
}

// formatValues renders the values with one precision for the whole tensor.
func formatValues(t *Tensor, elide bool) string {
	n := t.Numel()
	allInt := true
	maxAbs := 0.0
	for i := 0; i < n; i++ {
		v := t.get(i)
		if v != math.Trunc(v) && !math.IsInf(v, 0) && !math.IsNaN(v) {
			allInt = false
		}
		if a := math.Abs(v); a > maxAbs && !math.IsInf(a, 0) {
			maxAbs = a
		}
	}
	fmtNum := func(v float64) string {
		switch {
		case math.IsNaN(v):
			return "NaN"
		case math.IsInf(v, 1):
			return "+Inf"
		case math.IsInf(v, -1):
			return "-Inf"
		case allInt && maxAbs < 1e9:
			return strconv.FormatFloat(v, 'f', 0, 64)
		case maxAbs >= 1e5 || (maxAbs < 1e-3 && maxAbs > 0):
			return strconv.FormatFloat(v, 'e', 4, 64)
		}
		return strconv.FormatFloat(v, 'f', 4, 64)
	}
	if len(t.shape) == 0 {
		return fmtNum(t.get(0))
	}
	var b strings.Builder
	var rec func(dim, off int)
	strides := stridesFor(t.shape, t.shape)
	rec = func(dim, off int) {
		b.WriteByte('[')
		size := t.shape[dim]
		for i := 0; i < size; i++ {
			if elide && size > 2*printEdge && i == printEdge {
				b.WriteString("... ")
				i = size - printEdge
			}
			if dim == len(t.shape)-1 {
				b.WriteString(fmtNum(t.get(off + i*strides[dim])))
			} else {
				rec(dim+1, off+i*strides[dim])
			}
			if i < size-1 {
				b.WriteByte(' ')
			}
		}
		b.WriteByte(']')
	}
	rec(0, 0)
	return b.String()
}
