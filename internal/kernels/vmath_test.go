package kernels

import (
	"flag"
	"fmt"
	"math"
	"math/rand"
	"testing"
)

type vmathFunc struct {
	name  string
	f     func(dst, src []float32)
	ref   func(float64) float64
	bound float64
}

// vmathFuncs are the kernels of vmath.go with their float64 references and
// the bound in ulp the package doc states.
var vmathFuncs = []vmathFunc{
	{"Exp32", Exp32, math.Exp, 1.02},
	{"Log32", Log32, math.Log, 0.83},
	{"Tanh32", Tanh32, math.Tanh, 1.34},
	{"Sigmoid32", Sigmoid32, func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }, 2.41},
	{"GELU32", GELU32, func(x float64) float64 { return x * 0.5 * math.Erfc(-x/math.Sqrt2) }, 7.77},
	// the activations of act.go, with α = 1 and β = 1: their own error, without the rounding of the product or quotient
	{"ELU32", func(dst, src []float32) { ELU32(dst, src, 1) }, func(x float64) float64 {
		if x > 0 {
			return x
		}
		return math.Expm1(x)
	}, 1.32},
	{"Softplus32", func(dst, src []float32) { Softplus32(dst, src, 1, 20) }, func(x float64) float64 {
		if x > 20 {
			return x
		}
		return max(x, 0) + math.Log1p(math.Exp(-math.Abs(x)))
	}, 2.82},
}

// ulpErr is the error of got against the exact want in units of the last
// place of want rounded to float32 (2⁻¹⁴⁹ in the denormal range). Where want
// rounds to ±Inf or is NaN, got must be that exactly (else the error is +Inf).
func ulpErr(got float32, want float64) float64 {
	w := float32(want)
	if w != w || math.IsInf(float64(w), 0) {
		if got == w || (got != got && w != w) {
			return 0
		}
		return math.Inf(1)
	}
	if got != got {
		return math.Inf(1)
	}
	ulp := 0x1p-149
	if a := math.Abs(float64(w)); a >= 0x1p-126 {
		_, e := math.Frexp(a) // a = f·2ᵉ, f in [½, 1)
		ulp = math.Ldexp(1, e-24)
	}
	return math.Abs(float64(got)-want) / ulp
}

// vmathSpecials are the inputs every kernel is checked on besides the stride.
var vmathSpecials = func() []float32 {
	bits := []uint32{
		0, 0x80000000, 1, 0x80000001, 0x007fffff, 0x807fffff, 0x00800000, 0x80800000, // ±0, denormals, smallest normals
		0x7f7fffff, 0xff7fffff, 0x7f800000, 0xff800000, // largest, ±Inf
		0x7fc00000, 0xffc00000, 0x7f800001, 0x7fa00005, 0xffc00123, // NaNs: quiet, signaling, with payloads
	}
	var s []float32
	for _, b := range bits {
		s = append(s, math.Float32frombits(b))
	}
	// The edges where results overflow, turn denormal, underflow and change
	// method, and one float32 either side.
	for _, x := range []float32{88.72283, 88.72284, 89, -87.33654, -103.97207, -103.97208, -104, 0.625, -0.625, 9.01, -9.01, 44.36142, -44.36142, 1, -1, 0.70710677, 1.4142135} {
		s = append(s, x, math.Nextafter32(x, float32(math.Inf(1))), math.Nextafter32(x, float32(math.Inf(-1))))
	}
	return s
}()

var vmathAll = flag.Bool("vmath.all", false, "TestVmath: every float32 input on the widest path, not every 61st (minutes)")

// TestVmath checks Exp32, Log32, Tanh32 and Sigmoid32 on every path this
// machine runs: against float64 math, within the documented bound, on every
// 61st float32 bit pattern (both signs, every exponent, denormals, ±Inf,
// NaNs: 70 million inputs; the slower Go path on every 7th of them; every
// 3001st with -short; all of them, on the widest path only, with
// -vmath.all) and on the specials; and each path against the widest, bit for
// bit (NaN payloads included), in chunks whose lengths leave a tail.
func TestVmath(t *testing.T) {
	stride, lowest := uint64(61), 0
	if *vmathAll {
		stride, lowest = 1, len(paths)-1 // the widest path; the stride shows the others agree
	}
	if testing.Short() {
		stride = 3001
	}
	saved := kernelName
	defer func() {
		for _, p := range paths {
			if p.name == saved {
				p.install()
			}
		}
	}()
	for _, fn := range vmathFuncs {
		t.Run(fn.name, func(t *testing.T) { checkVmath(t, fn, stride, lowest) })
	}
}

