package display

import (
	"fmt"
	"html"
	"strings"

	"github.com/dbr-go/dbr/engine"
)

// TensorHTML is a tensor as a notebook shows it: a small table with its
// shape, dtype and grad_fn (or requires_grad, or name), and its values as
// the terminal prints them (large tensors elided with ...).
func TensorHTML(t *engine.Tensor) string {
	var b strings.Builder
	b.WriteString(`<table class="dbr-tensor" style="border-collapse:collapse">`)
	row := func(k, v string) {
		fmt.Fprintf(&b, `<tr><th style="text-align:left;padding:0 8px">%s</th><td style="text-align:left"><code>%s</code></td></tr>`,
			k, html.EscapeString(v))
	}
	row("shape", fmt.Sprint(t.Shape()))
	row("dtype", t.DType().String())
	switch {
	case t.Op() != "" && !t.IsLeaf():
		row("grad_fn", t.Op())
	case t.RequiresGrad():
		row("requires_grad", "true")
	}
	if t.Name() != "" {
		row("name", t.Name())
	}
	b.WriteString(`</table>`)
	fmt.Fprintf(&b, `<pre style="margin:4px 0 0 0">%s</pre>`, html.EscapeString(tensorValues(t)))
	return b.String()
}

// tensorValues is the values part of t.String(): "tensor(VALUES, shape=…)".
func tensorValues(t *engine.Tensor) string {
	s := t.String()
	s = strings.TrimPrefix(s, "tensor(")
	if i := strings.LastIndex(s, ", shape="); i >= 0 {
		s = s[:i]
	}
	return s
}
