package gemm

// Arith ops of Arith32.
const (
	Add = iota
	Sub
	Mul
	Div
)

// arith is Arith32's loop; init in kernel_amd64.go swaps in AVX2.
var arith = arithGo

// Arith32 sets dst[i] = a[i] op b[i] for every i < len(dst), op one of Add,
// Sub, Mul, Div: each result is the float32 operation, as Go's, so AVX2 and
// the Go loop give the same bits. a and b must be at least as long as dst
// (it panics otherwise).
func Arith32(op int, dst, a, b []float32) {
	n := len(dst)
	arith(op, dst, a[:n], b[:n])
}

func arithGo(op int, dst, a, b []float32) {
	a, b = a[:len(dst)], b[:len(dst)]
	switch op {
	case Add:
		for i := range dst {
			dst[i] = a[i] + b[i]
		}
	case Sub:
		for i := range dst {
			dst[i] = a[i] - b[i]
		}
	case Mul:
		for i := range dst {
			dst[i] = a[i] * b[i]
		}
	case Div:
		for i := range dst {
			dst[i] = a[i] / b[i]
		}
	default:
		panic("gemm: unknown arith op")
	}
}