// checkVmath is TestVmath for one function, on paths[lowest:].
func checkVmath(t *testing.T, fn vmathFunc, stride uint64, lowest int) {
	const chunk = 4099 // 16·256 + 3
	src := make([]float32, 0, chunk)
	want := make([]float64, chunk)
	goSub := make([]float32, chunk)
	outs := make([][]float32, len(paths))
	for i := range outs {
		outs[i] = make([]float32, chunk)
	}
	worst := make([]float64, len(paths))
	worstX := make([]float32, len(paths))
	check := func(src []float32) {
		for i, x := range src {
			want[i] = fn.ref(float64(x))
		}
		for pi := len(paths) - 1; pi >= lowest; pi-- {
			p := paths[pi]
			p.install()
			in, every := src, 1
			if p.name == "go" && len(paths) > 1 && len(src) == chunk {
				// the Go loop is slower: every 7th input of the chunk
				in, every = goSub[:0], 7
				for i := 0; i < len(src); i += every {
					in = append(in, src[i])
				}
			}
			out := outs[pi][:len(in)]
			fn.f(out, in)
			widest := outs[len(paths)-1]
			for j, x := range in {
				i := j * every
				if e := ulpErr(out[j], want[i]); e > worst[pi] || e != e {
					worst[pi], worstX[pi] = e, x
				}
				if g, w := math.Float32bits(out[j]), math.Float32bits(widest[i]); g != w {
					t.Fatalf("%s on %s: input %v (bits %#x) gives bits %#x, the %s path %#x", fn.name, p.name, x, math.Float32bits(x), g, paths[len(paths)-1].name, w)
				}
			}
		}
	}
	for b := uint64(0); b < 1<<32; {
		src = src[:0]
		for ; len(src) < chunk && b < 1<<32; b += stride {
			src = append(src, math.Float32frombits(uint32(b)))
		}
		check(src)
	}
	check(vmathSpecials)
	for pi := lowest; pi < len(paths); pi++ {
		p := paths[pi]
		if worst[pi] > fn.bound {
			x := worstX[pi]
			t.Errorf("%s on %s: %v (bits %#x) is %.3f ulp from %v, more than the documented %v", fn.name, p.name, x, math.Float32bits(x), worst[pi], fn.ref(float64(x)), fn.bound)
		}
		t.Logf("%s on %s: largest error %.3f ulp (at %v)", fn.name, p.name, worst[pi], worstX[pi])
	}
}

