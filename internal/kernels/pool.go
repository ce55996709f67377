package kernels

// The 2×2, stride-2 max pool's loops, over rows of windows. Output row p's
// n windows lie on input rows 2p and 2p+1 (x[2p·w:] and x[(2p+1)·w:], w the
// input's width); window j's four values are, in this order, a = x[2p·w+2j],
// b = the next value, c and d the two below them. Its code is the position
// 0–3 of its first maximum, which is all the backward needs (a byte where
// a flat index took eight).
var (
	maxPoolRows     = maxPoolRowsNone
	maxPoolBackRows = maxPoolBackRowsGo
)

// MaxPool2x2Rows32 computes rows rows of n outputs of a 2×2, stride-2 max
// pool of x, whose rows are w values apart: out[p·n+j] is the first maximum
// of row p's window j and code[p·n+j] its position. It returns how many
// outputs it wrote right, from the start (p·n+j: all rows before p and
// windows before j of row p): AVX-512 does them all, AVX2 all but rows of
// fewer than eight windows (the last row of such rows; the others it pools
// eight at a time, those past the row landing on the rows after it) and the
// Go kernels none. It stops before a block of windows holding a NaN, whose
// rule (NaN wins) the caller applies; outputs past the count it returns may
// hold anything. out and code hold at least rows·n values, x at least
// (2·rows−1)·w + 2n (it panics otherwise).
func MaxPool2x2Rows32(out []float32, code []uint8, x []float32, w, rows, n int) int {
	if rows <= 0 || n <= 0 {
		return 0
	}
	if 2*n > w {
		panic("kernels: MaxPool2x2Rows32: 2n windows' columns are more than the row width")
	}
	_, _, _ = out[rows*n-1], code[rows*n-1], x[(2*rows-1)*w+2*n-1]
	return maxPoolRows(out, code, x, w, rows, n)
}

// maxPoolRowsNone pools nothing: the caller's loop does it all.
func maxPoolRowsNone(out []float32, code []uint8, x []float32, w, rows, n int) int { return 0 }

// MaxPool2x2BackRows32 writes the gradient of rows rows of n 2×2 windows
// that do not overlap (laid out as in MaxPool2x2Rows32): window j of row p
// gets g[p·n+j] (its bits, NaN and signed zeros included) at the position
// code[p·n+j] and +0 at the other three. It writes the first 2n values of
// gx's rows 2p and 2p+1 (w apart), nothing else. Codes must be 0–3. It
// panics when a slice is too short.
func MaxPool2x2BackRows32(gx []float32, w int, g []float32, code []uint8, rows, n int) {
	if rows <= 0 || n <= 0 {
		return
	}
	if 2*n > w {
		panic("kernels: MaxPool2x2BackRows32: 2n windows' columns are more than the row width")
	}
	_, _, _ = gx[(2*rows-1)*w+2*n-1], g[rows*n-1], code[rows*n-1]
	maxPoolBackRows(gx, w, g, code, rows, n)
}

func maxPoolBackRowsGo(gx []float32, w int, g []float32, code []uint8, rows, n int) {
	for p := 0; p < rows; p++ {
		r0, r1 := gx[2*p*w:][:2*n], gx[(2*p+1)*w:][:2*n]
		maxPoolBackRowGo(r0, r1, g[p*n:][:n], code[p*n:][:n])
	}
}

func maxPoolBackRowGo(r0, r1, g []float32, code []uint8) {
	for o, c := range code[:len(g)] {
		w := [4]float32{}
		w[c&3] = g[o]
		r0[2*o], r0[2*o+1], r1[2*o], r1[2*o+1] = w[0], w[1], w[2], w[3]
	}
}
