package kernels

import "math"

// Float32 exp, log, tanh and sigmoid over slices: polynomial kernels in
// float32 (Cephes' expf and logf), in AVX2+FMA or AVX-512 assembly where the
// CPU has them and in Go elsewhere. Every path performs the same float32
// operations in the same order, the fused multiply-adds included (fma32
// rounds once, as the instruction does), so all paths give the same bits for
// every input, NaN payloads included (a NaN comes out quiet).
//
// Errors against the exact result (float64 math), in units in the last
// place of the float32 result, the largest over all 2³² inputs (measured with
// go test -vmath.all; TestVmath fails beyond them on every 61st input and the
// specials, on every path):
//
//	Exp32      1.02 ulp (1.010 at −5.8778844)
//	Log32      0.83 ulp (0.827 at 1.413642)
//	Tanh32     1.34 ulp (1.330 at 0.62830955)
//	Sigmoid32  2.41 ulp (2.402 at −4.157294)
//
// Max32, Sum32 and ExpSum32 reduce in a fixed order (16 lanes, element i
// into lane i mod 16, then lanes halved pairwise), the same on every path.

// vmPath is the set of loops in use, which the install functions of
// kernel.go and kernel_amd64.go choose. The functions of this file call
// their loops directly (map32, max32, expSum32 and scale32 switch on it:
// vmath_amd64.go, vmath_other.go), not through function variables, through
// which the lane arrays and tail blocks on their stacks would escape to the
// heap: two allocations per softmax row.
var vmPath = vmGo

const (
	vmGo = iota
	vmAVX2
	vmAVX512
)

// The elementwise functions, for map32.
const (
	opExp = iota
	opLog
	opTanh
	opSigmoid
	opGELU
)

// mapGo runs the Go loop of op.
func mapGo(op int, dst, src []float32) {
	switch op {
	case opExp:
		exp32Go(dst, src)
	case opLog:
		log32Go(dst, src)
	case opTanh:
		tanh32Go(dst, src)
	case opSigmoid:
		sigmoid32Go(dst, src)
	case opGELU:
		gelu32Go(dst, src)
	}
}

// Exp32 sets dst[i] = eˣ of x = src[i], for every i < len(src): +Inf for
// x > 88.72284, 0 below −103.97208 (denormal results rounded once), 1 for ±0.
// dst must be at least as long as src (it panics otherwise).
//
// The method is Cephes' expf: n = round(x·log₂e), r = x − n·ln2 (ln2 in two
// parts, with fused multiply-adds), eʳ by a degree-6 polynomial on
// [−ln2/2, ln2/2], then the scaling by 2ⁿ in two halves so that results in
// the denormal range are rounded once.
func Exp32(dst, src []float32) {
	_ = dst[:len(src)]
	map32(opExp, dst, src)
}

// Log32 sets dst[i] = ln x of x = src[i], for every i < len(src): −Inf at
// ±0, NaN below 0, +Inf at +Inf; denormal inputs are exact powers of two
// apart from normal ones and keep the bound. dst must be at least as long as
// src (it panics otherwise).
//
// The method is Cephes' logf: x = m·2ᵉ with m in [√½, √2), ln m by a
// degree-9 polynomial in m−1, plus e·ln2 in two parts.
func Log32(dst, src []float32) {
	_ = dst[:len(src)]
	map32(opLog, dst, src)
}

// Tanh32 sets dst[i] = tanh x of x = src[i], for every i < len(src) (−0 stays
// −0; ±1 from |x| ≥ 9.01). dst must be at least as long as src (it panics
// otherwise).
//
// Below |x| = 0.625 it is Cephes' tanhf polynomial x + x³·P(x²); above,
// 1 − 2/(e²ˣ + 1) with Exp32, and the sign of x.
func Tanh32(dst, src []float32) {
	_ = dst[:len(src)]
	map32(opTanh, dst, src)
}

// Sigmoid32 sets dst[i] = 1/(1 + e⁻ˣ) of x = src[i], for every i < len(src),
// as 1/(1 + e) for x ≥ 0 and e/(1 + e) below, e = e^(−|x|) from Exp32: no
// overflow, and tiny results for large negative x keep their precision
// (denormals included). dst must be at least as long as src (it panics
// otherwise).
func Sigmoid32(dst, src []float32) {
	_ = dst[:len(src)]
	map32(opSigmoid, dst, src)
}