// TestVmathExact checks the values the documentation names exactly, on
// every path, in place (dst = src).
func TestVmathExact(t *testing.T) {
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	negZero := float32(math.Copysign(0, -1))
	cases := []struct {
		f       func(dst, src []float32)
		name    string
		x, want float32
	}{
		{Exp32, "Exp32", 0, 1}, {Exp32, "Exp32", negZero, 1}, {Exp32, "Exp32", inf, inf}, {Exp32, "Exp32", -inf, 0},
		{Exp32, "Exp32", 88.72284, inf}, {Exp32, "Exp32", 89, inf}, {Exp32, "Exp32", -104, 0},
		{Exp32, "Exp32", -103.9, math.Float32frombits(1)}, {Exp32, "Exp32", math.Float32frombits(1), 1},
		{Log32, "Log32", 1, 0}, {Log32, "Log32", 0, -inf}, {Log32, "Log32", negZero, -inf}, {Log32, "Log32", inf, inf},
		{Log32, "Log32", -1, nan}, {Log32, "Log32", -inf, nan}, {Log32, "Log32", 0x1p-149, -103.27893}, {Log32, "Log32", 0x1p-130, -90.10913},
		{Tanh32, "Tanh32", 0, 0}, {Tanh32, "Tanh32", negZero, negZero}, {Tanh32, "Tanh32", inf, 1}, {Tanh32, "Tanh32", -inf, -1},
		{Tanh32, "Tanh32", 9.1, 1}, {Tanh32, "Tanh32", -20, -1}, {Tanh32, "Tanh32", 1e-30, 1e-30}, {Tanh32, "Tanh32", -1e-40, -1e-40},
		{Sigmoid32, "Sigmoid32", 0, 0.5}, {Sigmoid32, "Sigmoid32", negZero, 0.5}, {Sigmoid32, "Sigmoid32", inf, 1}, {Sigmoid32, "Sigmoid32", -inf, 0},
		{Sigmoid32, "Sigmoid32", 20, 1}, {Sigmoid32, "Sigmoid32", -104, 0}, {Sigmoid32, "Sigmoid32", -103.9, math.Float32frombits(1)},
	}
	kernels(t, func(t *testing.T) {
		for _, c := range cases {
			// a whole vector's worth, so that the assembly does it too
			buf := make([]float32, 17)
			for i := range buf {
				buf[i] = c.x
			}
			c.f(buf, buf)
			for i, got := range buf {
				if math.Float32bits(got) != math.Float32bits(c.want) && !(got != got && c.want != c.want) {
					t.Fatalf("%s(%v) = %v (bits %#x) at position %d, want %v", c.name, c.x, got, math.Float32bits(got), i, c.want)
				}
			}
		}
	})
}

// TestMaxExpSumScale checks Max32, ExpSum32 and Scale32 on every path, at
// lengths around the 16-element blocks: Max32 against the plain maximum (and
// the lane rule where NaNs are present), ExpSum32's elements against Exp32
// and its sum (and Sum32 of Exp32's values) against the lane-order sum
// written out here and the float64 sum, Scale32 against Go's product; each path against the Go path bit for
// bit.
func TestMaxExpSumScale(t *testing.T) {
	lengths := []int{0, 1, 7, 15, 16, 17, 31, 32, 33, 100, 1000}
	type result struct {
		max, sum float32
		e, s     []float32
	}
	results := map[string][]result{}
	kernels(t, func(t *testing.T) {
		r := rand.New(rand.NewSource(12))
		var got []result
		for _, n := range lengths {
			for _, withNaN := range []bool{false, true} {
				x := make([]float32, n)
				for i := range x {
					x[i] = float32(r.NormFloat64() * 10)
				}
				if withNaN && n > 0 {
					x[r.Intn(n)] = float32(math.NaN())
				}
				// Max32: lane i%16 takes v unless it holds more, then lanes fold.
				var lanes [16]float32
				for i := range lanes {
					lanes[i] = float32(math.Inf(-1))
				}
				for i, v := range x {
					if !(lanes[i%16] > v) {
						lanes[i%16] = v
					}
				}
				for h := 8; h >= 1; h /= 2 {
					for j := 0; j < h; j++ {
						if !(lanes[j] > lanes[j+h]) {
							lanes[j] = lanes[j+h]
						}
					}
				}
				m := Max32(x)
				if math.Float32bits(m) != math.Float32bits(lanes[0]) && !(m != m && lanes[0] != lanes[0]) {
					t.Fatalf("n=%d: Max32 = %v, the lane rule gives %v", n, m, lanes[0])
				}
				if !withNaN {
					plain := float32(math.Inf(-1))
					for _, v := range x {
						plain = max(plain, v)
					}
					if m != plain {
						t.Fatalf("n=%d: Max32 = %v, want %v", n, m, plain)
					}
				}
				if withNaN {
					continue
				}
				m, c := float32(3.25), float32(-0.7)
				e := make([]float32, n+1)
				e[n] = 7 // past the end stays
				sum := ExpSum32(e[:n], x, m, c)
				var sl [16]float32
				var sum64 float64
				exps := make([]float32, n)
				for i, v := range x {
					want := []float32{(v - m) - c}
					Exp32(want, want)
					if e[i] != want[0] {
						t.Fatalf("n=%d: ExpSum32 element %d is %v, Exp32 gives %v", n, i, e[i], want[0])
					}
					exps[i] = want[0]
					sl[i%16] += want[0]
					sum64 += math.Exp(float64(v) - float64(m) - float64(c))
				}
				for h := 8; h >= 1; h /= 2 {
					for j := 0; j < h; j++ {
						sl[j] += sl[j+h]
					}
				}
				if sum != sl[0] {
					t.Fatalf("n=%d: ExpSum32 sum is %v, the lane order gives %v", n, sum, sl[0])
				}
				if ls := Sum32(exps); ls != sl[0] {
					t.Fatalf("n=%d: Sum32 of Exp32's values is %v, the lane order gives %v", n, ls, sl[0])
				}
				if math.Abs(float64(sum)-sum64) > 1e-6*float64(n)*sum64 {
					t.Fatalf("n=%d: ExpSum32 sum is %v, float64 gives %v", n, sum, sum64)
				}
				if e[n] != 7 {
					t.Fatalf("n=%d: ExpSum32 wrote past the end", n)
				}
				s := make([]float32, n+1)
				s[n] = 7
				Scale32(s[:n], x, -0.3)
				for i, v := range x {
					if s[i] != v*-0.3 {
						t.Fatalf("n=%d: Scale32 element %d is %v, want %v", n, i, s[i], v*-0.3)
					}
				}
				if s[n] != 7 {
					t.Fatalf("n=%d: Scale32 wrote past the end", n)
				}
				got = append(got, result{m, sum, e, s})
			}
		}
		// shifts of −Inf and NaN, with a tail
		x := randSlice[float32](r, 21)
		for _, sh := range [][2]float32{{float32(math.Inf(-1)), 0}, {0, float32(math.Inf(-1))}, {float32(math.NaN()), 0}, {float32(math.Inf(1)), 1}} {
			e := make([]float32, len(x))
			sum := ExpSum32(e, x, sh[0], sh[1])
			got = append(got, result{sum: sum, e: e})
		}
		results[kernelName] = got
		if goRes, ok := results["go"]; ok && kernelName != "go" {
			same := func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }
			for i := range got {
				if !same(got[i].sum, goRes[i].sum) || !same(got[i].max, goRes[i].max) {
					t.Fatalf("case %d: %v, the Go path gives %v", i, fmt.Sprint(got[i].max, got[i].sum), fmt.Sprint(goRes[i].max, goRes[i].sum))
				}
				for j := range got[i].e {
					if !same(got[i].e[j], goRes[i].e[j]) {
						t.Fatalf("case %d: element %d is %v, the Go path gives %v", i, j, got[i].e[j], goRes[i].e[j])
					}
				}
			}
		}
	})
}

