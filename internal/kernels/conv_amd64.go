package kernels

// The direct convolution loops in AVX-512 (conv_amd64.s): four output
// channels (or four taps) at a time, 32 columns of a row at a time, the
// last block masked.

//go:noescape
func convRows512(out *float32, ldo int, pad *float32, wp int, taps *int, k int, wt *float32, wstride, groups, oh, ow int, bias *float32)

//go:noescape
func dotRows512(dst, a *float32, lda int, b *float32, ldb int, offs *int, groups, rows, n int)

// convRowsAsm512 transposes the weights so that four channels' weights of a
// tap are adjacent (zeros for the channels past ocg) and runs the assembly
// over the groups of four; a last group of fewer goes through a scratch
// output.
func convRowsAsm512(out []float32, ldo int, pad []float32, wp int, taps []int, w []float32, oh, ow int, bias []float32) {
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
		convRows512(&out[0], ldo, &pad[0], wp, &taps[0], k, &wt[0], 4*g4, full, oh, ow, b)
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
	convRows512(&scratch[0], oh*ow, &pad[0], wp, &taps[0], k, &wt[4*full], 4*g4, 1, oh, ow, b)
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
