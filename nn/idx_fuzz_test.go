package nn

import (
	"bytes"
	"testing"
)

// FuzzReadIDX feeds arbitrary bytes, plain or gzipped, to the IDX parser
// behind ReadIDX, ReadMNIST and FashionMNIST. It must never panic, and what
// it accepts must be consistent: the data holds exactly the declared values.
//
//	go test ./nn -run '^$' -fuzz FuzzReadIDX -fuzztime 1m
func FuzzReadIDX(f *testing.F) {
	f.Add(idxBytes(8, []uint32{2, 2, 2}, []byte{1, 2, 3, 4, 5, 6, 7, 8}))
	f.Add(idxBytes(0x0E, []uint32{1}, []byte{0x3f, 0xf0, 0, 0, 0, 0, 0, 0}))
	f.Add(idxBytes(0x0B, []uint32{3}, []byte{0, 1, 0, 2}))
	f.Add(gzipped(idxBytes(8, []uint32{3}, []byte{7, 8, 9})))
	f.Add(gzipped(idxBytes(8, []uint32{1 << 30, 1 << 20}, nil)))
	f.Add([]byte{0, 0, 8})
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := parseIDX(bytes.NewReader(data), int64(len(data)), nil)
		if err != nil {
			return
		}
		n := idxTypes[d.typ].size
		for _, s := range d.dims {
			n *= s
		}
		if n != len(d.data) {
			t.Fatalf("dims %v of type %#x need %d bytes, got %d", d.dims, d.typ, n, len(d.data))
		}
	})
}
