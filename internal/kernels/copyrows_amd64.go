package kernels

// copyRowsAVX and copyRows512 are copyRowsGo in assembly (copyrows_amd64.s):
// each run in blocks of 8 (16) floats and a masked last block.
//
//go:noescape
func copyRowsAVX(dst *float32, ds int, src *float32, ss, rows, n int)

//go:noescape
func copyRows512(dst *float32, ds int, src *float32, ss, rows, n int)

func copyRowsAsm(dst []float32, ds int, src []float32, ss, rows, n int) {
	copyRowsAVX(&dst[0], ds, &src[0], ss, rows, n)
}

func copyRowsAsm512(dst []float32, ds int, src []float32, ss, rows, n int) {
	copyRows512(&dst[0], ds, &src[0], ss, rows, n)
}
