package kernels

// The max pool's assembly (pool_amd64.s): eight windows at a time with
// AVX2, sixteen with AVX-512 (whose masked loads and stores also take a
// row's last, partial block).

//go:noescape
func maxPool8AVX(out *float32, code *uint8, r0, r1 *float32) bool

//go:noescape
func maxPoolBack8AVX(r0, r1, grad *float32, code *uint8)

//go:noescape
func maxPool512(out *float32, code *uint8, r0, r1 *float32, n int) int

//go:noescape
func maxPoolBack512(r0, r1, grad *float32, code *uint8, n int)

// maxPoolRowAVX pools blocks of eight windows, the last one overlapping the
// one before it (its outputs are computed again, to the same values); a row
// of fewer than eight is left to the caller.
func maxPoolRowAVX(out []float32, code []uint8, r0, r1 []float32) int {
	n := len(out)
	if n < 8 {
		return 0
	}
	_, _, _ = code[n-1], r0[2*n-1], r1[2*n-1]
	for o := 0; ; o += 8 {
		o = min(o, n-8)
		if !maxPool8AVX(&out[o], &code[o], &r0[2*o], &r1[2*o]) {
			return o &^ 7 // the blocks before this one
		}
		if o == n-8 {
			return n
		}
	}
}

// maxPoolBackRowAVX is maxPoolRowAVX's layout for the backward; the windows
// of a row shorter than eight go through the Go loop.
func maxPoolBackRowAVX(r0, r1, g []float32, code []uint8) {
	n := len(g)
	if n < 8 {
		maxPoolBackRowGo(r0, r1, g, code)
		return
	}
	_, _, _ = code[n-1], r0[2*n-1], r1[2*n-1]
	for o := 0; ; o += 8 {
		o = min(o, n-8)
		maxPoolBack8AVX(&r0[2*o], &r1[2*o], &g[o], &code[o])
		if o == n-8 {
			return
		}
	}
}

func maxPoolRow512(out []float32, code []uint8, r0, r1 []float32) int {
	if len(out) == 0 {
		return 0
	}
	return maxPool512(&out[0], &code[0], &r0[0], &r1[0], len(out))
}

func maxPoolBackRow512(r0, r1, g []float32, code []uint8) {
	if len(g) == 0 {
		return
	}
	maxPoolBack512(&r0[0], &r1[0], &g[0], &code[0], len(g))
}