// TestVmathAllocs checks that the kernels allocate nothing, on every path, at
// lengths with and without a tail: a softmax calls Max32 and ExpSum32 once a
// row, and a lane array or tail block that escaped to the heap cost two
// allocations a row.
func TestVmathAllocs(t *testing.T) {
	if raceBuild {
		t.Skip("the race detector allocates on its own")
	}
	kernels(t, func(t *testing.T) {
		for _, n := range []int{5, 16, 37} {
			x := randSlice[float32](rand.New(rand.NewSource(int64(n))), n)
			dst := make([]float32, n)
			for _, c := range []struct {
				name string
				f    func()
			}{
				{"Max32", func() { Max32(x) }},
				{"ExpSum32", func() { ExpSum32(dst, x, 1, 0) }},
				{"ExpSum32 with m = −Inf", func() { ExpSum32(dst, x, float32(math.Inf(-1)), 0) }},
				{"Scale32", func() { Scale32(dst, x, 2) }},
				{"Exp32", func() { Exp32(dst, x) }},
				{"Log32", func() { Log32(dst, x) }},
				{"Tanh32", func() { Tanh32(dst, x) }},
				{"Sigmoid32", func() { Sigmoid32(dst, x) }},
				{"GELU32", func() { GELU32(dst, x) }},
				{"GELUGrad32", func() { GELUGrad32(dst, x, x) }},
				{"ELU32", func() { ELU32(dst, x, 0.7) }},
				{"Softplus32", func() { Softplus32(dst, x, 2, 5) }},
			} {
				if a := testing.AllocsPerRun(20, c.f); a != 0 {
					t.Errorf("%s of %d elements: %v allocations, want 0", c.name, n, a)
				}
			}
		}
	})
}

