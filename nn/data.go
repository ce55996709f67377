package nn

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"time"
	"unsafe"

	"github.com/dbr-go/dbr/engine"
)

// Dataset is a collection of examples indexed from 0 to Len()-1, as PyTorch's
// map-style Dataset. Get returns example i: its input x and its target y (y
// may be nil for unlabeled data). A struct typed at the prompt with these two
// methods is a Dataset.
type Dataset interface {
	Len() int
	Get(i int) (x, y *engine.Tensor)
}

// batcher is implemented by this package's datasets, which build a whole
// batch at once straight from their storage, without a tensor per example.
type batcher interface {
	batch(idx []int) (x, y *engine.Tensor)
}

// LoaderOpts are the settings of a DataLoader; the zero value gives batches of
// one example in order, as PyTorch's defaults.
type LoaderOpts struct {
	BatchSize int  // examples per batch; unset (0, not an allowed size) means PyTorch's 1
	Shuffle   bool // a new random order every epoch
	DropLast  bool // drop the last batch when it is smaller than BatchSize
	// Seed, when set (nn.Int64(5); 0 is a seed like any other), shuffles with
	// a generator of the loader's own seeded with it, as PyTorch's
	// generator=torch.Generator().manual_seed(5); nil shuffles with engine's
	// generator (engine.Seed), as PyTorch's default.
	Seed *int64
	// NoPrefetch builds each batch in Next instead of on a background
	// goroutine. Use it when Get draws random numbers and the run must be
	// reproducible under engine.Seed, or when Get must not run concurrently
	// with the training loop.
	NoPrefetch bool
}

// DataLoader splits a Dataset into batches, in order or shuffled, and stacks
// the examples of a batch into one tensor: examples x of shape [3 28 28] make
// a batch of shape [B 3 28 28], and scalar targets make a [B] vector. While
// the loop works on one batch, a background goroutine prepares the next.
//
//	dl := nn.NewDataLoader(ds, nn.LoaderOpts{BatchSize: 64, Shuffle: true})
//	for epoch := 0; epoch < 3; epoch++ {
//		for dl.Next() {
//			x, y := dl.Batch()
//			...
//		}
//	}
//
// (dl.X() and dl.Y() return the same tensors one at a time.)
//
// Next returns false once at the end of each epoch; the next call starts a
// new epoch (reshuffled). Reset abandons the current epoch.
//
// A panic inside the dataset's Get (on the background goroutine) does not
// crash the program: Next re-panics with an *engine.Error on the loop's
// goroutine, saying which example failed, and Err returns it. A DataLoader
// must be used from one goroutine.
type DataLoader struct {
	ds     Dataset
	opts   LoaderOpts
	rng    *rand.Rand // nil: engine's generator
	n      int        // dataset length at the start of the epoch
	epoch  int
	batchN int

	// current epoch
	cur  *cursor // the epoch's order (NoPrefetch: and position)
	pump *pump   // background producer; nil without one
	// halted is a producer that Ctrl-C stopped without waiting for it (it
	// may be inside a slow Get); the next epoch waits for it to exit, so
	// that Get never runs on two goroutines at once.
	halted *pump
	live   bool   // an epoch is in progress
	run    uint64 // engine.RunNumber at the last Next: a later evaluation starts afresh
	// caller is where the last Next was called from, and resumed is set
	// once a notice said that a loop resumed an unfinished epoch.
	caller  uintptr
	resumed bool

	x, y   *engine.Tensor
	err    error
	ctl    *loaderCtl
	onNext func(dl *DataLoader, more bool) // see OnNext
}

// batchResult is one prepared batch, or the error preparing it.
type batchResult struct {
	x, y *engine.Tensor
	err  error
}

// pump is the producer goroutine of one epoch.
type pump struct {
	ch   chan batchResult
	stop chan struct{}
	done chan struct{}
	once sync.Once
}

func (p *pump) halt() { p.once.Do(func() { close(p.stop) }) }

// loaderCtl lets a cleanup stop the producer of a DataLoader that is no
// longer reachable; it must not refer to the DataLoader.
type loaderCtl struct {
	mu   sync.Mutex
	pump *pump
}

func (c *loaderCtl) set(p *pump) {
	c.mu.Lock()
	c.pump = p
	c.mu.Unlock()
}

func (c *loaderCtl) halt() {
	c.mu.Lock()
	if c.pump != nil {
		c.pump.halt()
	}
	c.mu.Unlock()
}

