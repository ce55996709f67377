package engine

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Printing follows NumPy and PyTorch: past printThreshold elements only
// printEdge items are shown at each end of every dim, with "..." between.
// A tensor whose values fit on one short line prints on one line; otherwise
// each row goes on its own line, values right-aligned in columns, long rows
// wrapped at printWidth, and blocks of 3-d and larger tensors separated by
// blank lines.
const (
	printThreshold = 1000
	printEdge      = 3
	printOneLine   = 72 // longest value text printed on one line
	printWidth     = 80 // rows wrap past this column
)

const printPrefix = "tensor("

// String prints t like PyTorch: its values (large tensors elided with ...),
// its shape, its dtype when not float32, its name, and where it came from:
//
//	tensor([[1 2] [3 4]], shape=[2 2], grad_fn=MatMul)
//
// All values share one format: integers when every value is whole, else 4
// decimals, or scientific notation when the magnitudes span more than 1000×,
// exceed 1e8 or go below 1e-4. Negative zero prints as 0; NaN and infinities
// as nan, inf and -inf.
func (t *Tensor) String() string {
	if t == nil {
		return "tensor(nil)"
	}
	var b strings.Builder
	b.WriteString(printPrefix)
	b.WriteString(formatValues(t, t.Numel() > printThreshold))
	fmt.Fprintf(&b, ", shape=%v", t.shape)
	if t.dtype != Float32 {
		fmt.Fprintf(&b, ", dtype=%v", t.dtype)
	}
	if name := t.Name(); name != "" {
		fmt.Fprintf(&b, ", name=%s", name)
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

// numberFormat returns the formatter shared by all of t's values.
func numberFormat(t *Tensor) func(float64) string {
	allInt := true
	maxAbs, minAbs := 0.0, math.Inf(1)
	for i, n := 0, t.Numel(); i < n; i++ {
		v := t.get(i)
		if math.IsNaN(v) || math.IsInf(v, 0) || v == 0 {
			continue
		}
		if v != math.Trunc(v) {
			allInt = false
		}
		a := math.Abs(v)
		maxAbs = math.Max(maxAbs, a)
		minAbs = math.Min(minAbs, a)
	}
	sci := maxAbs > 1e8 || (!allInt && maxAbs > 0 && (maxAbs/minAbs > 1000 || minAbs < 1e-4))
	return func(v float64) string {
		switch {
		case math.IsNaN(v):
			return "nan"
		case math.IsInf(v, 1):
			return "inf"
		case math.IsInf(v, -1):
			return "-inf"
		case v == 0:
			v = 0 // negative zero prints as 0
		}
		switch {
		case sci:
			return strconv.FormatFloat(v, 'e', 4, 64)
		case allInt:
			return strconv.FormatFloat(v, 'f', 0, 64)
		}
		return strconv.FormatFloat(v, 'f', 4, 64)
	}
}

// valuePrinter writes the nested brackets of a tensor's values.
type valuePrinter struct {
	t      *Tensor
	elide  bool
	multi  bool     // one row per line, padded columns
	items  []string // the formatted values shown, in order
	next   int      // the next item to write
	width  int      // the widest item
	b      strings.Builder
	stride []int
}

// shown returns the indices shown along a dim of the given size, -1 standing
// for the elided middle.
func (p *valuePrinter) shown(size int) []int {
	var idx []int
	if p.elide && size > 2*printEdge {
		for i := 0; i < printEdge; i++ {
			idx = append(idx, i)
		}
		idx = append(idx, -1)
		for i := size - printEdge; i < size; i++ {
			idx = append(idx, i)
		}
		return idx
	}
	for i := 0; i < size; i++ {
		idx = append(idx, i)
	}
	return idx
}

// collect formats the shown values in row-major order.
func (p *valuePrinter) collect(dim, off int, f func(float64) string) {
	for _, i := range p.shown(p.t.shape[dim]) {
		switch {
		case i < 0:
		case dim == len(p.t.shape)-1:
			s := f(p.t.get(off + i*p.stride[dim]))
			p.items = append(p.items, s)
			if len(s) > p.width {
				p.width = len(s)
			}
		default:
			p.collect(dim+1, off+i*p.stride[dim], f)
		}
	}
}

// block writes the values of dim onward; col is the column of its '['.
func (p *valuePrinter) block(dim, off, col int) {
	p.b.WriteByte('[')
	idx := p.shown(p.t.shape[dim])
	last := dim == len(p.t.shape)-1
	at := col + 1 // the current output column
	for k, i := range idx {
		if last {
			s := "..."
			if i >= 0 {
				s = p.items[p.next]
				p.next++
				if p.multi {
					s = strings.Repeat(" ", p.width-len(s)) + s
				}
			}
			if k > 0 {
				if p.multi && at+1+len(s) > printWidth {
					p.b.WriteString("\n" + strings.Repeat(" ", col+1))
					at = col + 1
				} else {
					p.b.WriteByte(' ')
					at++
				}
			}
			p.b.WriteString(s)
			at += len(s)
			continue
		}
		if k > 0 {
			if p.multi {
				// rows on their own lines; blocks of rows separated by blank lines
				p.b.WriteString(strings.Repeat("\n", len(p.t.shape)-dim-1) + strings.Repeat(" ", col+1))
			} else {
				p.b.WriteByte(' ')
			}
		}
		if i < 0 {
			p.b.WriteString("...")
		} else {
			p.block(dim+1, off+i*p.stride[dim], col+1)
		}
	}
	p.b.WriteByte(']')
}

// formatValues renders the values with one format for the whole tensor, on
// one line when that is short, else one row per line.
func formatValues(t *Tensor, elide bool) string {
	f := numberFormat(t)
	if len(t.shape) == 0 {
		return f(t.get(0))
	}
	p := &valuePrinter{t: t, elide: elide, stride: stridesFor(t.shape, t.shape)}
	p.collect(0, 0, f)
	p.block(0, 0, len(printPrefix))
	if one := p.b.String(); !elide && len(one) <= printOneLine {
		return one
	}
	p.multi, p.next = true, 0
	p.b.Reset()
	p.block(0, 0, len(printPrefix))
	return p.b.String()
}

// Format makes every fmt verb print a tensor sensibly. %v and %s print
// String() (%q quotes it). A number verb formats each value with that verb,
// flags, width and precision: a one-element tensor prints as the bare
// number, so fmt.Printf("loss %.3f", loss) prints "loss 0.693"; a larger one
// as nested brackets like a Go slice, "[[1.00 2.00] [3.00 4.00]]", elided
// past 1000 elements as String elides. %d prints whole values as integers
// (and others as fmt prints a float for %d: %!d(float64=0.5)).
func (t *Tensor) Format(f fmt.State, verb rune) {
	switch verb {
	case 'v', 's':
		fmt.Fprintf(f, fmt.FormatString(f, 's'), t.String())
		return
	case 'q':
		fmt.Fprintf(f, fmt.FormatString(f, 'q'), t.String())
		return
	case 'f', 'F', 'e', 'E', 'g', 'G', 'x', 'X', 'b', 'd':
	default:
		fmt.Fprintf(f, "%%!%c(*engine.Tensor=%s)", verb, t.String())
		return
	}
	if t == nil {
		io.WriteString(f, "<nil>")
		return
	}
	directive := fmt.FormatString(f, verb)
	num := func(v float64) string {
		if verb == 'd' && v == math.Trunc(v) && !math.IsInf(v, 0) {
			return fmt.Sprintf(directive, int64(v))
		}
		return fmt.Sprintf(directive, v)
	}
	if len(t.shape) == 0 || t.Numel() == 1 {
		io.WriteString(f, num(t.get(0)))
		return
	}
	p := &valuePrinter{t: t, elide: t.Numel() > printThreshold, stride: stridesFor(t.shape, t.shape)}
	p.collect(0, 0, num)
	p.block(0, 0, 0)
	io.WriteString(f, p.b.String())
}
