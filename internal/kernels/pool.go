package kernels

// The 2×2, stride-2 max pool's loops. A window's four values are, in this
// order, r0[2o], r0[2o+1], r1[2o], r1[2o+1] (r0 and r1 the two input rows
// under output row o); its code is the position 0–3 of its first maximum,
// which is all the backward needs (a byte where a flat index took eight).
var (
	maxPoolRow     = maxPoolRowNone
	maxPoolBackRow = maxPoolBackRowGo
)

// MaxPool2x2Row32 computes the leading outputs of one row of a 2×2,
// stride-2 max pool: out[o] is the first maximum of window o and code[o] its
// position. It returns how many outputs it wrote, from the start: with AVX2
// a multiple of 8 (all of them from 8 on), with AVX-512 all, and 0 with the
// Go kernels; it stops before a block of windows holding a NaN, whose rule
// (NaN wins) the caller applies. r0 and r1 hold at least 2·len(out) values,
// code at least len(out).
func MaxPool2x2Row32(out []float32, code []uint8, r0, r1 []float32) int {
	n := len(out)
	_, _, _ = code[:n], r0[:2*n], r1[:2*n]
	return maxPoolRow(out, code[:n], r0[:2*n], r1[:2*n])
}

// maxPoolRowNone pools nothing: the caller's loop does it all.
func maxPoolRowNone(out []float32, code []uint8, r0, r1 []float32) int { return 0 }

// MaxPool2x2BackRow32 writes the gradient of one row of 2×2 windows that do
// not overlap: window o's four values in r0 and r1 get g[o] at position
// code[o] (its bits, NaN and signed zeros included) and +0 at the other
// three. Every one of the 2·len(g) values of r0 and of r1 is written. Codes
// must be 0–3 (MaxPool2x2Row32's). It panics when a slice is too short.
func MaxPool2x2BackRow32(r0, r1, g []float32, code []uint8) {
	n := len(g)
	maxPoolBackRow(r0[:2*n], r1[:2*n], g, code[:n])
}

func maxPoolBackRowGo(r0, r1, g []float32, code []uint8) {
	for o, c := range code[:len(g)] {
		w := [4]float32{}
		w[c&3] = g[o]
		r0[2*o], r0[2*o+1], r1[2*o], r1[2*o+1] = w[0], w[1], w[2], w[3]
	}
}