// NewDataLoader returns a loader over ds. No work starts until the first Next.
// It panics with an *engine.Error when ds is nil or BatchSize is negative.
func NewDataLoader(ds Dataset, o LoaderOpts) *DataLoader {
	if ds == nil {
		errorf("NewDataLoader", "the dataset is nil")
	}
	if o.BatchSize < 0 {
		errorf("NewDataLoader", "BatchSize must be >= 1 (0 means 1), got %d", o.BatchSize)
	}
	if o.BatchSize == 0 {
		o.BatchSize = 1
	}
	dl := &DataLoader{ds: ds, opts: o, ctl: &loaderCtl{}}
	if o.Seed != nil {
		dl.rng = rand.New(rand.NewPCG(uint64(*o.Seed), 0x5851f42d4c957f2d))
	}
	runtime.AddCleanup(dl, (*loaderCtl).halt, dl.ctl)
	return dl
}

// Len returns the number of batches in an epoch.
func (dl *DataLoader) Len() int {
	n, b := dl.ds.Len(), dl.opts.BatchSize
	if dl.opts.DropLast {
		return n / b
	}
	return (n + b - 1) / b
}

// Epoch returns the number of epochs completed: 0 during the first one, 1
// once Next has returned false for the first time, and so on.
func (dl *DataLoader) Epoch() int { return dl.epoch }

// BatchIndex returns the index of the current batch in its epoch, counting
// from 0 as Python's enumerate(loader) does: 0 during the first batch, -1
// before it.
func (dl *DataLoader) BatchIndex() int { return dl.batchN - 1 }

// Batch returns the current batch: the stacked inputs and targets (y is nil
// when the dataset has no targets). There is a current batch once Next
// returned true: Batch panics with an *engine.Error before the first Next and
// after Next returned false.
func (dl *DataLoader) Batch() (x, y *engine.Tensor) {
	dl.needBatch("Batch")
	return dl.x, dl.y
}

// needBatch panics when there is no current batch.
func (dl *DataLoader) needBatch(op string) {
	if dl.x != nil {
		return
	}
	when := "before the first call of Next"
	if dl.epoch > 0 {
		when = "after Next returned false (the epoch is over)"
	}
	errorf("DataLoader."+op, "no current batch %s: call Next() first, e.g. for dl.Next() { x, y := dl.Batch(); … }", when)
}

// X returns the inputs of the current batch, as Batch does. With X and Y a
// loop needs no two-value assignment, which yaegi v0.16.1 rejects inside a
// for loop typed at the top level ("undefined: x"):
//
//	for dl.Next() { loss := nn.CrossEntropyLoss(m.Forward(dl.X()), dl.Y()); … }
func (dl *DataLoader) X() *engine.Tensor {
	dl.needBatch("X")
	return dl.x
}

// Y returns the targets of the current batch, as Batch does.
func (dl *DataLoader) Y() *engine.Tensor {
	dl.needBatch("Y")
	return dl.y
}

// Err returns the error that stopped the last epoch (a panic in the dataset's
// Get, examples that cannot be stacked), or nil.
func (dl *DataLoader) Err() error { return dl.err }

