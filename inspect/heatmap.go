package inspect

import (
	"fmt"
	"html"
	"math"
	"strings"

	"github.com/dbr-go/dbr/engine"
)

// HeatmapTable is a matrix drawn by Heatmap: a table of numbers in the
// terminal, and the same table with shaded cells in a notebook.
type HeatmapTable struct {
	rows, cols []string
	vals       [][]float64
}

// Heatmap draws a 2-D tensor t [R, C], such as attention weights, as a
// table: the labels rows down the left, cols across the top (nil for the
// indices 0, 1, …), and each value with two decimals, or as "0" where it is
// exactly 0 (so a weight hidden by a mask stands out from a small one).
// Print it, or leave it as a cell's result: a notebook shows the table with
// each cell shaded from light (t's smallest finite value) to dark (its
// largest).
// It panics with an *engine.ShapeError when t is not 2-D or a list of
// labels does not have one label per row or column.
func Heatmap(t *engine.Tensor, rows, cols []string) *HeatmapTable {
	needTensor("Heatmap", "the tensor", t)
	if t.Dims() != 2 {
		panic(&engine.ShapeError{Op: "Heatmap", Shapes: [][]int{t.Shape()},
			Reason: fmt.Sprintf("the tensor must be 2-D [rows, columns], got %d-D", t.Dims()),
			Hint:   "pick one matrix, e.g. w.Select(0, 0) for the first of a batch"})
	}
	r, c := t.Size(0), t.Size(1)
	rows, cols = heatLabels("row", rows, r, t), heatLabels("column", cols, c, t)
	h := &HeatmapTable{rows: rows, cols: cols}
	v := t.Float64s()
	for i := 0; i < r; i++ {
		h.vals = append(h.vals, v[i*c:(i+1)*c])
	}
	return h
}

// heatLabels returns the labels of n rows or columns (what), or the
// indices 0…n-1 when labels is nil; it panics when there are not n of them.
func heatLabels(what string, labels []string, n int, t *engine.Tensor) []string {
	if labels == nil {
		for i := 0; i < n; i++ {
			labels = append(labels, fmt.Sprint(i))
		}
		return labels
	}
	if len(labels) != n {
		panic(&engine.ShapeError{Op: "Heatmap", Shapes: [][]int{t.Shape()},
			Reason: fmt.Sprintf("%d %s labels for %d %ss", len(labels), what, n, what),
			Hint:   "give one label each, or nil for the indices"})
	}
	return labels
}

// heatNum formats one value: two decimals, "0" for exactly 0.
func heatNum(v float64) string {
	switch {
	case v == 0:
		return "0"
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	return fmt.Sprintf("%.2f", v)
}

func (h *HeatmapTable) String() string {
	tb := newTable(append([]string{""}, h.cols...)...)
	for j := range h.cols {
		tb.alignRight(j + 1)
	}
	for i, row := range h.vals {
		cells := []string{h.rows[i]}
		for _, v := range row {
			cells = append(cells, heatNum(v))
		}
		tb.add(cells...)
	}
	return tb.String()
}

// MIMEData is the table as a notebook shows it: the text, and an HTML
// table whose cells are shaded by value.
func (h *HeatmapTable) MIMEData() map[string][]byte {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, row := range h.vals {
		for _, v := range row {
			if !math.IsInf(v, 0) && !math.IsNaN(v) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	var b strings.Builder
	b.WriteString(`<table class="dbr-heatmap" style="border-collapse:collapse;font-family:monospace"><tr><th></th>`)
	for _, c := range h.cols {
		fmt.Fprintf(&b, `<th style="padding:2px 6px">%s</th>`, html.EscapeString(c))
	}
	b.WriteString("</tr>")
	for i, row := range h.vals {
		fmt.Fprintf(&b, `<tr><th style="padding:2px 6px;text-align:right">%s</th>`, html.EscapeString(h.rows[i]))
		for _, v := range row {
			shade := 0.0 // share of the way from lo to hi; non-finite values unshaded
			if hi > lo && !math.IsInf(v, 0) && !math.IsNaN(v) {
				shade = (v - lo) / (hi - lo)
			}
			color := "#000"
			if shade > 0.6 {
				color = "#fff"
			}
			fmt.Fprintf(&b, `<td style="padding:2px 6px;text-align:right;background:rgba(31,119,180,%.2f);color:%s">%s</td>`,
				shade, color, heatNum(v))
		}
		b.WriteString("</tr>")
	}
	b.WriteString("</table>")
	return map[string][]byte{"text/plain": []byte(h.String()), "text/html": []byte(b.String())}
}
