package kernels

import (
	"math"
	"math/rand"
	"testing"
)

// TestConvRows32 checks every kernel set's ConvRows32 bit for bit against
// the definition written out here (fused multiply-adds from 0 in tap order,
// then the bias), with and without a bias, on rows around the 16- and
// 32-column blocks, and that it writes nothing else. The reference's fused
// multiply-add is math.FMA in float64 rounded to float32 (the product is
// exact in float64; the two roundings differ from one only for a sum
// within 2⁻⁵³ of a float32 halfway point, which random values do not hit).
func TestConvRows32(t *testing.T) { kernels(t, testConvRows32) }

func testConvRows32(t *testing.T) {
	r := rand.New(rand.NewSource(21))
	name := Kernel()
	for _, ow := range []int{1, 5, 14, 16, 17, 28, 31, 32, 33, 47, 64, 70} {
		for _, kc := range [][2]int{{1, 5}, {4, 4}, {9, 16}, {9, 10}, {2, 3}, {9, 7}} {
			k, ocg := kc[0], kc[1] // four channels at a time in the assembly, and a rest
			wp, oh := ow+2, 3
			pad := randSlice[float32](r, (oh+2)*wp+2)
			taps := make([]int, k)
			for i := range taps {
				taps[i] = r.Intn(2*wp + 3)
			}
			w := randSlice[float32](r, ocg*k)
			for _, withBias := range []bool{false, true} {
				var bias []float32
				if withBias {
					bias = randSlice[float32](r, ocg)
				}
				ldo := oh*ow + 3
				out := make([]float32, ocg*ldo)
				for i := range out {
					out[i] = 7
				}
				ConvRows32(out, ldo, pad, wp, taps, w, oh, ow, bias)
				for oc := 0; oc < ocg; oc++ {
					for i := 0; i < ldo; i++ {
						want := float32(7)
						if y, j := i/ow, i%ow; i < oh*ow {
							var s float32
							for t, off := range taps {
								s = float32(math.FMA(float64(w[oc*k+t]), float64(pad[off+y*wp+j]), float64(s)))
							}
							if withBias {
								s += bias[oc]
							}
							want = s
						}
						if got := out[oc*ldo+i]; math.Float32bits(got) != math.Float32bits(want) {
							t.Fatalf("%s ow=%d k=%d bias=%v: out[%d][%d] = %v, want %v", name, ow, k, withBias, oc, i, got, want)
						}
					}
				}
			}
		}
	}
}

// TestDotRows32 checks every kernel set's DotRows32 bit for bit against the
// lane order written out here (element j of a row into lane j mod 32 by a
// fused multiply-add, as in TestConvRows32, rows in order, then lanes
// folded j+16, +8, +4, +2, +1), and against the float64 sum within the
// float32 rounding bound, for 1 to 9 taps (four at a time in the assembly,
// and a rest).
func TestDotRows32(t *testing.T) { kernels(t, testDotRows32) }

func testDotRows32(t *testing.T) {
	r := rand.New(rand.NewSource(22))
	name := Kernel()
	for _, n := range []int{1, 7, 15, 16, 17, 28, 31, 32, 33, 64, 100} {
		for _, rows := range []int{1, 3, 28} {
			for _, taps := range []int{1, 3, 4, 5, 9} {
				lda, ldb := n+1, n+3
				a, b := randSlice[float32](r, rows*lda), randSlice[float32](r, rows*ldb+40)
				offs := make([]int, taps)
				for i := range offs {
					offs[i] = r.Intn(41)
				}
				dst := make([]float32, taps+1)
				dst[taps] = 7
				DotRows32(dst[:taps], a, lda, b, offs, ldb, rows, n)
				if dst[taps] != 7 {
					t.Fatalf("%s: wrote past dst", name)
				}
				for ti, off := range offs {
					var l [32]float32
					var sum64, abs64 float64
					for y := 0; y < rows; y++ {
						for j := 0; j < n; j++ {
							av, bv := a[y*lda+j], b[off+y*ldb+j]
							l[j%32] = float32(math.FMA(float64(av), float64(bv), float64(l[j%32])))
							sum64 += float64(av) * float64(bv)
							abs64 += math.Abs(float64(av) * float64(bv))
						}
					}
					for h := 16; h >= 1; h /= 2 {
						for j := 0; j < h; j++ {
							l[j] += l[j+h]
						}
					}
					got := dst[ti]
					if math.Float32bits(got) != math.Float32bits(l[0]) {
						t.Fatalf("%s n=%d rows=%d tap %d of %d: %v, the lane order gives %v", name, n, rows, ti, taps, got, l[0])
					}
					if bound := float64(rows*n+32) * 0x1p-24 * abs64; math.Abs(float64(got)-sum64) > bound {
						t.Fatalf("%s n=%d rows=%d tap %d: %v, float64 sum %v", name, n, rows, ti, got, sum64)
					}
				}
			}
		}
	}
}