// Next advances to the next batch and reports whether there is one. At the
// end of an epoch it returns false; the following call starts a new epoch.
//
// A loop that stops early leaves its epoch unfinished. At the REPL each new
// loop starts afresh, as PyTorch's `for x, y in loader` does (the abandoned
// epoch is not counted): the REPL calls Reset as a loop whose condition calls
// dl.Next() begins, also for a second loop in the same function or an inner
// loop that breaks in every epoch; and each new evaluation starts afresh
// however the loop is written, so a `for dl.Next()` typed after a break, an
// error or Ctrl-C begins a new epoch. In a compiled program Next continues
// the unfinished epoch (call Reset to start over); when Next is called from
// another place in the code than the call before it in the same unfinished
// epoch (a second loop after a break), it says so once on engine.Warnings,
// naming the batch it resumes at.
//
// It panics with an *engine.Error when a batch cannot be built (see
// DataLoader), and with engine.ErrInterrupted on Ctrl-C; either ends the epoch.
func (dl *DataLoader) Next() bool {
	if dl.live && dl.run != engine.RunNumber() {
		dl.finish() // left by an earlier evaluation: start afresh
	}
	var pc [1]uintptr
	runtime.Callers(2, pc[:])
	if dl.live && pc[0] != dl.caller && !dl.resumed && dl.batchN > 0 {
		dl.resumed = true
		fmt.Fprintf(engine.Warnings, "notice: DataLoader.Next resumes an unfinished epoch after %d of its %d batches (a loop before this one stopped early); "+
			"call Reset() before the loop for a fresh epoch, as PyTorch's for x, y in loader (said once per loader)\n", dl.batchN, dl.Len())
	}
	dl.caller = pc[0]
	if !dl.live {
		dl.start()
	}
	dl.run = engine.RunNumber()
	if engine.Interrupted() {
		dl.interrupted()
	}
	var r batchResult
	more := true
	if dl.pump != nil {
		r, more = dl.receive()
	} else {
		r, more = dl.cur.batch(dl.ds)
	}
	if !more {
		dl.finish()
		dl.epoch++
		if dl.onNext != nil {
			dl.onNext(dl, false)
		}
		return false
	}
	if r.err != nil {
		dl.finish()
		dl.err = r.err
		panic(r.err)
	}
	dl.x, dl.y = r.x, r.y
	dl.batchN++
	if dl.onNext != nil {
		dl.onNext(dl, true)
	}
	return true
}

// cursor walks one epoch's order in batches: the one place that splits the
// order into batches (and drops a short last one), used by Next without
// prefetch and by the producer goroutine with it.
type cursor struct {
	idx      []int // example order
	bs       int
	dropLast bool
	next     int // position in idx of the next batch
}

// batch builds the next batch of ds, or reports the end of the epoch.
func (c *cursor) batch(ds Dataset) (batchResult, bool) {
	if c.next >= len(c.idx) || (c.dropLast && len(c.idx)-c.next < c.bs) {
		return batchResult{}, false
	}
	end := min(c.next+c.bs, len(c.idx))
	r := makeBatch(ds, c.idx[c.next:end])
	c.next = end
	return r, true
}

// OnNext makes Next call f after it advanced to a batch (more true) and
// when it ends an epoch (more false), on the loop's goroutine; nil removes
// it. inspect.Track draws a progress line with it.
func (dl *DataLoader) OnNext(f func(dl *DataLoader, more bool)) { dl.onNext = f }

// receive waits for the producer's next batch, checking for Ctrl-C while it
// waits.
func (dl *DataLoader) receive() (batchResult, bool) {
	select {
	case r, ok := <-dl.pump.ch:
		return r, ok
	default:
	}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case r, ok := <-dl.pump.ch:
			return r, ok
		case <-tick.C:
			if engine.Interrupted() {
				dl.interrupted()
			}
		}
	}
}

// awaitExit waits for the halted producer p to exit, panicking with
// engine.ErrInterrupted on Ctrl-C (p stays halted for the next start).
func (dl *DataLoader) awaitExit(p *pump) {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-p.done:
			return
		case <-tick.C:
			if engine.Interrupted() {
				panic(engine.ErrInterrupted)
			}
		}
	}
}

// interrupted ends the epoch on Ctrl-C and panics with engine.ErrInterrupted.
// It does not wait for the producer: it may be stuck in a slow Get, and
// stops as soon as that returns.
func (dl *DataLoader) interrupted() {
	if dl.pump != nil {
		dl.pump.halt()
		dl.halted = dl.pump
		dl.pump = nil
		dl.ctl.set(nil)
	}
	dl.finish()
	panic(engine.ErrInterrupted)
}

// start begins an epoch: it fixes the order of the examples (drawing the
// permutation here, on the caller's goroutine, so that engine.Seed makes it
// reproducible) and starts the producer.
func (dl *DataLoader) start() {
	if p := dl.halted; p != nil {
		dl.awaitExit(p)
		dl.halted = nil
	}
	dl.n = dl.ds.Len()
	if dl.n < 0 {
		errorf("DataLoader", "the dataset's Len() is %d; Len must return the number of examples (0 or more)", dl.n)
	}
	if err := engine.CheckMemory("DataLoader", dl.n, int(unsafe.Sizeof(dl.n))); err != nil {
		errorf("DataLoader", "the dataset's Len() is %d: the order of its examples does not fit in memory (%s)", dl.n, err.(*engine.Error).Msg)
	}
	var idx []int
	switch {
	case !dl.opts.Shuffle:
		idx = make([]int, dl.n)
		for i := range idx {
			idx[i] = i
		}
	case dl.rng != nil:
		idx = dl.rng.Perm(dl.n)
	default:
		idx = engine.RandPerm(dl.n)
	}
	dl.cur = &cursor{idx: idx, bs: dl.opts.BatchSize, dropLast: dl.opts.DropLast}
	dl.batchN, dl.err, dl.live = 0, nil, true
	if dl.opts.NoPrefetch {
		return
	}
	p := &pump{ch: make(chan batchResult, 1), stop: make(chan struct{}), done: make(chan struct{})}
	dl.pump = p
	dl.ctl.set(p)
	go produce(dl.ds, dl.cur, p)
}

