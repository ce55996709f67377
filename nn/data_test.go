package nn

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dbr-go/dbr/engine"
)

// indexDataset is a user-style dataset (no fast path): x is [2] holding
// (i, -i), y is the scalar i. panicAt makes Get panic for that index.
type indexDataset struct {
	n       int
	panicAt int
	calls   int
}

func (d *indexDataset) Len() int { return d.n }
func (d *indexDataset) Get(i int) (x, y *engine.Tensor) {
	d.calls++
	if i == d.panicAt {
		var s []int
		_ = s[i] // a runtime error, as a bug in user code would cause
	}
	return engine.New([]float32{float32(i), float32(-i)}, 2), engine.New([]float32{float32(i)}, 1).Reshape()
}

// epochOrder runs one epoch and returns the targets in order, checking that
// every batch's x matches its y.
func epochOrder(t *testing.T, dl *DataLoader) (order []int, sizes []int) {
	t.Helper()
	for dl.Next() {
		x, y := dl.Batch()
		ys := y.Float64s()
		xs := x.Float64s()
		if x.Dims() != 2 || x.Size(1) != 2 || y.Dims() != 1 || x.Size(0) != y.Size(0) {
			t.Fatalf("batch shapes x %v y %v", x.Shape(), y.Shape())
		}
		for k, v := range ys {
			if xs[2*k] != v || xs[2*k+1] != -v {
				t.Fatalf("x row %v does not belong to y %v", xs[2*k:2*k+2], v)
			}
			order = append(order, int(v))
		}
		sizes = append(sizes, len(ys))
	}
	return order, sizes
}

func loaders(n int) map[string]Dataset {
	xs := make([]float32, 2*n)
	ys := make([]float32, n)
	for i := 0; i < n; i++ {
		xs[2*i], xs[2*i+1], ys[i] = float32(i), float32(-i), float32(i)
	}
	return map[string]Dataset{
		"user":   &indexDataset{n: n, panicAt: -1},
		"tensor": NewTensorDataset(engine.New(xs, n, 2), engine.New(ys, n)),
	}
}

func TestDataLoaderInOrder(t *testing.T) {
	for name, ds := range loaders(10) {
		for _, noPrefetch := range []bool{false, true} {
			dl := NewDataLoader(ds, LoaderOpts{BatchSize: 4, NoPrefetch: noPrefetch})
			if dl.Len() != 3 {
				t.Fatalf("Len = %d, want 3", dl.Len())
			}
			order, sizes := epochOrder(t, dl)
			if fmt.Sprint(order) != "[0 1 2 3 4 5 6 7 8 9]" || fmt.Sprint(sizes) != "[4 4 2]" {
				t.Fatalf("%s: order %v sizes %v", name, order, sizes)
			}
			if dl.Epoch() != 1 {
				t.Fatalf("Epoch after one epoch = %d", dl.Epoch())
			}
			// The next Next starts epoch 2.
			order, _ = epochOrder(t, dl)
			if len(order) != 10 || dl.Epoch() != 2 {
				t.Fatalf("second epoch: %v, Epoch %d", order, dl.Epoch())
			}
		}
	}
}

func TestDataLoaderDropLast(t *testing.T) {
	ref := loaderRef(t)
	for name, ds := range loaders(10) {
		for _, noPrefetch := range []bool{false, true} {
			// in order, as PyTorch's reference
			dl := NewDataLoader(ds, LoaderOpts{BatchSize: 4, DropLast: true, NoPrefetch: noPrefetch})
			if dl.Len() != ref.DropLastLen {
				t.Fatalf("Len = %d, PyTorch %d", dl.Len(), ref.DropLastLen)
			}
			if order, sizes := epochOrder(t, dl); fmt.Sprint(order) != fmt.Sprint(ref.DropLast) || fmt.Sprint(sizes) != "[4 4]" {
				t.Fatalf("%s NoPrefetch %v: order %v sizes %v, PyTorch %v", name, noPrefetch, order, sizes, ref.DropLast)
			}
			dl = NewDataLoader(ds, LoaderOpts{BatchSize: 4, DropLast: true, Shuffle: true, NoPrefetch: noPrefetch})
			if order, sizes := epochOrder(t, dl); len(order) != 8 || fmt.Sprint(sizes) != "[4 4]" {
				t.Fatalf("%s NoPrefetch %v shuffled: order %v sizes %v", name, noPrefetch, order, sizes)
			}
			// A dataset smaller than a batch gives no batch at all.
			small := NewDataLoader(&indexDataset{n: 3, panicAt: -1}, LoaderOpts{BatchSize: 4, DropLast: true, NoPrefetch: noPrefetch})
			if small.Next() {
				t.Fatalf("NoPrefetch %v: a batch from 3 examples with BatchSize 4 and DropLast", noPrefetch)
			}
			if small.Epoch() != 1 {
				t.Fatalf("Epoch = %d", small.Epoch())
			}
		}
	}
}

