package kernels

//go:generate go run gen_gemm512.go
//go:generate go run gen_gemmavx2.go

import "golang.org/x/sys/cpu"

// kernel6x16 is kernelGo in AVX2+FMA assembly (kernel_amd64.s).
//
//go:noescape
func kernel6x16(k int, a, b, c *float32, ldc int, store bool)

// packBTrans16 is packTrans16 with AVX 8×8 transposes (kernel_amd64.s).
//
//go:noescape
func packBTrans16(dst, src *float32, ld, k int)

// packBTrans8 transposes 8 rows into 8 columns of a panel nr wide
// (impl.packTrans8) with AVX 8×8 transposes (kernel_amd64.s).
//
//go:noescape
func packBTrans8(dst, src *float32, ld, k, nr int)

// saxpyAVX is saxpy's AVX2+FMA loop over the first n&^31 elements.
//
//go:noescape
func saxpyAVX(a float32, x, y *float32, n int)

func saxpyAsm(a float32, x, y []float32) {
	n := len(x) &^ 31
	if n > 0 {
		_ = y[n-1]
		saxpyAVX(a, &x[0], &y[0], n)
	}
	saxpyGo(a, x[n:], y[n:len(x)])
}

// kernel6x8d is kernelGoD in AVX2+FMA assembly (kernel_amd64.s).
//
//go:noescape
func kernel6x8d(k int, a, b, c *float64, ldc int, store bool)

func kernelAsmD(k int, a, b, c []float64, ldc int, store bool) {
	_ = a[k*mr-1]
	_ = b[k*8-1]
	_ = c[(mr-1)*ldc+8-1]
	kernel6x8d(k, &a[0], &b[0], &c[0], ldc, store)
}

// packA6 packs six rows of A with AVX transposes (kernel_amd64.s).
//
//go:noescape
func packA6(dst, src *float32, lda, k int)

// packACols6 packs six columns of a transposed A, eight floats at a time
// (kernel_amd64.s).
//
//go:noescape
func packACols6(dst, src *float32, lda, k int)

// packBCopy16 copies full 16-column panels of an untransposed B, row by row
// across the panels (impl.packCopy; kernel_amd64.s).
//
//go:noescape
func packBCopy16(dst, src *float32, ld, k, panels int)

// reluAVX and reluGradAVX are ReLU32's and ReLUGrad32's loops over a
// multiple of 16 elements (kernel_amd64.s).
//
//go:noescape
func reluAVX(dst, src *float32, n int)

//go:noescape
func reluGradAVX(dst, x, grad *float32, n int)

func reluAsm(dst, src []float32) {
	n := len(src) &^ 15
	if n > 0 {
		_ = dst[n-1]
		reluAVX(&dst[0], &src[0], n)
	}
	reluGo(dst[n:], src[n:])
}

func reluGradAsm(dst, x, g []float32) {
	n := len(x) &^ 15
	if n > 0 {
		_, _ = dst[n-1], g[n-1]
		reluGradAVX(&dst[0], &x[0], &g[0], n)
	}
	reluGradGo(dst[n:], x[n:], g[n:])
}

// adamAVX is adamGo's loop over the first n&^3 elements (kernel_amd64.s).
//
//go:noescape
func adamAVX(p, grad *float32, m, v *float64, n int, c *adamConsts)

func adamAsm(p, g []float32, m, v []float64, c *adamConsts) {
	n := len(p) &^ 3
	if n > 0 {
		_, _, _ = g[n-1], m[n-1], v[n-1]
		adamAVX(&p[0], &g[0], &m[0], &v[0], n, c)
	}
	adamGo(p[n:], g[n:], m[n:], v[n:], c)
}

// arithAVX is arithGo's loop over the first n&^15 elements (kernel_amd64.s).
//
//go:noescape
func arithAVX(op int, dst, a, b *float32, n int)

func arithAsm(op int, dst, a, b []float32) {
	if op < Add || op > Div {
		arithGo(op, dst, a, b) // panics
	}
	n := len(dst) &^ 15
	if n > 0 {
		_, _ = a[n-1], b[n-1]
		arithAVX(op, &dst[0], &a[0], &b[0], n)
	}
	arithGo(op, dst[n:], a[n:], b[n:])
}

