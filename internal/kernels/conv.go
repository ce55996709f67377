package kernels

// Direct convolution loops for layers with few kernel taps (a first layer:
// one input channel, 3×3, i.e. 9 taps), where im2col + GEMM spends more on
// unrolling, packing and a product 9 deep than on the multiply-adds. A tap t
// of a stride-1 convolution reads the zero-padded input planes pad from
// taps[t] on: output row y, column j of an output channel takes Σ over taps
// of its weight times pad[taps[t] + y·wp + j], wp the padded row's length.
var (
	convRows   = convRowsGo
	dotRows    = dotRowsGo
	directConv = false // the loops are vectorized (AVX2, AVX-512): Conv2d takes them
)

// DirectConv reports whether ConvRows32 and DotRows32 run vectorized (AVX2
// or AVX-512), so that a convolution with few taps is faster with them than
// with im2col and a GEMM.
func DirectConv() bool { return directConv }

// ConvRows32 computes ocg = len(w)/len(taps) output planes of a stride-1
// convolution over padded planes: out[oc·ldo + y·ow + j] = (Σ_t
// w[oc·K+t]·pad[taps[t] + y·wp + j]) + bias[oc] for y < oh, j < ow, K =
// len(taps), the sum a chain of fused multiply-adds from 0 in the order of
// the taps and the bias added last (as a GEMM with the bias as its starting
// matrix adds it), or no bias when bias is nil. It panics when a slice is
// too short.
func ConvRows32(out []float32, ldo int, pad []float32, wp int, taps []int, w []float32, oh, ow int, bias []float32) {
	k := len(taps)
	if k == 0 || oh <= 0 || ow <= 0 || len(w) < k {
		return
	}
	ocg := len(w) / k
	_ = out[(ocg-1)*ldo+oh*ow-1]
	for _, t := range taps {
		_ = pad[t+(oh-1)*wp+ow-1]
		if t < 0 {
			panic("kernels: ConvRows32: a negative tap")
		}
	}
	if bias != nil {
		_ = bias[ocg-1]
	}
	convRows(out, ldo, pad, wp, taps, w[:ocg*k], oh, ow, bias)
}

func convRowsGo(out []float32, ldo int, pad []float32, wp int, taps []int, w []float32, oh, ow int, bias []float32) {
	k := len(taps)
	for oc := 0; oc < len(w)/k; oc++ {
		for y := 0; y < oh; y++ {
			row := out[oc*ldo+y*ow:][:ow]
			for j := range row {
				var s float32
				for t, off := range taps {
					s = fma32(w[oc*k+t], pad[off+y*wp+j], s)
				}
				if bias != nil {
					s += bias[oc]
				}
				row[j] = s
			}
		}
	}
}

// DotRows32 sets dst[t] = Σ a[r·lda+j]·b[offs[t] + r·ldb+j] over r < rows,
// j < n, for each t < len(offs): a convolution's weight gradient for one
// output channel and its taps (a = the gradient's plane, b = the padded
// input, offs = where each tap reads it). Each sum is fused multiply-adds
// into 32 lanes (element j into lane j mod 32, rows in order), then the
// lanes added pairwise (j with j+16, then +8, +4, +2, +1): the same bits on
// every path. It panics when a slice is too short.
func DotRows32(dst, a []float32, lda int, b []float32, offs []int, ldb, rows, n int) {
	if rows <= 0 || n <= 0 {
		clear(dst[:len(offs)])
		return
	}
	_, _ = dst[:len(offs)], a[(rows-1)*lda+n-1]
	for _, off := range offs {
		_ = b[off+(rows-1)*ldb+n-1]
		if off < 0 {
			panic("kernels: DotRows32: a negative offset")
		}
	}
	dotRows(dst, a, lda, b, offs, ldb, rows, n)
}

func dotRowsGo(dst, a []float32, lda int, b []float32, offs []int, ldb, rows, n int) {
	for t, off := range offs {
		var l [32]float32
		for r := 0; r < rows; r++ {
			ar, br := a[r*lda:][:n], b[off+r*ldb:][:n]
			for j, v := range ar {
				l[j%32] = fma32(v, br[j], l[j%32])
			}
		}
		for h := 16; h >= 1; h /= 2 {
			for j := 0; j < h; j++ {
				l[j] += l[j+h]
			}
		}
		dst[t] = l[0]
	}
}