// loaderRefs is PyTorch's DataLoader behaviour (testdata/loader_ref.py).
type loaderRefs struct {
	AfterBreak  []int `json:"after_break"`
	AfterError  []int `json:"after_error"`
	Enumerate   []int `json:"enumerate"`
	DropLast    []int `json:"drop_last"`
	DropLastLen int   `json:"drop_last_len"`
}

func loaderRef(t *testing.T) loaderRefs {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "loader_ref.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r loaderRefs
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestDataLoaderFreshEpochPerEvaluation: at the REPL (which calls
// engine.ClearInterrupt before each evaluation) a loop typed after one that
// stopped early (break, an error in its body, Ctrl-C) sees a whole new epoch,
// as PyTorch's `for x, y in loader`; BatchIndex counts as enumerate. Within one
// evaluation (a compiled program) Next continues the unfinished epoch.
func TestDataLoaderFreshEpochPerEvaluation(t *testing.T) {
	ref := loaderRef(t)
	defer engine.ClearInterrupt()
	for name, ds := range loaders(10) {
		for _, noPrefetch := range []bool{false, true} {
			what := fmt.Sprintf("%s NoPrefetch %v", name, noPrefetch)
			dl := NewDataLoader(ds, LoaderOpts{BatchSize: 4, NoPrefetch: noPrefetch})
			loop := func() (order []int, idx []int) { // one evaluation at the prompt
				engine.ClearInterrupt()
				for dl.Next() {
					idx = append(idx, dl.BatchIndex())
					for _, v := range dl.Y().Float64s() {
						order = append(order, int(v))
					}
				}
				return order, idx
			}
			engine.ClearInterrupt()
			for dl.Next() {
				break
			}
			if order, idx := loop(); fmt.Sprint(order) != fmt.Sprint(ref.AfterBreak) || fmt.Sprint(idx) != fmt.Sprint(ref.Enumerate) {
				t.Errorf("%s: after a break the loop saw %v with batch indices %v; PyTorch %v and %v", what, order, idx, ref.AfterBreak, ref.Enumerate)
			}
			engine.ClearInterrupt()
			engine.Try(func() {
				for dl.Next() {
					engine.Zeros(2).Add(engine.Zeros(3)) // a shape error in the loop body
				}
			})
			if order, _ := loop(); fmt.Sprint(order) != fmt.Sprint(ref.AfterError) {
				t.Errorf("%s: after an error the loop saw %v; PyTorch %v", what, order, ref.AfterError)
			}
			engine.ClearInterrupt()
			dl.Next()
			engine.Interrupt()
			if err := engine.Try(func() { dl.Next() }); err != engine.ErrInterrupted {
				t.Fatalf("%s: Next after Ctrl-C: %v", what, err)
			}
			if order, _ := loop(); len(order) != 10 {
				t.Errorf("%s: after Ctrl-C the loop saw %v", what, order)
			}
			if dl.Epoch() != 3 {
				t.Errorf("%s: Epoch %d after three whole epochs (abandoned ones do not count)", what, dl.Epoch())
			}
			// One evaluation, or a compiled program: the epoch continues.
			engine.ClearInterrupt()
			for dl.Next() {
				break
			}
			order, _ := epochOrder(t, dl)
			if fmt.Sprint(order) != "[4 5 6 7 8 9]" {
				t.Errorf("%s: within one evaluation the loop after a break saw %v, want the rest of the epoch", what, order)
			}
		}
	}
}

// Shuffling visits every example once per epoch, in an order that changes
// from epoch to epoch and is the same again after engine.Seed.
func TestDataLoaderShuffle(t *testing.T) {
	for name, ds := range loaders(50) {
		run := func(opts LoaderOpts) [][]int {
			engine.Seed(7)
			dl := NewDataLoader(ds, opts)
			var epochs [][]int
			for e := 0; e < 3; e++ {
				order, _ := epochOrder(t, dl)
				epochs = append(epochs, order)
			}
			return epochs
		}
		for _, opts := range []LoaderOpts{
			{BatchSize: 8, Shuffle: true},
			{BatchSize: 8, Shuffle: true, NoPrefetch: true},
			{BatchSize: 8, Shuffle: true, Seed: Int64(99)},
			{BatchSize: 8, Shuffle: true, Seed: Int64(0)},
		} {
			a, b := run(opts), run(opts)
			for e := range a {
				sorted := append([]int(nil), a[e]...)
				sort.Ints(sorted)
				for i, v := range sorted {
					if v != i {
						t.Fatalf("%s %+v epoch %d: not every example once: %v", name, opts, e, a[e])
					}
				}
				if fmt.Sprint(a[e]) != fmt.Sprint(b[e]) {
					t.Fatalf("%s %+v epoch %d: order differs after the same Seed:\n%v\n%v", name, opts, e, a[e], b[e])
				}
			}
			if fmt.Sprint(a[0]) == fmt.Sprint(a[1]) {
				t.Fatalf("%s %+v: epochs 0 and 1 have the same order", name, opts)
			}
		}
	}
	// Prefetching or not, the order under engine.Seed is the same.
	ds := loaders(20)["user"]
	engine.Seed(3)
	a, _ := epochOrder(t, NewDataLoader(ds, LoaderOpts{BatchSize: 3, Shuffle: true}))
	engine.Seed(3)
	b, _ := epochOrder(t, NewDataLoader(ds, LoaderOpts{BatchSize: 3, Shuffle: true, NoPrefetch: true}))
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatalf("prefetch changes the order:\n%v\n%v", a, b)
	}
	// A loader with its own Seed does not depend on engine's generator, and
	// 0 is a seed like any other (as torch.Generator().manual_seed(0)): it
	// does not fall back to engine's generator.
	for _, seed := range []int64{5, 0} {
		engine.Seed(1)
		c, _ := epochOrder(t, NewDataLoader(ds, LoaderOpts{BatchSize: 3, Shuffle: true, Seed: Int64(seed)}))
		engine.Seed(2)
		d, _ := epochOrder(t, NewDataLoader(ds, LoaderOpts{BatchSize: 3, Shuffle: true, Seed: Int64(seed)}))
		if fmt.Sprint(c) != fmt.Sprint(d) {
			t.Fatalf("LoaderOpts.Seed %d: order depends on engine.Seed:\n%v\n%v", seed, c, d)
		}
	}
}

func TestDataLoaderResetMidEpoch(t *testing.T) {
	dl := NewDataLoader(&indexDataset{n: 10, panicAt: -1}, LoaderOpts{BatchSize: 2})
	dl.Next()
	dl.Next()
	if dl.BatchIndex() != 1 {
		t.Fatalf("BatchIndex = %d", dl.BatchIndex())
	}
	dl.Reset()
	if err := engine.Try(func() { dl.Batch() }); err == nil {
		t.Fatal("Batch after Reset has a current batch")
	}
	order, _ := epochOrder(t, dl)
	if fmt.Sprint(order) != "[0 1 2 3 4 5 6 7 8 9]" || dl.Epoch() != 1 {
		t.Fatalf("after Reset: %v, Epoch %d", order, dl.Epoch())
	}
}

// waitGoroutines waits until at most n goroutines run; a goroutine that has
// been told to stop needs a moment to exit.
func waitGoroutines(t *testing.T, n int) {
	t.Helper()
	for i := 0; i < 500; i++ {
		if runtime.NumGoroutine() <= n {
			return
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	buf := make([]byte, 1<<16)
	t.Fatalf("%d goroutines, want at most %d:\n%s", runtime.NumGoroutine(), n, buf[:runtime.Stack(buf, true)])
}

func TestDataLoaderNoGoroutineLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	ds := &indexDataset{n: 100, panicAt: -1}
	// A full epoch.
	dl := NewDataLoader(ds, LoaderOpts{BatchSize: 7, Shuffle: true})
	epochOrder(t, dl)
	waitGoroutines(t, before)
	// Stopped half way by Reset and by Close.
	dl.Next()
	dl.Reset()
	waitGoroutines(t, before)
	dl.Next()
	dl.Close()
	waitGoroutines(t, before)
	// Abandoned half way: the cleanup stops the producer once the loader is garbage.
	func() {
		dl := NewDataLoader(ds, LoaderOpts{BatchSize: 1})
		dl.Next()
	}()
	waitGoroutines(t, before)
	// Stopped by a panic in Get.
	bad := NewDataLoader(&indexDataset{n: 10, panicAt: 5}, LoaderOpts{BatchSize: 2})
	engine.Try(func() {
		for bad.Next() {
		}
	})
	waitGoroutines(t, before)
}

func TestDataLoaderPanicInGet(t *testing.T) {
	for _, noPrefetch := range []bool{false, true} {
		ds := &indexDataset{n: 10, panicAt: 5}
		dl := NewDataLoader(ds, LoaderOpts{BatchSize: 2, NoPrefetch: noPrefetch})
		batches := 0
		err := engine.Try(func() {
			for dl.Next() {
				batches++
			}
		})
		var ee *engine.Error
		if !errors.As(err, &ee) || !strings.Contains(err.Error(), "Get(5) panicked") || !strings.Contains(err.Error(), "index out of range") {
			t.Fatalf("NoPrefetch %v: error %v (%T)", noPrefetch, err, err)
		}
		if batches != 2 || dl.Err() != err {
			t.Fatalf("NoPrefetch %v: %d batches before the error, Err %v", noPrefetch, batches, dl.Err())
		}
		// The loader can start over.
		ds.panicAt = -1
		if order, _ := epochOrder(t, dl); len(order) != 10 {
			t.Fatalf("after the error: %v", order)
		}
	}
}

// shapeDataset returns examples of different shapes, which cannot be stacked.
type shapeDataset struct{ nilY bool }

func (d *shapeDataset) Len() int { return 4 }
func (d *shapeDataset) Get(i int) (x, y *engine.Tensor) {
	if d.nilY {
		if i == 2 {
			return engine.Zeros(3), nil
		}
		return engine.Zeros(3), engine.Zeros(1)
	}
	return engine.Zeros(3, 1+i/2), nil
}

func TestDataLoaderCollateErrors(t *testing.T) {
	dl := NewDataLoader(&shapeDataset{}, LoaderOpts{BatchSize: 4})
	err := engine.Try(func() { dl.Next() })
	if err == nil || !strings.Contains(err.Error(), "x of example 2 has shape [3 2] but example 0 has [3 1]") {
		t.Fatalf("unequal shapes: %v", err)
	}
	dl = NewDataLoader(&shapeDataset{nilY: true}, LoaderOpts{BatchSize: 4})
	err = engine.Try(func() { dl.Next() })
	if err == nil || !strings.Contains(err.Error(), "Get(2) returned a nil y") {
		t.Fatalf("nil y: %v", err)
	}
	// All-nil targets give a nil y batch.
	dl = NewDataLoader(&shapeDataset{nilY: false}, LoaderOpts{BatchSize: 2})
	dl.Next()
	if _, y := dl.Batch(); y != nil {
		t.Fatalf("y = %v, want nil", y)
	}
	dl.Close()
}

// gateDataset blocks Get(i) for i >= 2 until gate is closed.
type gateDataset struct{ gate chan struct{} }

func (d *gateDataset) Len() int { return 6 }
func (d *gateDataset) Get(i int) (x, y *engine.Tensor) {
	if i >= 2 {
		<-d.gate
	}
	return engine.Zeros(1), nil
}

// Ctrl-C while Next waits for a slow Get stops the wait at once.
func TestDataLoaderInterrupt(t *testing.T) {
	before := runtime.NumGoroutine()
	ds := &gateDataset{gate: make(chan struct{})}
	dl := NewDataLoader(ds, LoaderOpts{BatchSize: 2})
	if !dl.Next() {
		t.Fatal("no first batch")
	}
	engine.Interrupt()
	err := engine.Try(func() { dl.Next() })
	engine.ClearInterrupt()
	if err != engine.ErrInterrupted {
		t.Fatalf("Next waiting for a blocked Get, after Interrupt: %v", err)
	}
	close(ds.gate) // the producer finishes its Get and exits
	waitGoroutines(t, before)
	n := 0
	for dl.Next() {
		n++
	}
	if n != 3 {
		t.Fatalf("%d batches in the epoch after the interrupt, want 3", n)
	}

	sync := NewDataLoader(&indexDataset{n: 10, panicAt: -1}, LoaderOpts{BatchSize: 2, NoPrefetch: true})
	engine.Interrupt()
	err = engine.Try(func() { sync.Next() })
	engine.ClearInterrupt()
	if err != engine.ErrInterrupted {
		t.Fatalf("NoPrefetch Next after Interrupt: %v", err)
	}
}

func TestTensorDataset(t *testing.T) {
	x := engine.New64([]float64{1, 2, 3, 4, 5, 6}, 3, 2)
	y := engine.New([]float32{7, 8, 9}, 3)
	ds := NewTensorDataset(x, y)
	if ds.Len() != 3 {
		t.Fatalf("Len %d", ds.Len())
	}
	xi, yi := ds.Get(1)
	equalValues(t, "x[1]", xi, engine.New64([]float64{3, 4}, 2))
	if xi.DType() != engine.Float64 || yi.Dims() != 0 || yi.Item() != 8 {
		t.Fatalf("Get(1): %v %v", xi, yi)
	}
	if err := engine.Try(func() { ds.Get(3) }); err == nil || !strings.Contains(err.Error(), "index 3 is out of range for 3 examples") {
		t.Fatalf("Get(3): %v", err)
	}
	if err := engine.Try(func() { NewTensorDataset(x, engine.Zeros(4)) }); err == nil || !strings.Contains(err.Error(), "same first dim") {
		t.Fatalf("mismatched first dims: %v", err)
	}
	noY := NewTensorDataset(x, nil)
	if _, y := noY.Get(0); y != nil {
		t.Fatal("y of a dataset without targets")
	}
	// Values are copied: changing x later does not change the dataset.
	x.Set(100, 0, 0)
	if v, _ := ds.Get(0); v.At(0) != 1 {
		t.Fatal("the dataset sees a later change of x")
	}
}

// A Dataset whose Len is too large for the order of its examples to fit in
// memory gives an error from Next, not the runtime's fatal out of memory.
func TestDataLoaderHugeLen(t *testing.T) {
	if strconv.IntSize < 64 {
		t.Skip("a Len of 1<<40 needs a 64-bit int")
	}
	big := uint64(1) << 40
	n := int(big)
	for _, o := range []LoaderOpts{{}, {Shuffle: true}, {Shuffle: true, Seed: Int64(3)}, {NoPrefetch: true}} {
		dl := NewDataLoader(&indexDataset{n: n, panicAt: -1}, o)
		err := engine.Try(func() { dl.Next() })
		if err == nil || !strings.Contains(err.Error(), "DataLoader: the dataset's Len() is 1099511627776: the order of its examples does not fit in memory") {
			t.Errorf("%+v: got %v", o, err)
		}
	}
}

// Batch, X and Y without a current batch say to call Next first.
func TestDataLoaderBatchBeforeNext(t *testing.T) {
	dl := NewDataLoader(NewTensorDataset(engine.Zeros(3, 2), engine.Zeros(3)), LoaderOpts{BatchSize: 2})
	defer dl.Close()
	for _, f := range []func(){func() { dl.Batch() }, func() { dl.X() }, func() { dl.Y() }} {
		err := engine.Try(f)
		if err == nil || !strings.Contains(err.Error(), "before the first call of Next: call Next() first") {
			t.Errorf("before Next: %v", err)
		}
	}
	for dl.Next() {
		if x, _ := dl.Batch(); x == nil {
			t.Fatal("no batch after Next returned true")
		}
	}
	err := engine.Try(func() { dl.X() })
	if err == nil || !strings.Contains(err.Error(), "DataLoader.X: no current batch after Next returned false (the epoch is over): call Next() first") {
		t.Errorf("after the epoch: %v", err)
	}
}

// OnNext's function runs after every Next: with more true at each batch
// (BatchIndex already advanced), false once at the end of the epoch.
func TestDataLoaderOnNext(t *testing.T) {
	for _, o := range []LoaderOpts{{BatchSize: 2}, {BatchSize: 2, NoPrefetch: true}, {BatchSize: 2, DropLast: true}} {
		dl := NewDataLoader(&indexDataset{n: 5, panicAt: -1}, o)
		var calls []string
		dl.OnNext(func(d *DataLoader, more bool) {
			calls = append(calls, fmt.Sprintf("%v:%d/%d", more, d.BatchIndex(), d.Len()))
		})
		for dl.Next() {
		}
		dl.OnNext(nil)
		dl.Next()
		want := "[true:0/3 true:1/3 true:2/3 false:2/3]"
		if o.DropLast {
			want = "[true:0/2 true:1/2 false:1/2]"
		}
		if got := fmt.Sprint(calls); got != want {
			t.Errorf("%+v: %s, want %s", o, got, want)
		}
		dl.Close()
	}
}

// stuckDataset's Get(2) waits at a gate the first time (a slow Get); every
// Get notes whether another Get was running at the same time.
type stuckDataset struct {
	in      atomic.Int32
	overlap atomic.Bool
	entered chan struct{}
	gate    chan struct{}
	once    sync.Once
}

func (d *stuckDataset) Len() int { return 6 }
func (d *stuckDataset) Get(i int) (x, y *engine.Tensor) {
	if d.in.Add(1) > 1 {
		d.overlap.Store(true)
	}
	defer d.in.Add(-1)
	if i == 2 {
		d.once.Do(func() {
			close(d.entered)
			<-d.gate
		})
	}
	return engine.Scalar(float64(i)), engine.Scalar(float64(i))
}

// TestDataLoaderGetNeverConcurrent: Ctrl-C leaves the producer inside a slow
// Get; the next epoch waits for that Get to return before calling Get again.
func TestDataLoaderGetNeverConcurrent(t *testing.T) {
	defer engine.ClearInterrupt()
	ds := &stuckDataset{entered: make(chan struct{}), gate: make(chan struct{})}
	dl := NewDataLoader(ds, LoaderOpts{})
	defer dl.Close()
	dl.Next()
	<-ds.entered // the producer is inside Get(2)
	engine.Interrupt()
	if err := engine.Try(func() { dl.Next() }); err != engine.ErrInterrupted {
		t.Fatalf("Next after Ctrl-C: %v", err)
	}
	engine.ClearInterrupt()
	go func() {
		time.Sleep(50 * time.Millisecond) // let a new epoch's producer start, if it would
		close(ds.gate)
	}()
	n := 0
	for dl.Next() {
		n++
	}
	if n != 6 || ds.overlap.Load() {
		t.Errorf("the new epoch gave %d batches; Get ran on two goroutines at once: %v", n, ds.overlap.Load())
	}
}

// TestDataLoaderResumeNotice: in compiled code a second loop after a break
// continues the unfinished epoch (PyTorch's for x, y in loader would start a
// new one), and dbr says so once, naming where it resumes; a loop that
// starts a fresh epoch, or runs on alone, says nothing.
func TestDataLoaderResumeNotice(t *testing.T) {
	var warn strings.Builder
	prev := engine.Warnings
	engine.Warnings = &warn
	defer func() { engine.Warnings = prev }()
	dl := NewDataLoader(&indexDataset{n: 10, panicAt: -1}, LoaderOpts{BatchSize: 4})
	for dl.Next() {
	}
	for dl.Next() {
	}
	if warn.Len() != 0 {
		t.Fatalf("whole epochs gave a notice: %s", warn.String())
	}
	for dl.Next() {
		break
	}
	var seen []int
	for dl.Next() {
		seen = append(seen, dl.BatchIndex())
	}
	if fmt.Sprint(seen) != "[1 2]" {
		t.Fatalf("the second loop saw batches %v, want the rest of the epoch [1 2]", seen)
	}
	want := "notice: DataLoader.Next resumes an unfinished epoch after 1 of its 3 batches (a loop before this one stopped early); call Reset() before the loop for a fresh epoch"
	if !strings.Contains(warn.String(), want) || strings.Count(warn.String(), "notice:") != 1 {
		t.Fatalf("got notice %q, want one containing %q", warn.String(), want)
	}
	for dl.Next() {
		break
	}
	for dl.Next() {
	}
	if strings.Count(warn.String(), "notice:") != 1 {
		t.Fatalf("the notice repeated: %s", warn.String())
	}
}