// mulScalarAVX is mulScalar32Go's loop over the first n&^15 elements
// (kernel_amd64.s).
//
//go:noescape
func mulScalarAVX(dst, src *float32, s float64, n int)

func mulScalar32Asm(dst, src []float32, s float64) {
	n := len(src) &^ 15
	if n > 0 {
		_ = dst[n-1]
		mulScalarAVX(&dst[0], &src[0], s, n)
	}
	mulScalar32Go(dst[n:len(src)], src[n:], s)
}

// addRowsAVX adds rows rows of src (a row stride of ld floats) into dst's
// first n&^7 columns (kernel_amd64.s).
//
//go:noescape
func addRowsAVX(dst, src *float32, n, ld, rows int)

func addRows32Asm(dst, src []float32, rows int) {
	n := len(dst)
	v := n &^ 7
	if v > 0 {
		_ = src[(rows-1)*n+v-1]
		// 32 rows at a time: each block's columns are read in 64-column
		// strips, and 32 rows of up to 32 KiB stay in L1 between strips
		// (dst goes back to memory in between: the same sums)
		for i := 0; i < rows; i += 32 {
			addRowsAVX(&dst[0], &src[i*n], v, n, min(32, rows-i))
		}
	}
	if v == n {
		return
	}
	// the last columns: each sums its rows in order, as addRows32Go
	for i := 0; i < rows; i++ {
		row := src[i*n+v : (i+1)*n]
		for j, x := range row {
			dst[v+j] += x
		}
	}
}

func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
func xgetbv() (eax, edx uint32)

