package kernels

import (
	"runtime"
	"sync/atomic"
	"time"
)

// claimRows computes a product on workers goroutines that claim chunks of
// rows of C as they go instead of being handed fixed shares. The rows are
// cut once into chunks that shrink towards the end (a share of what
// remains, at least one tile of rows), the same chunks for every (jc, pc)
// block of B, so that the workers finish together. For every block, in
// order, a worker claims chunks one at a time until none is left; before its
// first chunk of a block it packs the whole block of B into its own buffer,
// and before computing a chunk it waits until the same chunk of the previous
// block is done (its rows of C must be final before this block adds to
// them), then packs the chunk's rows of A and multiplies them against the
// block.
//
// There is no barrier between blocks: a worker with no chunk left in one
// block goes on with the chunks of the next whose rows are done. Each worker
// packs B itself rather than sharing one packed block: packing is ~4% of a
// product, and a shared block had each core pack half of it into lines the
// other core had read (every write first taking the line back) and then read
// the other half from the other core; packing all of it into a buffer of its
// own made two-thread n=512 products 8–9% faster and n=1024 1–4%
// (bench/README.md). No worker waits for one that has not started yet: a
// worker that wakes late finds the early chunks claimed and joins where the
// others are, so a product does not pay for a sleeping thread, nor for a
// core taken by another process for a while (unless that core holds a chunk
// the others need next). Each element of C is computed by the same kernel
// calls in the same order whoever claims it, so the result does not depend
// on the number of workers. A panic in any worker (an interrupt) stops all
// of them and is re-raised here. The workers run through parallel.
func (p *mat[T]) claimRows(m, n, workers int) {
	tm := mr
	if p.tile != nil {
		tm = 2 * mr
	}
	q := &p.rows
	// chunks[c] is the first row of chunk c; chunks[len(chunks)-1] is m.
	q.chunks = q.chunks[:0]
	for i0 := 0; i0 < m; i0 += min(p.mc, max(tm, roundUp((m-i0)/(2*workers), tm))) {
		q.chunks = append(q.chunks, i0)
	}
	q.chunks = append(q.chunks, m)
	q.n = n
	// done[c] counts the blocks chunk c is done for: they finish in order.
	q.done = resize(q.done, len(q.chunks)-1)
	nj, nk := (n+p.nc-1)/p.nc, (p.k+p.kc-1)/p.kc
	q.next = resize(q.next, nj*nk) // the next chunk to claim in each block
	q.abort.Store(false)
	parallel(workers, p.runRows)
}

// claims is the bookkeeping of one claimRows product.
type claims struct {
	chunks     []int    // the first row of each chunk, then m
	done, next []padded // blocks done per chunk; next chunk to claim per block
	abort      atomic.Bool
	n          int // the columns of C
}

// resize returns s with length n and every counter 0, reusing its array
// when it is large enough.
func resize(s []padded, n int) []padded {
	if cap(s) < n {
		return make([]padded, n)
	}
	s = s[:n]
	for i := range s {
		s[i].Store(0)
	}
	return s
}

// claimShare is one worker's part of claimRows.
func (p *mat[T]) claimShare(int) {
	q := &p.rows
	chunks, done, next, abort, n := q.chunks, q.done, q.next, &q.abort, q.n
	nchunks := int64(len(chunks) - 1)
	nk := (p.k + p.kc - 1) / p.kc
	defer func() {
		if e := recover(); e != nil {
			abort.Store(true) // the others stop at their next wait
			panic(e)
		}
	}()
	own := p.bufs.Get().(*buffers[T]) // this worker's packed A and block of B
	defer p.bufs.Put(own)
	for bi := range next {
		jc, pc := bi/nk*p.nc, bi%nk*p.kc
		ncur, kcur := min(p.nc, n-jc), min(p.kc, p.k-pc)
		store := p.overwrite && pc == 0
		packed := false
		for c := next[bi].Add(1) - 1; c < nchunks; c = next[bi].Add(1) - 1 {
			if !packed {
				p.packB(own.b, pc, kcur, jc, ncur)
				packed = true
			}
			d := &done[c]
			if !waitFor(abort, func() bool { return d.Load() == int64(bi) }) {
				return
			}
			check()
			i0, i1 := chunks[c], chunks[c+1]
			p.mul(own, own.b, i0, i1-i0, jc, ncur, pc, kcur, store)
			d.Add(1)
		}
	}
}

type padded struct {
	atomic.Int64
	_ [64 - 8]byte
}

// waitFor returns true once done reports true, or false once abort is set.
// It spins, yielding to other goroutines now and then (the others usually
// finish within microseconds, and waking a sleeping thread costs tens of
// them), and after a while also sleeps briefly between polls, so that a
// worker whose partner lost its core to another process does not hold one.
func waitFor(abort *atomic.Bool, done func() bool) bool {
	for i := 0; !done(); i++ {
		if abort.Load() {
			return false
		}
		switch {
		case i >= 1<<14:
			time.Sleep(20 * time.Microsecond)
		case i%64 == 63:
			runtime.Gosched()
		}
	}
	return !abort.Load()
}
