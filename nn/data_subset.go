package nn

import "github.com/dbr-go/dbr/engine"

// Subset is the examples of a Dataset at the given indices, in that order,
// as PyTorch's Subset: example i of the subset is example Indices()[i] of
// the dataset. It shares the dataset's data.
type Subset struct {
	ds  Dataset
	idx []int
}

// NewSubset returns the subset of ds at indices (copied).
// It panics with an *engine.Error when an index is out of range.
func NewSubset(ds Dataset, indices []int) *Subset {
	if ds == nil {
		errorf("NewSubset", "the dataset is nil")
	}
	n := ds.Len()
	for k, i := range indices {
		if i < 0 || i >= n {
			errorf("NewSubset", "index %d (position %d) is out of range for a dataset of %d examples", i, k, n)
		}
	}
	return &Subset{ds: ds, idx: append([]int(nil), indices...)}
}

// Indices returns the indices into the dataset, in the subset's order.
func (s *Subset) Indices() []int { return append([]int(nil), s.idx...) }

// Len returns the number of examples in the subset.
func (s *Subset) Len() int { return len(s.idx) }

// Get returns example i of the subset.
// It panics with an *engine.Error when i is out of range.
func (s *Subset) Get(i int) (x, y *engine.Tensor) {
	if i < 0 || i >= len(s.idx) {
		errorf("Subset.Get", "index %d is out of range for %d examples", i, len(s.idx))
	}
	return s.ds.Get(s.idx[i])
}

// batch uses the dataset's own batch building when it has one.
func (s *Subset) batch(idx []int) (x, y *engine.Tensor) {
	m := make([]int, len(idx))
	for k, i := range idx {
		if i < 0 || i >= len(s.idx) {
			errorf("Subset", "index %d is out of range for %d examples", i, len(s.idx))
		}
		m[k] = s.idx[i]
	}
	if b, ok := s.ds.(batcher); ok {
		return b.batch(m)
	}
	r := makeBatch(s.ds, m)
	if r.err != nil {
		panic(r.err)
	}
	return r.x, r.y
}

// RandomSplit shuffles the examples of ds (drawing from engine's generator,
// so engine.Seed makes it reproducible) and cuts them into subsets of the
// given lengths, as torch.utils.data.random_split: RandomSplit(ds, []int{50000,
// 10000}) gives a training and a validation set. It panics with an
// *engine.Error when the lengths do not add up to ds.Len().
func RandomSplit(ds Dataset, lengths []int) []*Subset {
	if ds == nil {
		errorf("RandomSplit", "the dataset is nil")
	}
	total := 0
	for _, l := range lengths {
		if l < 0 {
			errorf("RandomSplit", "lengths must be >= 0, got %v", lengths)
		}
		total += l
	}
	if total != ds.Len() {
		errorf("RandomSplit", "the lengths %v add up to %d, but the dataset has %d examples", lengths, total, ds.Len())
	}
	perm := engine.RandPerm(total)
	out := make([]*Subset, len(lengths))
	at := 0
	for k, l := range lengths {
		out[k] = &Subset{ds: ds, idx: perm[at : at+l : at+l]}
		at += l
	}
	return out
}
