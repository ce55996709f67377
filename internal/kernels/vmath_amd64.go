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
func geluAVX2(dst, src *float32, n int)

//go:noescape
func geluGradAVX2(dst, grad, x *float32, n int)

//go:noescape
func maxAVX2(x *float32, n int, lanes *[16]float32)

//go:noescape
func sumAVX2(x *float32, n int, lanes *[16]float32)

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
func geluAVX512(dst, src *float32, n int)

//go:noescape
func geluGradAVX512(dst, grad, x *float32, n int)

//go:noescape
func maxAVX512(x *float32, n int, lanes *[16]float32)

//go:noescape
func sumAVX512(x *float32, n int, lanes *[16]float32)

//go:noescape
func expSumAVX512(dst, src *float32, n int, m, c float32, lanes *[16]float32)

//go:noescape
func scaleAVX512(dst, src *float32, n int, a float32)

// map32 runs op's assembly loop over whole blocks of the vector width, and
// over the rest copied into a block (padded with zeros, whose results are
// dropped): the same bits as the Go loop, which would be many times slower
// for a short tail.
func map32(op int, dst, src []float32) {
	w := 8
	switch vmPath {
	case vmGo:
		mapGo(op, dst, src)
		return
	case vmAVX512:
		w = 16
	}
	n := len(src) / w * w
	if n > 0 {
		_ = dst[n-1]
		mapAsm(op, &dst[0], &src[0], n)
	}
	if n < len(src) {
		var buf [16]float32
		copy(buf[:], src[n:])
		mapAsm(op, &buf[0], &buf[0], w)
		copy(dst[n:len(src)], buf[:])
	}
}

// mapAsm calls op's loop of the path in use over n elements.
func mapAsm(op int, dst, src *float32, n int) {
	if vmPath == vmAVX512 {
		switch op {
		case opExp:
			expAVX512(dst, src, n)
		case opLog:
			logAVX512(dst, src, n)
		case opTanh:
			tanhAVX512(dst, src, n)
		case opSigmoid:
			sigmoidAVX512(dst, src, n)
		case opGELU:
			geluAVX512(dst, src, n)
		}
		return
	}
	switch op {
	case opExp:
		expAVX2(dst, src, n)
	case opLog:
		logAVX2(dst, src, n)
	case opTanh:
		tanhAVX2(dst, src, n)
	case opSigmoid:
		sigmoidAVX2(dst, src, n)
	case opGELU:
		geluAVX2(dst, src, n)
	}
}

// geluGrad32 is map32 for GELUGrad32's two inputs.
func geluGrad32(dst, g, x []float32) {
	w := 8
	switch vmPath {
	case vmGo:
		geluGrad32Go(dst, g, x)
		return
	case vmAVX512:
		w = 16
	}
	n := len(x) / w * w
	if n > 0 {
		_, _ = dst[n-1], g[n-1]
		geluGradAsm(&dst[0], &g[0], &x[0], n)
	}
	if n < len(x) {
		var gb, xb [16]float32
		copy(gb[:], g[n:len(x)])
		copy(xb[:], x[n:])
		geluGradAsm(&gb[0], &gb[0], &xb[0], w)
		copy(dst[n:len(x)], gb[:])
	}
}

func geluGradAsm(dst, g, x *float32, n int) {
	if vmPath == vmAVX512 {
		geluGradAVX512(dst, g, x, n)
	} else {
		geluGradAVX2(dst, g, x, n)
	}
}

// max32, sum32, expSum32 and scale32 run the assembly loop over whole
// blocks of 16; the rest goes to the Go loop (max, sum, scale) or, padded with −Inf (whose
// e^y are +0s, which leave the lane sums as they are), to the assembly
// (unless m or c is −Inf).
func max32(x []float32, l *[16]float32) {
	n := 0
	switch vmPath {
	case vmAVX2:
		if n = len(x) &^ 15; n > 0 {
			maxAVX2(&x[0], n, l)
		}
	case vmAVX512:
		if n = len(x) &^ 15; n > 0 {
			maxAVX512(&x[0], n, l)
		}
	}
	maxFrom(n, x[n:], l)
}

func sum32(x []float32, l *[16]float32) {
	n := 0
	switch vmPath {
	case vmAVX2:
		if n = len(x) &^ 15; n > 0 {
			sumAVX2(&x[0], n, l)
		}
	case vmAVX512:
		if n = len(x) &^ 15; n > 0 {
			sumAVX512(&x[0], n, l)
		}
	}
	sumFrom(n, x[n:], l)
}

func expSum32(dst, src []float32, m, c float32, l *[16]float32) {
	if vmPath == vmGo {
		expSum32Go(dst, src, m, c, l)
		return
	}
	n := len(src) &^ 15
	if n > 0 {
		_ = dst[n-1]
		expSumAsm(&dst[0], &src[0], n, m, c, l)
	}
	if inf := float32(math.Inf(-1)); m == inf || c == inf {
		expSumFrom(n, dst[n:], src[n:], m, c, l) // a −Inf pad would give NaNs
	} else if n < len(src) {
		var buf [16]float32
		for i := copy(buf[:], src[n:]); i < 16; i++ {
			buf[i] = float32(math.Inf(-1))
		}
		expSumAsm(&buf[0], &buf[0], 16, m, c, l)
		copy(dst[n:len(src)], buf[:])
	}
}

func expSumAsm(dst, src *float32, n int, m, c float32, l *[16]float32) {
	if vmPath == vmAVX512 {
		expSumAVX512(dst, src, n, m, c, l)
	} else {
		expSumAVX2(dst, src, n, m, c, l)
	}
}

func scale32(dst, src []float32, a float32) {
	n := 0
	switch vmPath {
	case vmAVX2:
		if n = len(src) &^ 15; n > 0 {
			_ = dst[n-1]
			scaleAVX2(&dst[0], &src[0], n, a)
		}
	case vmAVX512:
		if n = len(src) &^ 15; n > 0 {
			_ = dst[n-1]
			scaleAVX512(&dst[0], &src[0], n, a)
		}
	}
	scale32Go(dst[n:], src[n:], a)
}

func installVmathAVX2() { vmPath = vmAVX2 }

func installVmathAVX512() { vmPath = vmAVX512 }
