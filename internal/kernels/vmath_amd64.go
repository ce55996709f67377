package kernels

import "math"

// The AVX2 loops of vmath_amd64.s over the first n elements (n a multiple
// of 8 for the elementwise ones, of 16 for the others); the Go loops do
// the rest.

//go:noescape
func expAVX2(dst, src *float32, n int)

//go:noescape
func logAVX2(dst, src *float32, n int)

//go:noescape
func tanhAVX2(dst, src *float32, n int)

//go:noescape
func sigmoidAVX2(dst, src *float32, n int)

//go:noescape
func maxAVX2(x *float32, n int, lanes *[16]float32)

//go:noescape
func expSumAVX2(dst, src *float32, n int, m, c float32, lanes *[16]float32)

//go:noescape
func scaleAVX2(dst, src *float32, n int, a float32)

// The AVX-512 loops of vmath_amd64.s (n a multiple of 16).

//go:noescape
func expAVX512(dst, src *float32, n int)

//go:noescape
func logAVX512(dst, src *float32, n int)

//go:noescape
func tanhAVX512(dst, src *float32, n int)

//go:noescape
func sigmoidAVX512(dst, src *float32, n int)

//go:noescape
func maxAVX512(x *float32, n int, lanes *[16]float32)

//go:noescape
func expSumAVX512(dst, src *float32, n int, m, c float32, lanes *[16]float32)

//go:noescape
func scaleAVX512(dst, src *float32, n int, a float32)

// mapAsm returns an elementwise loop running k over whole blocks of w (at
// most 16) elements, and over the rest copied into a block (padded with
// zeros, whose results are dropped): the same bits as the Go loop, which
// would be many times slower for a short tail.
func mapAsm(k func(dst, src *float32, n int), w int) func(dst, src []float32) {
	return func(dst, src []float32) {
		n := len(src) / w * w
		if n > 0 {
			_ = dst[n-1]
			k(&dst[0], &src[0], n)
		}
		if n < len(src) {
			var buf [16]float32
			copy(buf[:], src[n:])
			k(&buf[0], &buf[0], w)
			copy(dst[n:len(src)], buf[:])
		}
	}
}

// max32Asm, expSum32Asm and scale32Asm run an assembly loop k over whole
// blocks of 16; the rest goes to the Go loop (max, scale) or, padded with
// −Inf (whose e^y are +0s, which leave the lane sums as they are), to k
// (unless m or c is −Inf).
func max32Asm(k func(x *float32, n int, l *[16]float32)) func(x []float32, l *[16]float32) {
	return func(x []float32, l *[16]float32) {
		n := len(x) &^ 15
		if n > 0 {
			k(&x[0], n, l)
		}
		maxFrom(n, x[n:], l)
	}
}

func expSum32Asm(k func(dst, src *float32, n int, m, c float32, l *[16]float32)) func(dst, src []float32, m, c float32, l *[16]float32) {
	return func(dst, src []float32, m, c float32, l *[16]float32) {
		n := len(src) &^ 15
		if n > 0 {
			_ = dst[n-1]
			k(&dst[0], &src[0], n, m, c, l)
		}
		if inf := float32(math.Inf(-1)); m == inf || c == inf {
			expSumFrom(n, dst[n:], src[n:], m, c, l) // a −Inf pad would give NaNs
		} else if n < len(src) {
			var buf [16]float32
			for i := copy(buf[:], src[n:]); i < 16; i++ {
				buf[i] = float32(math.Inf(-1))
			}
			k(&buf[0], &buf[0], 16, m, c, l)
			copy(dst[n:len(src)], buf[:])
		}
	}
}

func scale32Asm(k func(dst, src *float32, n int, a float32)) func(dst, src []float32, a float32) {
	return func(dst, src []float32, a float32) {
		n := len(src) &^ 15
		if n > 0 {
			_ = dst[n-1]
			k(&dst[0], &src[0], n, a)
		}
		scale32Go(dst[n:], src[n:], a)
	}
}

func installVmathAVX2() {
	exp32 = mapAsm(expAVX2, 8)
	log32 = mapAsm(logAVX2, 8)
	tanh32 = mapAsm(tanhAVX2, 8)
	sigmoid32 = mapAsm(sigmoidAVX2, 8)
	max32 = max32Asm(maxAVX2)
	expSum32 = expSum32Asm(expSumAVX2)
	scale32 = scale32Asm(scaleAVX2)
}

func installVmathAVX512() {
	exp32 = mapAsm(expAVX512, 16)
	log32 = mapAsm(logAVX512, 16)
	tanh32 = mapAsm(tanhAVX512, 16)
	sigmoid32 = mapAsm(sigmoidAVX512, 16)
	max32 = max32Asm(maxAVX512)
	expSum32 = expSum32Asm(expSumAVX512)
	scale32 = scale32Asm(scaleAVX512)
}