// finish ends the current epoch, stopping the producer and waiting for it to
// exit, and clears the current batch.
func (dl *DataLoader) finish() {
	if p := dl.pump; p != nil {
		p.halt()
		<-p.done
		dl.pump = nil
		dl.ctl.set(nil)
	}
	dl.live = false
	dl.x, dl.y = nil, nil
}

// Reset abandons the current epoch (stopping the background goroutine); the
// next call to Next starts a new one. The abandoned epoch is not counted.
func (dl *DataLoader) Reset() { dl.finish() }

// Close stops the background goroutine, as Reset. A loader that is dropped
// without Close stops it when it is garbage collected.
func (dl *DataLoader) Close() { dl.finish() }

// produce builds the batches of one epoch and sends them on p.ch, until the
// epoch ends, a batch fails or p is halted. It owns c until then.
func produce(ds Dataset, c *cursor, p *pump) {
	defer close(p.done)
	defer close(p.ch)
	for {
		select {
		case <-p.stop:
			return
		default:
		}
		r, more := c.batch(ds)
		if !more {
			return
		}
		select {
		case p.ch <- r:
		case <-p.stop:
			return
		}
		if r.err != nil {
			return
		}
	}
}

// makeBatch builds the batch of examples idx, turning a panic into an error.
func makeBatch(ds Dataset, idx []int) (r batchResult) {
	cur := -1
	defer func() {
		if v := recover(); v != nil {
			if e, ok := v.(*engine.Error); ok && e.Op == "DataLoader" {
				r = batchResult{err: e} // already says what failed (a Subset's dataset)
				return
			}
			where := "building a batch"
			if cur >= 0 {
				where = fmt.Sprintf("the dataset's Get(%d)", cur)
			}
			r = batchResult{err: &engine.Error{Op: "DataLoader", Msg: fmt.Sprintf("%s panicked: %v", where, v)}}
		}
	}()
	if b, ok := ds.(batcher); ok {
		x, y := b.batch(idx)
		return batchResult{x: x, y: y}
	}
	xs := make([]*engine.Tensor, len(idx))
	ys := make([]*engine.Tensor, len(idx))
	for k, i := range idx {
		cur = i
		xs[k], ys[k] = ds.Get(i)
	}
	cur = -1
	x, err := collate("x", xs, idx)
	if err != nil {
		return batchResult{err: err}
	}
	y, err := collate("y", ys, idx)
	if err != nil {
		return batchResult{err: err}
	}
	return batchResult{x: x, y: y}
}

// collate stacks ts along a new first dim, without engine ops (this runs on
// the producer goroutine, where op hooks and graph recording must not fire).
// All nil gives nil. Float64 if any tensor is float64.
func collate(what string, ts []*engine.Tensor, idx []int) (*engine.Tensor, error) {
	nils := 0
	for _, t := range ts {
		if t == nil {
			nils++
		}
	}
	if nils == len(ts) {
		return nil, nil
	}
	shape := []int(nil)
	first := -1
	is64 := false
	for k, t := range ts {
		if t == nil {
			return nil, &engine.Error{Op: "DataLoader", Msg: fmt.Sprintf("the dataset's Get(%d) returned a nil %s, but other examples have one", idx[k], what)}
		}
		if first < 0 {
			shape, first = t.Shape(), idx[k]
		} else if !slices.Equal(t.Shape(), shape) {
			return nil, &engine.ShapeError{Op: "DataLoader", Shapes: [][]int{shape, t.Shape()},
				Reason: fmt.Sprintf("%s of example %d has shape %v but example %d has %v; the examples of a batch are stacked, so they need equal shapes", what, idx[k], t.Shape(), first, shape)}
		}
		is64 = is64 || t.DType() == engine.Float64
	}
	out := append([]int{len(ts)}, shape...)
	per := ts[0].Numel()
	if is64 {
		data := make([]float64, 0, per*len(ts))
		for _, t := range ts {
			data = append(data, t.Float64s()...)
		}
		return engine.New64(data, out...), nil
	}
	data := make([]float32, 0, per*len(ts))
	for _, t := range ts {
		data = append(data, t.Float32s()...)
	}
	return engine.New(data, out...), nil
}

