package gemm

// kernelGo is the portable micro-kernel: C[r*ldc+j] += Σ_p a[p*mr+r]·b[p*nr+j]
// for the mr×nr tile, over k packed columns of A and rows of B; with store
// set, C[r*ldc+j] = Σ_p … (C is not read).
func kernelGo(k int, a, b, c []float32, ldc int, store bool) {
	var acc [mr][nr]float32
	a = a[:k*mr]
	b = b[:k*nr]
	for p := 0; p < k; p++ {
		ap := (*[mr]float32)(a[p*mr:])
		bp := (*[nr]float32)(b[p*nr:])
		for r := range acc {
			ar := ap[r]
			row := &acc[r]
			for j := range row {
				row[j] += ar * bp[j]
			}
		}
	}
	for r := range acc {
		crow := c[r*ldc : r*ldc+nr]
		if store {
			copy(crow, acc[r][:])
			continue
		}
		for j := range crow {
			crow[j] += acc[r][j]
		}
	}
}
