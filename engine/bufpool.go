package engine

import (
	"math"
	"sync"
	"sync/atomic"
	"unsafe"
)

// The data of a gradient that a backward pass has finished with goes back to
// a pool, by length, and the next tensor of that length takes it: a training
// step then reuses its buffers instead of asking the garbage collector for
// ~20 MB of fresh, zeroed memory each step (for a small CNN at batch 64).
//
// Only the backward loop in autograd.go puts buffers back, and only data it
// owns for sure: a tensor allocated inside a backward closure (scratch), that
// no pending gradient shares, with no op hook installed (hooks may keep the
// gradients they are shown). User code never sees a pooled buffer twice.
// The pools are sync.Pools, so the garbage collector may empty them.

// poolMin is the smallest length pooled: small allocations are cheap.
const poolMin = 4096

type poolKey struct {
	dtype DType
	n     int
}

var (
	pools        sync.Map     // poolKey → *sync.Pool of *[]float32 or *[]float64
	poolReleases atomic.Int64 // buffers put back, for tests
)

func poolFor(dtype DType, n int) *sync.Pool {
	k := poolKey{dtype, n}
	if p, ok := pools.Load(k); ok {
		return p.(*sync.Pool)
	}
	p, _ := pools.LoadOrStore(k, new(sync.Pool))
	return p.(*sync.Pool)
}

// alloc allocates a tensor's data, from the pool when it holds a buffer of
// that length; zero says whether the data must be zeroed.
func alloc(dtype DType, shape []int, zero bool) *Tensor {
	checkAlloc("allocating a tensor", dtype, shape)
	t := &Tensor{shape: append([]int{}, shape...), dtype: dtype, scratch: inBackwardClosure()}
	n := numelOf(shape)
	var got any
	if n >= poolMin {
		got = poolFor(dtype, n).Get()
	}
	if dtype == Float64 {
		t.f64 = takeOrMake[float64](got, n, zero)
	} else {
		t.f32 = takeOrMake[float32](got, n, zero)
	}
	return t
}

// takeOrMake returns the pooled buffer got when it holds []T, else a fresh
// one of length n; zero says whether the data must be zeroed.
func takeOrMake[T float](got any, n int, zero bool) []T {
	var d []T
	switch b, ok := got.(*[]T); {
	case !ok && zero:
		return make([]T, n)
	case !ok:
		d = makeUninit[T](n)
	default:
		d = *b
		if zero {
			clear(d)
		}
	}
	if !zero && poisonUninit.Load() {
		for i := range d {
			d[i] = T(math.NaN())
		}
	}
	return d
}

// takeScratch returns n values of T for an op's own use within one call,
// from the pool of that length (see alloc), with whatever values they hold
// (NaN under poisonUninit); putScratch gives them back. Each call gets a
// buffer no other holds until it is put back, so ops on two goroutines never
// share one. Unlike alloc, it takes any length from the pool: the handle
// goes back as it came, so a scratch of fewer than poolMin values costs no
// allocation either.
func takeScratch[T float](n int) *[]T {
	got := poolFor(dtypeOf[T](), n).Get()
	b, ok := got.(*[]T)
	if !ok {
		b = new([]T)
	}
	*b = takeOrMake[T](got, n, false)
	return b
}

// putScratch puts a buffer from takeScratch back into its pool.
func putScratch[T float](b *[]T) { poolFor(dtypeOf[T](), len(*b)).Put(b) }

// dtypeOf is the DType of T.
func dtypeOf[T float]() DType {
	if unsafe.Sizeof(T(0)) == 8 {
		return Float64
	}
	return Float32
}

// poisonUninit, set by tests, fills every buffer handed out without zeroing
// (fresh or from the pool) with NaN, so that an op reading memory it has not
// written shows up as NaN in its result instead of as a plausible number.
var poisonUninit atomic.Bool

// uninitInts returns n ints whose every element the caller overwrites (as
// uninit; poisoned with -1 under poisonUninit, an index no op can use).
func uninitInts(n int) []int {
	d := makeUninit[int](n)
	if poisonUninit.Load() {
		for i := range d {
			d[i] = -1
		}
	}
	return d
}

// empty allocates a zero-filled tensor of the given dtype and shape.
func empty(dtype DType, shape []int) *Tensor { return alloc(dtype, shape, true) }

// uninit allocates a tensor whose every element the caller overwrites: its
// data may hold old values.
func uninit(dtype DType, shape []int) *Tensor { return alloc(dtype, shape, false) }

// bufKey identifies the array behind t's data (views of it share the key), or
// nil when t has no data.
func bufKey(t *Tensor) unsafe.Pointer {
	if c := cap(t.f32); c > 0 {
		return unsafe.Pointer(&t.f32[:c][c-1])
	}
	if c := cap(t.f64); c > 0 {
		return unsafe.Pointer(&t.f64[:c][c-1])
	}
	return nil
}

// release puts t's data into the pool and clears t's data, so that a stale
// use of t fails loudly instead of reading another tensor's values.
func release(t *Tensor) {
	switch n := len(t.f32) + len(t.f64); {
	case n < poolMin:
	case t.f32 != nil && cap(t.f32) == n:
		b := t.f32
		poolFor(Float32, n).Put(&b)
		poolReleases.Add(1)
	case t.f64 != nil && cap(t.f64) == n:
		b := t.f64
		poolFor(Float64, n).Put(&b)
		poolReleases.Add(1)
	}
	t.f32, t.f64 = nil, nil
}
