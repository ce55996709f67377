package inspect

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/dbr-go/dbr/display"
	"github.com/dbr-go/dbr/engine"
	"github.com/dbr-go/dbr/nn"
)

// graphView is the recorded graph behind a tensor: op results (oldest
// first) and the leaves that require grad or have a name.
type graphView struct {
	root   *engine.Tensor
	ops    []*engine.Tensor // op results with recorded history, by Seq
	id     map[*engine.Tensor]int
	params []*engine.Tensor // leaves that require grad, in order of first use
	pname  map[*engine.Tensor]string
}

func buildGraph(t *engine.Tensor, names map[*engine.Tensor]string) *graphView {
	g := &graphView{root: t, id: map[*engine.Tensor]int{}, pname: map[*engine.Tensor]string{}}
	seen := map[*engine.Tensor]bool{t: true}
	stack := []*engine.Tensor{t}
	for len(stack) > 0 {
		r := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if r.Inputs() != nil {
			g.ops = append(g.ops, r)
		}
		for _, in := range r.Inputs() {
			if in != nil && !seen[in] {
				seen[in] = true
				stack = append(stack, in)
			}
		}
	}
	sort.Slice(g.ops, func(i, j int) bool { return g.ops[i].Seq() < g.ops[j].Seq() })
	for i, r := range g.ops {
		g.id[r] = i + 1
	}
	for _, r := range g.ops {
		for _, in := range r.Inputs() {
			if in == nil || in.Inputs() != nil || !in.RequiresGrad() {
				continue
			}
			if _, ok := g.pname[in]; !ok {
				g.params = append(g.params, in)
				name := names[in]
				if name == "" {
					name = tensorLabel(in, fmt.Sprintf("p%d", len(g.params)))
				}
				g.pname[in] = name
			}
		}
	}
	if t.Inputs() == nil && t.RequiresGrad() {
		g.params = append(g.params, t)
		g.pname[t] = tensorLabel(t, "p1")
	}
	return g
}

// ref names an input of an op: %id for an op result, the name of a
// parameter, or the shape of plain data.
func (g *graphView) ref(t *engine.Tensor) string {
	if id, ok := g.id[t]; ok {
		return fmt.Sprintf("%%%d", id)
	}
	if n, ok := g.pname[t]; ok {
		return n
	}
	if t.Name() != "" {
		return t.Name() + shapeStr(t.Shape())
	}
	return shapeStr(t.Shape())
}

// signature describes an op for finding repeated structure: its name, its
// output shape and each input's shape, parameters by identity. Plain data
// and op results of the same shape look alike, so the first step of a loop
// that starts from a constant matches the later ones.
func (g *graphView) signature(r *engine.Tensor) string {
	var b strings.Builder
	b.WriteString(r.Op())
	b.WriteString(shapeStr(r.Shape()))
	for _, in := range r.Inputs() {
		b.WriteByte('|')
		if n, ok := g.pname[in]; ok && in.Inputs() == nil {
			b.WriteString("P:" + n)
		} else {
			b.WriteString(shapeStr(in.Shape()))
		}
	}
	return b.String()
}

// block is a run of ops: count repetitions of period consecutive ops
// starting at start.
type block struct{ start, period, count int }

// maxPeriod bounds the length of a repeated block that collapse looks for.
const maxPeriod = 256

// collapse finds tandem repeats in sigs, greedily from the left, taking at
// each position the repetition that covers the most ops.
func collapse(sigs []string) []block {
	var out []block
	n := len(sigs)
	for i := 0; i < n; {
		engine.CheckInterrupt()
		bestP, bestK := 1, 1
		for p := 1; p <= maxPeriod && i+2*p <= n; p++ {
			k := 1
			for i+(k+1)*p <= n && sameRun(sigs, i, i+k*p, p) {
				k++
			}
			if k >= 2 && k*p > bestK*bestP {
				bestP, bestK = p, k
			}
		}
		if bestK == 1 {
			bestP = 1
		}
		out = append(out, block{i, bestP, bestK})
		i += bestP * bestK
	}
	return out
}

