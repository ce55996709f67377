package kernels

import "unsafe"

// directRows returns how many of m rows of op(A) the direct kernel reads in
// place over kcur columns: its whole groups of 2·mr rows when there is a
// direct kernel (the AVX-512 sets), A can be read as it is (untransposed,
// alpha 1) and its rows do not crowd a few sets of L1 (see spreadRows),
// else 0. Packing such an A only copies it: the micro-panel of 2·mr rows
// (12 KiB of float32 at kc = 256) stays in L1 across B's panels read in
// place as well as packed, and the packing pass (a transpose of six rows at
// a time) is saved. The direct kernels sum each element in the same order as
// the packed ones, so the bits are the same. The forward products of the MLP
// (x·wᵀ, [256 784]·[256 784]ᵀ) spent 8–10% of their time packing A.
func (p *mat[T]) directRows(m, kcur int) int {
	if p.direct == nil || p.transA || p.alpha != 1 || !spreadRows(p.lda, kcur, int(unsafe.Sizeof(T(0)))) {
		return 0
	}
	return m / (2 * mr) * (2 * mr)
}

// spreadRows reports whether 2·mr rows of kcur elements of size bytes, lda
// apart, can stay in L1 together: they are contiguous (lda = kcur), or the
// row stride is no multiple of 1 KiB, so the rows start in different sets of
// a 4 KiB-periodic L1 (64 sets of 64 bytes) instead of piling into the same
// few (a stride of 2 or 4 KiB puts 6 or all 12 rows' lines into the same
// sets). Read in place with such a stride, square products of 512 and 1024
// ran 5–10% slower than packed.
func spreadRows(lda, kcur, size int) bool {
	return lda == kcur || lda*size%1024 != 0
}

// directPanel multiplies rows i0…i0+rows of op(A) (a multiple of 2·mr, read
// in place) by the packed panel pb of B (columns j0…j0+cols of C, cols ≤ nr),
// over columns pc…pc+kcur of op(A).
func (p *mat[T]) directPanel(pb []T, i0, rows, j0, cols, pc, kcur int, store bool) {
	for ir := 0; ir < rows; ir += 2 * mr {
		p.direct(kcur, p.a[(i0+ir)*p.lda+pc:], p.lda, pb, p.c[(i0+ir)*p.ldc+j0:], p.ldc, store, cols)
	}
}

// panelsFirst chooses blockPanels for products of at most mc rows; tests
// turn it off to compare with block's general order.
var panelsFirst = true

// blockPanels is block for at most mc rows of C (one block of A): it packs
// each panel of B just before multiplying the rows by it, so the panel is
// used from L1 and the packed block of B (kc×nc, up to 1 MiB) is never
// written out and read back. When few rows of A use each value of B — the
// recurrent products of an RNN (32 rows of h by a [1024 256] weight), the
// MLP at batch 64 — packing B costs as much as a third of the product, and
// half of that was the round trip through L2. Each element of C is summed
// by the same kernel calls over the same blocks of k as in block, so the
// bits are the same.
func (p *mat[T]) blockPanels(bufs *buffers[T], i0, i1, j0, j1 int) {
	m, nr := i1-i0, p.nr
	pb := bufs.b[:nr*p.kc]
	for pc := 0; pc < p.k; pc += p.kc {
		check()
		kcur := min(p.kc, p.k-pc)
		full := p.directRows(m, kcur)
		store := p.overwrite && pc == 0
		if full < m {
			p.packA(bufs.a, i0+full, m-full, pc, kcur)
		}
		for jr := j0; jr < j1; jr += nr {
			cols := min(nr, j1-jr)
			p.packB(pb[:nr*kcur], pc, kcur, jr, cols)
			p.directPanel(pb[:nr*kcur], i0, full, jr, cols, pc, kcur, store)
			if full < m {
				p.tiles(bufs.a, pb[:nr*kcur], bufs.scratch, i0+full, m-full, jr, cols, kcur, store)
			}
		}
	}
}
