package inspect

import (
	"bytes"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dbr-go/dbr/engine"
	"github.com/dbr-go/dbr/nn"
)

// smallNet is loss = sum((x·w + b)²) with named parameters.
func smallNet() (loss, w, b *engine.Tensor) {
	x := engine.Linspace(-1, 1, 6).Reshape(2, 3)
	w = engine.Linspace(0, 1, 12).Reshape(3, 4).Detach().SetRequiresGrad(true).SetName("w")
	b = engine.Full(0.5, 4).SetRequiresGrad(true).SetName("b")
	y := x.MatMul(w).Add(b)
	return y.Mul(y).Sum(), w, b
}

// rnn unrolls a linear RNN over steps, h = (x_t·Wx + h·Wh + b)/2.
func rnn(steps int) *engine.Tensor {
	x := engine.Linspace(0, 1, 4*steps*3).Reshape(4, steps, 3)
	wx := engine.Full(0.1, 3, 5).SetRequiresGrad(true).SetName("Wx")
	wh := engine.Full(0.2, 5, 5).SetRequiresGrad(true).SetName("Wh")
	b := engine.Zeros(5).SetRequiresGrad(true).SetName("b")
	wo := engine.Full(0.3, 5, 2).SetRequiresGrad(true).SetName("Wo")
	h := engine.Zeros(4, 5)
	for s := 0; s < steps; s++ {
		h = x.Select(1, s).MatMul(wx).Add(h.MatMul(wh)).Add(b).MulScalar(0.5)
	}
	return h.MatMul(wo).Sum()
}

func TestGraphGolden(t *testing.T) {
	loss, _, _ := smallNet()
	golden(t, "graph_before", Graph(loss).String())
	loss.Backward()
	golden(t, "graph_after", Graph(loss).String())
}

func TestGraphCollapsesRNN(t *testing.T) {
	d := Graph(rnn(50))
	if d.Ops != 50*5+2 || d.Params != 4 {
		t.Errorf("ops %d params %d, want 252 and 4", d.Ops, d.Params)
	}
	s := d.String()
	if !strings.Contains(s, "×50") || strings.Count(s, "\n") > 20 {
		t.Errorf("RNN not collapsed to ×50:\n%s", s)
	}
	golden(t, "graph_rnn", s)
}

