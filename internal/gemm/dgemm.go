package gemm

import "sync"

// Register tile and blocking of the float64 product: 6×8 doubles fill the
// same 12 ymm accumulators as Sgemm's 6×16 floats; the byte sizes of the
// blocks match Sgemm's.
const (
	mrD = 6
	nrD = 8
	mcD = 120
	kcD = 256
	ncD = 1024
)

// kernelD is the float64 micro-kernel in use; init in kernel_amd64.go swaps
// in the assembly one when the CPU has AVX2 and FMA.
var kernelD = kernelGoD

// Dgemm is Sgemm for float64: C = alpha·op(A)·op(B) + beta·C, row-major,
// with the same blocking, threading, interrupt checks and panics.
func Dgemm(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
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
	p := matD{transA, transB, k, alpha, a, lda, b, ldb, c, ldc, beta == 0}
	split(m, n, k, mrD, nrD, p.block)
}

// matD holds the operands of one float64 product; block computes a rectangle of C.
type matD struct {
	transA, transB bool
	k              int
	alpha          float64
	a              []float64
	lda            int
	b              []float64
	ldb            int
	c              []float64
	ldc            int
	overwrite      bool // beta is 0: the first k block stores into C
}

var bufPoolD = sync.Pool{New: func() any {
	return &buffersD{a: make([]float64, mcD*kcD), b: make([]float64, kcD*ncD)}
}}

type buffersD struct{ a, b []float64 }

// block accumulates alpha·op(A)[i0:i1]·op(B)[:, j0:j1] into C[i0:i1, j0:j1].
func (p *matD) block(i0, i1, j0, j1 int) {
	bufs := bufPoolD.Get().(*buffersD)
	defer bufPoolD.Put(bufs)
	var tile [mrD * nrD]float64 // an edge tile, computed whole
	for jc := j0; jc < j1; jc += ncD {
		ncur := min(ncD, j1-jc)
		for pc := 0; pc < p.k; pc += kcD {
			kcur := min(kcD, p.k-pc)
			p.packB(bufs.b, pc, kcur, jc, ncur)
			store := p.overwrite && pc == 0
			for ic := i0; ic < i1; ic += mcD {
				check()
				mcur := min(mcD, i1-ic)
				p.packA(bufs.a, ic, mcur, pc, kcur)
				for jr := 0; jr < ncur; jr += nrD {
					nn := min(nrD, ncur-jr)
					bp := bufs.b[jr*kcur : (jr+nrD)*kcur]
					for ir := 0; ir < mcur; ir += mrD {
						mm := min(mrD, mcur-ir)
						ap := bufs.a[ir*kcur : (ir+mrD)*kcur]
						off := (ic+ir)*p.ldc + jc + jr
						if mm == mrD && nn == nrD {
							kernelD(kcur, ap, bp, p.c[off:], p.ldc, store)
							continue
						}
						kernelD(kcur, ap, bp, tile[:], nrD, true)
						for r := 0; r < mm; r++ {
							crow := p.c[off+r*p.ldc : off+r*p.ldc+nn]
							if store {
								copy(crow, tile[r*nrD:r*nrD+nn])
								continue
							}
							for j := range crow {
								crow[j] += tile[r*nrD+j]
							}
						}
					}
				}
			}
		}
	}
}

// packA copies alpha·op(A)[i0:i0+m, p0:p0+k] into panels of mrD rows (rows
// past m are zero).
func (p *matD) packA(dst []float64, i0, m, p0, k int) {
	alpha, lda := p.alpha, p.lda
	for ir := 0; ir < m; ir += mrD {
		panel := dst[ir*k : (ir+mrD)*k]
		rows := min(mrD, m-ir)
		if p.transA {
			for q := 0; q < k; q++ {
				src := p.a[(p0+q)*lda+i0+ir:]
				d := panel[q*mrD : q*mrD+mrD]
				for r := 0; r < rows; r++ {
					d[r] = alpha * src[r]
				}
				clear(d[rows:])
			}
			continue
		}
		for r := 0; r < rows; r++ {
			src := p.a[(i0+ir+r)*lda+p0 : (i0+ir+r)*lda+p0+k]
			for q, v := range src {
				panel[q*mrD+r] = alpha * v
			}
		}
		for r := rows; r < mrD; r++ {
			for q := 0; q < k; q++ {
				panel[q*mrD+r] = 0
			}
		}
	}
}

// packB copies op(B)[p0:p0+k, j0:j0+n] into panels of nrD columns (columns
// past n are zero).
func (p *matD) packB(dst []float64, p0, k, j0, n int) {
	ldb := p.ldb
	for jr := 0; jr < n; jr += nrD {
		panel := dst[jr*k : (jr+nrD)*k]
		cols := min(nrD, n-jr)
		if !p.transB {
			for q := 0; q < k; q++ {
				src := p.b[(p0+q)*ldb+j0+jr:]
				d := panel[q*nrD : q*nrD+nrD]
				copy(d[:cols], src[:cols])
				clear(d[cols:])
			}
			continue
		}
		for j := 0; j < cols; j++ {
			src := p.b[(j0+jr+j)*ldb+p0 : (j0+jr+j)*ldb+p0+k]
			for q, v := range src {
				panel[q*nrD+j] = v
			}
		}
		for j := cols; j < nrD; j++ {
			for q := 0; q < k; q++ {
				panel[q*nrD+j] = 0
			}
		}
	}
}

// kernelGoD is the portable float64 micro-kernel (see kernelGo): 2×4
// sub-tiles of the 6×8 tile with their sums in registers.
func kernelGoD(k int, a, b, c []float64, ldc int, store bool) {
	a = a[:k*mrD]
	b = b[:k*nrD]
	for r := 0; r < mrD; r += 2 {
		for j := 0; j < nrD; j += 4 {
			var c00, c01, c02, c03, c10, c11, c12, c13 float64
			for p := 0; p < k; p++ {
				ap := a[p*mrD+r : p*mrD+r+2 : p*mrD+r+2]
				bp := b[p*nrD+j : p*nrD+j+4 : p*nrD+j+4]
				a0, a1 := ap[0], ap[1]
				b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
				c00 += a0 * b0
				c01 += a0 * b1
				c02 += a0 * b2
				c03 += a0 * b3
				c10 += a1 * b0
				c11 += a1 * b1
				c12 += a1 * b2
				c13 += a1 * b3
			}
			row0 := c[r*ldc+j : r*ldc+j+4 : r*ldc+j+4]
			row1 := c[(r+1)*ldc+j : (r+1)*ldc+j+4 : (r+1)*ldc+j+4]
			if store {
				row0[0], row0[1], row0[2], row0[3] = c00, c01, c02, c03
				row1[0], row1[1], row1[2], row1[3] = c10, c11, c12, c13
				continue
			}
			row0[0] += c00
			row0[1] += c01
			row0[2] += c02
			row0[3] += c03
			row1[0] += c10
			row1[1] += c11
			row1[2] += c12
			row1[3] += c13
		}
	}
}
