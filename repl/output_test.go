package repl

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dbr-go/dbr/display"
)

// Interpreted code's os.Stdout, os.Stderr, fmt, log and inspect all write to
// the session's writers, in the order the code wrote, even when those are
// not files.
func TestSessionWriters(t *testing.T) {
	var out, errOut syncBuffer
	s, err := New(Options{Stdout: &out, Stderr: &errOut})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	src := `for i := 0; i < 300; i++ {
	fmt.Println("fmt", i)
	fmt.Fprintln(os.Stdout, "os", i)
	os.Stdout.WriteString("write\n")
}
fmt.Fprintln(os.Stderr, "to stderr")
log.SetFlags(0)
log.Println("from log")
inspect.Plot([]float64{1, 2, 3})
display.HTML("<i>no handler: its source</i>")
`
	if err := s.Eval(context.Background(), src); err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	var want strings.Builder
	for i := 0; i < 300; i++ {
		want.WriteString("fmt " + strconv.Itoa(i) + "\nos " + strconv.Itoa(i) + "\nwrite\n")
	}
	got := out.String()
	if !strings.HasPrefix(got, want.String()) {
		t.Fatalf("stdout is not the lines in the order written; first 200 bytes:\n%.200s", got)
	}
	if rest := got[want.Len():]; !strings.Contains(rest, "┤") {
		t.Errorf("inspect.Plot did not print its chart to the session's Stdout; after the loop:\n%s", rest)
	}
	if !strings.HasSuffix(got, "<i>no handler: its source</i>\n") {
		t.Errorf("display.HTML without a Display callback did not print to the session's Stdout; it ends:\n%s", got[len(got)-80:])
	}
	if e := errOut.String(); e != "to stderr\nfrom log\n" {
		t.Errorf("stderr = %q, want os.Stderr's and log's lines", e)
	}
}

