package kernels

// The max pool's assembly (pool_amd64.s): eight windows at a time with
// AVX2, sixteen with AVX-512 (whose masked loads and stores also take a
// row's last, partial block).

//go:noescape
func maxPool8AVX(out *float32, code *uint8, r0, r1 *float32) bool

//go:noescape
func maxPoolBack8AVX(r0, r1, grad *float32, code *uint8)

//go:noescape
func maxPool512(out *float32, code *uint8, x *float32, w, rows, n int) int

//go:noescape
func maxPoolBack512(gx *float32, w int, grad *float32, code *uint8, rows, n int)

// maxPoolRowsAVX pools blocks of eight windows, a row's last block
// overlapping the one before it (its outputs are computed again, to the
// same values). A row of fewer than eight windows is pooled eight at a
// time too, those past the row landing on the outputs of the rows after
// it, which are computed later: all rows but the last.
func maxPoolRowsAVX(out []float32, code []uint8, x []float32, w, rows, n int) int {
	for p := 0; p < rows; p++ {
		o, i := p*n, 2*p*w
		if n < 8 {
			if p == rows-1 || o+8 > len(out) || o+8 > len(code) || i+w+16 > len(x) {
				return o
			}
			if !maxPool8AVX(&out[o], &code[o], &x[i], &x[i+w]) {
				return o
			}
			continue
		}
		for j := 0; ; j += 8 {
			j = min(j, n-8)
			if !maxPool8AVX(&out[o+j], &code[o+j], &x[i+2*j], &x[i+w+2*j]) {
				return o + j&^7 // the blocks before this one
			}
			if j == n-8 {
				break
			}
		}
	}
	return rows * n
}

// maxPoolBackRowsAVX is maxPoolRowsAVX's layout for the backward. Rows of
// 4 to 7 windows over inputs exactly 2n wide (the CNN's 14-wide planes) are
// written eight windows at a time too: the values past row 2p's 2n land on
// row 2p+1's first ones, stored right after, and those past row 2p+1's on
// row 2p+2's first ones, stored with the next row of windows (the last row,
// and other short rows, go through the Go loop).
func maxPoolBackRowsAVX(gx []float32, w int, g []float32, code []uint8, rows, n int) {
	if n < 8 {
		p := 0
		if n >= 4 && w == 2*n {
			for ; p < rows-1; p++ {
				o, i := p*n, 2*p*w
				maxPoolBack8AVX(&gx[i], &gx[i+w], &g[o], &code[o])
			}
		}
		maxPoolBackRowsGo(gx[2*p*w:], w, g[p*n:], code[p*n:], rows-p, n)
		return
	}
	for p := 0; p < rows; p++ {
		o, i := p*n, 2*p*w
		for j := 0; ; j += 8 {
			j = min(j, n-8)
			maxPoolBack8AVX(&gx[i+2*j], &gx[i+w+2*j], &g[o+j], &code[o+j])
			if j == n-8 {
				break
			}
		}
	}
}

func maxPoolRows512(out []float32, code []uint8, x []float32, w, rows, n int) int {
	return maxPool512(&out[0], &code[0], &x[0], w, rows, n)
}

func maxPoolBackRows512(gx []float32, w int, g []float32, code []uint8, rows, n int) {
	maxPoolBack512(&gx[0], w, &g[0], &code[0], rows, n)
}
