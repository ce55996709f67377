package kernels

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// sharedB computes a product on workers goroutines that split the rows of C
// and share each packed block of B, as BLIS does: for every (jc, pc) block
// the workers first pack a share of B's panels each, wait for one another,
// then multiply their own rows against all of it, and wait again before the
// next block is packed over it. Compared with each worker packing all of B
// for its slab, this packs B once and keeps one copy in the shared cache.
// A panic in any worker (an interrupt) stops all of them and is re-raised here.
// The workers run through parallel.
func (p *mat[T]) sharedB(m, n, workers int) {
	step := roundUp((m+workers-1)/workers, mr)
	var rows [][2]int
	for i := 0; i < m; i += step {
		rows = append(rows, [2]int{i, min(i+step, m)})
	}
	workers = len(rows)
	if workers == 1 {
		p.block(0, m, 0, n)
		return
	}
	bbuf := p.bufs.Get().(*buffers[T])
	defer p.bufs.Put(bbuf)
	bar := newBarrier(workers)
	parallel(workers, func(w int) {
		defer func() {
			if e := recover(); e != nil {
				bar.abort() // the others stop at their next wait
				panic(e)
			}
		}()
		own := p.bufs.Get().(*buffers[T]) // for A
		defer p.bufs.Put(own)
		i0, i1 := rows[w][0], rows[w][1]
		for jc := 0; jc < n; jc += p.nc {
			ncur := min(p.nc, n-jc)
			panels := (ncur + p.nr - 1) / p.nr
			for pc := 0; pc < p.k; pc += p.kc {
				kcur := min(p.kc, p.k-pc)
				// This worker's share of B's panels.
				lo, hi := panels*w/workers*p.nr, min(panels*(w+1)/workers*p.nr, ncur)
				if lo < hi {
					p.packB(bbuf.b[lo*kcur:], pc, kcur, jc+lo, hi-lo)
				}
				if !bar.wait() {
					return
				}
				store := p.overwrite && pc == 0
				for ic := i0; ic < i1; ic += p.mc {
					check()
					mcur := min(p.mc, i1-ic)
					p.packA(own.a, ic, mcur, pc, kcur)
					p.tiles(own.a, bbuf.b, ic, mcur, jc, ncur, kcur, store)
				}
				// Before the next block is packed over this one, all must be done
				// with it; after the last block there is nothing to wait for.
				if (pc+p.kc < p.k || jc+p.nc < n) && !bar.wait() {
					return
				}
			}
		}
	})
}

// barrier lets n goroutines wait for one another, phase after phase. A
// waiter spins briefly before sleeping: the others usually arrive within
// microseconds, and waking a sleeping thread costs tens of them. Once
// aborted, every wait returns false at once.
type barrier struct {
	mu      sync.Mutex
	cond    *sync.Cond
	n, seen int // guarded by mu
	phase   atomic.Int64
	aborted atomic.Bool
}

func newBarrier(n int) *barrier {
	b := &barrier{n: n}
	b.cond = sync.NewCond(&b.mu)
	return b
}

func (b *barrier) wait() bool {
	if b.aborted.Load() {
		return false
	}
	b.mu.Lock()
	phase := b.phase.Load()
	b.seen++
	if b.seen == b.n {
		b.seen = 0
		b.phase.Add(1)
		b.mu.Unlock()
		b.cond.Broadcast()
		return !b.aborted.Load()
	}
	b.mu.Unlock()
	for i := 0; i < 1<<14; i++ {
		if b.phase.Load() != phase || b.aborted.Load() {
			return !b.aborted.Load()
		}
		if i%64 == 63 {
			runtime.Gosched()
		}
	}
	b.mu.Lock()
	for b.phase.Load() == phase && !b.aborted.Load() {
		b.cond.Wait()
	}
	b.mu.Unlock()
	return !b.aborted.Load()
}

func (b *barrier) abort() {
	b.mu.Lock()
	b.aborted.Store(true)
	b.mu.Unlock()
	b.cond.Broadcast()
}
