package kernels

import (
	"runtime"
	"sync/atomic"
	"time"
)

// sharedB computes a product on workers goroutines that share each packed
// block of B, as BLIS does, and claim the work as they go instead of being
// handed fixed shares. The rows of C are cut once into chunks that shrink
// towards the end (a share of what remains, at least one tile of rows), the
// same chunks for every block, so that the workers finish together. For
// every (jc, pc) block of B, in order:
//
//  1. each worker claims panels of B one at a time and packs them into the
//     block's buffer, until none is left;
//  2. it waits until every panel is packed;
//  3. it claims chunks one at a time; before computing one it waits until
//     the same chunk of the previous block is done (its rows of C must be
//     final before this block adds to them), then packs its rows of A and
//     multiplies them against the whole block.
//
// There is no barrier between blocks: a worker with no chunk left in one
// block packs the next block while the others finish, and goes on with the
// chunks whose rows are done. The blocks alternate between two buffers; a
// block's buffer is packed again (two blocks later) only once all its chunks
// are done. No worker waits for one that has not started yet: a worker that
// wakes late finds the early blocks packed and claimed and joins where the
// others are, so a product does not pay for a sleeping thread, nor for a
// core taken by another process for a while (unless that core holds a chunk
// the others need next). Each element of C is computed by the same kernel
// calls in the same order whoever claims it, so the result does not depend
// on the number of workers. A panic in any worker (an interrupt) stops all
// of them and is re-raised here. The workers run through parallel.
func (p *mat[T]) sharedB(m, n, workers int) {
	tm := mr
	if p.tile != nil {
		tm = 2 * mr
	}
	// chunks[c] is the first row of chunk c; chunks[len(chunks)-1] is m.
	var chunks []int
	for i0 := 0; i0 < m; i0 += min(p.mc, max(tm, roundUp((m-i0)/(2*workers), tm))) {
		chunks = append(chunks, i0)
	}
	chunks = append(chunks, m)
	nchunks := int64(len(chunks) - 1)
	// done[c] counts the blocks chunk c is done for: they finish in order.
	done := make([]padded, nchunks)
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
			if bi >= 2 && !waitFor(&abort, func() bool { return blocks[bi-2].chunksDone.Load() == nchunks }) {
				return
			}
			for q := s.panelNext.Add(1) - 1; q < panels && !abort.Load(); q = s.panelNext.Add(1) - 1 {
				j := int(q) * p.nr
				p.packB(bb[j*kcur:], pc, kcur, jc+j, min(p.nr, ncur-j))
				s.panelsDone.Add(1)
			}
			if !waitFor(&abort, func() bool { return s.panelsDone.Load() == panels }) {
				return
			}
			store := p.overwrite && pc == 0
			for c := s.chunkNext.Add(1) - 1; c < nchunks; c = s.chunkNext.Add(1) - 1 {
				d := &done[c]
				if !waitFor(&abort, func() bool { return d.Load() == int64(bi) }) {
					return
				}
				check()
				i0, i1 := chunks[c], chunks[c+1]
				p.mul(own, bb, i0, i1-i0, jc, ncur, pc, kcur, store)
				d.Add(1)
				s.chunksDone.Add(1)
			}
		}
	})
}

// blockState counts the claimed and finished work of one block of a
// sharedB product, each counter on its own cache line.
type blockState struct {
	panelNext, panelsDone, chunkNext, chunksDone padded
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
