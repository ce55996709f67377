package kernels

import (
	"fmt"
	"runtime"
	"sync"
)

// mr is the rows of a packed panel of A and of the Go and AVX2 micro-kernels'
// tiles (the AVX-512 ones take two panels, 2·mr rows, at once); the columns
// and the cache blocking depend on the element type (see impl).
const mr = 6

// Thresholds, in multiply-adds (m·n·k): below smallWork a plain loop beats
// packing; below parallelWork one goroutine beats several.
const (
	smallWork    = 6 * 16 * 16
	parallelWork = 64 * 64 * 64
)

var check = func() {}

// SetCheck installs f to be called between blocks of a long product, on the
// calling goroutine and on workers. f may panic (e.g. to stop on an
// interrupt); the panic is re-raised on the goroutine that called Sgemm.
// nil restores the default (no check).
func SetCheck(f func()) {
	if f == nil {
		f = func() {}
	}
	check = f
}

// Sgemm computes C = alpha·op(A)·op(B) + beta·C for row-major matrices, where
// op(X) is X or Xᵀ as transA/transB say, op(A) is m×k, op(B) is k×n and C is
// m×n with row strides lda, ldb, ldc. When beta is 0, C is not read (NaNs in
// C do not propagate). It panics, as gonum's BLAS does, when a size is
// negative, a stride is smaller than its row, or a slice is too short.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	gemm(f32, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Dgemm is Sgemm for float64, with 6×8 register tiles (12×16 with AVX-512).
func Dgemm(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	gemm(f64, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// impl is what differs between the element types: the register tile's
// columns, the cache blocking, the micro-kernels and the assembly packing
// routines (float32 on AVX2 and AVX-512 only; nil where there are none).
type impl[T elem] struct {
	nr, mc, kc, nc int
	// kernel sets or adds the mr×nr tile C[r*ldc+j] (+)= Σ_p a[p*mr+r]·b[p*nr+j]
	// over k packed columns of A and rows of B; store sets instead of adding.
	kernel func(k int, a, b, c []T, ldc int, store bool)
	// tile, where set, replaces kernel: it sets or adds a rows×cols corner
	// (rows ≤ 2·mr, cols ≤ nr) of the tile over one or two consecutive
	// panels of A, writing only that corner, so edge tiles need no scratch.
	tile func(k int, a, b, c []T, ldc int, store bool, rows, cols int)
	// edge, where set, computes the edge tiles of kernel's loop (fewer than
	// mr rows or nr columns) in place: it sets or adds a rows×cols corner of
	// a tile over one panel of A, writing only that corner, where kernel
	// would compute the whole tile into scratch to be copied.
	edge func(k int, a, b, c []T, ldc int, store bool, rows, cols int)
	// direct, where set, sets or adds 2·mr full rows of C (cols ≤ nr) from
	// 2·mr rows of an untransposed A read in place, with row stride lda.
	direct func(k int, a []T, lda int, b, c []T, ldc int, store bool, cols int)
	// packTrans packs a full nr-column panel of a transposed B for k a
	// multiple of 8: dst[q*nr+j] = src[j*ld+q].
	packTrans func(dst, src *T, ld, k int)
	// packTrans8 packs 8 columns of a narrower panel of a transposed B (the
	// last of op(B) when n is no multiple of nr) for k a multiple of 8:
	// dst[q*nr+j] = src[j*ld+q], j < 8.
	packTrans8 func(dst, src *T, ld, k, nr int)
	// packRows packs a full mr-row panel of an untransposed A for k a
	// multiple of 8: dst[q*mr+r] = src[r*ld+q], writing two values past
	// dst[k*mr-1].
	packRows func(dst, src *T, ld, k int)
	// packCopy copies panels full nr-column panels of an untransposed B,
	// dst[j*nr*k+q*nr+c] = src[q*ld+j*nr+c], row by row across the panels:
	// each row of B is read in order, which the hardware prefetcher follows.
	// Panel by panel, each row's 64 or 128 bytes lie in a 4 KiB page of
	// their own when B's rows are that far apart, which the prefetcher does
	// not follow: packing the 1 MiB blocks of an n=1024 product took 15–30%
	// longer (bench/README.md).
	packCopy func(dst, src *T, ld, k, panels int)
	// packCols packs a full mr-row panel of a transposed A, whose columns
	// are rows of a: dst[q*mr+r] = src[q*ld+r] for q < k, reading
	// src[q*ld+mr] and src[q*ld+mr+1] and writing two values past
	// dst[k*mr-1].
	packCols func(dst, src *T, ld, k int)
	bufs     sync.Pool // *buffers[T]: packed blocks of A and B
	mats     sync.Pool // *mat[T]: the state of a product, reused
}

// The blocking: with the Go and AVX2 kernels a packed kc×nr panel of B
// (16 KiB) stays in L1 while the mc×kc block of A (about 170 KiB) streams
// from L2; with AVX-512's, tiles walks the other way: a 12-row micro-panel
// of A (12 KiB) stays in L1 while the 32-column panels of B stream from L2,
// where the kc×nc block of B (1 MiB) fits beside the block of A. The
// float64 sizes keep the byte sizes of the float32 ones. All kernel sets
// share kc, so they sum in the same order (other kc and mc measured no
// faster with AVX-512 on a 48 KiB L1 and 2 MiB L2: bench/README.md).
// kernel_amd64.go swaps in the assembly when the CPU has AVX2 and FMA.
var (
	f32 = newImpl[float32](16, 168, 256, 1024)
	f64 = newImpl[float64](8, 120, 256, 512)
)

func newImpl[T elem](nr, mc, kc, nc int) *impl[T] {
	p := &impl[T]{nr: nr, mc: mc, kc: kc, nc: nc}
	p.kernel = func(k int, a, b, c []T, ldc int, store bool) { kernelGo(nr, k, a, b, c, ldc, store) }
	p.bufs.New = func() any {
		return &buffers[T]{a: make([]T, mc*kc), b: make([]T, kc*nc), scratch: make([]T, mr*32)}
	}
	p.mats.New = func() any {
		q := &mat[T]{impl: p}
		q.runPart, q.runRows = q.part, q.claimShare
		return q
	}
	return p
}

// buffers are a goroutine's packed blocks of A and B, and the scratch tile
// of tiles' edges where there is no edge kernel (kept here: declared in
// tiles, it escaped to the heap on every call).
type buffers[T elem] struct{ a, b, scratch []T }

func gemm[T elem](im *impl[T], transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	checkArgs(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	if m == 0 || n == 0 {
		return
	}
	if alpha == 0 || k == 0 || m*n*k < smallWork {
		if beta != 1 {
			scale(m, n, beta, c, ldc)
		}
		if alpha != 0 && k != 0 {
			naive(transA, transB, m, n, k, alpha, a, lda, b, ldb, c, ldc)
		}
		return
	}
	if beta != 0 && beta != 1 {
		scale(m, n, beta, c, ldc)
	}
	// With beta 0 the first block of k stores its tiles instead of adding
	// them, so C is neither cleared nor read.
	p := im.mats.Get().(*mat[T])
	p.transA, p.transB, p.k, p.alpha = transA, transB, k, alpha
	p.a, p.lda, p.b, p.ldb, p.c, p.ldc, p.overwrite = a, lda, b, ldb, c, ldc, beta == 0
	switch w := workersFor(m, n, k); {
	case w > 1 && m >= n:
		p.claimRows(m, n, w)
	case w > 1:
		p.splitCols(m, n, w)
	default:
		p.block(0, m, 0, n)
	}
	p.a, p.b, p.c = nil, nil, nil // the pool keeps no operand alive
	im.mats.Put(p)
}

// workersFor returns how many goroutines a product of m·n·k multiply-adds
// gets: one inside a Parallel call (the cores are busy already).
func workersFor(m, n, k int) int {
	if active.Load() > 0 {
		return 1
	}
	return max(1, min(runtime.GOMAXPROCS(0), m*n*k/parallelWork))
}

// splitCols computes a product on workers goroutines (see parallel), each
// taking a slab of about n/workers columns of C in whole register tiles.
// A panic in a worker is re-raised here once all have stopped.
func (p *mat[T]) splitCols(m, n, workers int) {
	p.parts = p.parts[:0]
	step := roundUp((n+workers-1)/workers, p.nr)
	for j := 0; j < n; j += step {
		p.parts = append(p.parts, [4]int{0, m, j, min(j+step, n)})
	}
	parallel(len(p.parts), p.runPart)
}

// part computes share w of splitCols.
func (p *mat[T]) part(w int) {
	r := p.parts[w]
	p.block(r[0], r[1], r[2], r[3])
}

func roundUp(x, m int) int { return (x + m - 1) / m * m }

// elem is float32 or float64: the element types of Sgemm and Dgemm.
type elem interface{ ~float32 | ~float64 }

func checkArgs[T elem](transA, transB bool, m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("gemm: negative size m=%d n=%d k=%d", m, n, k))
	}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	if lda < max(1, ac) {
		panic(fmt.Sprintf("gemm: lda=%d < %d", lda, ac))
	}
	if ldb < max(1, bc) {
		panic(fmt.Sprintf("gemm: ldb=%d < %d", ldb, bc))
	}
	if ldc < max(1, n) {
		panic(fmt.Sprintf("gemm: ldc=%d < %d", ldc, n))
	}
	if m == 0 || n == 0 {
		return
	}
	if ar > 0 && ac > 0 && len(a) < (ar-1)*lda+ac {
		panic(fmt.Sprintf("gemm: A has %d elements, needs %d", len(a), (ar-1)*lda+ac))
	}
	if br > 0 && bc > 0 && len(b) < (br-1)*ldb+bc {
		panic(fmt.Sprintf("gemm: B has %d elements, needs %d", len(b), (br-1)*ldb+bc))
	}
	if len(c) < (m-1)*ldc+n {
		panic(fmt.Sprintf("gemm: C has %d elements, needs %d", len(c), (m-1)*ldc+n))
	}
}

// scale sets C = beta·C; beta 0 clears C without reading it.
func scale[T elem](m, n int, beta T, c []T, ldc int) {
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

// naive accumulates alpha·op(A)·op(B) into C with plain loops, for products
// too small to repay packing. Four elements of a row of C are summed at a
// time in locals, over p in order, so each element is C's value plus
// (alpha·a)·b term by term, as a loop element by element would give.
func naive[T elem](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, c []T, ldc int) {
	// the strides between consecutive terms of A's row i and of B's column j
	sa, sb := 1, ldb
	if transA {
		sa = lda
	}
	if transB {
		sb = 1
	}
	for i := 0; i < m; i++ {
		crow := c[i*ldc : i*ldc+n]
		a0 := i * lda
		if transA {
			a0 = i
		}
		j := 0
		for ; j+4 <= n; j += 4 {
			c0, c1, c2, c3 := crow[j], crow[j+1], crow[j+2], crow[j+3]
			if transB {
				b0, b1, b2, b3 := b[j*ldb:j*ldb+k], b[(j+1)*ldb:(j+1)*ldb+k], b[(j+2)*ldb:(j+2)*ldb+k], b[(j+3)*ldb:(j+3)*ldb+k]
				for p, ai := 0, a0; p < k; p, ai = p+1, ai+sa {
					av := alpha * a[ai]
					c0 += av * b0[p]
					c1 += av * b1[p]
					c2 += av * b2[p]
					c3 += av * b3[p]
				}
			} else {
				for p, ai := 0, a0; p < k; p, ai = p+1, ai+sa {
					av := alpha * a[ai]
					bp := b[p*ldb+j : p*ldb+j+4]
					c0 += av * bp[0]
					c1 += av * bp[1]
					c2 += av * bp[2]
					c3 += av * bp[3]
				}
			}
			crow[j], crow[j+1], crow[j+2], crow[j+3] = c0, c1, c2, c3
		}
		for ; j < n; j++ {
			cj := crow[j]
			bj := j
			if transB {
				bj = j * ldb
			}
			for p, ai := 0, a0; p < k; p, ai = p+1, ai+sa {
				cj += alpha * a[ai] * b[bj+p*sb]
			}
			crow[j] = cj
		}
	}
}

// mat holds the operands of one product; block computes a rectangle of C.
// A product takes its mat from its impl's pool (see impl.mats) and puts it
// back when done, so that a product allocates nothing once the pool holds
// one: the shares of a split product and the bookkeeping of claimRows live
// here, reused from product to product, and the functions handed to
// parallel are bound once, when the mat is made.
type mat[T elem] struct {
	*impl[T]
	transA, transB bool
	k              int
	alpha          T
	a              []T
	lda            int
	b              []T
	ldb            int
	c              []T
	ldc            int
	overwrite      bool // beta is 0: the first k block stores into C

	parts   [][4]int    // splitCols: each share's rectangle of C
	runPart func(w int) // p.part
	rows    claims      // claimRows' chunks and counters
	runRows func(w int) // p.claimShare
}

// block accumulates alpha·op(A)[i0:i1]·op(B)[:, j0:j1] into C[i0:i1, j0:j1].
func (p *mat[T]) block(i0, i1, j0, j1 int) {
	bufs := p.bufs.Get().(*buffers[T])
	defer p.bufs.Put(bufs)
	if i1-i0 <= p.mc && panelsFirst {
		p.blockPanels(bufs, i0, i1, j0, j1)
		return
	}
	for jc := j0; jc < j1; jc += p.nc {
		ncur := min(p.nc, j1-jc)
		for pc := 0; pc < p.k; pc += p.kc {
			kcur := min(p.kc, p.k-pc)
			p.packB(bufs.b, pc, kcur, jc, ncur)
			store := p.overwrite && pc == 0
			for ic := i0; ic < i1; ic += p.mc {
				check()
				mcur := min(p.mc, i1-ic)
				p.mul(bufs, bufs.b, ic, mcur, jc, ncur, pc, kcur, store)
			}
		}
	}
}

// mul multiplies rows ic…ic+mcur of op(A), columns pc…pc+kcur, by the
// packed block of B (columns jc…jc+ncur of C), packing the rows into bufs.a.
// Where there is a direct kernel and A can be read as it is, its whole
// groups of 2·mr rows are read in place instead (see directRows).
func (p *mat[T]) mul(bufs *buffers[T], pb []T, ic, mcur, jc, ncur, pc, kcur int, store bool) {
	if full := p.directRows(mcur, kcur); full > 0 {
		// rows outer: the 2·mr rows of A stay in L1 across B's panels
		for ir := 0; ir < full; ir += 2 * mr {
			for jr := 0; jr < ncur; jr += p.nr {
				p.directPanel(pb[jr*kcur:(jr+p.nr)*kcur], ic+ir, 2*mr, jc+jr, min(p.nr, ncur-jr), pc, kcur, store)
			}
		}
		ic, mcur = ic+full, mcur-full
		if mcur == 0 {
			return
		}
	}
	p.packA(bufs.a, ic, mcur, pc, kcur)
	p.tiles(bufs.a, pb, bufs.scratch, ic, mcur, jc, ncur, kcur, store)
}

// tiles multiplies the packed block of A (rows ic… of C) by the packed block
// of B (columns jc… of C) tile by tile, adding into C (storing when store).
func (p *mat[T]) tiles(pa, pb, scratch []T, ic, mcur, jc, ncur, kcur int, store bool) {
	nr := p.nr
	if p.tile != nil {
		// A's micro-panel stays in L1 across B's panels (see f32).
		for ir := 0; ir < mcur; ir += 2 * mr {
			mm := min(2*mr, mcur-ir)
			ap := pa[ir*kcur : (ir+roundUp(mm, mr))*kcur]
			for jr := 0; jr < ncur; jr += nr {
				nn := min(nr, ncur-jr)
				bp := pb[jr*kcur : (jr+nr)*kcur]
				p.tile(kcur, ap, bp, p.c[(ic+ir)*p.ldc+jc+jr:], p.ldc, store, mm, nn)
			}
		}
		return
	}
	tile := scratch[:mr*nr] // an edge tile, computed whole
	for jr := 0; jr < ncur; jr += nr {
		nn := min(nr, ncur-jr)
		bp := pb[jr*kcur : (jr+nr)*kcur]
		for ir := 0; ir < mcur; ir += mr {
			mm := min(mr, mcur-ir)
			ap := pa[ir*kcur : (ir+mr)*kcur]
			off := (ic+ir)*p.ldc + jc + jr
			if mm == mr && nn == nr {
				p.kernel(kcur, ap, bp, p.c[off:], p.ldc, store)
				continue
			}
			if p.edge != nil {
				p.edge(kcur, ap, bp, p.c[off:], p.ldc, store, mm, nn)
				continue
			}
			// Edge tile without an edge kernel (the Go path): compute the
			// full tile into scratch, add the part that exists.
			p.kernel(kcur, ap, bp, tile, nr, true)
			for r := 0; r < mm; r++ {
				crow := p.c[off+r*p.ldc : off+r*p.ldc+nn]
				if store {
					copy(crow, tile[r*nr:r*nr+nn])
					continue
				}
				for j := range crow {
					crow[j] += tile[r*nr+j]
				}
			}
		}
	}
}

// packA copies alpha·op(A)[i0:i0+m, p0:p0+k] into panels of mr rows: panel q
// holds, for each p, the mr values of column p (rows past m are zero).
func (p *mat[T]) packA(dst []T, i0, m, p0, k int) {
	alpha, lda := p.alpha, p.lda
	for ir := 0; ir < m; ir += mr {
		panel := dst[ir*k : (ir+mr)*k]
		rows := min(mr, m-ir)
		switch {
		case p.transA && rows == mr:
			// op(A)[i, q] = a[q*lda + i]: each column of the panel is contiguous.
			q0 := 0
			if alpha == 1 && p.packCols != nil && k > 1 {
				// The assembly copies the columns but the last: the two values
				// it reads past each column lie in a's next row, and the two
				// it writes past are the next column's, stored again. It
				// takes 16 rows of a at a time into every full panel, so
				// that they are read from L1 rather than once per panel.
				q0 = k - 1
				if ir == 0 {
					full := m / mr * mr
					_ = p.a[(p0+q0-1)*lda+i0+full+1]
					for qb := 0; qb < q0; qb += 16 {
						n := min(16, q0-qb)
						for jr := 0; jr < full; jr += mr {
							p.packCols(&dst[jr*k+qb*mr], &p.a[(p0+qb)*lda+i0+jr], lda, n)
						}
					}
				}
			}
			for q := q0; q < k; q++ {
				d := (*[mr]T)(panel[q*mr:])
				s := (*[mr]T)(p.a[(p0+q)*lda+i0+ir:])
				if alpha == 1 { // element by element: a 24-byte array copy calls memmove
					d[0], d[1], d[2], d[3], d[4], d[5] = s[0], s[1], s[2], s[3], s[4], s[5]
					continue
				}
				for r := range d {
					d[r] = alpha * s[r]
				}
			}
		case p.transA:
			for q := 0; q < k; q++ {
				src := p.a[(p0+q)*lda+i0+ir:]
				d := panel[q*mr : q*mr+mr]
				for r := 0; r < rows; r++ {
					d[r] = alpha * src[r]
				}
				clear(d[rows:])
			}
		case rows == mr:
			// Six source rows walked together: one contiguous 6-value store per column.
			base := (i0+ir)*lda + p0
			s0, s1, s2 := p.a[base:base+k], p.a[base+lda:base+lda+k], p.a[base+2*lda:base+2*lda+k]
			s3, s4, s5 := p.a[base+3*lda:base+3*lda+k], p.a[base+4*lda:base+4*lda+k], p.a[base+5*lda:base+5*lda+k]
			q0 := 0
			if alpha == 1 && p.packRows != nil && k > 8 {
				// AVX transposes for the first columns; the last column (at
				// least) is left to the loop below, which overwrites the two
				// values the assembly writes past its last column.
				q0 = (k - 1) &^ 7
				p.packRows(&panel[0], &s0[0], lda, q0)
			}
			for q := q0; q < k; q++ {
				d := (*[mr]T)(panel[q*mr:])
				d[0], d[1], d[2], d[3], d[4], d[5] = alpha*s0[q], alpha*s1[q], alpha*s2[q], alpha*s3[q], alpha*s4[q], alpha*s5[q]
			}
		default:
			clear(panel) // the rows past rows, at once rather than one by one
			for r := 0; r < rows; r++ {
				src := p.a[(i0+ir+r)*lda+p0 : (i0+ir+r)*lda+p0+k]
				for q, v := range src {
					panel[q*mr+r] = alpha * v
				}
			}
		}
	}
}

// packB copies op(B)[p0:p0+k, j0:j0+n] into panels of nr columns: panel q
// holds, for each p, the nr values of row p (columns past n are zero).
func (p *mat[T]) packB(dst []T, p0, k, j0, n int) {
	ldb, nr := p.ldb, p.nr
	jr0 := 0 // the first panel the loop below packs
	if !p.transB && p.packCopy != nil && n >= nr {
		full := n / nr
		src := p.b[p0*ldb+j0:]
		_ = src[(k-1)*ldb+full*nr-1]
		_ = dst[full*nr*k-1]
		p.packCopy(&dst[0], &src[0], ldb, k, full)
		jr0 = full * nr
	}
	for jr := jr0; jr < n; jr += nr {
		panel := dst[jr*k : (jr+nr)*k]
		cols := min(nr, n-jr)
		switch {
		case !p.transB:
			for q := 0; q < k; q++ {
				src := p.b[(p0+q)*ldb+j0+jr:]
				d := panel[q*nr : q*nr+nr]
				copy(d[:cols], src[:cols])
				clear(d[cols:])
			}
		default:
			// op(B)[q, j] = b[j*ldb + q]: a transpose of cols rows of b. The
			// assembly transposes the first j8 columns over the first k8
			// rows; the loop below packs the rest one value at a time.
			src := p.b[(j0+jr)*ldb+p0:]
			k8, j8 := k&^7, 0
			if cols < nr {
				clear(panel) // the columns past cols, at once rather than one by one
			}
			switch {
			case k8 == 0:
			case cols == nr && p.packTrans != nil:
				_ = src[(nr-1)*ldb+k8-1]
				p.packTrans(&panel[0], &src[0], ldb, k8)
				j8 = nr
			case cols < nr && p.packTrans8 != nil:
				// A narrow panel (the last when n is no multiple of nr):
				// eight columns at a time.
				for ; j8+8 <= cols; j8 += 8 {
					_ = src[(j8+7)*ldb+k8-1]
					p.packTrans8(&panel[j8], &src[j8*ldb], ldb, k8, nr)
				}
			}
			for j := 0; j < cols; j++ {
				q0 := 0
				if j < j8 {
					q0 = k8
				}
				row := src[j*ldb+q0 : j*ldb+k]
				for q, v := range row {
					panel[(q0+q)*nr+j] = v
				}
			}
		}
	}
}
