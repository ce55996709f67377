package kernels

import "math"

// GELU32 sets dst[i] = x·Φ(x) of x = src[i], Φ the standard normal
// distribution function (the exact, erf-based GELU), for every i < len(src).
// dst must be at least as long as src (it panics otherwise). GELUGrad32 is
// its derivative.
//
// With a = |x|, the tail Q = Φ(−a) is φ(a)·M(a): the normal density
// φ(a) = e^(−a²/2)/√(2π), by Exp32 twice with a²/2 split into an exact part
// and a small one (a²/2 rounded to float32 would cost up to 100 ulp near
// a = 14), and Mills' ratio M(a) = u·P(u), u = 3/(3 + a), P a degree-12
// polynomial fitted by least squares to M over [0, 14] (relative error of
// the float32 evaluation 5.3 ulp at most on 20,011 points). Φ(x) is Q for
// x < 0 and 1 − Q above; below x = −12 the pieces are kept scaled by e⁴⁴
// and a denormal result is rounded once. The exponentials run on Exp32's
// vector loops, over blocks of 256; the polynomial and the rest are Go
// loops, the same float32 operations on every path, so the results are the
// same bits on every path too.
//
// The error against the exact result is at most 7.77 ulp (7.765 at
// −2.5333855, the largest over all 2³² inputs, measured with go test
// -vmath.all; TestVmath checks every 61st input and the specials).
func GELU32(dst, src []float32) {
	_ = dst[:len(src)]
	var q, d [256]float32
	for lo := 0; lo < len(src); lo += len(q) {
		n := min(len(q), len(src)-lo)
		x := src[lo : lo+n]
		normTail(q[:n], d[:n], x)
		for i, v := range x {
			switch {
			case v <= -tailFrom: // one rounding into the denormal range
				dst[lo+i] = float32(v*q[i]) * tailScale
			case v < 0:
				dst[lo+i] = v * q[i]
			default:
				dst[lo+i] = v * (1 - q[i])
			}
		}
	}
}

// GELUGrad32 sets dst[i] = g[i]·(Φ(x) + x·φ(x)) of x = x[i], GELU32's
// derivative times g, for every i < len(x) (the limits 0 at −Inf and 1 at
// +Inf); dst may be g. Its error is bounded in ulp only away from the root
// of Φ(x) + x·φ(x) near x = −0.75, where the two terms cancel: within 2⁻²¹·|g|
// everywhere and 9 ulp outside [−1.25, −0.25] (measured on every 61st input:
// 2.4·10⁻⁷ and 7.9 ulp; TestGELUGrad32 checks it). dst and g must be
// at least as long as x (it panics otherwise).
func GELUGrad32(dst, g, x []float32) {
	_, _ = dst[:len(x)], g[:len(x)]
	var q, d [256]float32
	for lo := 0; lo < len(x); lo += len(q) {
		n := min(len(q), len(x)-lo)
		xs := x[lo : lo+n]
		normTail(q[:n], d[:n], xs)
		for i, v := range xs {
			var r float32
			switch {
			case v <= -tailFrom: // −20 for −Inf: φ(x) is 0 already, x·φ(x) → 0
				r = float32(q[i]+float32(max(v, -20)*d[i])) * tailScale
			case v < 0:
				r = q[i] + float32(v*d[i])
			case v >= tailFrom:
				r = 1
			default:
				r = (1 - q[i]) + float32(v*d[i])
			}
			dst[lo+i] = g[lo+i] * r
		}
	}
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

// normTail sets q[i] = Φ(−|x[i]|) and d[i] = φ(x[i]) (NaN for a NaN x),
// both times e⁴⁴ where |x[i]| ≥ tailFrom: so that they stay normal numbers
// down to Φ(−14) ≈ 10⁻⁴⁴, and a result in the denormal range is rounded
// once, when the caller multiplies by tailScale.
// The arithmetic is written with explicit conversions so that no two
// operations are fused into one.
func normTail(q, d, x []float32) {
	q, d = q[:len(x)], d[:len(x)]
	for i, v := range x {
		a := min(float32(math.Abs(float64(v))), 20) // Φ(−20) underflows: no Inf − Inf below
		if v != v {
			a = v
		}
		hi := math.Float32frombits(math.Float32bits(a) &^ 0xfff) // 12 bits: hi² exact
		lo := a - hi
		q[i] = -float32(hi*hi) * 0.5 // exact
		if a >= tailFrom {
			q[i] += 44 // exact: hi²/2 < 256 is a multiple of 2⁻¹⁶
		}
		d[i] = -float32(lo*float32(a+hi)) * 0.5 // a²/2 = hi²/2 + lo·(a + hi)/2
	}
	Exp32(q, q)
	Exp32(d, d)
	for i, v := range x {
		a := min(float32(math.Abs(float64(v))), 20)
		if v != v {
			a = v
		}
		phi := float32(float32(q[i]*d[i]) * invSqrt2Pi)
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
		q[i] = float32(phi * float32(p*u))
		d[i] = phi
	}
}
