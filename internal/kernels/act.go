package kernels

import "math"

// ELU32 sets dst[i] = x where x > 0 and α·(eˣ − 1) elsewhere, of x = src[i],
// for every i < len(src) (−α at −Inf, NaN for NaN), as PyTorch's elu in
// float32 with its α rounded to float32. eˣ − 1 is Expm1 in float32: on
// [−ln 2, 0], where eˣ − 1 would lose bits to cancellation, the Taylor
// polynomial of degree 10 (its truncation below 0.3 ulp); below, Exp32's eˣ
// minus 1, exact or rounded once. Its error is at most 1.32 ulp before the
// product by α, which rounds once more (1.315 at −0.68791157, the largest
// over all 2³² inputs, measured with go test -vmath.all; TestVmath checks
// every 61st input and the specials). dst must be at least as long as src (it panics
// otherwise); it may be src. The results are the same bits on every path.
func ELU32(dst, src []float32, alpha float32) {
	_ = dst[:len(src)]
	var e [256]float32
	for lo := 0; lo < len(src); lo += len(e) {
		n := min(len(e), len(src)-lo)
		x := src[lo : lo+n]
		Exp32(e[:n], x)
		for i, v := range x {
			if v > 0 {
				dst[lo+i] = v
			} else {
				dst[lo+i] = alpha * expm1Neg(v, e[i])
			}
		}
	}
}

// expm1Neg returns eˣ − 1 of an x that is not above 0 (or NaN), e being
// Exp32's eˣ.
func expm1Neg(x, e float32) float32 {
	if x < -ln2f || x != x {
		return e - 1
	}
	p := float32(expm1C10*x) + expm1C9
	p = float32(p*x) + expm1C8
	p = float32(p*x) + expm1C7
	p = float32(p*x) + expm1C6
	p = float32(p*x) + expm1C5
	p = float32(p*x) + expm1C4
	p = float32(p*x) + expm1C3
	p = float32(p*x) + 0.5
	return x + float32(float32(x*x)*p)
}

// ln2f is ln 2 rounded to float32, and expm1Ck 1/k!, the Taylor
// coefficients of eˣ − 1.
const (
	ln2f     = 0.6931471805599453
	expm1C3  = 1.0 / 6
	expm1C4  = 1.0 / 24
	expm1C5  = 1.0 / 120
	expm1C6  = 1.0 / 720
	expm1C7  = 1.0 / 5040
	expm1C8  = 1.0 / 40320
	expm1C9  = 1.0 / 362880
	expm1C10 = 1.0 / 3628800
)

// Softplus32 sets dst[i] = x where β·x > threshold, else ln(1 + e^(β·x))/β,
// of x = src[i], for every i < len(src), β·x rounded to float32 (as
// PyTorch's softplus in float32, with β and the threshold rounded to
// float32). The logarithm is computed as max(b, 0) + ln(1 + e^(−|b|)),
// b = β·x, which neither overflows nor loses the tiny results of large
// negative b; ln(1 + e) as ln(u)·e/(u − 1), u = 1 + e rounded (e itself
// where u is 1), with Exp32 and Log32. Its error is at most 2.82 ulp before
// the division by β, which rounds once more (2.811 at −3.466967, the
// largest over all 2³² inputs with β = 1, measured with go test
// -vmath.all; TestVmath checks every 61st input and the specials). dst must
// be at least as long as src (it panics otherwise); it may be src. The
// results are the same bits on every path.
func Softplus32(dst, src []float32, beta, threshold float32) {
	_ = dst[:len(src)]
	var e, l [256]float32
	for lo := 0; lo < len(src); lo += len(e) {
		n := min(len(e), len(src)-lo)
		x := src[lo : lo+n]
		for i, v := range x {
			b := v * beta
			e[i] = -math.Float32frombits(math.Float32bits(b) &^ signBit) // −|b|
		}
		Exp32(e[:n], e[:n])
		for i, v := range e[:n] {
			l[i] = 1 + v
		}
		Log32(l[:n], l[:n])
		for i, v := range x {
			b := v * beta
			if b > threshold {
				dst[lo+i] = v
				continue
			}
			dst[lo+i] = softplusFrom(b, e[i], l[i]) / beta
		}
	}
}

// softplusFrom returns ln(1 + e^b) given e = e^(−|b|) and l = ln(1 + e)
// rounded.
func softplusFrom(b, e, l float32) float32 {
	if u := 1 + e; u != 1 {
		e = l * (e / (u - 1))
	}
	if b > 0 {
		return b + e
	}
	return e
}