func TestCollapse(t *testing.T) {
	cases := []struct {
		in   string
		want string
	}{
		{"abcbcbcd", "a bc×3 d"},
		{"aaaa", "a×4"},
		{"abcd", "a b c d"},
		{"xabababyy", "x ab×3 y×2"},
	}
	for _, c := range cases {
		sigs := strings.Split(c.in, "")
		var parts []string
		for _, bl := range collapse(sigs) {
			p := strings.Join(sigs[bl.start:bl.start+bl.period], "")
			if bl.count > 1 {
				p += "×" + string(rune('0'+bl.count))
			}
			parts = append(parts, p)
		}
		if got := strings.Join(parts, " "); got != c.want {
			t.Errorf("collapse(%s) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestDotGolden(t *testing.T) {
	loss, _, _ := smallNet()
	loss.Backward()
	golden(t, "graph_dot", Dot(loss))
}

func TestSaveGraph(t *testing.T) {
	loss, _, _ := smallNet()
	dir := t.TempDir()
	dotPath := filepath.Join(dir, "g.dot")
	if err := SaveGraph(dotPath, loss); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(dotPath); string(b) != Dot(loss) {
		t.Error(".dot file differs from Dot()")
	}
	if err := SaveGraph(filepath.Join(dir, "g.jpg"), loss); err == nil || !strings.Contains(err.Error(), ".png, .svg, .pdf or .dot") {
		t.Errorf("bad extension: %v", err)
	}
	if _, err := exec.LookPath("dot"); err == nil {
		pngPath := filepath.Join(dir, "g.png")
		if err := SaveGraph(pngPath, loss); err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(pngPath)
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("not a PNG: %v", err)
		}
		// 4 ops and 2 parameters stacked bottom to top: taller than wide.
		if r := img.Bounds(); r.Dx() < 50 || r.Dy() < 200 || r.Dy() < r.Dx() {
			t.Errorf("PNG size %v, want a tall image", r)
		}
	}
	t.Setenv("PATH", "")
	err := SaveGraph(filepath.Join(dir, "h.png"), loss)
	if err == nil || !strings.Contains(err.Error(), "apt install graphviz") {
		t.Errorf("without dot: %v", err)
	}
	if _, statErr := os.Stat(filepath.Join(dir, "h.png")); statErr == nil {
		t.Error("a file was written although dot is missing")
	}
}

func TestGraphWithModule(t *testing.T) {
	engine.Seed(5)
	m := &mlp{nn.NewLinear(3, 4), nn.NewLinear(4, 2)}
	loss := m.Forward(engine.Ones(2, 3)).Sum()
	s := GraphWith(loss, m).String()
	for _, want := range []string{"fc1.weight  [4 3]", "fc2.bias    [2]", "ReLU(%1)"} {
		if !strings.Contains(s, want) {
			t.Errorf("graph lacks %q:\n%s", want, s)
		}
	}
	if d := DotWith(loss, m); !strings.Contains(d, `label="fc1.weight\n[4 3]"`) {
		t.Errorf("DOT lacks the parameter name:\n%s", d)
	}
}

func TestGraphElidesLongListings(t *testing.T) {
	w := engine.Ones(3).SetRequiresGrad(true).SetName("w")
	h := engine.Ones(3)
	prime := func(n int) bool {
		for d := 2; d*d <= n; d++ {
			if n%d == 0 {
				return false
			}
		}
		return n > 1
	}
	for i := 0; i < 300; i++ { // primes are not periodic: little collapses
		if prime(i) {
			h = h.Mul(w).Sum().Reshape(1).Expand(3)
		} else {
			h = h.Add(w)
		}
	}
	s := Graph(h).String()
	if n := strings.Count(s, "\n"); n > maxGraphLines+8 {
		t.Errorf("%d lines, want at most about %d", n, maxGraphLines)
	}
	if !strings.Contains(s, "more lines (inspect.Dot(t) has the whole graph)") || !strings.Contains(s, "← this tensor") {
		t.Errorf("elided listing lacks the note or the end:\n%s", s)
	}
}

func TestGraphRootInRepeatedBlock(t *testing.T) {
	w := engine.Ones(3).SetRequiresGrad(true).SetName("w")
	h := engine.Ones(3)
	for i := 0; i < 5; i++ {
		h = h.Mul(w).Neg()
	}
	s := Graph(h).String()
	if !strings.Contains(s, "×5") || !strings.Contains(s, "%10 = Neg(%9)     [3]  ← this tensor (last repetition)") {
		t.Errorf("root not shown after the block:\n%s", s)
	}
}

// In a notebook a graph drawing is an SVG made by Graphviz's dot when it
// is installed (here a stand-in that checks it was given the DOT text), and
// text only otherwise.
func TestGraphMIMEData(t *testing.T) {
	w := engine.Randn(2, 2).SetRequiresGrad(true)
	loss := w.MatMul(w).Sum()
	bin := t.TempDir()
	fake := "#!/bin/sh\n[ \"$1\" = -Tsvg ] || exit 2\nread -r first\ncase \"$first\" in digraph*) echo '<svg xmlns=\"http://www.w3.org/2000/svg\"/>';; esac\n"
	if err := os.WriteFile(filepath.Join(bin, "dot"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	d := Graph(loss).MIMEData()
	if string(d["text/plain"]) != Graph(loss).String() {
		t.Errorf("text/plain is not the drawing")
	}
	if svg := string(d["image/svg+xml"]); !strings.HasPrefix(svg, "<svg") {
		t.Errorf("with dot installed, image/svg+xml = %q", svg)
	}
	t.Setenv("PATH", t.TempDir())
	d = Graph(loss).MIMEData()
	if _, ok := d["image/svg+xml"]; ok {
		t.Error("an SVG without dot")
	}
	want := Graph(loss).String() + "\n(no image of this graph: the Graphviz program \"dot\" is not installed; Debian: apt install graphviz, then run the cell again)"
	if got := string(d["text/plain"]); got != want {
		t.Errorf("without dot, text/plain = %q, want the drawing and how to install dot", got)
	}
	// A dot that fails: its message, not a silent text-only drawing.
	if err := os.WriteFile(filepath.Join(bin, "dot"), []byte("#!/bin/sh\necho 'syntax error in line 1' >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	if got := string(Graph(loss).MIMEData()["text/plain"]); !strings.HasSuffix(got, "syntax error in line 1)") {
		t.Errorf("with a failing dot, text/plain = %q, want dot's message at its end", got)
	}
}
