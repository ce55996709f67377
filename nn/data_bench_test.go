package nn

import "testing"

// BenchmarkFashionMNISTBatch64 measures building one batch of 64 images
// (gathering, scaling to [0, 1], making the tensors).
func BenchmarkFashionMNISTBatch64(b *testing.B) {
	ds, err := FashionMNISTSubset("train")
	if err != nil {
		b.Fatal(err)
	}
	idx := make([]int, 64)
	for i := range idx {
		idx[i] = (i * 37) % ds.Len()
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		makeBatch(ds, idx)
	}
}

// BenchmarkDataLoaderEpoch runs an epoch of the 1000-example subset in
// batches of 64 through the background goroutine, with an empty loop body.
func BenchmarkDataLoaderEpoch(b *testing.B) {
	ds, err := FashionMNISTSubset("train")
	if err != nil {
		b.Fatal(err)
	}
	dl := NewDataLoader(ds, LoaderOpts{BatchSize: 64, Shuffle: true})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for dl.Next() {
		}
	}
}