// With a Result callback, values go to it instead of Stdout; with an Error
// callback, errors go to it instead of Stderr.
func TestResultAndErrorCallbacks(t *testing.T) {
	var out syncBuffer
	var texts []string
	var vals [][]any
	var errs []*Error
	s, err := New(Options{Stdout: &out, Stderr: &out,
		Result: func(v []any, text string) { vals = append(vals, v); texts = append(texts, text+"|"+out.String()) },
		Error:  func(e *Error) { errs = append(errs, e) },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if err := s.Eval(ctx, "fmt.Println(\"before\")\nx := 40\nx + 2, \"two\""); err != nil {
		t.Fatal(err)
	}
	if len(texts) != 1 || texts[0] != "42 \"two\"|before\n" {
		t.Fatalf("Result got %q (text|what Stdout had then), want one call with 42 two after the printed line", texts)
	}
	if len(vals[0]) != 2 || vals[0][0] != 42 || vals[0][1] != "two" {
		t.Errorf("Result values = %#v, want 42 and \"two\"", vals[0])
	}
	if s.Eval(ctx, "engine.Ones(2, 3).MatMul(engine.Ones(2, 3))") == nil {
		t.Fatal("a shape error gave no error")
	}
	if s.RunCommand(ctx, ":nosuch") == nil {
		t.Fatal("an unknown command gave no error")
	}
	if len(errs) != 2 || !strings.Contains(errs[0].Msg, "MatMul") || !strings.Contains(errs[1].Msg, "unknown command") {
		t.Errorf("Error got %+v, want the MatMul error and the unknown command", errs)
	}
	if o := out.String(); o != "before\n" {
		t.Errorf("Stdout/Stderr = %q, want only the printed line", o)
	}
}

// With a Display callback, display.* and inspect's plots, progress lines
// and saved plots arrive as rich outputs.
func TestDisplayCallback(t *testing.T) {
	var out syncBuffer
	var mu sync.Mutex
	var got []display.Output
	s, err := New(Options{Stdout: &out, Stderr: &out, Display: func(o display.Output) {
		mu.Lock()
		got = append(got, o)
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	dir := t.TempDir()
	src := `display.HTML("<b>hi</b>")
display.Show(engine.Ones(2, 2))
inspect.Plot([]float64{3, 1, 2})
p := inspect.NewProgress(2)
p.Update(1, 0.5)
p.Update(2, 0.25)
inspect.SavePlot("` + dir + `/l.png", inspect.Chart{Title: "t"}.Add("a", []float64{1, 2}))
`
	if err := s.Eval(ctx, src); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if err := s.RunCommand(ctx, ":plot []float64{1, 4, 9}"); err != nil {
		t.Fatal(err)
	}
	if len(got) != 7 {
		var kinds []string
		for _, o := range got {
			kinds = append(kinds, fmt.Sprint(len(o.Data), " forms, id ", o.ID))
		}
		t.Fatalf("got %d outputs (%s), want 7: HTML, Show, Plot, two progress lines, SavePlot, :plot", len(got), kinds)
	}
	got = append(got[:0:0], got...)
	if string(got[0].Data["text/html"]) != "<b>hi</b>" {
		t.Errorf("display.HTML gave %q", got[0].Data)
	}
	h := string(got[1].Data["text/html"])
	if !strings.Contains(h, "<td style=\"text-align:left\"><code>[2 2]</code>") || !strings.Contains(h, "float32") {
		t.Errorf("display.Show of a tensor has no table with shape and dtype: %s", h)
	}
	for _, i := range []int{2, 5, 6} {
		img, err := png.Decode(bytes.NewReader(got[i].Data["image/png"]))
		if err != nil {
			t.Fatalf("output %d: image/png does not decode: %v", i, err)
		}
		if b := img.Bounds(); b.Dx() != 800 || b.Dy() != 500 {
			t.Errorf("output %d: plot is %v, want 800×500", i, b)
		}
	}
	if !strings.Contains(string(got[2].Data["text/plain"]), "┤") {
		t.Errorf("the plot's text/plain is not the terminal chart: %q", got[2].Data["text/plain"])
	}
	p1, p2 := got[3], got[4]
	if p1.ID == "" || p1.Update || p2.ID != p1.ID || !p2.Update {
		t.Errorf("progress outputs: first %+v, second %+v; want one ID, the second an update", p1, p2)
	}
	if !strings.Contains(string(p2.Data["text/plain"]), "step 2/2") {
		t.Errorf("last progress line = %q", p2.Data["text/plain"])
	}
	if strings.Contains(out.String(), "step") || strings.Contains(out.String(), "┤") {
		t.Errorf("rich output was printed too:\n%s", out.String())
	}
}

// A cell mixes code over several lines and : commands; it stops at the
// first error.
func TestEvalCell(t *testing.T) {
	s, out := newSession(t)
	defer s.Close()
	cell := "x := engine.Ones(2,\n\t3)\n:type x\ns := `a\n:not a command`\nlen(s)\n:nosuch\nfmt.Println(\"not reached\")"
	if s.EvalCell(context.Background(), cell) == nil {
		t.Fatal("the unknown command gave no error")
	}
	want := "*engine.Tensor\n16\nerror: unknown command :nosuch (try :help)\n"
	if got := out.String(); got != want {
		t.Errorf("output = %q, want %q", got, want)
	}
}

// heapMB is the live heap after two collections, in MB.
func heapMB() float64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc) / (1 << 20)
}

// A long session's memory stays flat: yaegi kept the syntax tree of every
// input (about 9 KB for each `1 + 1`) and its file in its FileSet (0.5 to
// 0.8 KB) until forgetCompiled. (What is left, about 0.1 KB per input, is
// the source :save writes, the files of the inputs that declare functions,
// and a top-level `x := ...` of an existing x, which keeps the old value in
// a new slot, as yaegi's functions compiled earlier still read it.)
func TestMemoryFlatOverManyInputs(t *testing.T) {
	s, _ := newSession(t)
	defer s.Close()
	ctx := context.Background()
	if err := s.Eval(ctx, "x := engine.Randn(64, 64)\ny := x\nvar z *engine.Tensor"); err != nil {
		t.Fatal(err)
	}
	cells := []string{"x = engine.Randn(64, 64)", "1 + 1", "y = x.MatMul(x).ReLU()", "fmt.Println(y.Sum().Item() > 0)",
		"for i := 0; i < 3; i++ {\n\tx = x.MulScalar(1)\n}", "x.Shape()", "func f(a int) int { return a + 1 }", "f(41)",
		"z = x.Add(y)", ":type x"}
	run := func(i int) {
		c := cells[i%len(cells)]
		var err error
		if IsCommand(c) {
			err = s.RunCommand(ctx, c)
		} else {
			err = s.Eval(ctx, c)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 200; i++ {
		run(i)
	}
	before := heapMB()
	const n = 2000
	for i := 0; i < n; i++ {
		run(i)
	}
	perInput := (heapMB() - before) * 1024 / n
	t.Logf("%.2f KB kept per input", perInput)
	if perInput > 0.4 {
		t.Errorf("the session keeps %.2f KB per input (want under 0.4 KB: flat)", perInput)
	}
}

// An interrupted statement keeps what it did until the interrupt (a
// training loop stopped with Ctrl-C or a notebook's interrupt keeps its
// progress), while a failing one changes no variable.
func TestInterruptKeepsProgress(t *testing.T) {
	s, out := newSession(t)
	defer s.Close()
	evalOK(t, s, out, "n := 0\nvar losses []float64")
	done := make(chan error)
	// The loop waits (select {}, which an interrupt ends) once it has made
	// 1000 steps, so the interrupt lands at a known point whenever it comes.
	go func() {
		done <- s.Eval(context.Background(), "for {\n\tn++\n\tlosses = append(losses, 1)\n\tif n == 1000 {\n\t\tselect {}\n\t}\n}")
	}()
	time.Sleep(time.Second) // a thousand steps take a few milliseconds
	for {
		time.Sleep(50 * time.Millisecond)
		s.Interrupt()
		select {
		case err := <-done:
			if err == nil {
				t.Fatal("the loop ended without an error")
			}
			if got := evalOK(t, s, out, "n, len(losses)"); got != "1000 1000\n" {
				t.Errorf("after the interrupt, n, len(losses) = %q; want 1000 1000 (the steps made before it)", got)
			}
			evalErr(t, s, out, "for i := 0; i < 5; i++ {\n\tn = -1\n\tpanic(\"boom\")\n}")
			if got := evalOK(t, s, out, "n > 0"); got != "true\n" {
				t.Errorf("a failing statement changed n: n > 0 = %q", got)
			}
			return
		default:
		}
	}
}

// yaegi adds every input to its FileSet; the session removes the files of
// inputs that made no function once they ran, so that a notebook of a
// thousand cells does not keep a thousand line tables, and keeps those of
// functions and closures, whose panics still name their lines.
func TestFileSetKeepsOnlyFunctions(t *testing.T) {
	s, out := newSession(t)
	defer s.Close()
	evalOK(t, s, out, "x := engine.Randn(4, 4)\nvar n int")
	evalOK(t, s, out, "func boom(v int) int {\n\tif v > 2 {\n\t\tpanic(\"too big\")\n\t}\n\treturn v\n}")
	evalOK(t, s, out, "later := func() int {\n\treturn boom(3)\n}")
	before := files(s)
	cells := []string{"y := x.MatMul(x).ReLU()", "n = n + 1", "x.Shape()", "fmt.Println(n)",
		"for i := 0; i < 2; i++ {\n\tn++\n}", "if n > 0 {\n\tn--\n}", "var z = 3", ":type x"}
	for i := 0; i < 400; i++ {
		c := cells[i%len(cells)]
		var err error
		if IsCommand(c) {
			err = s.RunCommand(context.Background(), c)
		} else {
			err = s.Eval(context.Background(), c)
		}
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
	}
	if after := files(s); after != before {
		t.Errorf("the FileSet had %d files before 400 inputs without functions, %d after", before, after)
	}
	got := evalErr(t, s, out, "later()")
	if !strings.Contains(got, "too big") || !strings.Contains(got, "boom") {
		t.Errorf("a panic in a function declared 400 inputs earlier:\n%s", got)
	}
	t.Logf("%s", got)
}
