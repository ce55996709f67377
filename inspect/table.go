package inspect

import (
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/dbr-go/dbr/engine"
)

// table lays out rows of cells in aligned columns. Columns listed in right
// are right-aligned (numbers); the others are left-aligned.
type table struct {
	header []string
	rows   [][]string
	right  map[int]bool
}

func newTable(header ...string) *table { return &table{header: header, right: map[int]bool{}} }

func (t *table) alignRight(cols ...int) *table {
	for _, c := range cols {
		t.right[c] = true
	}
	return t
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

func (t *table) String() string {
	all := append([][]string{t.header}, t.rows...)
	width := make([]int, len(t.header))
	for _, r := range all {
		for i, c := range r {
			if i < len(width) && utf8.RuneCountInString(c) > width[i] {
				width[i] = utf8.RuneCountInString(c)
			}
		}
	}
	var b strings.Builder
	for _, r := range all {
		var line strings.Builder
		for i, c := range r {
			if i >= len(width) {
				break
			}
			if i > 0 {
				line.WriteString("  ")
			}
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(c))
			if t.right[i] {
				line.WriteString(pad + c)
			} else {
				line.WriteString(c + pad)
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " "))
		b.WriteByte('\n')
	}
	return strings.TrimRight(b.String(), "\n")
}

// num formats a float compactly with 4 significant digits.
func num(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case v == 0:
		return "0"
	}
	return fmt.Sprintf("%.4g", v)
}

// shapeStr prints a shape as [2 3]; a scalar is [].
func shapeStr(s []int) string { return fmt.Sprint(s) }

// group puts thousands separators in n: 101770 → 101,770.
func group(n int) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

var (
	outMu sync.Mutex
	out   io.Writer // nil: os.Stdout at the time of printing
)

// SetOutput sets where Trace, Plot and Progress print and returns the
// previous writer. nil, the default, means os.Stdout at the time of
// printing. The REPL points it at its own output.
func SetOutput(w io.Writer) io.Writer {
	outMu.Lock()
	defer outMu.Unlock()
	prev := out
	out = w
	return prev
}

func output() io.Writer {
	outMu.Lock()
	defer outMu.Unlock()
	if out == nil {
		return os.Stdout
	}
	return out
}

// tensorLabel names a tensor for tables: its Name, or fallback.
func tensorLabel(t *engine.Tensor, fallback string) string {
	if t != nil && t.Name() != "" {
		return t.Name()
	}
	return fallback
}
