package nn

import (
	"fmt"
	"math"

	"github.com/dbr-go/dbr/engine"
)

// Embedding is a lookup table of NumEmbeddings vectors of size EmbeddingDim,
// as torch.nn.Embedding. Weight has shape [NumEmbeddings, EmbeddingDim] and
// is initialized from N(0, 1).
type Embedding struct {
	NumEmbeddings, EmbeddingDim int
	Weight                      *engine.Tensor
}

// NewEmbedding returns an Embedding of num vectors of size dim.
func NewEmbedding(num, dim int) *Embedding {
	if num <= 0 || dim <= 0 {
		errorf("NewEmbedding", "sizes must be positive, got %d and %d", num, dim)
	}
	e := &Embedding{NumEmbeddings: num, EmbeddingDim: dim, Weight: param(num, dim)}
	NormalInit(e.Weight, 0, 1)
	return e
}

// Forward looks up the rows named by x, a tensor of whole-number indices of
// any shape; the result has x's shape with EmbeddingDim appended.
// It panics with an *engine.Error when an index is not a whole number in
// [0, NumEmbeddings).
func (e *Embedding) Forward(x *engine.Tensor) *engine.Tensor {
	vals := x.Float64s()
	idx := make([]int, len(vals))
	for i, v := range vals {
		if v != math.Trunc(v) {
			errorf("Embedding", "index %v at position %d is not a whole number (indices pick rows of the weight)", v, i)
		}
		if v < 0 || v >= float64(e.Weight.Size(0)) {
			e.outOfRange(v, i)
		}
		idx[i] = int(v)
	}
	return e.Weight.IndexSelect(0, idx).Reshape(append(x.Shape(), e.Weight.Size(1))...)
}

// Lookup returns the rows named by idx, shape [len(idx), EmbeddingDim].
func (e *Embedding) Lookup(idx []int) *engine.Tensor {
	for i, v := range idx {
		if v < 0 || v >= e.Weight.Size(0) {
			e.outOfRange(float64(v), i)
		}
	}
	return e.Weight.IndexSelect(0, idx)
}

// outOfRange panics: index v at position i names no row of the weight.
func (e *Embedding) outOfRange(v float64, i int) {
	n := e.Weight.Size(0)
	errorf("Embedding", "index %v at position %d is out of range [0, %d): the weight %v has %d rows, one per index (NewEmbedding(num, dim) makes num rows)", v, i, n, e.Weight.Shape(), n)
}

// Params returns the weight.
func (e *Embedding) Params() []Param { return []Param{{Name: "weight", Tensor: e.Weight}} }

func (e *Embedding) String() string {
	return fmt.Sprintf("Embedding(%d, %d)", e.Weight.Size(0), e.Weight.Size(1))
}
