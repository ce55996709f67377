package kernels

import (
	"fmt"
	"os"
	"strings"
)

// kernelName names the micro-kernels in use (see Kernel).
var kernelName = "go"

// path is one set of kernels: the pure-Go ones, or assembly for an
// instruction set. install swaps it in (the GEMM's micro-kernels, tile width
// and packing, and the elementwise loops).
type path struct {
	name    string
	install func()
}

// paths lists the kernel sets this CPU and OS run, lowest first: "go"
// everywhere, then what archPaths finds (kernel_amd64.go: avx2, avx512).
var paths = append([]path{{"go", installGo}}, archPaths()...)

// installGo installs the pure-Go kernels.
func installGo() {
	kernelName = "go"
	setGemm(f32, 16, nil, nil, nil, nil, nil)
	setGemm(f64, 8, nil, nil, nil, nil, nil)
	relu, reluGrad = reluGo, reluGradGo
	maxPoolRows, maxPoolBackRows = maxPoolRowsNone, maxPoolBackRowsGo
	copyRows = copyRowsGo
	convRows, dotRows, directConv = convRowsGo, dotRowsGo, false
	saxpy, adam, arith = saxpyGo, adamGo, arithGo[float32]
	mulScalar32, addRows32 = mulScalar32Go, addRows32Go
	vmPath = vmGo
}

// setGemm sets an element type's tile width, micro-kernel (nil: kernelGo),
// edge-aware tile kernel (nil: none) and assembly packing routines (nil: the
// Go loops).
func setGemm[T elem](im *impl[T], nr int, kernel func(k int, a, b, c []T, ldc int, store bool), tile func(k int, a, b, c []T, ldc int, store bool, rows, cols int), packTrans, packRows func(dst, src *T, ld, k int), packCopy func(dst, src *T, ld, k, panels int)) {
	if kernel == nil {
		kernel = func(k int, a, b, c []T, ldc int, store bool) { kernelGo(nr, k, a, b, c, ldc, store) }
	}
	im.nr, im.kernel, im.tile, im.packTrans, im.packRows, im.packCopy = nr, kernel, tile, packTrans, packRows, packCopy
	im.direct, im.edge, im.packTrans8, im.packCols = nil, nil, nil, nil
}

// choosePath installs the widest path unless DBR_CPU names a lower one
// ("generic" or "go", "avx2"), which tests of the lower paths and
// comparisons use; a path this machine cannot run is refused on stderr and
// the widest is kept.
func choosePath(env string) {
	best := paths[len(paths)-1]
	if env == "generic" {
		env = "go"
	}
	if env != "" {
		found := false
		for _, p := range paths {
			if p.name == env {
				best, found = p, true
			}
		}
		if !found {
			var names []string
			for _, p := range paths {
				names = append(names, p.name)
			}
			fmt.Fprintf(os.Stderr, "dbr: DBR_CPU=%s is not a kernel set this CPU runs (%s); using %s\n", env, strings.Join(names, ", "), best.name)
		}
	}
	best.install()
}

func init() { choosePath(os.Getenv("DBR_CPU")) }

// min512 is the shortest slice the AVX-512 elementwise loops
// (kernel_amd64.go) take; shorter ones run the AVX2 loops. On short slices
// the 512-bit loops gain a few nanoseconds and cost more than that in the
// code that runs around them: a training step on tiny tensors, whose one
// 512-bit call was a Saxpy of 64 floats into a gradient, took 5–15% more CPU
// time than with the AVX2 loops. Both give the same bits, so the threshold
// changes no result. Tests use lengths on both sides of it.
const min512 = 4096

// saxpy is Saxpy's loop; init in kernel_amd64.go swaps in AVX2.
var saxpy = saxpyGo

func saxpyGo(a float32, x, y []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += a * v
	}
}

// Saxpy sets y[i] += a·x[i] for every i < len(x); y must be at least as long
// as x (it panics otherwise). The engine's in-place optimizer updates use it.
func Saxpy(a float32, x, y []float32) {
	_ = y[:len(x)]
	saxpy(a, x, y)
}

// Kernel names the kernels in use: "avx512", "avx2" or "go".
func Kernel() string { return kernelName }
