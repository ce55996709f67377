package nn

import (
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// A Dataset typed at the prompt feeds a DataLoader; the loop runs at top
// level, as typed; a panic in the interpreted Get comes back as an error
// from Eval and the session goes on.
func TestInterpretedDataset(t *testing.T) {
	before := runtime.NumGoroutine()
	i := newInterp(t)
	eval(t, i, `import "fmt"`)
	eval(t, i, `
type Squares struct{ N int; Bad int }

func (d *Squares) Len() int { return d.N }

func (d *Squares) Get(i int) (*engine.Tensor, *engine.Tensor) {
	if i == d.Bad {
		var s []int
		s[i] = 1
	}
	return engine.New([]float32{float32(i), float32(i * i)}, 2), engine.New([]float32{float32(i)}, 1)
}`)
	eval(t, i, `ds := &Squares{N: 10, Bad: -1}`)
	eval(t, i, `dl := nn.NewDataLoader(ds, nn.LoaderOpts{BatchSize: 4, Shuffle: true})`)
	eval(t, i, `engine.Seed(1)`)
	eval(t, i, `total := 0.0`)
	eval(t, i, `shapes := ""`)
	// yaegi v0.16.1 rejects a two-value := inside a for loop at the top
	// level ("undefined: x"); in a function literal, as the REPL runs
	// statements, it works, and X/Y need no two-value assignment at all.
	eval(t, i, `(func() {
	for dl.Next() {
		x, y := dl.Batch()
		shapes += fmt.Sprint(x.Shape(), y.Shape())
		total += y.Sum().Item()
	}
})()`)
	eval(t, i, `for dl.Next() {
	shapes += fmt.Sprint(dl.X().Shape(), dl.Y().Shape())
	total += dl.Y().Sum().Item()
}`)
	if got := eval(t, i, `total`).Float(); got != 90 {
		t.Fatalf("sum of the targets over two epochs: %v, want 90", got)
	}
	if got := eval(t, i, `shapes`).String(); got != strings.Repeat("[4 2] [4 1][4 2] [4 1][2 2] [2 1]", 2) {
		t.Fatalf("batch shapes %q", got)
	}
	if got := eval(t, i, `dl.Epoch()`).Int(); got != 2 {
		t.Fatalf("Epoch %d", got)
	}

	eval(t, i, `ds.Bad = 6`)
	_, err := i.Eval(`for dl.Next() {
}`)
	if err == nil || !strings.Contains(err.Error(), "Get(6) panicked") {
		t.Fatalf("a panic in the interpreted Get: %v", err)
	}
	// The session goes on.
	eval(t, i, `ds.Bad = -1`)
	if n := eval(t, i, `(func() int { n := 0; for dl.Next() { n++ }; return n })()`).Int(); n != 3 {
		t.Fatalf("%d batches after the error, want 3", n)
	}
	eval(t, i, `dl.Close()`)
	waitGoroutines(t, before+2) // yaegi keeps a goroutine or two of its own
}

// Save and Load of a module typed at the prompt, and the built-in datasets.
func TestInterpretedSaveLoad(t *testing.T) {
	i := newInterp(t)
	eval(t, i, `import "fmt"`)
	dir := t.TempDir()
	eval(t, i, `
type Net struct{ Fc1, Fc2 *nn.Linear }

func (m *Net) Forward(x *engine.Tensor) *engine.Tensor { return m.Fc2.Forward(m.Fc1.Forward(x)) }

func (m *Net) Params() []nn.Param { return nn.Params(nn.Sub("fc1", m.Fc1), nn.Sub("fc2", m.Fc2)) }`)
	eval(t, i, `a := &Net{Fc1: nn.NewLinear(3, 4), Fc2: nn.NewLinear(4, 2)}`)
	eval(t, i, `b := &Net{Fc1: nn.NewLinear(3, 4), Fc2: nn.NewLinear(4, 2)}`)
	eval(t, i, `path := `+"`"+filepath.Join(dir, "net.safetensors")+"`")
	eval(t, i, `err := nn.Save(path, a)`)
	if e := eval(t, i, `err`); !e.IsNil() {
		t.Fatalf("Save: %v", e)
	}
	eval(t, i, `err = nn.Load(path, b)`)
	if e := eval(t, i, `err`); !e.IsNil() {
		t.Fatalf("Load: %v", e)
	}
	if d := eval(t, i, `a.Fc2.Weight.Sub(b.Fc2.Weight).Abs().Sum().Item()`).Float(); d != 0 {
		t.Fatalf("weights differ by %v after Load", d)
	}
	eval(t, i, `c := &Net{Fc1: nn.NewLinear(3, 5), Fc2: nn.NewLinear(5, 2)}`)
	eval(t, i, `err = nn.Load(path, c)`)
	if msg := eval(t, i, `err.Error()`).String(); !strings.Contains(msg, "fc1.weight is [4 3] in the checkpoint, [5 3] in the model") {
		t.Fatalf("Load into a model that does not fit: %s", msg)
	}

	eval(t, i, `fm, err := nn.FashionMNISTSubset("test")`)
	eval(t, i, `fm.Flat = true`)
	eval(t, i, `dl := nn.NewDataLoader(fm, nn.LoaderOpts{BatchSize: 50, DropLast: true})`)
	eval(t, i, `n := 0`)
	eval(t, i, `for dl.Next() { n += dl.X().Size(0) }`)
	if n := eval(t, i, `n`).Int(); n != 200 {
		t.Fatalf("%d Fashion-MNIST examples through the loader, want 200", n)
	}
}