// Max32 returns the largest element of x (−Inf when x is empty), taking
// lane by lane v when !(m > v), as the MAXPS instruction does: a NaN is not
// sticky, so callers that need NaNs to show must get them another way (a
// softmax does: x − max is NaN there and poisons the sum).
func Max32(x []float32) float32 {
	var lanes [16]float32
	for i := range lanes {
		lanes[i] = float32(math.Inf(-1))
	}
	max32(x, &lanes)
	return reduceMax(&lanes)
}

// Sum32 returns the sum of x in float32, added in the fixed lane order of
// the package doc (0 when x is empty): ExpSum32's order, so exps computed
// apart (Exp32 of the same (x − m) − c) sum to ExpSum32's bits. Conv2d's
// bias gradient sums its gradient's planes with it, CrossEntropy's narrow
// rows their exps.
func Sum32(x []float32) float32 {
	var lanes [16]float32
	sum32(x, &lanes)
	return reduceSum(&lanes)
}

// MaxRows32 sets dst[i] to Max32 of row i of x, for len(dst) rows of c
// elements (x must hold them; it panics otherwise): the same bits. A row
// narrower than a block of 16 (a 10-class output) is folded straight from
// its lanes, without Max32's setup per row, which cost more than the row:
// Max32's first step, maxLane(−Inf, v), gives v whatever v is.
func MaxRows32(dst, x []float32, c int) {
	_ = x[:len(dst)*c]
	if c >= 16 || c == 0 {
		for i := range dst {
			dst[i] = Max32(x[i*c : (i+1)*c])
		}
		return
	}
	for i := range dst {
		l := negInfLanes
		copy(l[:c], x[i*c:(i+1)*c])
		dst[i] = reduceMax(&l)
	}
}

// SumRows32 sets dst[i] to Sum32 of row i of x, for len(dst) rows of c
// elements (x must hold them; it panics otherwise): the same bits, narrow
// rows added into their lanes here as MaxRows32 does.
func SumRows32(dst, x []float32, c int) {
	_ = x[:len(dst)*c]
	if c >= 16 {
		for i := range dst {
			dst[i] = Sum32(x[i*c : (i+1)*c])
		}
		return
	}
	for i := range dst {
		var l [16]float32
		for j, v := range x[i*c : (i+1)*c] {
			l[j] += v // 0 + v, as Sum32's lanes (−0 becomes +0)
		}
		dst[i] = reduceSum(&l)
	}
}

var negInfLanes = [16]float32{
	float32(math.Inf(-1)), float32(math.Inf(-1)), float32(math.Inf(-1)), float32(math.Inf(-1)),
	float32(math.Inf(-1)), float32(math.Inf(-1)), float32(math.Inf(-1)), float32(math.Inf(-1)),
	float32(math.Inf(-1)), float32(math.Inf(-1)), float32(math.Inf(-1)), float32(math.Inf(-1)),
	float32(math.Inf(-1)), float32(math.Inf(-1)), float32(math.Inf(-1)), float32(math.Inf(-1)),
}

// ExpSum32 sets dst[i] = e^y, y = (src[i] − m) − c (the subtractions
// rounded to float32, the exp as Exp32's), for every i < len(src), and
// returns their sum in float32, added in the fixed lane order of the package
// doc. dst must be at least as long as src (it panics otherwise). Softmax
// rows use it with m their maximum and c = 0; a log-softmax's backward with c
// the log of that sum, to get e^y of its output y = (x − m) − c.
func ExpSum32(dst, src []float32, m, c float32) float32 {
	_ = dst[:len(src)]
	var lanes [16]float32
	expSum32(dst, src, m, c, &lanes)
	return reduceSum(&lanes)
}

// Scale32 sets dst[i] = src[i]·a for every i < len(src); dst must be at
// least as long as src (it panics otherwise).
func Scale32(dst, src []float32, a float32) {
	_ = dst[:len(src)]
	scale32(dst, src, a)
}

