package kernels

import "math"

// GELU32 sets dst[i] = x·Φ(x) of x = src[i], Φ the standard normal
// distribution function (the exact, erf-based GELU), for every i < len(src).
// dst must be at least as long as src (it panics otherwise). GELUGrad32 is
// its derivative.
//
// With a = |x|, the tail Q = Φ(−a) is φ(a)·M(a): the normal density
// φ(a) = e^(−a²/2)/√(2π), by Exp32's polynomial twice with a²/2 split into
// an exact part and a small one (a²/2 rounded to float32 would cost up to
// 100 ulp near a = 14), and Mills' ratio M(a) = u·P(u), u = 3/(3 + a), P a
// degree-12 polynomial fitted by least squares to M over [0, 14] (relative
// error of the float32 evaluation 5.3 ulp at most on 20,011 points). Φ(x)
// is Q for x < 0 and 1 − Q above; below x = −12 the pieces are kept scaled
// by e⁴⁴ and a denormal result is rounded once. A NaN x gives x, quiet. The
// whole of it runs in the AVX2 and AVX-512 loops (vmath_amd64.s) where the
// CPU has them, the same float32 operations as gelu1's, so the results are
// the same bits on every path.
//
// The error against the exact result is at most 7.77 ulp (7.765 at
// −2.5333855, the largest over all 2³² inputs, measured with go test
// -vmath.all; TestVmath checks every 61st input and the specials).
func GELU32(dst, src []float32) {
	_ = dst[:len(src)]
	map32(opGELU, dst, src)
}

// GELUGrad32 sets dst[i] = g[i]·(Φ(x) + x·φ(x)) of x = x[i], GELU32's
// derivative times g, for every i < len(x) (the limits 0 at −Inf and 1 at
// +Inf); dst may be g. A NaN g[i] gives g[i], quiet, and otherwise a NaN x
// gives x, quiet. Its error is bounded in ulp only away from the root of
// Φ(x) + x·φ(x) near x = −0.75, where the two terms cancel: within 2⁻²¹·|g|
// everywhere and 9 ulp outside [−1.25, −0.25] (measured on every 61st input:
// 2.4·10⁻⁷ and 7.9 ulp; TestGELUGrad32 checks it). dst and g must be
// at least as long as x (it panics otherwise).
func GELUGrad32(dst, g, x []float32) {
	_, _ = dst[:len(x)], g[:len(x)]
	geluGrad32(dst, g, x)
}

// Mills' ratio M(a) = u·P(u), u = 3/(3 + a): P's coefficients, constant
// first (fitted by least squares on 3,000 points of [0, 14], weighted by
// 1/M, in float64, then rounded to float32).
const (
	millsP0  = 0.3333342671394348
	millsP1  = 0.33330708742141724
	millsP2  = 0.2966100573539734
	millsP3  = 0.22019553184509277
	millsP4  = 0.13052889704704285
	millsP5  = 0.017130931839346886
	millsP6  = -0.08939691632986069
	millsP7  = 0.18841280043125153
	millsP8  = -0.6401238441467285
	millsP9  = 0.9030517935752869
	millsP10 = -0.6341773271560669
	millsP11 = 0.2286985218524933
	millsP12 = -0.03425772860646248
)

// tailFrom is where normTail's results are scaled by e⁴⁴, and tailScale
// e⁻⁴⁴ rounded to float32, which undoes it.
const (
	tailFrom  = 12
	tailScale = 7.781132241133797e-20
)

// invSqrt2Pi is 1/√(2π) rounded to float32.
const invSqrt2Pi = 0.3989422804014327

// normTail returns q = Φ(−|x|) and d = φ(x) of a non-NaN x, both times e⁴⁴
// where |x| ≥ tailFrom: so that they stay normal numbers down to
// Φ(−14) ≈ 10⁻⁴⁴, and a result in the denormal range is rounded once, when
// the caller multiplies by tailScale. The arithmetic is written with
// explicit conversions so that no two operations are fused into one; the
// assembly (GELU8, GELU16) performs the same operations in the same order.
func normTail(x float32) (q, d float32) {
	a := min(math.Float32frombits(math.Float32bits(x)&^signBit), 20) // Φ(−20) underflows: no Inf − Inf below
	u := 3 / (3 + a)
	p := float32(millsP12*u) + millsP11
	p = float32(p*u) + millsP10
	p = float32(p*u) + millsP9
	p = float32(p*u) + millsP8
	p = float32(p*u) + millsP7
	p = float32(p*u) + millsP6
	p = float32(p*u) + millsP5
	p = float32(p*u) + millsP4
	p = float32(p*u) + millsP3
	p = float32(p*u) + millsP2
	p = float32(p*u) + millsP1
	p = float32(p*u) + millsP0
	p = float32(p * u)
	hi := math.Float32frombits(math.Float32bits(a) &^ 0xfff) // 12 bits: hi² exact
	lo := a - hi
	t := float32(hi*hi) * -0.5 // exact
	if a >= tailFrom {
		t += 44 // exact: hi²/2 < 256 is a multiple of 2⁻¹⁶
	}
	s := float32(lo*float32(a+hi)) * -0.5 // a²/2 = hi²/2 + lo·(a + hi)/2
	d = float32(float32(exp1(t)*exp1(s)) * invSqrt2Pi)
	return float32(d * p), d
}

// gelu1 is GELU32 of one element.
func gelu1(x float32) float32 {
	if x != x {
		return quiet(x)
	}
	q, _ := normTail(x)
	switch {
	case x <= -tailFrom: // one rounding into the denormal range
		return float32(x*q) * tailScale
	case x < 0:
		return x * q
	}
	return x * (1 - q)
}

// geluDeriv1 is GELU32's derivative Φ(x) + x·φ(x) of one element.
func geluDeriv1(x float32) float32 {
	if x != x {
		return quiet(x)
	}
	q, d := normTail(x)
	switch {
	case x <= -tailFrom: // −20 for −Inf: φ(x) is 0 already, x·φ(x) → 0
		return float32(q+float32(max(x, -20)*d)) * tailScale
	case x < 0:
		return q + float32(x*d)
	case x >= tailFrom:
		return 1
	}
	return (1 - q) + float32(x*d)
}

// mulGrad returns g·r, and g, quiet, when both are NaN (as the assembly's
// multiply, whose first operand is g, does).
func mulGrad(g, r float32) float32 {
	if g != g {
		return quiet(g)
	}
	return g * r
}

func gelu32Go(dst, src []float32) {
	dst = dst[:len(src)]
	for i, x := range src {
		dst[i] = gelu1(x)
	}
}

func geluGrad32Go(dst, g, x []float32) {
	dst, g = dst[:len(x)], g[:len(x)]
	for i, v := range x {
		dst[i] = mulGrad(g[i], geluDeriv1(v))
	}
}
