package kernels

// The direct convolution loops (conv_amd64.s): four output channels at a
// time, 32 (AVX-512) or 16 (AVX2) columns of a row at a time; four (two)
// taps of the weight gradient at a time, 32 columns at a time; the last
// block of a row masked.

//go:noescape
func convRows512(out *float32, ldo int, pad *float32, wp int, taps *int, k int, wt *float32, wstride, groups, oh, ow int, bias *float32)

//go:noescape
func dotRows512(dst, a *float32, lda int, b *float32, ldb int, offs *int, groups, rows, n int)

//go:noescape
func convRowsAVX(out *float32, ldo int, pad *float32, wp int, taps *int, k int, wt *float32, wstride, groups, oh, ow int, bias *float32, mask *int32)

//go:noescape
func dotRowsAVX(dst, a *float32, lda int, b *float32, ldb int, offs *int, groups, rows, n int, mask *int32)

// lastMask sets the first lanes of m, one per column of a row's last block
// of len(m) (n mod len(m) of them), to all ones and the others to 0.
func lastMask(m []int32, n int) {
	for i := range m {
		m[i] = 0
		if i < n%len(m) {
			m[i] = -1
		}
	}
}

// convRowsAsm512 transposes the weights so that four channels' weights of a
// tap are adjacent (zeros for the channels past ocg) and runs the assembly
// over the groups of four; a last group of fewer goes through a scratch
// output.
func convRowsAsm512(out []float32, ldo int, pad []float32, wp int, taps []int, w []float32, oh, ow int, bias []float32) {
	convRowsAsm(out, ldo, pad, wp, taps, w, oh, ow, bias, true)
}

func convRowsAsmAVX(out []float32, ldo int, pad []float32, wp int, taps []int, w []float32, oh, ow int, bias []float32) {
	convRowsAsm(out, ldo, pad, wp, taps, w, oh, ow, bias, false)
}

func convRowsAsm(out []float32, ldo int, pad []float32, wp int, taps []int, w []float32, oh, ow int, bias []float32, z bool) {
	var mask [16]int32
	lastMask(mask[:], ow)
	k := len(taps)
	ocg := len(w) / k
	g4 := (ocg + 3) / 4
	var buf [256]float32
	wt := buf[:]
	if 4*g4*k > len(buf) {
		wt = make([]float32, 4*g4*k)
	}
	wt = wt[:4*g4*k]
	clear(wt)
	for oc := 0; oc < ocg; oc++ {
		for t := 0; t < k; t++ {
			wt[t*4*g4+oc] = w[oc*k+t]
		}
	}
	var b *float32
	if bias != nil {
		b = &bias[0]
	}
	full := ocg / 4
	if full > 0 {
		if z {
			convRows512(&out[0], ldo, &pad[0], wp, &taps[0], k, &wt[0], 4*g4, full, oh, ow, b)
		} else {
			convRowsAVX(&out[0], ldo, &pad[0], wp, &taps[0], k, &wt[0], 4*g4, full, oh, ow, b, &mask[0])
		}
	}
	rest := ocg - 4*full
	if rest == 0 {
		return
	}
	// the last channels: four planes into scratch, the first rest kept
	scratch := make([]float32, 4*oh*ow)
	var bb [4]float32
	b = nil
	if bias != nil {
		copy(bb[:], bias[4*full:])
		b = &bb[0]
	}
	if z {
		convRows512(&scratch[0], oh*ow, &pad[0], wp, &taps[0], k, &wt[4*full], 4*g4, 1, oh, ow, b)
	} else {
		convRowsAVX(&scratch[0], oh*ow, &pad[0], wp, &taps[0], k, &wt[4*full], 4*g4, 1, oh, ow, b, &mask[0])
	}
	for i := 0; i < rest; i++ {
		copy(out[(4*full+i)*ldo:][:oh*ow], scratch[i*oh*ow:][:oh*ow])
	}
}

func dotRowsAsm512(dst, a []float32, lda int, b []float32, offs []int, ldb, rows, n int) {
	full := len(offs) / 4
	if full > 0 {
		dotRows512(&dst[0], &a[0], lda, &b[0], ldb, &offs[0], full, rows, n)
	}
	if rest := offs[4*full:]; len(rest) > 0 {
		var o [4]int
		var d [4]float32
		for i := range o {
			o[i] = rest[min(i, len(rest)-1)] // the last tap again: a valid offset
		}
		dotRows512(&d[0], &a[0], lda, &b[0], ldb, &o[0], 1, rows, n)
		copy(dst[4*full:len(offs)], d[:len(rest)])
	}
}

func dotRowsAsmAVX(dst, a []float32, lda int, b []float32, offs []int, ldb, rows, n int) {
	var mask [32]int32
	lastMask(mask[:], n)
	full := len(offs) / 2
	if full > 0 {
		dotRowsAVX(&dst[0], &a[0], lda, &b[0], ldb, &offs[0], full, rows, n, &mask[0])
	}
	if len(offs)%2 == 1 {
		o := [2]int{offs[len(offs)-1], offs[len(offs)-1]} // the last tap twice
		var d [2]float32
		dotRowsAVX(&d[0], &a[0], lda, &b[0], ldb, &o[0], 1, rows, n, &mask[0])
		dst[len(offs)-1] = d[0]
	}
}