// maxLane is one lane's step of Max32: MAXPS's rule. It selects through a
// mask, without a branch: the folds of a row's lanes compare values in no
// predictable order.
func maxLane(m, v float32) float32 {
	var k uint32
	if m > v {
		k = ^uint32(0)
	}
	return math.Float32frombits(math.Float32bits(m)&k | math.Float32bits(v)&^k)
}

// reduceMax and reduceSum fold the 16 lanes pairwise, with maxLane and
// with addition: lane j with lane j+8, then j+4, j+2, j+1. They are written
// out: on rows of a few dozen floats (the attention weights' 64) a loop
// calling the fold through a function value cost as much as the row's
// vector loop.
func reduceMax(l *[16]float32) float32 {
	for j := 0; j < 8; j++ {
		l[j] = maxLane(l[j], l[j+8])
	}
	a, b := maxLane(l[0], l[4]), maxLane(l[1], l[5])
	c, d := maxLane(l[2], l[6]), maxLane(l[3], l[7])
	return maxLane(maxLane(a, c), maxLane(b, d))
}

func reduceSum(l *[16]float32) float32 {
	for j := 0; j < 8; j++ {
		l[j] += l[j+8]
	}
	a, b, c, d := l[0]+l[4], l[1]+l[5], l[2]+l[6], l[3]+l[7]
	return (a + c) + (b + d)
}

// Constants of the kernels, as float32 (the assembly's DATA holds the same
// bits: vmath_amd64.s).
const (
	expHi    = 89   // above: +Inf (eˣ overflows from 88.72284)
	expLo    = -104 // below: 0 (eˣ rounds to 0 below −103.97208)
	log2e    = 1.44269504088896341
	ln2Hi    = 0.693359375
	ln2Lo    = -2.12194440e-4
	expC6    = 1.9875691500e-4
	expC5    = 1.3981999507e-3
	expC4    = 8.3334519073e-3
	expC3    = 4.1665795894e-2
	expC2    = 1.6666665459e-1
	expC1    = 5.0000001201e-1
	expBias  = 127
	sqrtHalf = 0.707106781186547524
	logC0    = 7.0376836292e-2
	logC1    = -1.1514610310e-1
	logC2    = 1.1676998740e-1
	logC3    = -1.2420140846e-1
	logC4    = 1.4249322787e-1
	logC5    = -1.6668057665e-1
	logC6    = 2.0000714765e-1
	logC7    = -2.4999993993e-1
	logC8    = 3.3333331174e-1
	tanhCut  = 0.625
	tanhC0   = -5.70498872745e-3
	tanhC1   = 2.06390887954e-2
	tanhC2   = -5.37397155531e-2
	tanhC3   = 1.33314422036e-1
	tanhC4   = -3.33332819422e-1
	signBit  = 0x80000000
	quietBit = 0x00400000
)

// fma32 returns a·b + c rounded once to float32, as the FMA instructions do.
// The product of two float32s is exact in float64; the float64 sum is rounded
// to odd (moved one ulp toward the exact sum when inexact and even), so that
// rounding it to float32 rounds once.
func fma32(a, b, c float32) float32 {
	p := float64(a) * float64(b)
	s := p + float64(c)
	v := s - p
	e := (p - (s - v)) + (float64(c) - v) // s's rounding error, exactly (TwoSum)
	if bits := math.Float64bits(s); (e > 0 || e < 0) && bits&1 == 0 {
		if (e > 0) == (s > 0) {
			bits++
		} else {
			bits--
		}
		s = math.Float64frombits(bits)
	}
	return float32(s)
}

// quiet returns the NaN x with its quiet bit set, as arithmetic on it does.
func quiet(x float32) float32 { return math.Float32frombits(math.Float32bits(x) | quietBit) }

func exp1(x float32) float32 {
	if x != x {
		return quiet(x)
	}
	x = min(max(x, expLo), expHi)
	n := float32(math.RoundToEven(float64(x * log2e)))
	r := fma32(-n, ln2Hi, x)
	r = fma32(-n, ln2Lo, r)
	p := fma32(expC6, r, expC5)
	p = fma32(p, r, expC4)
	p = fma32(p, r, expC3)
	p = fma32(p, r, expC2)
	p = fma32(p, r, expC1)
	p = fma32(p, r*r, r) + 1
	ni := int32(n)
	n1 := ni >> 1
	n2 := ni - n1
	p *= math.Float32frombits(uint32(n1+expBias) << 23)
	return p * math.Float32frombits(uint32(n2+expBias)<<23)
}

