package engine

import (
	"math/rand/v2"
	"sync"
	"unsafe"
)

var (
	rngMu sync.Mutex
	rng   = rand.New(rand.NewPCG(0, 0))
)

// Seed makes every random result that follows reproducible: Rand, Randn,
// RandPerm, Dropout, nn's initializers and data shuffling all draw from this one
// generator.
func Seed(n int64) {
	rngMu.Lock()
	defer rngMu.Unlock()
	rng = rand.New(rand.NewPCG(uint64(n), 0x9e3779b97f4a7c15))
}

// withRNG runs f holding the generator.
func withRNG(f func(r *rand.Rand)) {
	rngMu.Lock()
	defer rngMu.Unlock()
	f(rng)
}

// fillRandom fills a new tensor of dtype and shape with draws from next.
func fillRandom(op string, dtype DType, shape []int, next func(r *rand.Rand) float64) *Tensor {
	checkShape(op, shape)
	t := empty(dtype, shape)
	withRNG(func(r *rand.Rand) {
		for i := 0; i < t.Numel(); i++ {
			t.set(i, next(r))
		}
	})
	return t
}

// Rand returns values drawn uniformly from [0, 1).
func Rand(shape ...int) *Tensor {
	return fillRandom("Rand", DefaultDType(), shape, (*rand.Rand).Float64)
}

// Randn returns values drawn from the standard normal distribution.
func Randn(shape ...int) *Tensor {
	return fillRandom("Randn", DefaultDType(), shape, (*rand.Rand).NormFloat64)
}

// RandLike returns uniform [0, 1) values with t's shape and dtype.
func RandLike(t *Tensor) *Tensor {
	return fillRandom("RandLike", t.dtype, t.shape, (*rand.Rand).Float64)
}

// RandnLike returns standard normal values with t's shape and dtype.
func RandnLike(t *Tensor) *Tensor {
	return fillRandom("RandnLike", t.dtype, t.shape, (*rand.Rand).NormFloat64)
}

// Uniform returns values drawn uniformly from [lo, hi).
func Uniform(lo, hi float64, shape ...int) *Tensor {
	return fillRandom("Uniform", DefaultDType(), shape, func(r *rand.Rand) float64 { return lo + (hi-lo)*r.Float64() })
}

// RandPerm returns a random permutation of 0..n-1.
// It panics with an *Error when n < 0 or n ints do not fit in memory.
func RandPerm(n int) []int {
	if n < 0 {
		errorf("RandPerm", "n must be >= 0, got %d", n)
	}
	if err := CheckMemory("RandPerm", n, int(unsafe.Sizeof(n))); err != nil {
		panic(err)
	}
	var p []int
	withRNG(func(r *rand.Rand) { p = r.Perm(n) })
	return p
}

// RandInt returns a random integer in [0, n).
// It panics with an *Error when n <= 0.
func RandInt(n int) int {
	if n <= 0 {
		errorf("RandInt", "n must be positive, got %d (the result is in [0, n))", n)
	}
	var v int
	withRNG(func(r *rand.Rand) { v = r.IntN(n) })
	return v
}
