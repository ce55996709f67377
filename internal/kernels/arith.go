package kernels

import "fmt"

// Arith ops of Arith.
const (
	Add = iota
	Sub
	Mul
	Div
)

// arith is Arith's float32 loop; init in kernel_amd64.go swaps in AVX2.
var arith = arithGo[float32]

// Arith sets dst[i] = a[i] op b[i] for every i < len(dst), op one of Add,
// Sub, Mul, Div, in dst's type (float32 in AVX2 where the CPU has it: the
// same bits as Go's operations). a and b must be at least as long as dst
// (it panics otherwise).
func Arith[T elem](op int, dst, a, b []T) {
	n := len(dst)
	a, b = a[:n], b[:n]
	if d, ok := any(dst).([]float32); ok {
		arith(op, d, any(a).([]float32), any(b).([]float32))
		return
	}
	arithGo(op, dst, a, b)
}

func arithGo[T elem](op int, dst, a, b []T) {
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
		panic("kernels: unknown arith op")
	}
}

// mulScalar32 is MulScalar32's loop; init in kernel_amd64.go swaps in AVX2.
var mulScalar32 = mulScalar32Go

// MulScalar32 sets dst[i] = float32(float64(src[i])·s) for every i < len(src):
// the product in float64, rounded once to float32 (in AVX2 where the CPU has
// it, four floats widened at a time: the same bits as Go's operations). dst
// must be at least as long as src (it panics otherwise).
func MulScalar32(dst, src []float32, s float64) {
	_ = dst[:len(src)]
	mulScalar32(dst, src, s)
}

func mulScalar32Go(dst, src []float32, s float64) {
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] = float32(float64(v) * s)
	}
}

// addRows32 is AddRows32's loop; init in kernel_amd64.go swaps in AVX2.
var addRows32 = addRows32Go

// AddRows32 adds every row of src, a rows×len(dst) matrix, into dst, the
// rows in order: dst[j] = (…((dst[j] + src[j]) + src[n+j]) + …), n =
// len(dst), the same sums as adding the rows one by one (a bias gradient).
// The AVX2 loop keeps up to 64 columns in registers over all rows instead of
// loading and storing dst once per row. src must hold rows·n values (it
// panics otherwise).
func AddRows32(dst, src []float32, rows int) {
	n := len(dst)
	if rows < 0 || len(src) < rows*n {
		panic(fmt.Sprintf("kernels.AddRows32: %d rows of %d from %d values", rows, n, len(src)))
	}
	if rows == 0 || n == 0 {
		return
	}
	addRows32(dst, src[:rows*n], rows)
}

func addRows32Go(dst, src []float32, rows int) {
	n := len(dst)
	for i := 0; i < rows; i++ {
		row := src[i*n : (i+1)*n]
		for j, v := range row {
			dst[j] += v
		}
	}
}
