package engine

import (
	"math"
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

// Multinomial draws numSamples category indices from each row of t, whose
// non-negative values are the categories' weights (probabilities, or any
// scale), as torch.multinomial: t is [C] or [N, C], the result [numSamples]
// or [N, numSamples], an index tensor of t's dtype (see Sort). Without
// replacement a category is drawn at most once per row. It draws from the
// generator that Seed sets.
// It panics with an *Error when a weight is negative or not finite, a row
// sums to 0, or more samples than categories are asked without replacement.
func (t *Tensor) Multinomial(numSamples int, replacement bool) *Tensor {
	needTensors("Multinomial", recvOnly, t)
	if len(t.shape) != 1 && len(t.shape) != 2 {
		shapeErr("Multinomial", "the weights must be [C] or [N, C]", "", t.shape)
	}
	c := t.shape[len(t.shape)-1]
	rows := t.Numel() / max(c, 1)
	if numSamples < 0 || !replacement && numSamples > c {
		errorf("Multinomial", "cannot draw %d samples from %d categories without replacement", numSamples, c)
	}
	outShape := append(append([]int{}, t.shape[:len(t.shape)-1]...), numSamples)
	out := empty(t.dtype, outShape)
	w := make([]float64, c)
	withRNG(func(r *rand.Rand) {
		for row := 0; row < rows; row++ {
			for k := range w {
				w[k] = t.get(row*c + k)
				if w[k] < 0 || math.IsInf(w[k], 0) || w[k] != w[k] {
					errorf("Multinomial", "weight %v at row %d, category %d: weights must be finite and >= 0", w[k], row, k)
				}
			}
			for s := 0; s < numSamples; s++ {
				total := 0.0
				for _, v := range w {
					total += v
				}
				if total <= 0 {
					errorf("Multinomial", "the weights of row %d sum to 0 (with %d categories drawn)", row, s)
				}
				u, k := r.Float64()*total, 0
				for ; k < c-1; k++ {
					if u -= w[k]; u < 0 && w[k] > 0 {
						break
					}
				}
				for w[k] == 0 { // rounding at the end: the last category with weight
					k--
				}
				out.set(row*numSamples+s, float64(k))
				if !replacement {
					w[k] = 0
				}
			}
		}
	})
	return record("Multinomial", out, nil, t)
}

// Bernoulli returns 1 with probability t and 0 otherwise, elementwise, as
// torch.bernoulli, drawing from the generator that Seed sets. It is not
// differentiable.
// It panics with an *Error when a probability is outside [0, 1].
func (t *Tensor) Bernoulli() *Tensor {
	needTensors("Bernoulli", recvOnly, t)
	out := empty(t.dtype, t.shape)
	withRNG(func(r *rand.Rand) {
		for i := range t.Numel() {
			p := t.get(i)
			if !(p >= 0 && p <= 1) {
				errorf("Bernoulli", "probability %v at %v is outside [0, 1]", p, unflatten(i, t.shape))
			}
			out.set(i, b2f(r.Float64() < p))
		}
	})
	return record("Bernoulli", out, nil, t)
}
