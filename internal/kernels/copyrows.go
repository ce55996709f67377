package kernels

// copyRows is CopyRows32's loop; kernel_amd64.go swaps in AVX2 and AVX-512.
var copyRows = copyRowsGo

// CopyRows32 copies rows runs of n values from src, whose runs start ss
// values apart, to dst, whose runs start ds values apart: dst[r·ds+j] =
// src[r·ss+j] for r < rows, j < n. Convolutions move their images between
// padded and unpadded planes and between grids this way: many runs of 14 to
// 30 values, where a call of the built-in copy per run costs more than the
// copying (the assembly moves a run in one or two masked vector moves). The
// runs must not overlap; it panics when a slice is too short.
func CopyRows32(dst []float32, ds int, src []float32, ss, rows, n int) {
	if rows <= 0 || n <= 0 {
		return
	}
	_, _ = dst[(rows-1)*ds+n-1], src[(rows-1)*ss+n-1]
	if n > ds && rows > 1 || n > ss && rows > 1 || ds < 0 || ss < 0 {
		panic("kernels: CopyRows32: the runs overlap")
	}
	copyRows(dst, ds, src, ss, rows, n)
}

func copyRowsGo(dst []float32, ds int, src []float32, ss, rows, n int) {
	for r := 0; r < rows; r++ {
		copy(dst[r*ds:][:n], src[r*ss:][:n])
	}
}
