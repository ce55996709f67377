package kernels

// kernelGo is the portable micro-kernel of both element types: C[r*ldc+j] +=
// Σ_p a[p*mr+r]·b[p*nr+j] for the mr×nr tile, over k packed columns of A and
// rows of B; with store set, C[r*ldc+j] = Σ_p … (C is not read).
//
// It walks the tile as 2×4 sub-tiles whose eight sums stay in registers (the
// compiler keeps scalar locals in registers, not arrays), several times
// faster than one loop over an accumulator array.
func kernelGo[T elem](nr, k int, a, b, c []T, ldc int, store bool) {
	a = a[:k*mr]
	b = b[:k*nr]
	for r := 0; r < mr; r += 2 {
		for j := 0; j < nr; j += 4 {
			var c00, c01, c02, c03, c10, c11, c12, c13 T
			for p := 0; p < k; p++ {
				ap := a[p*mr+r : p*mr+r+2 : p*mr+r+2]
				bp := b[p*nr+j : p*nr+j+4 : p*nr+j+4]
				a0, a1 := ap[0], ap[1]
				b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
				c00 += a0 * b0
				c01 += a0 * b1
				c02 += a0 * b2
				c03 += a0 * b3
				c10 += a1 * b0
				c11 += a1 * b1
				c12 += a1 * b2
				c13 += a1 * b3
			}
			row0 := c[r*ldc+j : r*ldc+j+4 : r*ldc+j+4]
			row1 := c[(r+1)*ldc+j : (r+1)*ldc+j+4 : (r+1)*ldc+j+4]
			if store {
				row0[0], row0[1], row0[2], row0[3] = c00, c01, c02, c03
				row1[0], row1[1], row1[2], row1[3] = c10, c11, c12, c13
				continue
			}
			row0[0] += c00
			row0[1] += c01
			row0[2] += c02
			row0[3] += c03
			row1[0] += c10
			row1[1] += c11
			row1[2] += c12
			row1[3] += c13
		}
	}
}