// TestGELUGrad32 checks GELUGrad32 against Φ(x) + x·φ(x) in float64 (the
// limits 0 and 1 at ±Inf) on every 427th float32 input (every 3001st with
// -short) and the specials, in place, with a random g: within 2⁻²¹·|g|
// absolute, and outside [−1.25, −0.25], around the root near −0.75 where the
// terms cancel, within 9 ulp of the exact product; and on every path bit for
// bit as on the first (Go).
func TestGELUGrad32(t *testing.T) {
	stride := uint32(427) // TestVmath covers normTail, which GELU32 shares, 7 times as densely
	if testing.Short() {
		stride = 3001
	}
	var xs []float32
	for b := uint64(0); b < 1<<32; b += uint64(stride) {
		xs = append(xs, math.Float32frombits(uint32(b)))
	}
	xs = append(xs, vmathSpecials...)
	r := rand.New(rand.NewSource(3))
	g := make([]float32, len(xs))
	for i := range g {
		g[i] = float32(r.NormFloat64())
	}
	g[0] = 1
	var first []float32
	kernels(t, func(t *testing.T) {
		got := make([]float32, len(xs))
		copy(got, g)
		GELUGrad32(got, got, xs) // in place: dst = g
		var worstAbs, worstULP float64
		var worstAbsX, worstULPX float32
		for i, x := range xs {
			v := float64(x)
			d := 0.5*math.Erfc(-v/math.Sqrt2) + v*math.Exp(-v*v/2)/math.Sqrt(2*math.Pi)
			if math.IsInf(v, 0) {
				d = 0.5 * math.Erfc(-v/math.Sqrt2) // x·φ(x) → 0
			}
			want := float64(g[i]) * d
			if x != x {
				if got[i] == got[i] {
					t.Fatalf("GELUGrad32(%v) = %v, want NaN", x, got[i])
				}
				continue
			}
			abs := math.Abs(float64(got[i])-want) / math.Abs(float64(g[i]))
			if abs > worstAbs {
				worstAbs, worstAbsX = abs, x
			}
			if math.Abs(v+0.75) > 0.5 {
				if e := ulpErr(got[i], want); e > worstULP {
					worstULP, worstULPX = e, x
				}
			}
		}
		if worstAbs > 0x1p-21 || worstULP > 9 {
			t.Errorf("GELUGrad32: error %g (at %v) absolute, %.2f ulp away from the root (at %v); want at most 2⁻²¹ and 9", worstAbs, worstAbsX, worstULP, worstULPX)
		}
		t.Logf("largest error %g absolute (at %v), %.2f ulp away from the root (at %v)", worstAbs, worstAbsX, worstULP, worstULPX)
		if first == nil {
			first = got
			return
		}
		for i := range got {
			if math.Float32bits(got[i]) != math.Float32bits(first[i]) {
				t.Fatalf("GELUGrad32(%v) on %s is %v, on %s %v", xs[i], kernelName, got[i], paths[0].name, first[i])
			}
		}
	})
}