func log1(x float32) float32 {
	switch {
	case x != x || x > math.MaxFloat32:
		return x
	case x == 0:
		return float32(math.Inf(-1))
	case x < 0:
		return math.Float32frombits(0x7fc00000)
	}
	var e float32
	if x < 0x1p-126 { // denormal: scale into the normal range
		x *= 0x1p23
		e = -23
	}
	b := math.Float32bits(x)
	e += float32(int32(b>>23) - 126)
	m := math.Float32frombits(b&0x007fffff | 0x3f000000) // x = m·2ᵉ, m in [½, 1)
	if m < sqrtHalf {
		e--
		m += m
	}
	m--
	z := m * m
	p := fma32(logC0, m, logC1)
	p = fma32(p, m, logC2)
	p = fma32(p, m, logC3)
	p = fma32(p, m, logC4)
	p = fma32(p, m, logC5)
	p = fma32(p, m, logC6)
	p = fma32(p, m, logC7)
	p = fma32(p, m, logC8)
	y := p * m * z
	y = fma32(e, ln2Lo, y)
	y = fma32(z, -0.5, y)
	y = m + y
	return fma32(e, ln2Hi, y)
}

func tanh1(x float32) float32 {
	if x != x {
		return quiet(x)
	}
	a := math.Float32frombits(math.Float32bits(x) &^ signBit)
	var y float32
	if a < tanhCut {
		z := a * a
		p := fma32(tanhC0, z, tanhC1)
		p = fma32(p, z, tanhC2)
		p = fma32(p, z, tanhC3)
		p = fma32(p, z, tanhC4)
		y = fma32(p*z, a, a)
	} else {
		y = 1 - 2/(exp1(a+a)+1)
	}
	return math.Float32frombits(math.Float32bits(y) | math.Float32bits(x)&signBit)
}

func sigmoid1(x float32) float32 {
	if x != x {
		return quiet(math.Float32frombits(math.Float32bits(x) | signBit))
	}
	e := exp1(math.Float32frombits(math.Float32bits(x) | signBit)) // e^(−|x|)
	num := float32(1)
	if x < 0 {
		num = e
	}
	return num / (e + 1)
}

func exp32Go(dst, src []float32) {
	dst = dst[:len(src)]
	for i, x := range src {
		dst[i] = exp1(x)
	}
}

func log32Go(dst, src []float32) {
	dst = dst[:len(src)]
	for i, x := range src {
		dst[i] = log1(x)
	}
}

func tanh32Go(dst, src []float32) {
	dst = dst[:len(src)]
	for i, x := range src {
		dst[i] = tanh1(x)
	}
}

func sigmoid32Go(dst, src []float32) {
	dst = dst[:len(src)]
	for i, x := range src {
		dst[i] = sigmoid1(x)
	}
}

// max32Go, expSum32Go and scale32Go start at element 0 of lane 0; the
// assembly does whole blocks of 16 and hands them the rest (off is the index
// of src[0] in the slice, for the lane).
func max32Go(x []float32, l *[16]float32) { maxFrom(0, x, l) }

func sum32Go(x []float32, l *[16]float32) { sumFrom(0, x, l) }

func sumFrom(off int, x []float32, l *[16]float32) {
	for i, v := range x {
		l[(off+i)%16] += v
	}
}

func maxFrom(off int, x []float32, l *[16]float32) {
	for i, v := range x {
		l[(off+i)%16] = maxLane(l[(off+i)%16], v)
	}
}

func expSum32Go(dst, src []float32, m, c float32, l *[16]float32) {
	expSumFrom(0, dst, src, m, c, l)
}

func expSumFrom(off int, dst, src []float32, m, c float32, l *[16]float32) {
	dst = dst[:len(src)]
	for i, v := range src {
		e := exp1((v - m) - c)
		dst[i] = e
		l[(off+i)%16] += e
	}
}

func scale32Go(dst, src []float32, a float32) {
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] = v * a
	}
}