func sameRun(s []string, a, b, n int) bool {
	for j := 0; j < n; j++ {
		if s[a+j] != s[b+j] {
			return false
		}
	}
	return true
}

// GraphDrawing is the graph behind a tensor as text; String draws it.
type GraphDrawing struct {
	text string
	dot  func() string // the graph as Graphviz DOT
	// Ops is the number of recorded ops in the graph; Params the number of
	// leaves that require grad.
	Ops, Params int
}

func (d *GraphDrawing) String() string { return d.text }

// MIMEData is the drawing as a notebook shows it: the text, and an SVG
// image drawn by Graphviz when its dot program is installed. Without dot
// (or when it fails) the text ends with a line that says so and how to
// install it.
func (d *GraphDrawing) MIMEData() map[string][]byte {
	data := map[string][]byte{"text/plain": []byte(d.text)}
	if d.dot == nil {
		return data
	}
	svg, err := runDot(d.dot(), "svg")
	switch {
	case errors.Is(err, exec.ErrNotFound):
		data["text/plain"] = []byte(d.text + "\n" + noDotNote)
	case err != nil:
		data["text/plain"] = []byte(d.text + "\n(no image of this graph: " + err.Error() + ")")
	default:
		data["image/svg+xml"] = svg
	}
	return data
}

// noDotNote ends a notebook's graph drawing when Graphviz is missing.
const noDotNote = "(no image of this graph: the Graphviz program \"dot\" is not installed; Debian: apt install graphviz, then run the cell again)"

// Graph draws the graph behind t in the terminal: its parameters (with
// gradient norms once Backward ran), then one line per op, oldest first,
// as "%3 = Add(%1, b)" with the result's shape. Repeated structure, such as
// an RNN unrolled over 50 steps, is shown once with "×50"; the ids that
// follow a collapsed block show how many ops it stands for.
func Graph(t *engine.Tensor) *GraphDrawing {
	needTensor("Graph", "the tensor", t)
	return graph(t, nil)
}

// GraphWith is Graph with the parameters named as in m.Params()
// ("fc1.weight"), for tensors that have no name of their own.
func GraphWith(t *engine.Tensor, m nn.Module) *GraphDrawing {
	needTensor("GraphWith", "the tensor", t)
	needModule("GraphWith", m)
	return graph(t, paramNames(m))
}

// paramNames maps each parameter tensor of m to its name.
func paramNames(m nn.Module) map[*engine.Tensor]string {
	names := map[*engine.Tensor]string{}
	for _, p := range uniqueParams(m.Params()) {
		names[p.t] = p.name
	}
	return names
}