// TestGELULengths checks GELU32 and GELUGrad32 on every path at lengths
// around the 8- and 16-lane blocks, on inputs of both signs with ±0, ±Inf,
// NaNs with payloads (in x, in g, in both) and the branch edges ±12 and
// −20 among them: each element the same bits as the Go path's per-element
// functions give it (a NaN x gives x quiet; a NaN g gives g quiet, also
// when x is NaN), nothing written past the end, and in place (dst = src,
// dst = g) the same.
func TestGELULengths(t *testing.T) {
	nan := func(b uint32) float32 { return math.Float32frombits(b) }
	special := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)),
		nan(0x7fa00005), nan(0xffc00123), 12, -12, math.Nextafter32(-12, 0), math.Nextafter32(12, 0), -20, -25, 25, -0.75}
	r := rand.New(rand.NewSource(5))
	same := func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }
	kernels(t, func(t *testing.T) {
		for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 23, 31, 32, 33, 47, 100} {
			x, g := make([]float32, n), make([]float32, n)
			for i := range x {
				x[i] = float32(r.NormFloat64() * 5)
				g[i] = float32(r.NormFloat64())
				if r.Intn(3) == 0 {
					x[i] = special[r.Intn(len(special))]
				}
				if r.Intn(8) == 0 {
					g[i] = nan(0x7f800000 | uint32(1+r.Intn(1<<22)))
				}
			}
			dst := make([]float32, n+1)
			dst[n] = 7
			GELU32(dst[:n], x)
			for i, v := range x {
				want := gelu1(v)
				if v != v && !same(want, quiet(v)) {
					t.Fatalf("gelu1(%#x) = %#x, want x quiet", math.Float32bits(v), math.Float32bits(want))
				}
				if !same(dst[i], want) {
					t.Fatalf("n=%d: GELU32(%v) = %v (bits %#x), the Go path %v (bits %#x)", n, v, dst[i], math.Float32bits(dst[i]), want, math.Float32bits(want))
				}
			}
			in := append([]float32(nil), x...)
			GELU32(in, in)
			for i := range in {
				if !same(in[i], dst[i]) {
					t.Fatalf("n=%d: GELU32 in place gives %v at %d, not %v", n, in[i], i, dst[i])
				}
			}
			GELUGrad32(dst[:n], g, x)
			for i, v := range x {
				want := g[i] * geluDeriv1(v)
				switch {
				case g[i] != g[i]:
					want = quiet(g[i])
				case v != v:
					want = quiet(v)
				}
				if !same(dst[i], want) {
					t.Fatalf("n=%d: GELUGrad32(g=%v (bits %#x), x=%v (bits %#x)) = bits %#x, want %#x", n, g[i], math.Float32bits(g[i]), v, math.Float32bits(v), math.Float32bits(dst[i]), math.Float32bits(want))
				}
			}
			copy(in, g)
			GELUGrad32(in, in, x)
			for i := range in {
				if !same(in[i], dst[i]) {
					t.Fatalf("n=%d: GELUGrad32 in place gives %v at %d, not %v", n, in[i], i, dst[i])
				}
			}
			if dst[n] != 7 {
				t.Fatalf("n=%d: written past the end", n)
			}
		}
	})
}

// TestSum32 checks Sum32 on every path, at lengths around the 16-element
// blocks, bit for bit against the lane-order sum written out here (element
// i into lane i mod 16, lanes folded j+8, j+4, j+2, j+1 into j), and
// against the float64 sum within the float32 rounding bound.
func TestSum32(t *testing.T) {
	kernels(t, func(t *testing.T) {
		r := rand.New(rand.NewSource(13))
		for _, n := range []int{0, 1, 7, 15, 16, 17, 31, 32, 33, 100, 784, 1000} {
			x := make([]float32, n)
			var lanes [16]float32
			var sum64, abs64 float64
			for i := range x {
				x[i] = float32(r.NormFloat64() * 10)
				lanes[i%16] += x[i]
				sum64 += float64(x[i])
				abs64 += math.Abs(float64(x[i]))
			}
			for h := 8; h >= 1; h /= 2 {
				for j := 0; j < h; j++ {
					lanes[j] += lanes[j+h]
				}
			}
			got := Sum32(x)
			if math.Float32bits(got) != math.Float32bits(lanes[0]) {
				t.Fatalf("%s n=%d: Sum32 = %v, the lane order gives %v", Kernel(), n, got, lanes[0])
			}
			if bound := float64(n) * 0x1p-24 * abs64; math.Abs(float64(got)-sum64) > bound {
				t.Fatalf("%s n=%d: Sum32 = %v, float64 sum %v (bound %g)", Kernel(), n, got, sum64, bound)
			}
		}
	})
}

