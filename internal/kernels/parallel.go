package kernels

import (
	"runtime"
	"sync/atomic"
	"time"
)

// sharedB computes a product on workers goroutines that share each packed
// block of B, as BLIS does, and claim the work as they go instead of being
// handed fixed shares. For every (jc, pc) block of B, in order:
//
//  1. each worker claims panels of B one at a time and packs them into the
//     block's buffer, until none is left;
//  2. it waits until every panel is packed and every row of the previous
//     block is done (its rows of C must be final before this block adds to
//     them);
//  3. it claims rows of C, packs them from A and multiplies them against the
//     whole block, chunk after chunk until none is left, the chunks
//     shrinking towards the end (a share of what remains, at least one tile
//     of rows) so that the workers finish together.
//
// The blocks alternate between two buffers: a worker with no rows left packs
// the next block while the others finish this one. No worker waits for one
// that has not started yet: a worker that wakes late finds the early blocks
// packed and claimed and joins where the others are, so a product does not
// pay for a sleeping thread, nor for a core taken by another process for a
// while. Each element of C is computed by the same kernel calls in the same
// order whoever claims it, so the result does not depend on the number of
// workers. A panic in any worker (an interrupt) stops all of them and is
// re-raised here. The workers run through parallel.
func (p *mat[T]) sharedB(m, n, workers int) {
	tm := mr
	if p.tile != nil {
		tm = 2 * mr
	}
	nj, nk := (n+p.nc-1)/p.nc, (p.k+p.kc-1)/p.kc
	blocks := make([]blockState, nj*nk)
	var bbuf [2]*buffers[T]
	for i := range bbuf {
		bbuf[i] = p.bufs.Get().(*buffers[T])
		defer p.bufs.Put(bbuf[i])
	}
	var abort atomic.Bool
	parallel(workers, func(int) {
		defer func() {
			if e := recover(); e != nil {
				abort.Store(true) // the others stop at their next claim or wait
				panic(e)
			}
		}()
		own := p.bufs.Get().(*buffers[T]) // for A
		defer p.bufs.Put(own)
		for bi := range blocks {
			jc, pc := bi/nk*p.nc, bi%nk*p.kc
			ncur, kcur := min(p.nc, n-jc), min(p.kc, p.k-pc)
			panels := int64((ncur + p.nr - 1) / p.nr)
			bb := bbuf[bi%2].b
			s := &blocks[bi]
			for q := s.panelNext.Add(1) - 1; q < panels && !abort.Load(); q = s.panelNext.Add(1) - 1 {
				j := int(q) * p.nr
				p.packB(bb[j*kcur:], pc, kcur, jc+j, min(p.nr, ncur-j))
				s.panelsDone.Add(1)
			}
			if !waitFor(&abort, func() bool {
				return s.panelsDone.Load() == panels && (bi == 0 || blocks[bi-1].rowsDone.Load() == int64(m))
			}) {
				return
			}
			store := p.overwrite && pc == 0
			for !abort.Load() {
				i0 := s.rowNext.Load()
				if i0 >= int64(m) {
					break
				}
				size := int64(min(p.mc, max(tm, roundUp((m-int(i0))/(2*workers), tm))))
				if !s.rowNext.CompareAndSwap(i0, i0+size) {
					continue
				}
				check()
				i1 := min(i0+size, int64(m))
				p.mul(own.a, bb, int(i0), int(i1-i0), jc, ncur, pc, kcur, store)
				s.rowsDone.Add(i1 - i0)
			}
		}
	})
}

// blockState counts the claimed and finished work of one block of a
// sharedB product, each counter on its own cache line.
type blockState struct {
	panelNext, panelsDone, rowNext, rowsDone padded
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