func graph(t *engine.Tensor, names map[*engine.Tensor]string) *GraphDrawing {
	g := buildGraph(t, names)
	var b strings.Builder
	what := "a leaf"
	if t.Op() != "" {
		what = "made by " + t.Op()
	}
	fmt.Fprintf(&b, "graph of %s %s: %s, %s\n", shapeStr(t.Shape()), what, plural(len(g.ops), "op"), plural(len(g.params), "parameter"))
	if len(g.ops) == 0 {
		if t.Op() != "" && t.NoGradReason() != "" {
			fmt.Fprintf(&b, "no history is kept for it: %s\n", t.NoGradReason())
		} else if t.Inputs() == nil && !t.RequiresGrad() {
			b.WriteString("no history is kept for tensors that do not require grad\n")
		}
	}
	if len(g.params) > 0 {
		b.WriteString("parameters:\n")
		tb := newTable("", "", "", "")
		for _, p := range g.params {
			tb.add("  "+g.pname[p], shapeStr(p.Shape()), gradNote(p), "")
		}
		b.WriteString(tb.bodyString() + "\n")
	}
	if len(g.ops) > 0 {
		b.WriteString("ops (oldest first):\n")
		sigs := make([]string, len(g.ops))
		for i, r := range g.ops {
			sigs[i] = g.signature(r)
		}
		tb := newTable("", "", "", "", "")
		rootShown := false
		for _, bl := range collapse(sigs) {
			for j := 0; j < bl.period; j++ {
				r := g.ops[bl.start+j]
				mark := "  "
				if bl.count > 1 {
					switch {
					case bl.period == 1:
						mark = "─ "
					case j == 0:
						mark = "┌ "
					case j == bl.period-1:
						mark = "└ "
					default:
						mark = "│ "
					}
				}
				rep := ""
				if bl.count > 1 && j == 0 {
					rep = fmt.Sprintf("  ×%d", bl.count)
				}
				args := make([]string, len(r.Inputs()))
				for k, in := range r.Inputs() {
					args[k] = g.ref(in)
				}
				note := ""
				if r == t {
					note = "← this tensor"
					rootShown = true
				}
				if gr := r.Grad(); gr != nil {
					note = strings.TrimSpace("grad ‖g‖=" + num(norm(gr)) + " " + note)
				}
				tb.add(rep, mark+fmt.Sprintf("%%%d = %s(%s)", g.id[r], r.Op(), strings.Join(args, ", ")), shapeStr(r.Shape()), note, "")
			}
		}
		if !rootShown && t.Inputs() != nil {
			// t is in a later repetition of a collapsed block.
			args := make([]string, len(t.Inputs()))
			for k, in := range t.Inputs() {
				args[k] = g.ref(in)
			}
			tb.add("", fmt.Sprintf("  %%%d = %s(%s)", g.id[t], t.Op(), strings.Join(args, ", ")), shapeStr(t.Shape()), "← this tensor (last repetition)", "")
		}
		b.WriteString(elideLines(tb.bodyString(), maxGraphLines) + "\n")
	}
	return &GraphDrawing{text: strings.TrimRight(b.String(), "\n"), dot: func() string { return dot(t, names) },
		Ops: len(g.ops), Params: len(g.params)}
}

// maxGraphLines bounds the op lines Graph draws; a longer listing keeps
// its beginning and its end.
const maxGraphLines = 120

// elideLines keeps the first two thirds and the last third of max lines of
// s, with a line saying how many were left out between them.
func elideLines(s string, max int) string {
	lines := strings.Split(s, "\n")
	if len(lines) <= max {
		return s
	}
	head, tail := max*2/3, max/3
	out := append([]string{}, lines[:head]...)
	out = append(out, fmt.Sprintf("       ⋮  %d more lines (inspect.Dot(t) has the whole graph)", len(lines)-head-tail))
	return strings.Join(append(out, lines[len(lines)-tail:]...), "\n")
}

func gradNote(p *engine.Tensor) string {
	if gr := p.Grad(); gr != nil {
		return "grad ‖g‖=" + num(norm(gr))
	}
	return "no grad yet"
}

// bodyString is the table without its header row.
func (t *table) bodyString() string {
	s := t.String()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return ""
}

// Dot returns the graph behind t in Graphviz DOT: a box per parameter or
// input (name, shape, gradient norm once computed), an ellipse per op (op,
// result shape), and an edge from each input to the op that used it.
// Unlike Graph, nothing is collapsed.
func Dot(t *engine.Tensor) string {
	needTensor("Dot", "the tensor", t)
	return dot(t, nil)
}

// DotWith is Dot with the parameters named as in m.Params().
func DotWith(t *engine.Tensor, m nn.Module) string {
	needTensor("DotWith", "the tensor", t)
	needModule("DotWith", m)
	return dot(t, paramNames(m))
}

