package kernels

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

// mapAsm returns an elementwise loop running k over whole blocks of w
// elements and the Go loop g over the rest.
func mapAsm(k func(dst, src *float32, n int), w int, g func(dst, src []float32)) func(dst, src []float32) {
	return func(dst, src []float32) {
		n := len(src) / w * w
		if n > 0 {
			_ = dst[n-1]
			k(&dst[0], &src[0], n)
		}
		g(dst[n:], src[n:])
	}
}

// max32Asm, expSum32Asm and scale32Asm run an assembly loop k over whole
// blocks of 16 and the Go loop over the rest.
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
		expSumFrom(n, dst[n:], src[n:], m, c, l)
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
	exp32 = mapAsm(expAVX2, 8, exp32Go)
	log32 = mapAsm(logAVX2, 8, log32Go)
	tanh32 = mapAsm(tanhAVX2, 8, tanh32Go)
	sigmoid32 = mapAsm(sigmoidAVX2, 8, sigmoid32Go)
	max32 = max32Asm(maxAVX2)
	expSum32 = expSum32Asm(expSumAVX2)
	scale32 = scale32Asm(scaleAVX2)
}
