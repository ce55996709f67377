// Package kernels holds dbr's compiled hot loops: the matrix multiply and the
// vectorized elementwise, ReLU, pooling and optimizer kernels beside it.
//
// The matrix multiply is C = alpha·op(A)·op(B) + beta·C over
// row-major matrices (Sgemm for float32, Dgemm for float64), the operation
// behind every MatMul, Linear layer and convolution in the engine.
//
// The product is cache-blocked the way BLIS and OpenBLAS do it: op(B) is
// packed into panels of 16 columns (an untransposed B copied row by row
// across the panels, so that its rows are read in order), op(A) into panels
// of 6 rows (alpha folded in), and a register-tiled micro-kernel multiplies
// one 6×16 tile at a time, holding the tile in 12 ymm accumulators (Dgemm:
// 6×8 doubles in the same registers). One generic driver (gemm.go) blocks,
// packs and splits both element types; impl holds what differs.
//
// Three kernel sets (paths) are chosen from at run time, the widest the CPU
// and OS run: "avx512" (CPUID and XGETBV for the zmm state, via
// golang.org/x/sys/cpu) multiplies 12×32 float32 tiles (12×16 float64, two
// panels of A at once) in 24 zmm accumulators, with B packed in 32-column
// panels, and computes an edge tile (a narrow output such as a 10-class
// layer, or a few rows) with the kernel of exactly its rows (1…12, one or
// two zmm a row), writing only what exists through AVX-512 masks; where B is
// a single panel (such a narrow output) it reads an untransposed A in place
// instead of packing it; "avx2" (AVX2 and FMA) the 6×16 tiles above in ymm,
// an edge tile by the kernel of its rows (1…6) with the last ymm of a row
// read and written through a lane mask; "go" a pure-Go micro-kernel over the same
// packed panels (other CPUs, other architectures). DBR_CPU=avx2 or
// DBR_CPU=generic forces a lower one. Both assembly sets sum each element
// over k in the same order with one FMA per term, so they give the same
// bits; the Go kernel rounds each product, which differs in the last bits.
//
// Large products are split over GOMAXPROCS goroutines along the larger of the
// two output dimensions; small ones stay on the calling goroutine, where the
// cost of starting workers would exceed the gain. When splitting rows, the
// workers claim chunks of rows as they go (shrinking towards the end), each
// packing every block of B it uses into a buffer of its own, so a worker
// that starts late or loses its core for a while delays no one; a chunk
// waits only for the same rows in the previous block of k. Between blocks every worker
// calls the function set with SetCheck (the engine installs
// engine.CheckInterrupt there); a panic in a worker, such as an interrupt, is
// carried back and re-raised on the calling goroutine.
//
// Implementation embeds gonum's pure-Go BLAS and overrides Sgemm and Dgemm,
// so it plugs into gonum's blas32.Use and blas64.Use and code written against
// gonum's BLAS interface does not change.
//
// Other hot loops share the CPU detection and the assembly, each with a
// pure-Go fallback: Saxpy (SGD's in-place update and gradient
// accumulation), Arith (elementwise +, −, ·, / of equal-length
// operands), Adam32 (Adam's update, bit for bit the Go loop's),
// ReLU32/ReLUGrad32 (the activation and its gradient),
// MaxPool2x2Rows32/MaxPool2x2BackRows32 (the 2×2 max pool, each window's
// maximum as a byte code), CopyRows32 (convolutions' row moves between
// padded planes and grids), ConvRows32/DotRows32 (a convolution with few
// taps straight from its padded planes, AVX-512: DirectConv), and the
// float32 loops of vmath.go (Exp32, Log32, Tanh32, Sigmoid32, and Max32,
// Sum32, ExpSum32 and Scale32 for softmax rows and bias gradients), whose
// error bounds in ulp are documented there and the same bits on every path.
// Parallel runs the engine's own loops (a convolution's images) on the
// workers the products use.
package kernels