func dot(t *engine.Tensor, names map[*engine.Tensor]string) string {
	g := buildGraph(t, names)
	var b strings.Builder
	b.WriteString("digraph dbr {\n  rankdir=BT;\n  node [fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n")
	leafID := map[*engine.Tensor]string{}
	nodeName := func(r *engine.Tensor) string {
		if id, ok := g.id[r]; ok {
			return fmt.Sprintf("op%d", id)
		}
		if n, ok := leafID[r]; ok {
			return n
		}
		n := fmt.Sprintf("leaf%d", len(leafID)+1)
		leafID[r] = n
		label := shapeStr(r.Shape())
		style := "shape=box"
		if name, ok := g.pname[r]; ok {
			label = name + "\\n" + label
			style += ", style=filled, fillcolor=\"#dbe9f6\""
			if gr := r.Grad(); gr != nil {
				label += "\\ngrad ‖g‖=" + num(norm(gr))
			}
		} else if r.Name() != "" {
			label = r.Name() + "\\n" + label
		}
		fmt.Fprintf(&b, "  %s [%s, label=\"%s\"];\n", n, style, dotEscape(label))
		return n
	}
	for _, r := range g.ops {
		label := fmt.Sprintf("%s\\n%s", r.Op(), shapeStr(r.Shape()))
		extra := ""
		if r == t {
			extra = ", penwidth=2"
		}
		if gr := r.Grad(); gr != nil {
			label += "\\ngrad ‖g‖=" + num(norm(gr))
		}
		fmt.Fprintf(&b, "  op%d [shape=ellipse, label=\"%s\"%s];\n", g.id[r], dotEscape(label), extra)
	}
	if len(g.ops) == 0 {
		nodeName(t)
	}
	for _, r := range g.ops {
		for k, in := range r.Inputs() {
			attr := ""
			if len(r.Inputs()) > 1 {
				attr = fmt.Sprintf(" [label=\"%d\"]", k)
			}
			fmt.Fprintf(&b, "  %s -> op%d%s;\n", nodeName(in), g.id[r], attr)
		}
	}
	b.WriteString("}\n")
	return b.String()
}

// dotEscape escapes double quotes; \n stays a DOT line break.
func dotEscape(s string) string { return strings.ReplaceAll(s, `"`, `\"`) }

// SaveGraph writes the graph behind t to path. The file's extension picks
// the format: .dot writes DOT text; .png, .svg and .pdf run Graphviz's dot
// program, and SaveGraph returns an error saying how to install it when it
// is missing (Debian: apt install graphviz). Nothing is written on error.
func SaveGraph(path string, t *engine.Tensor) error {
	needTensor("SaveGraph", "the tensor", t)
	return saveGraph(path, dot(t, nil))
}

// SaveGraphWith is SaveGraph with the parameters named as in m.Params().
func SaveGraphWith(path string, t *engine.Tensor, m nn.Module) error {
	needTensor("SaveGraphWith", "the tensor", t)
	needModule("SaveGraphWith", m)
	return saveGraph(path, dot(t, paramNames(m)))
}

func saveGraph(path, src string) error {
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(path), "."))
	switch ext {
	case "dot", "gv":
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			return fmt.Errorf("SaveGraph: %w", err)
		}
		return nil
	case "png", "svg", "pdf":
	default:
		return fmt.Errorf("SaveGraph %s: unknown extension %q; use .png, .svg, .pdf or .dot", path, filepath.Ext(path))
	}
	img, err := runDot(src, ext)
	if errors.Is(err, exec.ErrNotFound) {
		return fmt.Errorf("SaveGraph %s: the Graphviz program \"dot\" is not installed (Debian: apt install graphviz); write %s.dot instead, or use inspect.Dot(t) for the DOT text", path, strings.TrimSuffix(path, filepath.Ext(path)))
	}
	if err != nil {
		return fmt.Errorf("SaveGraph %s: %w", path, err)
	}
	if err := os.WriteFile(path, img, 0o644); err != nil {
		return fmt.Errorf("SaveGraph: %w", err)
	}
	if ext != "pdf" {
		mime := map[string]string{"png": "image/png", "svg": "image/svg+xml"}[ext]
		display.Emit(display.Output{Data: map[string][]byte{mime: img, "text/plain": []byte("[graph saved to " + path + "]")}})
	}
	return nil
}

// runDot runs Graphviz's dot on src and returns the image in format
// (png, svg, pdf); the error wraps exec.ErrNotFound when dot is missing.
func runDot(src, format string) ([]byte, error) {
	bin, err := exec.LookPath("dot")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "-T"+format)
	cmd.Stdin = strings.NewReader(src)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("dot failed: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	return stdout.Bytes(), nil
}

// plural writes n with word, in the plural unless n is 1.
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