// TensorDataset is an in-memory dataset of tensors whose first dim indexes
// the examples, as PyTorch's TensorDataset(x, y): example i is x[i], y[i].
type TensorDataset struct {
	x, y       *engine.Tensor
	n          int
	xs, ys     rows  // copies of the data
	xPer, yPer int   // values per example
	xShape     []int // shape of one example
	yShape     []int
	hasY       bool
}

// rows is a copy of a tensor's data, for gathering examples without ops.
type rows struct {
	f32 []float32
	f64 []float64
}

// NewTensorDataset returns the dataset whose example i is x[i] and y[i]. y may
// be nil (Get then returns a nil y). The values are copied, so later changes
// to x and y do not show. It panics with a *engine.ShapeError when x is 0-d
// or x and y differ in their first dim.
func NewTensorDataset(x, y *engine.Tensor) *TensorDataset {
	if x == nil {
		errorf("NewTensorDataset", "x is nil")
	}
	if x.Dims() == 0 {
		shapeError("NewTensorDataset", "x must have a first dim that indexes the examples", "use x.Reshape(-1) for a vector of examples", x.Shape())
	}
	d := &TensorDataset{x: x.Detach(), n: x.Size(0), xShape: x.Shape()[1:]}
	d.xs = rowsOf(x)
	d.xPer = numel(d.xShape)
	if y != nil {
		if y.Dims() == 0 || y.Size(0) != x.Size(0) {
			shapeError("NewTensorDataset", "x and y must have the same first dim (one row per example)", "", x.Shape(), y.Shape())
		}
		d.y, d.hasY = y.Detach(), true
		d.ys = rowsOf(y)
		d.yShape = y.Shape()[1:]
		d.yPer = numel(d.yShape)
	}
	return d
}

func rowsOf(t *engine.Tensor) rows {
	if t.DType() == engine.Float64 {
		return rows{f64: t.Float64s()}
	}
	return rows{f32: t.Float32s()}
}

func numel(shape []int) int {
	n := 1
	for _, s := range shape {
		n *= s
	}
	return n
}

// Len returns the number of examples.
func (d *TensorDataset) Len() int { return d.n }

// Tensors returns the x and y the dataset was made from.
func (d *TensorDataset) Tensors() (x, y *engine.Tensor) { return d.x, d.y }

// Get returns example i. It panics with an *engine.Error when i is out of range.
func (d *TensorDataset) Get(i int) (x, y *engine.Tensor) {
	if i < 0 || i >= d.n {
		errorf("TensorDataset.Get", "index %d is out of range for %d examples", i, d.n)
	}
	x, y = d.batch([]int{i})
	x = x.Reshape(d.xShape...)
	if y != nil {
		y = y.Reshape(d.yShape...)
	}
	return x, y
}

func (d *TensorDataset) batch(idx []int) (x, y *engine.Tensor) {
	for _, i := range idx {
		if i < 0 || i >= d.n {
			errorf("TensorDataset", "index %d is out of range for %d examples", i, d.n)
		}
	}
	x = gather(d.xs, d.xPer, d.xShape, idx)
	if d.hasY {
		y = gather(d.ys, d.yPer, d.yShape, idx)
	}
	return x, y
}

// gather copies rows idx of r (per values each) into a new [len(idx), shape...] tensor.
func gather(r rows, per int, shape []int, idx []int) *engine.Tensor {
	out := append([]int{len(idx)}, shape...)
	if r.f64 != nil {
		data := make([]float64, 0, per*len(idx))
		for _, i := range idx {
			data = append(data, r.f64[i*per:(i+1)*per]...)
		}
		return engine.New64(data, out...)
	}
	data := make([]float32, 0, per*len(idx))
	for _, i := range idx {
		data = append(data, r.f32[i*per:(i+1)*per]...)
	}
	return engine.New(data, out...)
}