// TestMaxSumRows32 checks MaxRows32 and SumRows32 against Max32 and Sum32 of
// each row, bit for bit, on every path, for row widths on both sides of the
// 16-lane block: rows of random values with zeros of both signs, subnormals,
// ±Inf, a NaN in a different lane of each row (the lane folds keep or drop
// it by position), rows of −Inf only and of −0 only. The elements past the
// last row and past len(dst) are left alone.
func TestMaxSumRows32(t *testing.T) {
	kernels(t, func(t *testing.T) {
		r := rand.New(rand.NewSource(5))
		special := []float32{0, float32(math.Copysign(0, -1)), 1e-40, -1e-40, float32(math.Inf(1)), float32(math.Inf(-1))}
		for _, c := range []int{0, 1, 2, 3, 5, 8, 9, 10, 15, 16, 17, 31, 32, 33} {
			const rows = 37
			x := make([]float32, rows*c+3)
			for i := range x {
				x[i] = float32(r.NormFloat64() * 5)
				if r.Intn(4) == 0 {
					x[i] = special[r.Intn(len(special))]
				}
			}
			for i := 0; i < rows && c > 0; i++ {
				switch i % 5 {
				case 0:
					x[i*c+i%c] = float32(math.NaN())
				case 1:
					for j := 0; j < c; j++ {
						x[i*c+j] = float32(math.Inf(-1))
					}
				case 2:
					for j := 0; j < c; j++ {
						x[i*c+j] = float32(math.Copysign(0, -1))
					}
				}
			}
			for _, f := range []struct {
				name string
				rows func(dst, x []float32, c int)
				row  func(x []float32) float32
			}{{"MaxRows32", MaxRows32, Max32}, {"SumRows32", SumRows32, Sum32}} {
				dst := make([]float32, rows+1)
				dst[rows] = 42
				f.rows(dst[:rows], x, c)
				for i := 0; i < rows; i++ {
					want := f.row(x[i*c : (i+1)*c])
					if math.Float32bits(dst[i]) != math.Float32bits(want) {
						t.Fatalf("c=%d: %s row %d is %v (bits %#x), the row alone gives %v (bits %#x)", c, f.name, i, dst[i], math.Float32bits(dst[i]), want, math.Float32bits(want))
					}
				}
				if dst[rows] != 42 {
					t.Fatalf("c=%d: %s wrote past len(dst)", c, f.name)
				}
			}
		}
	})
}

// TestMax32Lanes checks Max32 and MaxRows32 on every path, bit for bit,
// against the package doc's definition written out here: element i taken
// into lane i mod 16 by MAXPS's rule (m > v ? m : v, m the lane), the lanes
// folded with the same rule, lane j with lane j+8, then j+4, j+2, j+1, on
// rows made of +0, −0, NaN, ±1 and ±Inf only, where the rule and the order
// decide which zero or whether a NaN comes out (a plain maximum cannot
// tell them apart).
func TestMax32Lanes(t *testing.T) { kernels(t, testMax32Lanes) }

func testMax32Lanes(t *testing.T) {
	r := rand.New(rand.NewSource(21))
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	vals := []float32{0, float32(math.Copysign(0, -1)), nan, 1, -1, inf, -inf}
	maxps := func(m, v float32) float32 {
		if m > v {
			return m
		}
		return v
	}
	ref := func(x []float32) float32 {
		var l [16]float32
		for i := range l {
			l[i] = -inf
		}
		for i, v := range x {
			l[i%16] = maxps(l[i%16], v)
		}
		for _, h := range []int{8, 4, 2, 1} {
			for j := 0; j < h; j++ {
				l[j] = maxps(l[j], l[j+h])
			}
		}
		return l[0]
	}
	for n := 1; n <= 40; n++ {
		for trial := 0; trial < 50; trial++ {
			x := make([]float32, n)
			for i := range x {
				x[i] = vals[r.Intn(2)] // mostly zeros of both signs
				if r.Intn(4) == 0 {
					x[i] = vals[2+r.Intn(len(vals)-2)]
				}
			}
			want := ref(x)
			if got := Max32(x); math.Float32bits(got) != math.Float32bits(want) && !(got != got && want != want) {
				t.Fatalf("%s: Max32(%v) = %v (bits %#x), want %v (bits %#x)", Kernel(), x, got, math.Float32bits(got), want, math.Float32bits(want))
			}
			var rows [1]float32
			if MaxRows32(rows[:], x, n); math.Float32bits(rows[0]) != math.Float32bits(want) && !(rows[0] != rows[0] && want != want) {
				t.Fatalf("%s: MaxRows32 of %v = %v (bits %#x), want %v (bits %#x)", Kernel(), x, rows[0], math.Float32bits(rows[0]), want, math.Float32bits(want))
			}
		}
	}
}