// hasAVX2FMA reports whether the CPU and the OS support AVX2 and FMA
// (CPUID feature bits, and XGETBV saying the OS saves the ymm registers).
func hasAVX2FMA() bool {
	maxID, _, _, _ := cpuid(0, 0)
	if maxID < 7 {
		return false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	const fma, osxsave, avx = 1 << 12, 1 << 27, 1 << 28
	if ecx1&(fma|osxsave|avx) != fma|osxsave|avx {
		return false
	}
	if xcr0, _ := xgetbv(); xcr0&6 != 6 {
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	return ebx7&(1<<5) != 0
}

func kernelAsm(k int, a, b, c []float32, ldc int, store bool) {
	_ = a[k*mr-1]
	_ = b[k*16-1]
	_ = c[(mr-1)*ldc+16-1]
	kernel6x16(k, &a[0], &b[0], &c[0], ldc, store)
}

// hasAVX512 reports whether the CPU and the OS support AVX-512F (x/sys/cpu
// checks CPUID and XGETBV for the opmask and zmm state).
func hasAVX512() bool { return cpu.X86.HasAVX512F && hasAVX2FMA() }

// packBTrans32 and packBCopy32 are packBTrans16 and packBCopy16 for
// 32-column panels (kernel512_amd64.s).
//
//go:noescape
func packBTrans32(dst, src *float32, ld, k int)

//go:noescape
func packBCopy32(dst, src *float32, ld, k, panels int)

// tile512s is impl.tile for float32: the corner of a 12×32 tile, computed by
// the kernel of exactly its rows (1…12, gemm512_amd64.go, written by
// gen_gemm512.go) in one zmm a row when cols ≤ 16, two otherwise, so a
// narrow or short output does not pay for a full tile.
func tile512s(k int, a, b, c []float32, ldc int, store bool, rows, cols int) {
	_ = a[roundUp(rows, mr)*k-1]
	_ = b[k*32-1]
	_ = c[(rows-1)*ldc+cols-1]
	if cols > 16 {
		gemm512s(rows, 2, k, &a[0], &b[0], &c[0], ldc, 1<<(cols-16)-1, store)
		return
	}
	gemm512s(rows, 1, k, &a[0], &b[0], &c[0], ldc, 1<<cols-1, store)
}

// direct512s is impl.direct for float32: 12 rows of C, cols ≤ 32 of them,
// from 12 rows of A read in place (row stride lda).
func direct512s(k int, a []float32, lda int, b, c []float32, ldc int, store bool, cols int) {
	_ = a[(2*mr-1)*lda+k-1]
	_ = b[k*32-1]
	_ = c[(2*mr-1)*ldc+cols-1]
	if cols > 16 {
		gemm512s12x32r(k, &a[0], &b[0], &c[0], ldc, 2*mr, 1<<(cols-16)-1, store, lda)
		return
	}
	gemm512s12x16r(k, &a[0], &b[0], &c[0], ldc, 2*mr, 1<<cols-1, store, lda)
}

// direct512d is direct512s for float64.
func direct512d(k int, a []float64, lda int, b, c []float64, ldc int, store bool, cols int) {
	_ = a[(2*mr-1)*lda+k-1]
	_ = b[k*16-1]
	_ = c[(2*mr-1)*ldc+cols-1]
	if cols > 8 {
		gemm512d12x16r(k, &a[0], &b[0], &c[0], ldc, 2*mr, 1<<(cols-8)-1, store, lda)
		return
	}
	gemm512d12x8r(k, &a[0], &b[0], &c[0], ldc, 2*mr, 1<<cols-1, store, lda)
}

// tile512d is tile512s for float64 (12×16 tiles, 8 doubles a zmm).
func tile512d(k int, a, b, c []float64, ldc int, store bool, rows, cols int) {
	_ = a[roundUp(rows, mr)*k-1]
	_ = b[k*16-1]
	_ = c[(rows-1)*ldc+cols-1]
	if cols > 8 {
		gemm512d(rows, 2, k, &a[0], &b[0], &c[0], ldc, 1<<(cols-8)-1, store)
		return
	}
	gemm512d(rows, 1, k, &a[0], &b[0], &c[0], ldc, 1<<cols-1, store)
}

// maskAVX2s and maskAVX2d hold lane masks for the AVX2 edge kernels: the 8
// (4) elements from index 8−n (4−n) on set the first n lanes of a ymm.
var (
	maskAVX2s = [16]uint32{^uint32(0), ^uint32(0), ^uint32(0), ^uint32(0), ^uint32(0), ^uint32(0), ^uint32(0), ^uint32(0)}
	maskAVX2d = [8]uint64{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}
)

// tileAVX2s is impl.edge for float32 on the AVX2 path: the rows×cols corner
// (rows ≤ 6, cols ≤ 16) of a 6×16 tile, computed by the kernel of exactly
// its rows (gemmavx2_amd64.go, written by gen_gemmavx2.go) in one ymm a row
// when cols ≤ 8, two otherwise, the last through a mask of its columns.
func tileAVX2s(k int, a, b, c []float32, ldc int, store bool, rows, cols int) {
	_ = a[mr*k-1]
	_ = b[k*16-1]
	_ = c[(rows-1)*ldc+cols-1]
	vecs := 1 + (cols-1)/8
	gemmAVX2s(rows, vecs, k, &a[0], &b[0], &c[0], ldc, &maskAVX2s[8-(cols-8*(vecs-1))], store)
}

// tileAVX2d is tileAVX2s for float64 (6×8 tiles, 4 doubles a ymm).
func tileAVX2d(k int, a, b, c []float64, ldc int, store bool, rows, cols int) {
	_ = a[mr*k-1]
	_ = b[k*8-1]
	_ = c[(rows-1)*ldc+cols-1]
	vecs := 1 + (cols-1)/4
	gemmAVX2d(rows, vecs, k, &a[0], &b[0], &c[0], ldc, &maskAVX2d[4-(cols-4*(vecs-1))], store)
}

func archPaths() []path {
	var ps []path
	if hasAVX2FMA() {
		ps = append(ps, path{"avx2", installAVX2})
	}
	if hasAVX512() {
		ps = append(ps, path{"avx512", installAVX512})
	}
	return ps
}

func installAVX2() {
	kernelName = "avx2"
	setGemm(f32, 16, kernelAsm, nil, packBTrans16, packA6, packBCopy16)
	f32.packTrans8, f32.packCols = packBTrans8, packACols6
	setGemm(f64, 8, kernelAsmD, nil, nil, nil, nil)
	f32.edge, f64.edge = tileAVX2s, tileAVX2d
	relu, reluGrad = reluAsm, reluGradAsm
	maxPoolRows, maxPoolBackRows = maxPoolRowsAVX, maxPoolBackRowsAVX
	copyRows = copyRowsAsm
	convRows, dotRows, directConv = convRowsAsmAVX, dotRowsAsmAVX, true
	saxpy = saxpyAsm
	adam = adamAsm
	arith = arithAsm
	mulScalar32, addRows32 = mulScalar32Asm, addRows32Asm
	installVmathAVX2()
}

// installAVX512 is installAVX2 with the GEMM's AVX-512 micro-kernels and
// elementwise loops: the larger
// tiles (12×32 float32, 12×16 float64) sum each element in the same order,
// and the loops do the same operations 16 floats at a time, so the results
// are the same bits as with AVX2.
func installAVX512() {
	installAVX2()
	kernelName = "avx512"
	setGemm(f32, 32, nil, tile512s, packBTrans32, packA6, packBCopy32)
	f32.packTrans8, f32.packCols = packBTrans8, packACols6
	setGemm(f64, 16, nil, tile512d, nil, nil, nil)
	f32.direct, f64.direct = direct512s, direct512d
	relu, reluGrad = reluAsm512, reluGradAsm512
	copyRows = copyRowsAsm512
	convRows, dotRows, directConv = convRowsAsm512, dotRowsAsm512, true
	if cpu.X86.HasAVX512BW { // byte-masked loads and stores of the codes
		maxPoolRows, maxPoolBackRows = maxPoolRows512, maxPoolBackRows512
	}
	saxpy = saxpyAsm512
	adam = adamAsm512
	arith = arithAsm512
	installVmathAVX512()
}

// The AVX-512 elementwise loops (elem512_amd64.s); each wrapper hands the
// rest of the slice to the AVX2 one, and the whole of a slice shorter than
// min512 (kernel.go).

//go:noescape
func saxpy512(a float32, x, y *float32, n int)

//go:noescape
func relu512(dst, src *float32, n int)

//go:noescape
func reluGrad512(dst, x, grad *float32, n int)

//go:noescape
func adam512(p, grad *float32, m, v *float64, n int, c *adamConsts)

//go:noescape
func arith512(op int, dst, a, b *float32, n int)

func saxpyAsm512(a float32, x, y []float32) {
	n := len(x) &^ 63
	if n < min512 {
		n = 0
	}
	if n > 0 {
		_ = y[n-1]
		saxpy512(a, &x[0], &y[0], n)
	}
	saxpyAsm(a, x[n:], y[n:len(x)])
}

func reluAsm512(dst, src []float32) {
	n := len(src) &^ 31
	if n < min512 {
		n = 0
	}
	if n > 0 {
		_ = dst[n-1]
		relu512(&dst[0], &src[0], n)
	}
	reluAsm(dst[n:], src[n:])
}

func reluGradAsm512(dst, x, g []float32) {
	n := len(x) &^ 31
	if n < min512 {
		n = 0
	}
	if n > 0 {
		_, _ = dst[n-1], g[n-1]
		reluGrad512(&dst[0], &x[0], &g[0], n)
	}
	reluGradAsm(dst[n:], x[n:], g[n:])
}

func adamAsm512(p, g []float32, m, v []float64, c *adamConsts) {
	n := len(p) &^ 7
	if n < min512 {
		n = 0
	}
	if n > 0 {
		_, _, _ = g[n-1], m[n-1], v[n-1]
		adam512(&p[0], &g[0], &m[0], &v[0], n, c)
	}
	adamAsm(p[n:], g[n:], m[n:], v[n:], c)
}

func arithAsm512(op int, dst, a, b []float32) {
	if op < Add || op > Div {
		arithGo(op, dst, a, b) // panics
	}
	n := len(dst) &^ 31
	if n < min512 {
		n = 0
	}
	if n > 0 {
		_, _ = a[n-1], b[n-1]
		arith512(op, &dst[0], &a[0], &b[0], n)
	}
	arithAsm(op, dst[n:], a[n:], b[n:])
}
